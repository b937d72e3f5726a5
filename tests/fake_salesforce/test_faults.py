"""Fault rules as real clients see them: simple-salesforce raises what a real org would cause."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
)

from fake_salesforce.errors import ApiError
from fake_salesforce.faults import FaultSet, FaultSpecError, RequestInfo
from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.org import Org

START = datetime(2030, 3, 2, 17, 0, tzinfo=UTC)  # after any real now: org clocks never go back


def contact(fake: FakeSalesforce) -> str:
    return fake.org.create("Contact", {"LastName": "Doe", "Email": "doe@example.com"})


def add(fake: FakeSalesforce, **spec: Any) -> None:
    fake.org.faults.add(spec, fake.org.clock.now())


def test_an_outage_fails_every_call_with_503_server_unavailable(
    fake: FakeSalesforce, sf: Any
) -> None:
    add(fake, kind="outage")
    with pytest.raises(SalesforceGeneralError) as caught:
        sf.query("SELECT Id FROM Contact")
    assert caught.value.status == 503
    assert caught.value.content[0]["errorCode"] == "SERVER_UNAVAILABLE"


def test_an_outage_until_a_relative_time_ends_when_the_org_clock_passes_it(
    fake: FakeSalesforce, sf: Any
) -> None:
    with freeze_time(START) as frozen:
        add(fake, kind="outage", until="+2h")
        with pytest.raises(SalesforceGeneralError):
            sf.Contact.create({"LastName": "Doe"})
        frozen.tick(timedelta(hours=2))
        assert sf.Contact.create({"LastName": "Doe"})["success"] is True


@pytest.mark.parametrize(
    ("code", "status", "exception"),
    [
        ("UNABLE_TO_LOCK_ROW", 400, SalesforceMalformedRequest),
        ("REQUEST_LIMIT_EXCEEDED", 403, SalesforceRefusedRequest),
        ("SERVER_UNAVAILABLE", 503, SalesforceGeneralError),
        ("QUERY_TIMEOUT", 400, SalesforceMalformedRequest),
        ("ENTITY_IS_LOCKED", 400, SalesforceMalformedRequest),
        ("UNKNOWN_EXCEPTION", 500, SalesforceGeneralError),
    ],
)
def test_an_error_code_comes_with_its_real_status_and_body(
    fake: FakeSalesforce, sf: Any, code: str, status: int, exception: type[Exception]
) -> None:
    record_id = contact(fake)
    add(fake, kind="error", code=code, count=1)
    with pytest.raises(exception) as caught:
        sf.Contact.update(record_id, {"Title": "CEO"})
    error: Any = caught.value
    assert error.status == status
    assert error.content[0]["errorCode"] == code
    assert error.content[0]["message"]
    assert sf.Contact.update(record_id, {"Title": "CEO"}) == 204


def test_request_limit_exceeded_has_salesforces_message(fake: FakeSalesforce, sf: Any) -> None:
    add(fake, kind="error", code="REQUEST_LIMIT_EXCEEDED")
    with pytest.raises(SalesforceRefusedRequest) as caught:
        sf.query("SELECT Id FROM Contact")
    assert caught.value.content == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]


def test_an_error_matched_by_method_spares_other_methods_and_counts_down(
    fake: FakeSalesforce, sf: Any
) -> None:
    record_id = contact(fake)
    add(fake, kind="error", code="UNABLE_TO_LOCK_ROW", count=3, method="PATCH")
    assert sf.Contact.get(record_id)["LastName"] == "Doe"
    for _ in range(3):
        with pytest.raises(SalesforceMalformedRequest):
            sf.Contact.update(record_id, {"Title": "CEO"})
    assert sf.Contact.update(record_id, {"Title": "CEO"}) == 204
    assert fake.org.faults.active(fake.org.clock.now()) == []


def test_an_error_matched_by_sobject_spares_other_objects(fake: FakeSalesforce, sf: Any) -> None:
    add(fake, kind="error", code="ENTITY_IS_LOCKED", sobject="Lead")
    assert sf.Contact.create({"LastName": "Doe"})["success"] is True
    with pytest.raises(SalesforceMalformedRequest):
        sf.Lead.create({"LastName": "Roe", "Company": "Acme"})


def test_an_error_matched_by_sobject_hits_a_collection_update_of_that_object(
    fake: FakeSalesforce, sf: Any
) -> None:
    lead = fake.org.create("Lead", {"LastName": "Roe", "Company": "Acme"})
    add(fake, kind="error", code="ENTITY_IS_LOCKED", sobject="Contact", count=1)
    body = {"allOrNone": False, "records": [{"attributes": {"type": "Lead"}, "id": lead}]}
    assert sf.restful("composite/sobjects", method="PATCH", json=body)[0]["success"] is True
    body["records"] = [{"attributes": {"type": "Contact"}, "id": contact(fake)}]
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.restful("composite/sobjects", method="PATCH", json=body)
    assert caught.value.content[0]["errorCode"] == "ENTITY_IS_LOCKED"


def test_an_error_matched_by_sobject_hits_a_query_from_that_object(
    fake: FakeSalesforce, sf: Any
) -> None:
    add(fake, kind="error", code="QUERY_TIMEOUT", sobject="Lead", count=1)
    assert sf.query("SELECT Id FROM Contact WHERE Email = 'lead@example.com'")["totalSize"] == 0
    with pytest.raises(SalesforceMalformedRequest):
        sf.query_all("SELECT Id, Email FROM  lead WHERE IsConverted = false")


def test_an_error_matched_by_path_glob_hits_only_those_urls(fake: FakeSalesforce, sf: Any) -> None:
    add(fake, kind="error", code="QUERY_TIMEOUT", path="/services/data/v*/query*")
    assert sf.Contact.create({"LastName": "Doe"})["success"] is True
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query("SELECT Id FROM Contact")
    assert caught.value.content[0]["errorCode"] == "QUERY_TIMEOUT"


def outcomes(fake: FakeSalesforce, sf: Any, calls: int) -> list[bool]:
    seen = []
    for _ in range(calls):
        try:
            sf.query("SELECT Id FROM Contact LIMIT 1")
            seen.append(True)
        except SalesforceRefusedRequest:
            seen.append(False)
    return seen


def test_a_rate_fault_is_the_same_sequence_for_the_same_seed() -> None:
    runs = []
    for _ in range(2):
        fake = FakeSalesforce()
        add(fake, kind="error", code="REQUEST_LIMIT_EXCEEDED", rate=0.3, seed=1)
        runs.append(outcomes(fake, fake.client(), 60))
    assert runs[0] == runs[1]
    assert 5 < runs[0].count(False) < 35


def test_latency_moves_the_org_clock_without_sleeping(fake: FakeSalesforce, sf: Any) -> None:
    slept: list[float] = []
    fake.org.faults.sleep = slept.append
    with freeze_time(START):
        add(fake, kind="latency", ms=800, count=2)
        sf.query("SELECT Id FROM Contact")
        sf.query("SELECT Id FROM Contact")
        sf.query("SELECT Id FROM Contact")
        assert fake.org.clock.now() == START + timedelta(milliseconds=1600)
    assert slept == []


def test_latency_with_sleep_also_delays_for_real_when_asked(fake: FakeSalesforce, sf: Any) -> None:
    slept: list[float] = []
    fake.org.faults.sleep = slept.append
    add(fake, kind="latency", ms=250, sleep=True, count=1)
    sf.query("SELECT Id FROM Contact")
    assert slept == [0.25]


def test_an_expired_session_fails_once_and_a_login_client_logs_in_again(
    fake: FakeSalesforce, sf: Any
) -> None:
    add(fake, kind="session_expired")
    assert sf.query("SELECT Id FROM Contact")["totalSize"] == 0
    entries = fake.org.journal.query(path="*/query*")
    assert [(e.status, e.error_code) for e in entries] == [(401, "INVALID_SESSION_ID"), (200, None)]


def test_an_expired_session_stays_dead_for_a_client_given_only_the_token(
    fake: FakeSalesforce,
) -> None:
    from simple_salesforce import Salesforce

    token = fake.token()
    direct = Salesforce(instance_url=fake.instance_url, session_id=token, session=fake.session())
    add(fake, kind="session_expired")
    for _ in range(2):
        with pytest.raises(SalesforceExpiredSession):
            direct.query("SELECT Id FROM Contact")
    assert fake.client().query("SELECT Id FROM Contact")["totalSize"] == 0


def test_a_fault_marks_the_journal_entry_with_its_error_code(fake: FakeSalesforce, sf: Any) -> None:
    add(fake, kind="error", code="UNABLE_TO_LOCK_ROW", count=1)
    with pytest.raises(SalesforceMalformedRequest):
        sf.Contact.create({"LastName": "Doe"})
    [entry] = fake.org.journal.query(error_code="UNABLE_TO_LOCK_ROW")
    assert (entry.method, entry.status) == ("POST", 400)


def test_faulted_calls_are_not_counted_against_the_daily_allocation(
    fake: FakeSalesforce, sf: Any
) -> None:
    used = fake.org.usage.used(fake.org.clock.now())
    add(fake, kind="outage", count=2)
    for _ in range(2):
        with pytest.raises(SalesforceGeneralError):
            sf.query("SELECT Id FROM Contact")
    assert fake.org.usage.used(fake.org.clock.now()) == used


def test_clearing_faults_ends_them_all(fake: FakeSalesforce, sf: Any) -> None:
    add(fake, kind="outage")
    add(fake, kind="error", code="UNABLE_TO_LOCK_ROW")
    fake.org.faults.clear()
    assert sf.query("SELECT Id FROM Contact")["totalSize"] == 0


@pytest.mark.parametrize(
    ("spec", "complaint"),
    [
        ({"kind": "meteor"}, "kind: must be one of"),
        ({"kind": "error"}, "needs code"),
        ({"kind": "outage", "rate": 2}, "rate:"),
        ({"kind": "outage", "until": "tomorrow"}, "until:"),
        ({"kind": "outage", "until": "2026-03-02T10:00:00"}, "UTC offset"),
        ({"kind": "outage", "cuont": 3}, "unknown fault key(s): cuont"),
    ],
)
def test_a_fault_spec_that_makes_no_sense_is_refused_with_the_reason(
    spec: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(FaultSpecError, match=re.escape(complaint)):
        FaultSet().add(spec, START)


def test_fault_rules_of_one_org_never_touch_another() -> None:
    org, other = Org(), Org()
    org.faults.add({"kind": "outage"}, START)
    info = RequestInfo("GET", "/services/data/v59.0/query", None, "token")
    other.faults.before_request(info, other)
    with pytest.raises(ApiError) as caught:
        org.faults.before_request(info, org)
    assert caught.value.error_code == "SERVER_UNAVAILABLE"


def test_the_journal_entry_names_every_rule_that_hit_the_request(
    fake: FakeSalesforce, sf: Any
) -> None:
    add(fake, kind="latency", ms=100, count=1)
    add(fake, kind="error", code="ENTITY_IS_LOCKED", count=1)
    with pytest.raises(SalesforceMalformedRequest):
        sf.query("SELECT Id FROM Contact")
    sf.query("SELECT Id FROM Contact")
    hit, clean = fake.org.journal.query(path="*/query*")
    assert hit.faults == ("f1:latency", "f2:error")
    assert clean.faults == ()
