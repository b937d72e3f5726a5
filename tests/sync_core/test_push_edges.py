"""Pushes at the edges of the wire: batches mixing Contacts and Leads, requests refused for
their shape, and connections broken in every way requests reports (docs/behaviour.md 4 and 8)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from freezegun import freeze_time

from fake_salesforce.faults import DROP_MODES, drop_error
from fake_salesforce.fixture import FakeSalesforce
from sync_core.errors import TransientError
from sync_core.ids import to18
from sync_core.model import OutboxItem, Person, Settings, Source
from sync_core.plan import plan_push
from sync_core.salesforce import SalesforceAdapter, classify_exception
from sync_core.service import SyncService

START = "2026-03-02T17:00:00Z"
T0 = datetime(2026, 3, 2, 17, tzinfo=UTC)


@pytest.fixture
def frozen() -> Iterator[Any]:
    with freeze_time(START) as clock:
        yield clock


@pytest.fixture
def fake(frozen: Any) -> FakeSalesforce:
    return FakeSalesforce(packages=("marketo_sales_insight",))


@pytest.fixture
def service(fake: FakeSalesforce) -> Iterator[SyncService]:
    adapter = SalesforceAdapter.with_password(
        fake.username, fake.password, fake.security_token, session=fake.session(), sleep=_sleep
    )
    svc = SyncService.open("sqlite:///:memory:", adapter, sleep=_sleep)
    yield svc
    svc.close()


def _sleep(seconds: float) -> None:
    """The engine's backoff under a frozen clock: nothing waits for real."""


def _now() -> datetime:
    return datetime.now(UTC)


def _alternating(fake: FakeSalesforce, service: SyncService, pairs: int) -> list[tuple[str, str]]:
    """`pairs` Contacts and Leads, each linked to a person, unsubscribed in alternation."""
    made = []
    for i in range(pairs):
        contact = fake.org.create("Contact", {"LastName": f"C{i}"})
        lead = fake.org.create("Lead", {"LastName": f"L{i}", "Company": "Acme"})
        for sobject, record in (("Contact", contact), ("Lead", lead)):
            key = "contact_id" if sobject == "Contact" else "lead_id"
            person = service.add_person(f"{record}@example.com", now=_now(), **{key: record})
            service.unsubscribe(person.id, Source.CLICKED_LINK, _now())
            made.append((sobject, record))
    return made


def _all_opted_out(fake: FakeSalesforce, made: list[tuple[str, str]]) -> bool:
    return all((fake.org.get(o, r) or {})["HasOptedOutOfEmail"] is True for o, r in made)


def test_a_push_batch_alternating_contacts_and_leads_is_delivered_in_one_call(
    fake: FakeSalesforce, service: SyncService
) -> None:
    made = _alternating(fake, service, pairs=12)  # 24 type chunks in capture order
    report = service.push_due(_now() + timedelta(seconds=1))
    assert (report.delivered, report.parked, report.calls) == (24, 0, 1)
    assert _all_opted_out(fake, made) and service.pending_pushes() == 0


def test_a_request_refused_for_its_shape_is_split_and_resent_never_parked(
    fake: FakeSalesforce, service: SyncService
) -> None:
    made = _alternating(fake, service, pairs=2)
    fake.org.faults.add(
        {"kind": "error", "code": "INVALID_BATCH_REQUEST", "count": 1, "method": "PATCH"},
        fake.org.clock.now(),
    )
    report = service.push_due(_now() + timedelta(seconds=1))
    assert (report.delivered, report.parked, report.retrying, report.calls) == (4, 0, 0, 3)
    assert _all_opted_out(fake, made)


def test_one_record_refused_for_the_shape_of_its_request_waits_and_is_retried(
    fake: FakeSalesforce, service: SyncService
) -> None:
    made = _alternating(fake, service, pairs=1)[:1]
    fake.org.faults.add(
        {"kind": "error", "code": "INVALID_BATCH_REQUEST", "count": 3, "method": "PATCH"},
        fake.org.clock.now(),
    )
    first = service.push_due(_now() + timedelta(seconds=1))
    assert (first.parked, first.retrying) == (0, 2)
    later = service.push_due(_now() + timedelta(hours=1))
    assert later.delivered == 2 and later.parked == 0 and _all_opted_out(fake, made)


