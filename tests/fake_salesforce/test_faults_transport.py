"""Faults below HTTP: a connection dropped mid-response and a slow first byte exercise timeouts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.server import FakeServer
from fake_salesforce.transport import rewriting_session


@pytest.fixture
def fake() -> FakeSalesforce:
    return FakeSalesforce(instance_url=None)


@pytest.fixture
def served(fake: FakeSalesforce) -> Iterator[FakeServer]:
    with FakeServer(fake.app, threads=4) as server:
        yield server


def login(fake: FakeSalesforce, server: FakeServer) -> Any:
    creds = fake.org.credentials
    return Salesforce(
        username=creds.username,
        password=creds.password,
        security_token=creds.security_token,
        domain="fake.my",
        session=rewriting_session(server.url),
        version="59.0",
    )


def add(fake: FakeSalesforce, **spec: Any) -> None:
    fake.org.faults.add(spec, fake.org.clock.now())


def test_a_dropped_connection_reaches_the_client_as_a_broken_response_over_http(
    fake: FakeSalesforce, served: FakeServer
) -> None:
    sf = login(fake, served)
    fake.org.create("Contact", {"LastName": "Doe"})
    add(fake, kind="drop", count=1, path="*/query*")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        sf.query("SELECT Id, LastName FROM Contact")
    assert sf.query("SELECT Id, LastName FROM Contact")["totalSize"] == 1


def test_a_slow_first_byte_trips_the_clients_read_timeout_over_http(
    fake: FakeSalesforce, served: FakeServer
) -> None:
    sf = login(fake, served)
    add(fake, kind="slow_first_byte", ms=600, count=1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        sf.query("SELECT Id FROM Contact", timeout=0.2)
    assert sf.query("SELECT Id FROM Contact", timeout=5)["totalSize"] == 0


def test_in_process_a_drop_raises_what_requests_raises_for_a_cut_response(
    fake: FakeSalesforce,
) -> None:
    sf = fake.client()
    add(fake, kind="drop", count=1)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        sf.query("SELECT Id FROM Contact")
    assert sf.query("SELECT Id FROM Contact")["totalSize"] == 0


def test_in_process_a_slow_first_byte_waits_through_the_injected_sleep(
    fake: FakeSalesforce,
) -> None:
    slept: list[float] = []
    middleware: Any = fake.app.wsgi_app
    middleware.sleep = slept.append
    sf = fake.client()
    add(fake, kind="slow_first_byte", ms=1500, method="GET")
    sf.query("SELECT Id FROM Contact")
    assert slept == [1.5]


def test_transport_faults_leave_login_and_the_control_api_alone(fake: FakeSalesforce) -> None:
    add(fake, kind="drop")
    session = fake.session()
    assert session.get("https://fake.my.salesforce.com/_fake/clock").status_code == 200
    assert fake.client().session_id


def test_a_dropped_response_is_marked_in_the_journal(fake: FakeSalesforce) -> None:
    sf = fake.client()
    add(fake, kind="drop", count=1)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        sf.query("SELECT Id FROM Contact")
    [entry] = fake.org.journal.query(path="*/query*")
    assert (entry.status, entry.faults) == (200, ("f1:drop",))


@pytest.mark.parametrize(
    ("mode", "raised"),
    [
        ("incomplete", requests.exceptions.ChunkedEncodingError),
        ("reset", requests.exceptions.ConnectionError),
        ("protocol", requests.exceptions.ConnectionError),
        ("tls", requests.exceptions.SSLError),
    ],
)
def test_in_process_each_drop_mode_raises_what_requests_raises_for_that_break(
    fake: FakeSalesforce, mode: str, raised: type[Exception]
) -> None:
    sf = fake.client()
    add(fake, kind="drop", mode=mode, count=1)
    with pytest.raises(raised) as caught:
        sf.query("SELECT Id FROM Contact")
    assert mode != "incomplete" or "IncompleteRead" in str(caught.value)
    assert mode != "reset" or "Connection reset by peer" in str(caught.value)
    assert sf.query("SELECT Id FROM Contact")["totalSize"] == 0


def test_a_drop_mode_is_checked(fake: FakeSalesforce) -> None:
    with pytest.raises(ValueError, match="mode: for kind drop, one of incomplete"):
        add(fake, kind="drop", mode="melt")
    with pytest.raises(ValueError, match="mode: for kind drop"):
        add(fake, kind="outage", mode="reset")
