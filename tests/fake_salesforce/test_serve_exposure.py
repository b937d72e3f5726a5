"""`serve` binds loopback only, unless told `--allow-remote` with credentials of one's own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fake_salesforce.cli import CliError, build_parser, check_exposure, is_loopback

ROOT = Path(__file__).resolve().parents[2]
OWN = ["--password", "s3cret-pw", "--consumer-key", "ck-own", "--consumer-secret", "cs-own"]


def _check(*argv: str) -> None:
    check_exposure(build_parser().parse_args(["serve", *argv]))


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_addresses_need_no_opt_in(host: str) -> None:
    assert is_loopback(host)
    _check("--host", host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10"])
def test_a_non_loopback_host_is_refused_without_allow_remote(host: str) -> None:
    assert not is_loopback(host)
    with pytest.raises(CliError, match="--allow-remote"):
        _check("--host", host, *OWN)


def test_allow_remote_with_the_default_credentials_is_refused_naming_each_default() -> None:
    with pytest.raises(CliError) as caught:
        _check("--host", "0.0.0.0", "--allow-remote", "--password", "mine")
    message = str(caught.value)
    assert "--consumer-key" in message and "--consumer-secret" in message
    assert "--password" not in message


def test_allow_remote_with_credentials_of_ones_own_is_accepted() -> None:
    _check("--host", "0.0.0.0", "--allow-remote", *OWN)


def test_serve_on_all_interfaces_exits_with_one_line_before_binding() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "fake_salesforce.cli", "serve", "--host", "0.0.0.0", "--port", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "--allow-remote" in done.stderr
    assert done.stdout == ""
