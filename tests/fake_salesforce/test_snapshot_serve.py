"""`fake-salesforce serve --state FILE`: loads at start, saves on a clean stop, atomically."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fake_salesforce.control_client import ControlClient


@contextmanager
def serving(state: Path) -> Iterator[str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fake_salesforce.cli",
            "serve",
            "--port",
            "0",
            "--state",
            str(state),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert " at http://127.0.0.1:" in banner, banner + (
            process.stderr.read() if process.stderr else ""
        )
        yield banner.rsplit(" at ", 1)[1].strip()
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=20)
    assert process.returncode == 0


def test_records_clock_and_faults_survive_a_restart_through_the_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with serving(state) as url:
        control = ControlClient(url)
        refs = control.load({"records": [{"ref": "c1", "type": "Contact", "LastName": "Doe"}]})
        second = control.create_org("second@example.com")
        moved = control.set_clock("2031-01-01T00:00:00Z")
        control.add_fault({"kind": "error", "code": "UNABLE_TO_LOCK_ROW", "count": 2})
    saved = json.loads(state.read_text())
    assert [o["credentials"]["username"] for o in saved["orgs"]] == [
        "admin@example.com",
        "second@example.com",
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
    with serving(state) as url:
        control = ControlClient(url)
        assert control.record("Contact", refs["refs"]["c1"])["LastName"] == "Doe"
        assert control.now() >= moved
        assert [f["count"] for f in control.faults()] == [2]
        assert {o["id"] for o in control.orgs()} >= {second["id"]}
