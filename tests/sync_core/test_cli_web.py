"""`sync-core link`, `admin add`, `web`, and the CLI's own words: local times, push hints."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sync_core.runner import SEEN_KEY
from sync_core.store import open_store
from sync_core.web.accounts import Accounts
from sync_core.web.links import verify_token
from tests.sync_core.cli_harness import Cli, cli_fixture, served_fixture  # noqa: F401

SECRET = "a-link-secret-for-the-tests-0123"


def _store(cli: Cli) -> object:
    return open_store(f"sqlite:///{cli.home / 'sync-core.db'}")


def test_link_prints_a_signed_link_under_the_public_url(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNC_CORE_LINK_SECRET", SECRET)
    cli.edit(public_url='"https://mail.corp.example/sync"')
    assert cli("people", "import", cli.people_csv("email\njane@example.com\n")).code == 0
    result = cli("link", "jane@example.com")
    assert result.code == 0
    url = result.out.strip()
    assert url.startswith("https://mail.corp.example/sync/u/")
    token = url.rsplit("/", 1)[1]
    claim = verify_token(SECRET.encode(), token, "jane@example.com", datetime.now(UTC))
    assert (claim.expires - datetime.now(UTC)).days in (89, 90)


def test_link_without_a_secret_says_where_to_put_one(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SYNC_CORE_LINK_SECRET", raising=False)
    assert cli("people", "import", cli.people_csv("email\njane@example.com\n")).code == 0
    result = cli("link", "jane@example.com")
    assert result.code == 2 and "SYNC_CORE_LINK_SECRET" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_admin_add_stores_a_hash_and_the_password_logs_in(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long passphrase\n"))
    result = cli("admin", "add", "ops@corp.example", "--password-stdin")
    assert result.code == 0 and "added" in result.out
    store = _store(cli)
    accounts = Accounts(store.engine)  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    assert accounts.log_in("ops@corp.example", "a long passphrase", now) is not None
    assert accounts.log_in("ops@corp.example", "a wrong passphrase", now) is None
    assert "a long passphrase" not in (cli.home / "sync-core.db").read_bytes().decode("latin-1")
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    refused = cli("admin", "add", "ops@corp.example", "--password-stdin")
    assert refused.code == 2 and "at least 10 characters" in refused.err


def test_person_show_gives_times_in_the_configured_zone_and_json_keeps_utc(cli: Cli) -> None:
    assert cli("people", "import", cli.people_csv("email\njane@example.com\n")).code == 0
    assert cli("unsubscribe", "jane@example.com", "--source", "manual").code == 0
    text = cli("person", "show", "jane@example.com").out
    assert " PST " in text or " PDT " in text  # America/Los_Angeles, the default zone
    at = cli("--json", "person", "show", "jane@example.com").json()["history"][0]["at"]
    assert at.endswith("+00:00")


def test_unsubscribe_asks_for_a_push_only_when_no_service_is_running(cli: Cli) -> None:
    assert (
        cli("people", "import", cli.people_csv("email\na@example.com\nb@example.com\n")).code == 0
    )
    alone = cli("unsubscribe", "a@example.com", "--source", "manual").out
    assert "sync-core push" in alone
    store = _store(cli)
    store.set_state(SEEN_KEY, datetime.now(UTC).isoformat())  # type: ignore[attr-defined]
    served = cli("unsubscribe", "b@example.com", "--source", "manual").out
    assert "sync-core push" not in served and "running service" in served


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_web_serves_the_console_on_loopback_until_sigterm(cli: Cli, tmp_path: Path) -> None:
    port = _free_port()
    command = [sys.executable, "-m", "sync_core.cli", "--config", str(cli.config), "web"]
    server = subprocess.Popen(
        [*command, "--port", str(port)], stderr=subprocess.PIPE, text=True, cwd=tmp_path
    )
    try:
        page = b""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/people", timeout=2) as r:
                    page = r.read()
                break
            except OSError:
                time.sleep(0.1)
        assert b"<h1>People</h1>" in page
    finally:
        server.terminate()
        _, err = server.communicate(timeout=10)
    assert server.returncode == 0 and f"127.0.0.1:{port}" in err, err


def test_import_reads_a_salesforce_report_export_with_semicolons(cli: Cli) -> None:
    contact = cli.contact("jane@example.com")
    export = f"First Name;EMAIL;Contact ID;Lead ID\nJane;Jane@Example.com;{contact[:15]};\n"
    result = cli("people", "import", cli.people_csv(export))
    assert result.code == 0, result.err
    shown = cli("--json", "person", "show", "jane@example.com").json()
    assert shown["contact_id"] == contact


def test_import_with_json_lists_every_bad_line_not_only_twenty(cli: Cli) -> None:
    rows = "".join(f"not-an-email-{n},,\n" for n in range(30))
    result = cli("--json", "people", "import", cli.people_csv("email,contact_id,lead_id\n" + rows))
    assert result.code == 2
    assert len(result.json()["problems"]) == 30


def test_the_scrubber_keeps_ordinary_words_and_hides_real_secrets() -> None:
    from sync_core.config import Secrets

    secrets = Secrets()
    secrets.add("password")  # a fake org's default password is this very word
    secrets.add("Tok3n-XYZ-123")
    message = "INVALID_LOGIN: Invalid username, password, security token; got Tok3n-XYZ-123"
    assert secrets.redact(message) == (
        "INVALID_LOGIN: Invalid username, password, security token; got ***"
    )


def test_check_over_tls_without_the_ca_names_the_setting_that_fixes_it(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from fake_salesforce.server import FakeServer, make_certificate

    tls = make_certificate(tmp_path / "tls")
    with FakeServer(cli.fake.app, port=0, tls=tls) as server:
        monkeypatch.setenv("SF_LOGIN_URL", server.url)
        result = cli("check")
    assert result.code == 3 and len(result.err.strip().splitlines()) == 1
    assert "TLS certificate" in result.err
    assert "SF_CA_FILE" in result.err and "salesforce.ca_file" in result.err


def test_check_leaves_the_field_verdicts_for_the_settings_page(cli: Cli) -> None:
    import json

    from sync_core.web.settings_form import LAST_CHECK

    assert cli("check").code == 0
    store = _store(cli)
    saved = json.loads(store.get_state(LAST_CHECK))  # type: ignore[attr-defined]
    verdicts = {(f["sobject"], f["field"]): f["updateable"] for f in saved["fields"]}
    assert verdicts[("Lead", "mkto_si__Marketo_Sales_Opt_Out__c")] is True
    assert verdicts[("Contact", "HasOptedOutOfEmail")] is True


def _get(url: str, attempts: int = 150) -> bytes:
    for _ in range(attempts):
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                return bytes(answer.read())
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answered at {url}")


@pytest.mark.parametrize("command", ["run", "web"])
def test_a_one_click_post_to_the_served_page_reaches_salesforce(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """`run` delivers the capture from its loop, `web` pushes it itself; both at once."""
    port = _free_port()
    monkeypatch.setenv("SYNC_CORE_LINK_SECRET", SECRET)
    cli.edit(port=str(port), public_url=f'"http://127.0.0.1:{port}"')
    contact = cli.contact("jane@example.com")
    roster = cli.people_csv(f"email,contact_id,lead_id\njane@example.com,{contact},\n")
    assert cli("people", "import", roster).code == 0
    link = cli("link", "jane@example.com").out.strip()
    argv = [sys.executable, "-m", "sync_core.cli", "--config", str(cli.config), command]
    server = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True, cwd=cli.home)
    try:
        assert b"Unsubscribe from sales emails" in _get(link)
        assert cli.value("Contact", contact) is False  # the GET changed nothing
        body = b"List-Unsubscribe=One-Click"
        with urllib.request.urlopen(urllib.request.Request(link, data=body), timeout=10) as r:
            assert r.status == 200
        for _ in range(100):
            if cli.value("Contact", contact) is True:
                break
            time.sleep(0.1)
        assert cli.value("Contact", contact) is True
    finally:
        server.terminate()
        _, err = server.communicate(timeout=20)
    assert server.returncode == 0, err