@pytest.mark.parametrize("mode", DROP_MODES)
def test_a_connection_broken_under_a_push_is_retried_never_parked(
    fake: FakeSalesforce, service: SyncService, mode: str
) -> None:
    made = _alternating(fake, service, pairs=1)
    fake.org.faults.add(
        {"kind": "drop", "mode": mode, "count": 1, "method": "PATCH"}, fake.org.clock.now()
    )
    first = service.push_due(_now() + timedelta(seconds=1))
    assert (first.delivered, first.retrying, first.parked) == (0, 2, 0)
    assert {e.code for e in first.errors} == {"CONNECTION_ERROR"}
    later = service.push_due(_now() + timedelta(minutes=1))
    assert later.delivered == 2 and _all_opted_out(fake, made)


@pytest.mark.parametrize("mode", DROP_MODES)
def test_a_connection_broken_under_a_nightly_read_does_not_stop_the_run(
    fake: FakeSalesforce, service: SyncService, mode: str
) -> None:
    service.update_settings(_now(), nightly_sync=True)
    contact = fake.org.create("Contact", {"LastName": "Doe", "HasOptedOutOfEmail": True})
    person = service.add_person("jane@example.com", contact_id=contact, now=_now())
    fake.org.faults.add(
        {"kind": "drop", "mode": mode, "count": 1, "path": "*/query*"}, fake.org.clock.now()
    )
    report = service.run_nightly(_now())
    assert report.ok and report.stopped is None and report.unsubscribed == 1
    assert service.person(person.id).unsubscribed


@pytest.mark.parametrize(
    "failure",
    [
        *(drop_error(mode) for mode in DROP_MODES),
        requests.exceptions.ContentDecodingError("Received response with content-encoding: gzip"),
        ConnectionResetError(104, "Connection reset by peer"),
    ],
    ids=[*DROP_MODES, "content_decoding", "bare_reset"],
)
def test_every_transport_failure_is_classified_transient(failure: Exception) -> None:
    classified = classify_exception(failure)
    assert isinstance(classified, TransientError) and classified.code == "CONNECTION_ERROR"


def test_plan_push_groups_a_batch_by_object_type_keeping_capture_order_within_each() -> None:
    contacts = [to18(f"003{i:012d}") for i in range(1, 4)]
    leads = [to18(f"00Q{i:012d}") for i in range(1, 4)]
    people = {}
    for n, (contact, lead) in enumerate(zip(contacts, leads, strict=True)):
        people[2 * n] = Person(2 * n, f"{2 * n}@x", contact_id=contact)
        people[2 * n + 1] = Person(2 * n + 1, f"{2 * n + 1}@x", lead_id=lead)
    items = [OutboxItem(pid, pid, T0, T0) for pid in sorted(people)]
    plan = plan_push(items, people, Settings(collection_size=4))
    written = [[w.record_id for w in batch] for batch in plan.batches]
    assert written == [[*contacts, leads[0]], leads[1:]]


def test_a_nightly_write_refused_for_its_shape_is_split_not_stopped_on(
    fake: FakeSalesforce, service: SyncService, frozen: Any
) -> None:
    service.update_settings(_now(), nightly_sync=True)
    made = []
    for i in range(3):
        contact = fake.org.create("Contact", {"LastName": f"C{i}"})
        person = service.add_person(f"c{i}@example.com", contact_id=contact, now=_now())
        service.store.record_unsubscribe(person.id, Source.IMPORT, _now(), None)
        made.append(("Contact", contact))
    fake.org.faults.add(  # the whole batch, then its first half, then the second half
        {"kind": "error", "code": "INVALID_BATCH_REQUEST", "count": 3, "method": "PATCH"},
        fake.org.clock.now(),
    )
    report = service.run_nightly(_now())
    assert report.stopped is None and report.writes_done == 2
    assert [(e.code, e.record_id) for e in report.errors] == [("INVALID_BATCH_REQUEST", made[0][1])]
    frozen.tick(timedelta(days=1))
    assert service.run_nightly(_now()).writes_done == 1 and _all_opted_out(fake, made)
