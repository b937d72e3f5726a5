"""Singer's tap-salesforce (PyPI), unmodified, discovers and syncs Contacts in REST and BULK mode.

tap-salesforce pins `requests` and `singer-python` versions that clash with the project's, so it
lives in its own virtualenv (`make tap-venv` creates `.venv-tap`); `tap/run_tap.py` points its
hard-coded login host at the fake and runs the tap's own `main()`.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.server import FakeServer

ROOT = Path(__file__).resolve().parents[2]
TAP_PYTHON = ROOT / ".venv-tap" / "bin" / "python"
RUN_TAP = Path(__file__).parent / "tap" / "run_tap.py"


@pytest.fixture
def tap(fake: FakeSalesforce, served: FakeServer, tmp_path: Path) -> Any:
    if not TAP_PYTHON.exists():
        reason = "tap-salesforce is not installed: run `make tap-venv`"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    refresh = fake.registry.issue(fake.org, with_refresh=True).refresh_token
    creds = fake.org.credentials

    def run(api_type: str, *args: str) -> str:
        config = tmp_path / f"config-{api_type}.json"
        config.write_text(
            json.dumps(
                {
                    "refresh_token": refresh,
                    "client_id": creds.consumer_key,
                    "client_secret": creds.consumer_secret,
                    "start_date": "2000-01-01T00:00:00Z",
                    "api_type": api_type,
                    "select_fields_by_default": True,
                }
            )
        )
        done = subprocess.run(
            [str(TAP_PYTHON), str(RUN_TAP), "--config", str(config), *args],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "FAKE_SF_LOGIN_URL": served.url},
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    return run


def _contact_catalog(discovered: dict[str, Any], path: Path) -> Path:
    (stream,) = [s for s in discovered["streams"] if s["stream"] == "Contact"]
    for entry in stream["metadata"]:
        if entry["breadcrumb"] == []:
            entry["metadata"]["selected"] = True
    path.write_text(json.dumps({"streams": [stream]}))
    return path


@pytest.mark.parametrize("api_type", ["REST", "BULK"])
def test_tap_salesforce_discovers_and_syncs_contacts(
    tap: Any, fake: FakeSalesforce, tmp_path: Path, api_type: str
) -> None:
    made = [fake.org.create("Contact", {"LastName": f"Tap{k}"}) for k in range(3)]
    fake.org.delete("Contact", made[2])  # the tap reads with queryAll: deleted rows come too
    discovered = json.loads(tap(api_type, "--discover"))
    catalog = _contact_catalog(discovered, tmp_path / "catalog.json")
    output = tap(api_type, "--properties", str(catalog))
    messages = [json.loads(line) for line in output.splitlines()]  # Singer: one per line
    records = [m["record"] for m in messages if m["type"] == "RECORD"]
    assert sorted(r["Id"] for r in records) == sorted(made)
    deleted = {r["Id"]: r["IsDeleted"] for r in records}
    assert deleted[made[2]] is True and deleted[made[0]] is False
    if api_type == "BULK":
        (job,) = fake.org.bulk_v1.jobs.values()
        assert (job.operation, job.content_type, job.state) == ("queryAll", "CSV", "Closed")
