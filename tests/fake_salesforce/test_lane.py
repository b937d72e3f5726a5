"""The CRUD fast lane answers exactly as the Flask app does: status, headers, body and journal."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import request_started
from freezegun import freeze_time

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.lane import Lane

START = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
BASE = "/services/data/v59.0/sobjects"
Call = tuple[str, str, bytes | None, dict[str, str]]


def _environ(method: str, path: str, body: bytes | None, headers: dict[str, str]) -> dict[str, Any]:
    raw = body or b""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path.split("?")[0],
        "QUERY_STRING": path.partition("?")[2],
        "SERVER_NAME": "fake.my.salesforce.com",
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(raw),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if body is not None:
        environ["CONTENT_LENGTH"] = str(len(raw))
        environ["CONTENT_TYPE"] = "application/json"
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def _send(fake: FakeSalesforce, call: Call) -> tuple[str, list[tuple[str, str]], bytes]:
    seen: dict[str, Any] = {}

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        seen["status"], seen["headers"] = status, headers
        return lambda _data: None

    chunks = fake.app(_environ(*call), start)
    body = b"".join(chunks)
    getattr(chunks, "close", lambda: None)()
    return seen["status"], seen["headers"], body


def _script(token: str, contact: str, lead: str, deleted: str) -> list[Call]:
    auth = {"Authorization": f"Bearer {token}"}
    return [
        ("POST", f"{BASE}/Contact", b'{"LastName": "Doe", "email": "d@example.com"}', auth),
        ("POST", f"{BASE}/Contact/", b'{"LastName": "Slash"}', auth),
        ("POST", f"{BASE}/contact", b'{"FirstName": "NoLast"}', auth),
        ("POST", f"{BASE}/Contact", b'{"LastName": "Doe", "Email": "not-an-email"}', auth),
        ("POST", f"{BASE}/Contact", b'{"LastName": "Doe", "Bogus__c": 1}', auth),
        ("POST", f"{BASE}/Contact", b"{not json", auth),
        ("POST", f"{BASE}/Contact", b"[1, 2]", auth),
        ("POST", f"{BASE}/Contact", b"", auth),
        ("POST", f"{BASE}/Lead", b'{"LastName": "L"}', {"X-SFDC-Session": token}),
        ("GET", f"{BASE}/Contact/{contact}", None, auth),
        ("GET", f"{BASE}/CONTACT/{contact[:15]}", None, auth),
        ("GET", f"{BASE}/Contact/{contact}/", None, auth),
        ("GET", f"{BASE}/Contact/{contact}//", None, auth),
        ("GET", f"{BASE}/Contact/{contact}?fields=Email,LastName", None, auth),
        ("GET", f"{BASE}/Contact/{lead}", None, auth),
        ("GET", f"{BASE}/Contact/{contact[:14]}x", None, auth),
        ("GET", f"{BASE}/Contact/{deleted}", None, auth),
        ("GET", f"{BASE}/Contact/{contact}", None, {"Authorization": "Bearer nope"}),
        ("GET", f"/services/data/v20.0/sobjects/Contact/{contact}", None, auth),
        ("PATCH", f"{BASE}/Contact/{contact}", b'{"HasOptedOutOfEmail": true}', auth),
        ("PATCH", f"{BASE}/Contact/{contact}", b'{"LastName": null}', auth),
        ("PATCH", f"{BASE}/Contact/{contact}", b'{"Id": "x", "CreatedDate": "2020"}', auth),
        ("PATCH", f"{BASE}/Contact/{deleted}", b'{"LastName": "Back"}', auth),
        ("PATCH", f"{BASE}/Lead/{lead}", b'{"Company": "Acme"}', auth),
        ("DELETE", f"{BASE}/Contact/{deleted}", None, auth),
        ("DELETE", f"{BASE}/Contact/{contact}", None, auth),
        ("DELETE", f"{BASE}/Contact/{contact}", None, auth),
    ]


def _seed(fake: FakeSalesforce) -> tuple[str, str, str]:
    contact = fake.org.create("Contact", {"LastName": "Seed", "Email": "s@example.com"})
    lead = fake.org.create("Lead", {"LastName": "Seed", "Company": "Co"})
    deleted = fake.org.create("Contact", {"LastName": "Gone"})
    fake.org.delete("Contact", deleted)
    return contact, lead, deleted


@pytest.fixture
def frozen() -> Iterator[None]:
    with freeze_time(START):
        yield


def _answers(with_lane: bool, faults: list[dict[str, Any]]) -> tuple[list[Any], list[Any]]:
    fake = FakeSalesforce(api_limit=30)
    if not with_lane:
        fake.app.lane = None  # type: ignore[attr-defined]
    for spec in faults:
        fake.org.faults.add(spec, fake.org.clock.now())
    token = fake.token()
    answers = [_send(fake, call) for call in _script(token, *_seed(fake))]
    journal = [
        (e.method, e.path, e.status, e.error_code, e.records, e.written, e.counted, e.faults)
        for e in fake.org.journal.entries
    ]
    return answers, journal


@pytest.mark.parametrize(
    "faults",
    [
        [],
        [{"kind": "error", "code": "UNABLE_TO_LOCK_ROW", "method": "PATCH", "sobject": "contact"}],
        [{"kind": "outage", "count": 3}],
    ],
)
def test_every_crud_call_answers_the_same_with_the_lane_as_through_flask(
    frozen: None, faults: list[dict[str, Any]]
) -> None:
    through_lane, lane_journal = _answers(True, faults)
    through_flask, flask_journal = _answers(False, faults)
    for ours, theirs in zip(through_lane, through_flask, strict=True):
        assert ours == theirs
    assert lane_journal == flask_journal


def test_the_api_allocation_runs_out_alike_on_both_paths(frozen: None) -> None:
    answers = []
    for with_lane in (True, False):
        fake = FakeSalesforce(api_limit=2)
        if not with_lane:
            fake.app.lane = None  # type: ignore[attr-defined]
        auth = {"Authorization": f"Bearer {fake.token()}"}
        body = b'{"LastName": "Doe"}'
        answers.append([_send(fake, ("POST", f"{BASE}/Contact", body, auth)) for _ in range(3)])
    assert answers[0] == answers[1]
    assert json.loads(answers[0][2][2])[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"


def test_the_lane_answers_well_formed_crud_without_entering_flask(frozen: None) -> None:
    fake = FakeSalesforce()
    contact, _, _ = _seed(fake)
    auth = {"Authorization": f"Bearer {fake.token()}"}
    entered: list[str] = []

    def note(sender: Any, **_: Any) -> None:
        entered.append("flask")

    request_started.connect(note, fake.app)
    try:
        _send(fake, ("GET", f"{BASE}/Contact/{contact}", None, auth))
        _send(fake, ("PATCH", f"{BASE}/Contact/{contact}", b'{"LastName": "X"}', auth))
        _send(fake, ("POST", f"{BASE}/Contact/", b'{"LastName": "X"}', auth))
        assert entered == []
        _send(fake, ("GET", f"{BASE}/Contact/{contact}?fields=Email", None, auth))
        _send(fake, ("GET", f"{BASE}/Contact/describe", None, auth))
        assert entered == ["flask", "flask"]
    finally:
        request_started.disconnect(note, fake.app)
    assert isinstance(fake.app.lane, Lane)  # type: ignore[attr-defined]
