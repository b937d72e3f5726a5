"""CumulusCI (`cci`, PyPI), unmodified, imports a fake org through the Salesforce CLI and loads,
extracts, queries and deletes data in it.

CumulusCI pins its own simple-salesforce and requests, so it lives in a virtualenv of its own
(`make cci-venv` creates `.venv-cci`). It reaches orgs only over HTTPS, so the fake is served
with TLS and both `sf` (Node) and `cci` (Python) are told to trust its CA. Above 2,000 rows its
data tasks switch from the REST API to Bulk API 1.0 (XML jobs with CSV batches), and before a
load they read `/limits/recordCount`. Its hourly check for a newer CumulusCI on PyPI is held
off with the timestamp file it keeps for that, so nothing leaves the machine.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from fake_salesforce.server import TlsFiles
from tests.contract.conftest import NODE_DIR, Target

ROOT = Path(__file__).resolve().parents[2]
CCI = ROOT / ".venv-cci" / "bin" / "cci"
SF = NODE_DIR / "node_modules" / ".bin" / "sf"
ACCOUNTS = 60
CONTACTS = 2_500  # above CumulusCI's 2,000-row switch to the Bulk API
MAPPING = """\
Insert Accounts:
  sf_object: Account
  fields:
    - Name
    - Industry
Insert Contacts:
  sf_object: Contact
  fields:
    - LastName
    - Email
  lookups:
    AccountId:
      table: Account
"""
PROJECT = """\
project:
    name: FakeOrgCheck
    package:
        name: FakeOrgCheck
        api_version: "59.0"
"""
UPSERT_MAPPING = """\
Upsert Contacts:
  sf_object: Contact
  action: upsert
  update_key: External_Id__c
  fields:
    - LastName
    - External_Id__c
    - Title
