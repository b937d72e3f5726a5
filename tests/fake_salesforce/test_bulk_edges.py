"""Bulk edges checked against Salesforce's documentation and jsforce's own test suite: a hard
delete skips the recycle bin, a job closed without rows completes having processed none, an
upsert on Id without Ids creates."""

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


def test_an_empty_upload_completes_having_processed_nothing(fake: FakeSalesforce) -> None:
    """jsforce's `bulk2.loadAndWaitForResults({input: []})` uploads 0 bytes and expects a
    completed job with no results."""
    for operation in ("insert", "delete"):
        info = run_job(fake, operation, "")
        assert (info["state"], info["numberRecordsProcessed"]) == ("JobComplete", 0)


def test_a_bulk_v1_batch_with_no_data_is_a_client_input_error(fake: FakeSalesforce) -> None:
    v1 = "/services/async/59.0/job"
    job_xml = (
        '<jobInfo xmlns="http://www.force.com/2009/06/asyncapi/dataload"><operation>update'
        "</operation><object>Contact</object><contentType>CSV</contentType></jobInfo>"
    )
    xml = {"Content-Type": "application/xml; charset=UTF-8"}
    made = call(fake, "POST", v1, data=job_xml, headers=xml)
    job_id = made.text.split("<id>")[1].split("</id>")[0]
    batch = call(
        fake, "POST", f"{v1}/{job_id}/batch", data=b"", headers={"Content-Type": "text/csv"}
    )
    assert batch.status_code == 400
    assert "<exceptionCode>ClientInputError</exceptionCode>" in batch.text
    assert "Unable to find any data to create batch" in batch.text


def test_a_bulk_upsert_on_id_without_an_id_column_creates_every_row(
    fake: FakeSalesforce,
) -> None:
    job = call(
        fake,
        "POST",
        INGEST,
        json={"object": "Contact", "operation": "upsert", "externalIdFieldName": "Id"},
    ).json()
    put = call(
        fake,
        "PUT",
        f"{INGEST}/{job['id']}/batches",
        data=b"LastName\nNew One\nNew Two\n",
        headers={"Content-Type": "text/csv"},
    )
    assert put.status_code == 201
    call(fake, "PATCH", f"{INGEST}/{job['id']}", json={"state": "UploadComplete"})
    info = call(fake, "GET", f"{INGEST}/{job['id']}").json()
    assert (info["state"], info["numberRecordsProcessed"], info["numberRecordsFailed"]) == (
        "JobComplete",
        2,
        0,
    )
    made = call(fake, "GET", f"{INGEST}/{job['id']}/successfulResults").text.splitlines()
    assert made[0] == '"sf__Id","sf__Created","LastName"'
    assert all(line.split(",")[1] == '"true"' for line in made[1:])
    found = query_all(fake, "SELECT LastName FROM Contact ORDER BY LastName")
    assert [c["LastName"] for c in found] == ["New One", "New Two"]
