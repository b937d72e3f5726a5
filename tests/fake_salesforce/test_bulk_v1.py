"""Bulk API 1.0 (JSON) through simple-salesforce's `sf.bulk`, and its own error shape."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceGeneralError

from fake_salesforce.fixture import FakeSalesforce

ASYNC = "/services/async/59.0"


def test_bulk_insert_update_upsert_and_delete_report_each_record(
    fake: FakeSalesforce, sf: Any
) -> None:
    made = sf.bulk.Contact.insert([{"LastName": "A", "Email": "a@example.com"}, {"Title": "x"}])
    assert made[0]["success"] is True and made[0]["created"] is True
    assert made[1] == {
        "success": False,
        "created": False,
        "id": None,
        "errors": [
            {
                "statusCode": "REQUIRED_FIELD_MISSING",
                "message": "Required fields are missing: [LastName]",
                "fields": ["LastName"],
            }
        ],
    }
    rid = made[0]["id"]
    (changed,) = sf.bulk.Contact.update([{"Id": rid, "HasOptedOutOfEmail": True}])
    assert changed == {"success": True, "created": False, "id": rid, "errors": []}
    upserted = sf.bulk.Contact.upsert(
        [{"External_Id__c": "E9", "LastName": "New"}], "External_Id__c"
    )
    assert upserted[0]["created"] is True
    assert fake.org.get("Contact", rid)["HasOptedOutOfEmail"] is True
    (gone,) = sf.bulk.Contact.delete([{"Id": rid}])
    assert gone["success"] is True and fake.org.get("Contact", rid) is None


def test_bulk_query_returns_records_with_epoch_millisecond_datetimes(
    fake: FakeSalesforce, sf: Any
) -> None:
    rid = fake.org.create("Contact", {"LastName": "Q", "Birthdate": "2000-01-02"})
    (record,) = sf.bulk.Contact.query("SELECT Id, LastName, CreatedDate, Birthdate FROM Contact")
    assert record["Id"] == rid and record["attributes"]["type"] == "Contact"
    created = fake.org.get("Contact", rid)["CreatedDate"]
    assert record["CreatedDate"] == int(created.timestamp() * 1000)
    assert record["Birthdate"] == 946771200000
    assert sf.bulk.Contact.query("SELECT Id FROM Contact WHERE LastName = 'none'") == []


def test_a_failed_query_batch_raises_with_its_state_message(sf: Any) -> None:
    with pytest.raises(SalesforceGeneralError) as failure:
        sf.bulk.Contact.query("SELECT Nope FROM Contact")
    assert "InvalidBatch : Failed to process query: INVALID_FIELD" in str(failure.value)


def test_bulk_v1_errors_are_exception_code_objects_with_400(fake: FakeSalesforce) -> None:
    http = fake.session()
    body = {"operation": "insert", "object": "Contact", "contentType": "JSON"}
    bad = http.post(f"{fake.instance_url}{ASYNC}/job", json=body, headers={"X-SFDC-Session": "x"})
    assert bad.status_code == 400
    assert bad.json() == {
        "exceptionCode": "InvalidSessionId",
        "exceptionMessage": "Session expired or invalid",
    }
    headers = {"X-SFDC-Session": fake.token(), "Content-Type": "application/json"}
    missing = http.get(f"{fake.instance_url}{ASYNC}/job/750000000000000AAA", headers=headers)
    assert missing.status_code == 400 and missing.json()["exceptionCode"] == "InvalidJob"
    assert missing.headers["Content-Type"] == "application/json"  # tap-salesforce compares it


def test_concurrency_mode_may_be_an_integer_or_a_word(fake: FakeSalesforce) -> None:
    http = fake.session()
    headers = {"X-SFDC-Session": fake.token()}
    modes = []
    for mode in (0, 1, "Parallel", "Serial"):
        body = {"operation": "insert", "object": "Contact", "concurrencyMode": mode}
        job = http.post(f"{fake.instance_url}{ASYNC}/job", json=body, headers=headers)
        assert job.status_code == 201 and job.json()["state"] == "Open"
        modes.append(job.json()["concurrencyMode"])
    assert modes == ["Parallel", "Serial", "Parallel", "Serial"]
