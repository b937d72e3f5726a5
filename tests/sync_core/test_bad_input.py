"""Every setting has a type and a range, checked in one place: a bad value is one line and
exit 2, never a traceback, an overflow or an exit code outside 0-3. Several first starts on a
fresh store all succeed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sync_core.cli import main
from sync_core.config import TEMPLATE
from sync_core.model import Settings
from sync_core.store import open_store

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("nightly_sync", '"false"', "nightly_sync must be true or false, got 'false'"),
        ("backoff_base_seconds", "-2.0", "backoff_base_seconds must be between"),
        ("backoff_base_seconds", "nan", "backoff_base_seconds must be between"),
        ("backoff_cap_seconds", "inf", "backoff_cap_seconds must be between"),
        ("push_window_seconds", "1e300", "push_window_seconds must be between 0 and 3600"),
        ("collection_size", "200.5", "collection_size must be a whole number"),
        ("collection_size", "true", "collection_size must be a number"),
        ("api_headroom", "1.5", "api_headroom must be between 0 and 0.99"),
        ("timeout_seconds", "0", "salesforce.timeout_seconds must be between"),
        ("catch_up_hours", "-1", "service.catch_up_hours must be between"),
    ],
)
def test_a_setting_out_of_its_type_or_range_is_one_line_and_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    key: str,
    value: str,
    says: str,
) -> None:
    text = TEMPLATE
    for line in text.splitlines():
        if line.lstrip("# ").startswith(f"{key} = "):
            text = text.replace(line, f"{key} = {value}", 1)
            break
    else:
        raise AssertionError(key)
    (tmp_path / "sync-core.toml").write_text(text)
    monkeypatch.chdir(tmp_path)
    assert main(["people", "list"]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize(
    ("key", "value"),
    [("lease_seconds", "-1"), ("push_window_seconds", "1e300"), ("backoff_cap_seconds", "nan")],
)
def test_settings_set_refuses_values_out_of_range_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str, value: str
) -> None:
    (tmp_path / "sync-core.toml").write_text(TEMPLATE)
    config = str(tmp_path / "sync-core.toml")
    assert main(["settings", "set", key, value, "--config", config]) == 2
    err = capsys.readouterr().err
    assert f"{key} must be between" in err and len(err.strip().splitlines()) == 1, err


def test_settings_check_type_and_range_in_one_place() -> None:
    with pytest.raises(ValueError, match="lease_seconds must be between 1 and 86400"):
        Settings(lease_seconds=-1)
    with pytest.raises(ValueError, match="backoff_cap_seconds must be at least"):
        Settings(backoff_base_seconds=60.0, backoff_cap_seconds=30.0)
    assert Settings(collection_size=200, push_window_seconds=0).push_window_seconds == 0


def test_an_imported_email_with_a_nul_byte_is_a_numbered_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "sync-core.toml").write_text(TEMPLATE)
    csv = tmp_path / "people.csv"
    csv.write_text("email,contact_id,lead_id\na\x00b@example.com,,\n")
    code = main(["people", "import", str(csv), "--config", str(tmp_path / "sync-core.toml")])
    err = capsys.readouterr().err
    assert code == 2 and "line 2" in err and "is not an email address" in err, err
    store = open_store(f"sqlite:///{tmp_path / 'sync-core.db'}")
    assert store.people() == []
    store.close()


def test_several_first_starts_on_a_fresh_sqlite_store_all_succeed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    script = "import sys; from sync_core.store import open_store; open_store(sys.argv[1]).close()"
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", script, url], cwd=ROOT, stderr=subprocess.PIPE, text=True
        )
        for _ in range(6)
    ]
    failures = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in starts]
    for process in starts:
        if process.stderr:
            process.stderr.close()
    assert [code for code, _ in failures] == [0] * 6, failures
