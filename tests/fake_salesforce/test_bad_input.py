"""Nothing a client sends breaks an org: bad input is a 400 in Salesforce's or the control API's
shape, and the org keeps answering afterwards."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from fake_salesforce.fixture import DEFAULT_INSTANCE, FakeSalesforce

DATA = f"{DEFAULT_INSTANCE}/services/data/v59.0"
CONTROL = f"{DEFAULT_INSTANCE}/_fake"
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def fake() -> FakeSalesforce:
    return FakeSalesforce()


@pytest.fixture
def http(fake: FakeSalesforce) -> requests.Session:
    session = fake.session()
    session.headers["Authorization"] = f"Bearer {fake.token()}"
    return session


def _still_serves(fake: FakeSalesforce, http: requests.Session) -> None:
    """The org answers a login and a query after whatever came before."""
    http.headers["Authorization"] = f"Bearer {fake.token()}"  # the clock may have moved on
    assert http.get(f"{DATA}/query", params={"q": "SELECT Id FROM Contact"}).status_code == 200
    assert fake.client().query("SELECT Id FROM Contact")["totalSize"] == 0
    assert http.post(f"{CONTROL}/reset").status_code == 200


def _control_error(response: requests.Response) -> str:
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"error", "message"}
    return str(body["message"])


@pytest.mark.parametrize(
    "body",
    [{"now": "9999-12-31T23:59:59.999Z"}, {"now": "+99999999999d"}, {"now": "+2000000d"}],
)
def test_setting_the_clock_past_salesforces_last_datetime_is_refused_and_the_org_keeps_working(
    fake: FakeSalesforce, http: requests.Session, body: dict[str, Any]
) -> None:
    response = http.put(f"{CONTROL}/clock", json=body)
    assert response.status_code == 400, response.text
    _still_serves(fake, http)


@pytest.mark.parametrize(
    "body",
    [
        {"by": "+99999999999d"},
        {"seconds": 1e300},
        {"seconds": "x"},
        {"seconds": None},
        {"seconds": float("inf")},
    ],
)
def test_advancing_the_clock_beyond_any_time_or_by_a_non_number_is_a_400(
    fake: FakeSalesforce, http: requests.Session, body: dict[str, Any]
) -> None:
    raw = json.dumps(body)  # allows Infinity, as a careless client might send it
    response = http.post(f"{CONTROL}/clock/advance", data=raw)
    assert response.status_code == 400, response.text
    _still_serves(fake, http)


def test_the_clock_may_reach_the_last_datetime_and_stays_usable_there(
    fake: FakeSalesforce, http: requests.Session
) -> None:
    response = http.put(f"{CONTROL}/clock", json={"now": "4000-12-31T20:00:00Z"})
    assert response.status_code == 200
    _still_serves(fake, http)


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ({"username": "a@x.com", "timezone": "Mars/Olympus"}, "timezone"),
        ({"username": "a@x.com", "password": 12}, "password"),
        ({"username": "a@x.com", "apiLimit": "lots"}, "apiLimit"),
        ({"username": "a@x.com", "packages": "abc"}, "packages"),
        ({"username": ["a"]}, "username"),
    ],
)
def test_a_new_org_with_a_value_of_the_wrong_type_is_a_400_naming_the_key(
    http: requests.Session, body: dict[str, Any], word: str
) -> None:
    assert word in _control_error(http.post(f"{CONTROL}/orgs", json=body))


def test_importing_a_snapshot_with_an_unhashable_org_id_is_a_400(
    fake: FakeSalesforce, http: requests.Session
) -> None:
    _control_error(http.put(f"{CONTROL}/state", json={"org_id": ["x"], "format": "x"}))
    _still_serves(fake, http)


def test_a_broken_snapshot_is_refused_whole_and_the_org_stays_as_it_was(
    fake: FakeSalesforce, http: requests.Session
) -> None:
    fake.org.create("Contact", {"LastName": "Kept"})
    state = http.get(f"{CONTROL}/state").json()
    state["usage"] = {"used": None}
    state["tables"]["Contact"] = {}
    _control_error(http.put(f"{CONTROL}/state", json=state))
    names = [r["LastName"] for r in fake.client().query("SELECT LastName FROM Contact")["records"]]
    assert names == ["Kept"]


@pytest.mark.parametrize("count", ["x", None, -1, 1.5, True])
def test_generating_a_count_that_is_not_a_whole_number_is_a_400(
    http: requests.Session, count: Any
) -> None:
    body = {"generate": [{"type": "Contact", "count": count}]}
    assert "count" in _control_error(http.post(f"{CONTROL}/records", json=body))


def test_generating_more_than_the_servers_cap_is_a_400_that_names_the_cap(
    fake: FakeSalesforce, http: requests.Session
) -> None:
    fake.app.config["MAX_GENERATE"] = 50
    body = {"generate": [{"type": "Contact", "count": 51}]}
    assert "cap of 50" in _control_error(http.post(f"{CONTROL}/records", json=body))
    body = {"generate": [{"type": "Contact", "count": 50}]}
    assert http.post(f"{CONTROL}/records", json=body).status_code == 201


def test_the_default_generate_cap_refuses_ten_million_records_at_once(
    http: requests.Session,
) -> None:
    body = {"generate": [{"type": "Contact", "count": 10_000_000}]}
    assert "cap of 1000000" in _control_error(http.post(f"{CONTROL}/records", json=body))


@pytest.mark.parametrize("ms", [1e12, -1, float("nan"), "x", True])
def test_a_fault_rule_lasting_longer_than_ten_minutes_or_not_a_number_is_a_400(
    http: requests.Session, ms: Any
) -> None:
    raw = json.dumps({"kind": "latency", "ms": ms})
    assert "ms" in _control_error(http.post(f"{CONTROL}/faults", data=raw))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/sobjects/Contact"),
        ("POST", "/composite"),
        ("POST", "/composite/sobjects"),
        ("POST", "/composite/batch"),
        ("PATCH", "/composite/sobjects"),
    ],
)
def test_deeply_nested_json_is_a_json_parser_error_not_a_500(
    fake: FakeSalesforce, http: requests.Session, method: str, path: str
) -> None:
    response = http.request(
        method, f"{DATA}{path}", data=DEEP, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
    _still_serves(fake, http)


def test_a_deeply_nested_control_body_is_a_400(http: requests.Session) -> None:
    _control_error(http.post(f"{CONTROL}/faults", data=DEEP))


def test_a_fault_rule_that_fails_below_http_answers_salesforce_shaped_json(
    fake: FakeSalesforce, http: requests.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any) -> None:
        raise RuntimeError("rule store broken")

    fake.org.faults.add({"kind": "drop"}, fake.org.clock.now())
    monkeypatch.setattr(type(fake.org.faults), "transport_fault", broken)
    response = http.get(f"{DATA}/limits")
    assert response.status_code == 500
    assert response.json()[0]["errorCode"] == "UNKNOWN_EXCEPTION"


@pytest.mark.parametrize("path", ["/jobs/ingest", "/jobs/query"])
def test_a_bulk_job_whose_operation_is_not_a_string_is_invalidjob(
    http: requests.Session, path: str
) -> None:
    body = {"object": "Contact", "operation": ["insert"], "query": "SELECT Id FROM Contact"}
    response = http.post(f"{DATA}{path}", json=body)
    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "INVALIDJOB"
