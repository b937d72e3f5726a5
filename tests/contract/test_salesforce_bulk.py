"""salesforce-bulk (PyPI), unmodified: Bulk API 1.0 jobs in XML, CSV and JSON against the fake."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from salesforce_bulk import CsvDictsAdapter, SalesforceBulk
from salesforce_bulk.salesforce_bulk import BulkApiError

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.server import FakeServer


@pytest.fixture
def bulk(fake: FakeSalesforce, served: FakeServer) -> SalesforceBulk:
    return SalesforceBulk(sessionId=fake.token(), host=served.url, API_version="59.0")


def _rows(stream: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.TextIOWrapper(stream, encoding="utf-8")))


def test_a_csv_insert_job_reports_each_row_and_keeps_its_content_type(
    bulk: SalesforceBulk, fake: FakeSalesforce
) -> None:
    job = bulk.create_insert_job("Contact", contentType="CSV")
    rows = [{"LastName": "Ada", "Email": "ada@example.com"}, {"Email": "nameless@example.com"}]
    batch = bulk.post_batch(job, CsvDictsAdapter(iter(rows)))
    bulk.close_job(job)
    bulk.wait_for_batch(job, batch, sleep_interval=0)
    made, failed = bulk.get_batch_results(batch, job)
    assert made.success == "true" and made.created == "true"
    assert fake.org.get("Contact", made.id)["LastName"] == "Ada"
    assert failed.success == "false" and failed.id == ""
    assert failed.error.startswith("REQUIRED_FIELD_MISSING:Required fields are missing")
    status = bulk.job_status(job)
    assert status["contentType"] == "CSV" and status["state"] == "Closed"
    assert status["numberRecordsProcessed"] == "2" and status["numberRecordsFailed"] == "1"


def test_a_csv_query_job_answers_csv_rows_and_says_so_when_there_are_none(
    bulk: SalesforceBulk, fake: FakeSalesforce
) -> None:
    rid = fake.org.create("Contact", {"LastName": "Quinn", "Email": "q@example.com"})
    job = bulk.create_query_job("Contact", contentType="CSV")
    batch = bulk.query(job, "SELECT Id, LastName, Email FROM Contact")
    empty = bulk.query(job, "SELECT Id FROM Contact WHERE LastName = 'Nobody'")
    bulk.close_job(job)
    bulk.wait_for_batch(job, batch, sleep_interval=0)
    (page,) = bulk.get_all_results_for_query_batch(batch, job)
    assert _rows(page) == [{"Id": rid, "LastName": "Quinn", "Email": "q@example.com"}]
    (nothing,) = bulk.get_all_results_for_query_batch(empty, job)
    assert nothing.read() == b"Records not found for this query"


def test_pk_chunking_splits_a_query_into_id_range_batches(
    bulk: SalesforceBulk, fake: FakeSalesforce
) -> None:
    made = [fake.org.create("Account", {"Name": f"A{k}"}) for k in range(5)]
    job = bulk.create_query_job("Account", contentType="CSV", pk_chunking=2)
    original = bulk.query(job, "SELECT Id, Name FROM Account")
    batches = bulk.get_batch_list(job)
    assert [b["state"] for b in batches] == ["NotProcessed", "Completed", "Completed", "Completed"]
    assert batches[0]["id"] == original
    seen = []
    for info in batches[1:]:
        for page in bulk.get_all_results_for_query_batch(info["id"], job):
            seen.append([r["Id"] for r in _rows(page)])
    assert seen == [sorted(made)[0:2], sorted(made)[2:4], sorted(made)[4:]]
    request = bulk.get_query_batch_request(batches[1]["id"], job)
    assert request.endswith(f"WHERE Id >= '{sorted(made)[0]}' AND Id < '{sorted(made)[2]}'")


def test_an_xml_job_takes_sobjects_and_answers_xml_results(
    bulk: SalesforceBulk, fake: FakeSalesforce
) -> None:
    job = bulk.create_insert_job("Contact", contentType="XML")
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sObjects xmlns="http://www.force.com/2009/06/asyncapi/dataload">'
        "<sObject><LastName>Xml</LastName><Email>x@example.com</Email></sObject>"
        "<sObject><Email>none@example.com</Email></sObject></sObjects>"
    )
    batch = bulk.post_batch(job, body)
    bulk.wait_for_batch(job, batch, sleep_interval=0)
    made, failed = bulk.get_batch_results(batch, job)
    assert made.success is True and made.created is True
    assert failed.success is False
    assert failed.error == [
        {
            "fields": ["LastName"],
            "message": "Required fields are missing: [LastName]",
            "statusCode": "REQUIRED_FIELD_MISSING",
        }
    ]
    assert bulk.job_status(job)["contentType"] == "XML"


def test_a_json_job_answers_json(bulk: SalesforceBulk, fake: FakeSalesforce) -> None:
    job = bulk.create_upsert_job("Contact", "External_Id__c", contentType="JSON")
    batch = bulk.post_batch(job, json.dumps([{"External_Id__c": "J1", "LastName": "Json"}]))
    bulk.wait_for_batch(job, batch, sleep_interval=0)
    (made,) = bulk.get_batch_results(batch, job)
    assert made.success is True and made.created is True
    assert fake.org.get("Contact", made.id)["LastName"] == "Json"


def test_an_unknown_object_is_an_xml_error_the_client_raises(bulk: SalesforceBulk) -> None:
    with pytest.raises(BulkApiError) as raised:
        bulk.create_insert_job("Nope__c", contentType="CSV")
    assert raised.value.status_code == 400
    assert "<exceptionCode>InvalidEntity</exceptionCode>" in str(raised.value)
    assert "<exceptionMessage>Unable to find object: Nope__c</exceptionMessage>" in str(
        raised.value
    )
