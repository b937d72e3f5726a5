"""The config file, the login target, log lines and progress bars, without a server."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from sync_core.config import SECRETS, TEMPLATE, ConfigError, load, pin_setting, read_secret
from sync_core.connection import LoginTarget, login_target
from sync_core.logging_setup import configure, event
from sync_core.progress import phased_progress, progress_bar, wants_progress


def _config(tmp_path: Path, text: str = TEMPLATE) -> Path:
    path = tmp_path / "sync-core.toml"
    path.write_text(text)
    return path


def test_the_environment_overrides_where_and_as_whom_to_log_in(tmp_path: Path) -> None:
    path = _config(tmp_path)
    env = {"SF_USERNAME": "u@corp.example", "SF_DOMAIN": "acme.my", "SF_CA_FILE": "/ca.pem"}
    cfg = load(path, env)
    assert cfg.salesforce.username == "u@corp.example"
    assert cfg.salesforce.login_url is None and cfg.salesforce.ca_file == "/ca.pem"
    assert login_target(cfg.salesforce) == LoginTarget(domain="acme.my")
    assert cfg.store_url == f"sqlite:///{tmp_path.resolve()}/sync-core.db"


def test_the_api_version_comes_from_the_file_or_the_environment(tmp_path: Path) -> None:
    assert load(_config(tmp_path), {}).salesforce.api_version == "59.0"
    pinned = _config(tmp_path, TEMPLATE.replace('# api_version = "59.0"', 'api_version = "v61.0"'))
    assert load(pinned, {}).salesforce.api_version == "61.0"
    assert load(pinned, {"SF_API_VERSION": "62.0"}).salesforce.api_version == "62.0"
    with pytest.raises(ConfigError, match=r"api_version must look like 59\.0, got 'latest'"):
        load(pinned, {"SF_API_VERSION": "latest"})


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("https://login.salesforce.com", LoginTarget(domain="login")),
        ("https://test.salesforce.com/", LoginTarget(domain="test")),
        ("https://acme--uat.sandbox.my.salesforce.com", LoginTarget(domain="acme--uat.sandbox.my")),
        ("http://127.0.0.1:8787", LoginTarget(origin="http://127.0.0.1:8787")),
        ("https://127.0.0.1:8443/", LoginTarget(origin="https://127.0.0.1:8443")),
        ("http://login.salesforce.com", LoginTarget(origin="http://login.salesforce.com")),
    ],
)
def test_a_login_url_becomes_a_domain_or_an_origin_to_rewrite_to(
    tmp_path: Path, url: str, target: LoginTarget
) -> None:
    cfg = load(_config(tmp_path), {"SF_LOGIN_URL": url})
    assert login_target(cfg.salesforce) == target


def test_secrets_come_from_files_or_variables_and_are_scrubbed(tmp_path: Path) -> None:
    secret_file = tmp_path / "pw"
    secret_file.write_text("from-a-file-Secret\n")
    assert read_secret("SF_X", str(secret_file), "password", {}) == "from-a-file-Secret"
    assert read_secret("SF_X", None, "password", {"SF_X": "from-env-Secret"}) == "from-env-Secret"
    assert SECRETS.redact("a from-env-Secret b from-a-file-Secret") == "a *** b ***"
    with pytest.raises(ConfigError, match="cannot read the password file"):
        read_secret("SF_X", str(tmp_path / "absent"), "password", {})
    with pytest.raises(ConfigError, match="set environment variable SF_X"):
        read_secret("SF_X", None, "password", {})


@pytest.mark.parametrize("key", ["consumer_secret_env", "consumer_secret_file"])
def test_a_connected_app_secret_is_refused_as_no_login_uses_one(tmp_path: Path, key: str) -> None:
    path = _config(tmp_path, TEMPLATE.replace("[salesforce]\n", f'[salesforce]\n{key} = "X"\n'))
    with pytest.raises(ConfigError, match=f"unknown key salesforce.{key}"):
        load(path, {})


def test_settings_set_rewrites_only_a_pinned_line(tmp_path: Path) -> None:
    path = _config(tmp_path)
    assert pin_setting(path, "sync_fields", ["marketo_sales_opt_out", "email_opt_out"])
    assert not pin_setting(path, "full_reconcile_days", 3)
    cfg = load(path, {})
    assert cfg.settings["sync_fields"] == ["email_opt_out", "marketo_sales_opt_out"]
    assert "full_reconcile_days" not in cfg.settings
    assert "# Settings > Admin Settings" in path.read_text()


def test_log_lines_are_one_per_event_and_never_show_a_secret() -> None:
    SECRETS.add("Sekret-in-a-message")
    stream = io.StringIO()
    logger = configure(stream, json_lines=False, name="sync_core.test.text")
    event(logger, "push_error", logging.WARNING, code="X", message="got Sekret-in-a-message back")
    line = stream.getvalue()
    assert line.count("\n") == 1
    assert ' WARNING push_error code=X message="got *** back"' in line


def test_progress_is_silent_off_a_terminal_and_under_json() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert not wants_progress(io.StringIO(), json_output=False)
    assert not wants_progress(Terminal(), json_output=True)
    assert wants_progress(Terminal(), json_output=False)
    quiet = io.StringIO()
    with progress_bar("importing", 3, quiet, enabled=False) as advance:
        advance(3)
    assert quiet.getvalue() == ""
    shown = Terminal()
    with progress_bar("importing", 3, shown, enabled=True) as advance:
        advance(3)
    assert "importing" in shown.getvalue()


def test_a_password_in_the_store_url_is_a_secret_too(tmp_path: Path) -> None:
    url = "postgresql+psycopg://sync:Db-Pass-Word-9@127.0.0.1:1/sync"
    load(_config(tmp_path), {"SYNC_CORE_STORE_URL": url})
    assert SECRETS.redact(f"could not connect to {url}") == (
        "could not connect to postgresql+psycopg://sync:***@127.0.0.1:1/sync"
    )
    with pytest.raises(ConfigError, match=r"store\.url is not a database URL"):
        load(_config(tmp_path), {"SYNC_CORE_STORE_URL": "not a url"})


def test_a_nightly_run_shows_its_phase_and_percentage_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    shown = Terminal()
    label = "running the nightly sync"
    with phased_progress(label, shown, enabled=True, detail=lambda: "7 API calls") as progress:
        progress("reading Salesforce", 4_000, None)
        progress("writing to Salesforce", 150, 200)
    text = shown.getvalue()
    assert "running the nightly sync" in text and "writing to Salesforce" in text
    assert "75%" in text and "150/200" in text and "7 API calls" in text
    quiet = Terminal()
    with phased_progress(label, quiet, enabled=False, detail=lambda: "x") as progress:
        progress("reading Salesforce", 1, None)
    assert quiet.getvalue() == ""
