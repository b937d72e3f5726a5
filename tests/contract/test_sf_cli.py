"""The Salesforce CLI (`sf`, npm @salesforce/cli), unmodified, against a served fake org.

Each test logs in with `sf org login access-token` into a throwaway HOME, then runs the
commands a CI job runs, with `--json`, and checks both the CLI's answer and the org.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.server import FakeServer
from tests.contract.conftest import NODE_DIR

SF = NODE_DIR / "node_modules" / ".bin" / "sf"
Sf = Callable[..., Any]


def _missing_reason() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not SF.exists():
        return "the Salesforce CLI is not installed: run `make node-deps`"
    return None


@pytest.fixture
def sf(fake: FakeSalesforce, served: FakeServer, tmp_path: Path) -> Sf:
    reason = _missing_reason()
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "PATH": f"{SF.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "SF_ACCESS_TOKEN": fake.token(),
        "SF_DISABLE_TELEMETRY": "true",
        "SF_AUTOUPDATE_DISABLE": "true",
        "SF_SKIP_NEW_VERSION_CHECK": "true",
        "NODE_NO_WARNINGS": "1",
    }

    def run(*args: str) -> Any:
        done = subprocess.run(
            [str(SF), *args, "--json"],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
            env=env,
            check=False,
        )
        answer = json.loads(done.stdout or "{}")
        if done.returncode != 0:
            raise AssertionError(f"sf {' '.join(args)} failed: {done.stdout}{done.stderr}")
        return answer["result"]

    run("org", "login", "access-token", "--instance-url", served.url, "--no-prompt", "-a", "fake")
    run.cwd, run.env = tmp_path, env  # type: ignore[attr-defined]
    return run


@pytest.mark.node
def test_sf_record_commands_and_data_query(sf: Sf, fake: FakeSalesforce) -> None:
    made = sf(
        "data", "create", "record", "-s", "Contact", "-v", "LastName=Cli Email=c@x.io", "-o", "fake"
    )
    rid = made["id"]
    account = fake.org.create("Account", {"Name": "Acme"})
    values = f"Title=Boss AccountId={account}"
    sf("data", "update", "record", "-s", "Contact", "-i", rid, "-v", values, "-o", "fake")
    query = "SELECT Id, LastName, Title, Account.Name FROM Contact"
    found = sf("data", "query", "-q", query, "-o", "fake")
    assert found["totalSize"] == 1
    (row,) = found["records"]
    assert row["Title"] == "Boss" and row["Id"] == rid and row["Account"]["Name"] == "Acme"
    # without --json the CLI draws a table from the columns=true metadata
    table = subprocess.run(
        [str(SF), "data", "query", "-q", query, "-o", "fake"],
        capture_output=True, text=True, timeout=120, cwd=sf.cwd, env=sf.env, check=True,
    )  # fmt: skip
    assert "ACCOUNT.NAME" in table.stdout and "Acme" in table.stdout
    sf("data", "delete", "record", "-s", "Contact", "-i", rid, "-o", "fake")
    assert fake.org.get("Contact", rid) is None


@pytest.mark.node
def test_sf_bulk_import_upsert_and_export(sf: Sf, fake: FakeSalesforce, tmp_path: Path) -> None:
    rows = tmp_path / "contacts.csv"
    rows.write_text("LastName,Email,External_Id__c\nOne,one@x.io,E1\nTwo,two@x.io,E2\n")
    loaded = sf(
        "data", "import", "bulk", "-s", "Contact", "--file", str(rows), "-w", "1", "-o", "fake"
    )
    assert loaded["successfulRecords"] == 2 and loaded["failedRecords"] == 0
    changes = tmp_path / "changes.csv"
    changes.write_text("External_Id__c,Title,LastName\nE1,Chief,One\nE3,New,Three\n")
    sf(
        "data", "upsert", "bulk", "-s", "Contact", "--file", str(changes),
        "--external-id", "External_Id__c", "-w", "1", "-o", "fake",
    )  # fmt: skip
    out = tmp_path / "out.csv"
    query = "SELECT External_Id__c, Title FROM Contact ORDER BY External_Id__c"
    exported = sf(
        "data", "export", "bulk", "-q", query, "--output-file", str(out), "-w", "1", "-o", "fake"
    )
    assert exported["totalSize"] == 3
    with out.open() as handle:
        assert [r["Title"] for r in csv.DictReader(handle)] == ["Chief", "", "New"]


@pytest.mark.node
def test_sf_bulk_upserts_on_id_without_ids_create_every_row(
    sf: Sf, fake: FakeSalesforce, tmp_path: Path
) -> None:
    """jsforce's org setup loads its big table this way: a CSV without Ids upserted on Id."""
    rows = tmp_path / "owners.csv"
    rows.write_text("OwnerId,Name\n" + "".join(f"{fake.org.user_id},Big {k}\n" for k in range(3)))
    legacy = sf(
        "force", "data", "bulk", "upsert", "--file", str(rows), "--sobject", "Account",
        "--external-id", "Id", "-w", "1", "-o", "fake",
    )  # fmt: skip
    (job,) = legacy  # Bulk API 1.0: the job's info
    assert (job["numberRecordsProcessed"], job["numberRecordsFailed"]) == ("3", "0")
    current = sf(
        "data", "upsert", "bulk", "-s", "Account", "--file", str(rows),
        "--external-id", "Id", "-w", "1", "-o", "fake",
    )  # fmt: skip
    created = current["records"]["successfulResults"]  # Bulk API 2.0
    assert [r["sf__Created"] for r in created] == ["true"] * 3
    assert len(fake.org.table("Account").rows) == 6


@pytest.mark.node
def test_sf_import_tree_describe_and_limits(sf: Sf, fake: FakeSalesforce, tmp_path: Path) -> None:
    tree = {
        "records": [
            {
                "attributes": {"type": "Account", "referenceId": "AccountRef1"},
                "Name": "Tree Co",
                "Contacts": {
                    "records": [
                        {
                            "attributes": {"type": "Contact", "referenceId": "ContactRef1"},
                            "LastName": "Leaf",
                        }
                    ]
                },
            }
        ]
    }
    plan = tmp_path / "tree.json"
    plan.write_text(json.dumps(tree))
    made = sf("data", "import", "tree", "--files", str(plan), "-o", "fake")
    by_ref = {r["refId"]: r["id"] for r in made}
    assert fake.org.get("Contact", by_ref["ContactRef1"])["AccountId"] == by_ref["AccountRef1"]
    described = sf("sobject", "describe", "-s", "Contact", "-o", "fake")
    assert described["name"] == "Contact" and described["keyPrefix"] == "003"
    limits = {row["name"]: row for row in sf("limits", "api", "display", "-o", "fake")}
    assert limits["DailyApiRequests"]["max"] == fake.org.usage.limit


@pytest.mark.node
def test_sf_org_display_user_and_org_open_into_the_org_console(
    sf: Sf, fake: FakeSalesforce, served: FakeServer
) -> None:
    user = sf("org", "display", "user", "-o", "fake")
    assert (user["id"], user["profileName"]) == (fake.org.user_id, "System Administrator")
    opened = sf("org", "open", "--url-only", "-p", "/lightning/o/Lead/list", "-o", "fake")
    url = opened["url"]
    assert url.startswith(f"{served.url}/secur/frontdoor.jsp?otp=")
    answer = requests.get(url, allow_redirects=False, timeout=30)
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/_fake/ui/{fake.org.org_id}/Lead"
    assert requests.get(url, allow_redirects=False, timeout=30).status_code == 401  # used
