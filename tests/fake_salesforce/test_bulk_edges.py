"""Bulk edges checked against Salesforce's documentation: a hard delete skips the recycle bin,
a job closed without rows completes having processed none."""

from __future__ import annotations

from typing import Any

import pytest

from fake_salesforce.fixture import FakeSalesforce

INGEST = "/services/data/v59.0/jobs/ingest"


@pytest.fixture
def fake() -> FakeSalesforce:
    return FakeSalesforce()


def call(fake: FakeSalesforce, method: str, path: str, **kwargs: Any) -> Any:
    headers = {"Authorization": f"Bearer {fake.token()}", **kwargs.pop("headers", {})}
    return fake.session().request(method, f"{fake.instance_url}{path}", headers=headers, **kwargs)


def run_job(fake: FakeSalesforce, operation: str, csv_text: str | None) -> dict[str, Any]:
    job = call(fake, "POST", INGEST, json={"object": "Contact", "operation": operation}).json()
    if csv_text is not None:
        put = call(
            fake,
            "PUT",
            f"{INGEST}/{job['id']}/batches",
            data=csv_text.encode(),
            headers={"Content-Type": "text/csv"},
        )
        assert put.status_code == 201
    call(fake, "PATCH", f"{INGEST}/{job['id']}", json={"state": "UploadComplete"})
    info: dict[str, Any] = call(fake, "GET", f"{INGEST}/{job['id']}").json()
    return info


def query_all(fake: FakeSalesforce, soql: str) -> list[dict[str, Any]]:
    answer = call(fake, "GET", "/services/data/v59.0/queryAll", params={"q": soql})
    records: list[dict[str, Any]] = answer.json()["records"]
    return records


def test_hard_deleted_records_do_not_come_back_from_query_all(fake: FakeSalesforce) -> None:
    soft = fake.org.create("Contact", {"LastName": "Soft"})
    hard = fake.org.create("Contact", {"LastName": "Hard"})
    assert run_job(fake, "delete", f"Id\n{soft}\n")["numberRecordsProcessed"] == 1
    assert run_job(fake, "hardDelete", f"Id\n{hard}\n")["numberRecordsFailed"] == 0
    found = [r["Id"] for r in query_all(fake, "SELECT Id FROM Contact")]
    assert found == [soft]  # the recycle bin holds the soft delete only
    assert hard in dict(fake.org.deleted_log("Contact"))  # getDeleted still reports it


def test_a_bulk_v1_hard_delete_skips_the_recycle_bin_too(fake: FakeSalesforce) -> None:
    rid = fake.org.create("Contact", {"LastName": "Gone"})
    (gone,) = fake.client().bulk.Contact.hard_delete([{"Id": rid}])
    assert gone["success"] is True
    assert query_all(fake, "SELECT Id FROM Contact") == []


def test_a_job_closed_without_an_upload_completes_having_processed_nothing(
    fake: FakeSalesforce,
) -> None:
    for operation in ("insert", "update", "delete"):
        info = run_job(fake, operation, None)
        assert (info["state"], info["numberRecordsProcessed"]) == ("JobComplete", 0)


def test_a_header_only_upload_completes_having_processed_nothing(fake: FakeSalesforce) -> None:
    info = run_job(fake, "insert", "LastName,Email\n")
    assert (info["state"], info["numberRecordsProcessed"]) == ("JobComplete", 0)
