"""/limits and the daily API allocation: every request counted, refused when spent, reset daily."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceRefusedRequest

from fake_salesforce.fixture import FakeSalesforce

KEYS = (
    "DailyApiRequests",
    "DailyBulkApiBatches",
    "DailyBulkV2QueryJobs",
    "DailyBulkV2QueryFileStorageMB",
    "DataStorageMB",
    "FileStorageMB",
    "ConcurrentAsyncGetReportInstances",
    "SingleEmail",
    "MassEmail",
)


def test_limits_lists_the_keys_clients_read_as_max_and_remaining() -> None:
    sf = FakeSalesforce(api_limit=500).client()
    limits = sf.limits()
    for key in KEYS:
        assert set(limits[key]) == {"Max", "Remaining"}, key
    assert limits["DailyApiRequests"]["Max"] == 500
    assert limits["DailyApiRequests"]["Remaining"] == 500 - 1  # this call counts
    assert sf.limits()["DailyApiRequests"]["Remaining"] == 500 - 2


def test_every_bulk_request_counts_and_batches_and_query_jobs_are_tallied() -> None:
    fake = FakeSalesforce()
    sf = fake.client()
    now = fake.org.clock.now
    before = fake.org.usage.used(now())
    sf.bulk2.Contact.insert(records=[{"LastName": "A"}], wait=0)
    # create, upload, close, one poll to complete, one final read of the job
    assert fake.org.usage.used(now()) - before == 5
    list(sf.bulk2.Contact.query("SELECT Id FROM Contact", wait=0))
    limits = sf.limits()
    assert limits["DailyBulkApiBatches"]["Remaining"] == 15000 - 1
    assert limits["DailyBulkV2QueryJobs"]["Remaining"] == 10000 - 1


def test_a_spent_allocation_is_refused_until_the_org_day_ends() -> None:
    fake = FakeSalesforce(api_limit=3, timezone="UTC")
    fake.org.clock.set(datetime(2030, 3, 2, 22, 0, tzinfo=UTC))
    sf: Any = fake.client()  # the SOAP login is not an API call
    sf.limits()
    sf.restful("composite/sobjects", method="POST", json={"records": [
        {"attributes": {"type": "Contact"}, "LastName": "A"}]})  # fmt: skip
    sf.limits()
    with pytest.raises(SalesforceRefusedRequest) as refused:
        sf.limits()
    assert refused.value.content == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]
    with pytest.raises(SalesforceRefusedRequest):
        sf.bulk2.Contact.insert(records=[{"LastName": "B"}], wait=0)
    fake.org.clock.advance(timedelta(hours=2))
    assert sf.limits()["DailyApiRequests"]["Remaining"] == 2


def test_the_bulk_v1_api_is_refused_too_when_the_allocation_is_spent() -> None:
    fake = FakeSalesforce(api_limit=1)
    http = fake.session()
    headers = {"X-SFDC-Session": fake.token()}
    url = f"{fake.instance_url}/services/async/59.0/job"
    body = {"operation": "insert", "object": "Contact"}
    assert http.post(url, json=body, headers=headers).status_code == 201
    refused = http.post(url, json=body, headers=headers)
    assert refused.status_code == 400
    assert refused.json()["exceptionCode"] == "ExceededQuota"


def test_record_count_counts_live_records_of_the_objects_asked_for() -> None:
    fake = FakeSalesforce()
    sf = fake.client()
    for n in range(3):
        sf.Contact.create({"LastName": f"C{n}"})
    gone = sf.Account.create({"Name": "Gone"})["id"]
    sf.Account.create({"Name": "Kept"})
    sf.Account.delete(gone)  # in the recycle bin: not counted
    counts = sf.restful("limits/recordCount", params={"sObjects": "Contact,account,NoSuchThing"})
    expected = [{"count": 1, "name": "Account"}, {"count": 3, "name": "Contact"}]
    assert counts == {"sObjects": expected}
    every = {c["name"]: c["count"] for c in sf.restful("limits/recordCount")["sObjects"]}
    assert every["Contact"] == 3 and every["Lead"] == 0 and "Organization" not in every