"""
Cci = Callable[..., str]


def _missing_reason() -> str | None:
    if not CCI.exists():
        return "CumulusCI is not installed: run `make cci-venv`"
    if shutil.which("node") is None or not SF.exists():
        return "the Salesforce CLI is not installed: run `make node-deps`"
    if shutil.which("git") is None:
        return "git is not installed (CumulusCI projects are git repositories)"
    return None


def _upserts(title: str) -> str:
    rows = [f"INSERT INTO \"Contact\" VALUES('Contact-{n}','Key {n}','K{n}','{title}');"
            for n in range(1, 2_101)]  # fmt: skip
    return "\n".join([
        "BEGIN TRANSACTION;",
        'CREATE TABLE "Contact" (id VARCHAR(255) NOT NULL, "LastName" VARCHAR(255), '
        '"External_Id__c" VARCHAR(255), "Title" VARCHAR(255), PRIMARY KEY (id));',
        *rows, "COMMIT;", "",
    ])  # fmt: skip


def _dataset() -> str:
    """A CumulusCI SQL dataset, in the shape its own extract writes."""
    lines = [
        "BEGIN TRANSACTION;",
        'CREATE TABLE "Account" (id VARCHAR(255) NOT NULL, "Name" VARCHAR(255), '
        '"Industry" VARCHAR(255), PRIMARY KEY (id));',
        'CREATE TABLE "Contact" (id VARCHAR(255) NOT NULL, "LastName" VARCHAR(255), '
        '"Email" VARCHAR(255), "AccountId" VARCHAR(255), PRIMARY KEY (id));',
    ]
    lines += [
        f"INSERT INTO \"Account\" VALUES('Account-{a}','Firm {a}','Banking');"
        for a in range(1, ACCOUNTS + 1)
    ]
    lines += [
        f"INSERT INTO \"Contact\" VALUES('Contact-{c}','Person {c}','p{c}@example.com',"
        f"'Account-{c % ACCOUNTS + 1}');"
        for c in range(1, CONTACTS + 1)
    ]
    return "\n".join([*lines, "COMMIT;", ""])


@pytest.fixture
def cci(make_target: Callable[..., Target], tls_files: TlsFiles, tmp_path: Path) -> Cci:
    reason = _missing_reason()
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    target = make_target("https")
    home, project = tmp_path / "home", tmp_path / "project"
    (home / ".cumulusci").mkdir(parents=True)
    # CumulusCI asks PyPI for a newer release when this file is over an hour old.
    (home / ".cumulusci" / "cumulus_timestamp").write_text(str(time.time() + 10**8))
    project.mkdir()
    (project / "cumulusci.yml").write_text(PROJECT)
    (project / "mapping.yml").write_text(MAPPING)
    (project / "upsert.yml").write_text(UPSERT_MAPPING)
    env = {
        **os.environ,
        "HOME": str(home),
        "PATH": f"{SF.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "CUMULUSCI_KEY": "fake-org-check-k",  # 16 characters: its keychain's encryption key
        "REQUESTS_CA_BUNDLE": str(tls_files.ca_file),
        "NODE_EXTRA_CA_CERTS": str(tls_files.ca_file),
        "SF_ACCESS_TOKEN": target.fake.token(),
        "SF_DISABLE_TELEMETRY": "true",
        "SF_AUTOUPDATE_DISABLE": "true",
        "NODE_NO_WARNINGS": "1",
    }

    def run(program: Path | str, *args: str) -> str:
        done = subprocess.run(
            [str(program), *args],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=project,
            env=env,
            check=False,
        )
        assert done.returncode == 0, (
            f"{Path(program).name} {' '.join(args)}:\n{done.stdout}{done.stderr}"
        )
        return done.stdout

    run("git", "init", "--quiet")
    run("git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", "commit",
        "--quiet", "--allow-empty", "-m", "project")  # fmt: skip
    url = target.base_url
    run(SF, "org", "login", "access-token", "--instance-url", url, "--no-prompt", "-a", "fake")

    def cci_run(*args: str) -> str:
        return run(CCI, *args)

    cci_run.target = target  # type: ignore[attr-defined]
    cci_run.project = project  # type: ignore[attr-defined]
    return cci_run


@pytest.mark.node
def test_cci_imports_the_org_then_loads_extracts_queries_and_deletes(cci: Cci) -> None:
    target: Target = cci.target  # type: ignore[attr-defined]
    project: Path = cci.project  # type: ignore[attr-defined]
    org = target.org
    api = target.direct()

    def query(soql: str) -> list[dict[str, str]]:
        return api.query_all(soql)["records"]  # type: ignore[no-any-return]

    cci("org", "import", "fake", "dev")
    info = json.loads(cci("org", "info", "dev", "--json"))
    assert info["org_id"] == org.org_id and info["org_type"] == "Developer Edition"
    assert info["namespace"] is None and info["is_sandbox"] is False

    (project / "data.sql").write_text(_dataset())
    cci("task", "run", "load_dataset", "-o", "mapping", "mapping.yml",
        "-o", "sql_path", "data.sql", "--org", "dev")  # fmt: skip
    found = query("SELECT Id, Name FROM Account")
    assert len(found) == ACCOUNTS
    firm = {row["Id"]: row["Name"] for row in found}
    contacts = query("SELECT LastName, Email, AccountId FROM Contact")
    assert len(contacts) == CONTACTS
    for row in contacts:  # every lookup resolved to the Account the dataset named
        number = int(row["LastName"].split()[1])
        assert firm[row["AccountId"]] == f"Firm {number % ACCOUNTS + 1}"
    bulk_contacts = [j for j in org.bulk_v1.jobs.values() if j.sobject == "Contact"]
    assert bulk_contacts and bulk_contacts[0].operation == "insert"

    cci("task", "run", "extract_dataset", "-o", "mapping", "mapping.yml",
        "-o", "sql_path", "extract.sql", "--org", "dev")  # fmt: skip
    extract = (project / "extract.sql").read_text()
    assert extract.count('INSERT INTO "Contact"') == CONTACTS
    assert extract.count('INSERT INTO "Account"') == ACCOUNTS

    soql = "SELECT Id, LastName FROM Contact WHERE LastName LIKE 'Person 1%'"
    cci("task", "run", "query", "-o", "object", "Contact", "-o", "query", soql,
        "-o", "result_file", "people.csv", "--org", "dev")  # fmt: skip
    with (project / "people.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    expected = sum(1 for c in range(1, CONTACTS + 1) if str(c).startswith("1"))
    assert len(rows) == expected and all(r["LastName"].startswith("Person 1") for r in rows)

    cci("task", "run", "delete_data", "-o", "objects", "Contact",
        "-o", "where", "LastName LIKE 'Person 2%'", "--org", "dev")  # fmt: skip
    left = query("SELECT LastName FROM Contact")
    gone = sum(1 for c in range(1, CONTACTS + 1) if str(c).startswith("2"))
    assert len(left) == CONTACTS - gone
    assert not any(r["LastName"].startswith("Person 2") for r in left)


@pytest.mark.node
def test_cci_upserts_by_external_id_through_bulk_api_1(cci: Cci) -> None:
    target: Target = cci.target  # type: ignore[attr-defined]
    project: Path = cci.project  # type: ignore[attr-defined]
    api = target.direct()
    cci("org", "import", "fake", "dev")
    for title in ("Draft", "Final"):  # inserts, then updates the same 2,100 records
        (project / "upserts.sql").write_text(_upserts(title))
        cci("task", "run", "load_dataset", "-o", "mapping", "upsert.yml",
            "-o", "sql_path", "upserts.sql", "--org", "dev")  # fmt: skip
    rows = api.query_all("SELECT External_Id__c, Title FROM Contact")["records"]
    assert len(rows) == 2_100 and {r["Title"] for r in rows} == {"Final"}
    jobs = [j for j in target.org.bulk_v1.jobs.values() if j.sobject == "Contact"]
    assert [j.operation for j in jobs] == ["upsert", "upsert"]
