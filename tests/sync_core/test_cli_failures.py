"""Bad input and failures: one line on stderr, the right exit code, and never a secret."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from fake_salesforce.server import FakeServer, make_certificate
from tests.sync_core.cli_harness import (  # noqa: F401  (fixtures)
    PASSWORD,
    TOKEN,
    USERNAME,
    Cli,
    Result,
    cli_fixture,
    served_fixture,
)


def _one_line(result: Result, code: int, *fragments: str) -> None:
    assert result.code == code, (result.code, result.err)
    assert result.err.startswith("sync-core: error: ") and result.err.count("\n") == 1
    assert "Traceback" not in result.err
    for fragment in fragments:
        assert fragment in result.err, (fragment, result.err)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_missing_or_broken_config_is_one_line(cli: Cli, tmp_path: Path) -> None:
    _one_line(cli("--config", str(tmp_path / "none.toml"), "check"), 2, "no config file at")
    broken = tmp_path / "broken.toml"
    broken.write_text("[store\nurl = 1\n")
    _one_line(cli("people", "list", "--config", str(broken)), 2, "is not valid TOML")
    typo = tmp_path / "typo.toml"
    typo.write_text('[salesforce]\nusername = "a"\npasword_env = "X"\n')
    _one_line(cli("check", "--config", str(typo)), 2, "did you mean password_env?")
    bad_setting = tmp_path / "setting.toml"
    bad_setting.write_text('[settings]\nnightly_at = "8pm"\n')
    _one_line(cli("people", "list", "--config", str(bad_setting)), 2, "nightly_at must be HH:MM")


def test_wrong_credentials_are_refused_without_echoing_them(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SF_PASSWORD", "Wrong-Password-123")
    result = cli("check")
    _one_line(result, 3, "Salesforce refused the login", "INVALID_LOGIN")
    assert "Wrong-Password-123" not in result.err
    monkeypatch.delenv("SF_PASSWORD")
    _one_line(cli("check"), 2, "no password: set environment variable SF_PASSWORD")


def test_an_unreachable_org_and_store_are_one_line(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SF_LOGIN_URL", f"http://127.0.0.1:{_closed_port()}")
    _one_line(cli("check"), 3, "cannot reach Salesforce")
    _one_line(cli("push"), 3, "cannot reach Salesforce")
    monkeypatch.setenv("SF_LOGIN_URL", "ftp://example.com")
    _one_line(cli("check"), 2, "must be an http:// or https:// URL")
    monkeypatch.setenv(
        "SYNC_CORE_STORE_URL", f"postgresql+psycopg://x@127.0.0.1:{_closed_port()}/x"
    )
    _one_line(cli("people", "list"), 3, "cannot open the store")


def _rsa_pem() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def test_jwt_login_uses_the_key_file_and_an_unreadable_key_is_one_line(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    private, public = _rsa_pem()
    cli.fake.org.credentials.jwt_public_key = public
    key_file = tmp_path / "jwt.pem"
    key_file.write_text(private)
    monkeypatch.delenv("SF_PASSWORD")
    monkeypatch.setenv("SF_CONSUMER_KEY", cli.fake.org.credentials.consumer_key)
    monkeypatch.setenv("SF_JWT_KEY_FILE", str(key_file))
    ok = cli("check", "--json")
    assert ok.code == 0, ok.err
    assert private.splitlines()[1] not in ok.out
    missing = tmp_path / "absent.pem"
    monkeypatch.setenv("SF_JWT_KEY_FILE", str(missing))
    _one_line(cli("check"), 2, f"cannot read the JWT key file {missing}")
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("hello")
    monkeypatch.setenv("SF_JWT_KEY_FILE", str(not_pem))
    _one_line(cli("check"), 2, "holds no PEM private key")
    monkeypatch.setenv("SF_JWT_KEY_FILE", str(tmp_path))
    _one_line(cli("check"), 2, "cannot read the JWT key file")
    monkeypatch.setenv("SF_JWT_KEY_FILE", str(not_pem))
    other, _ = _rsa_pem()
    not_pem.write_text(other)
    _one_line(cli("check"), 3, "Salesforce refused the login")


def test_the_same_commands_work_over_tls_with_the_fakes_ca(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    tls = make_certificate(tmp_path / "tls")
    with FakeServer(cli.fake.app, port=0, tls=tls) as server:
        monkeypatch.setenv("SF_LOGIN_URL", server.url)
        _one_line(cli("check"), 3, "cannot reach Salesforce")  # an unknown CA is refused
        monkeypatch.setenv("SF_CA_FILE", str(tls.ca_file))
        result = cli("check", "--json")
        assert result.code == 0, result.err
        assert result.json()["ready"] is True
        monkeypatch.setenv("SF_CA_FILE", str(tmp_path / "nope.pem"))
        _one_line(cli("check"), 2, "cannot read the CA file")


def test_no_output_of_any_command_contains_the_password_or_token(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    contact = cli.contact("jane@example.com")
    csv = cli.people_csv(f"email,contact_id,lead_id\njane@example.com,{contact},\n")
    commands: list[tuple[str, ...]] = [
        ("check",),
        ("people", "import", csv),
        ("people", "list"),
        ("person", "show", "jane@example.com"),
        ("unsubscribe", "jane@example.com", "--source", "manual"),
        ("push",),
        ("nightly", "--dry-run"),
        ("nightly",),
        ("resubscribe", "jane@example.com", "--by", "admin", "--reason", "asked"),
        ("settings", "show"),
        ("diagnostics",),
        ("runs",),
    ]
    for command in commands:
        cli(*command)
        cli(*command, "--json")
    monkeypatch.setenv("SF_SECURITY_TOKEN", TOKEN + "x")
    cli("check")
    monkeypatch.setenv("SF_LOGIN_URL", f"http://{USERNAME}:{PASSWORD}@127.0.0.1:{_closed_port()}")
    cli("check", "--json")
    everything = "\n".join(cli.outputs)
    assert "jane@example.com" in everything and "INVALID_LOGIN" in everything
    assert PASSWORD not in everything and TOKEN not in everything
