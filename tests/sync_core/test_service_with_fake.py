"""The whole engine over the real simple-salesforce client, in-process against the fake org."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.lead_convert import convert_lead
from sync_core.model import DEFAULT_PACKAGE_FIELD, Code, ReadMode, Source, SyncField
from sync_core.salesforce import SalesforceAdapter
from sync_core.service import SyncService

START = "2026-03-02T17:00:00Z"


def _no_sleep(seconds: float) -> None:
    raise AssertionError(f"nothing should wait here (asked {seconds}s)")


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
        fake.username, fake.password, fake.security_token, session=fake.session(), sleep=_no_sleep
    )
    svc = SyncService.open("sqlite:///:memory:", adapter, sleep=_no_sleep)
    yield svc
    svc.close()


def _now() -> datetime:
    return datetime.now(UTC)


def _contact(fake: FakeSalesforce, **values: object) -> str:
    return fake.org.create("Contact", {"LastName": "Doe", **values})


def _field(
    fake: FakeSalesforce, sobject: str, record: str, name: str = "HasOptedOutOfEmail"
) -> Any:
    found = fake.org.get(sobject, record)
    assert found is not None
    return found[name]


def test_salesforce_opt_out_reaches_marketo_sales_in_three_calls(
    fake: FakeSalesforce, service: SyncService
) -> None:
    service.update_settings(_now(), nightly_sync=True)
    contact = _contact(fake, HasOptedOutOfEmail=True)
    person = service.add_person("jane@example.com", contact_id=contact, now=_now()).id
    report = service.run_nightly(_now())
    assert report.ok and report.unsubscribed == 1 and report.calls == 3  # describe, 2 reads
    assert service.history(person)[-1].source == Source.SALESFORCE_SYNC


def test_missing_package_field_stops_the_run_before_any_write() -> None:
    with freeze_time(START):
        fake = FakeSalesforce()
        adapter = SalesforceAdapter.with_password(
            fake.username, fake.password, fake.security_token, session=fake.session()
        )
        service = SyncService.open("sqlite:///:memory:", adapter)
        service.update_settings(_now(), nightly_sync=True, sync_fields=set(SyncField))
        contact = _contact(fake, HasOptedOutOfEmail=True)
        person = service.add_person("jane@example.com", contact_id=contact, now=_now()).id
        report = service.run_nightly(_now())
        assert {p.code for p in report.plan.problems} == {Code.MISSING_FIELD}
        assert not service.person(person).unsubscribed and report.calls == 1
        service.close()


def test_read_only_field_is_reported_from_describe(
    fake: FakeSalesforce, service: SyncService
) -> None:
    fake.org.set_field_read_only("Lead", DEFAULT_PACKAGE_FIELD)
    service.update_settings(_now(), nightly_sync=True, sync_fields=set(SyncField))
    report = service.run_nightly(_now())
    assert [(p.sobject, p.code) for p in report.plan.problems] == [("Lead", Code.READ_ONLY_FIELD)]


def test_incremental_run_after_a_quiet_day_costs_two_reads(
    fake: FakeSalesforce, service: SyncService, frozen: Any
) -> None:
    service.update_settings(_now(), nightly_sync=True)
    for i in range(5):
        contact = _contact(fake, HasOptedOutOfEmail=i == 0)
        service.add_person(f"p{i}@example.com", contact_id=contact, now=_now())
    service.run_nightly(_now())
    frozen.tick(timedelta(days=1))
    report = service.run_nightly(_now())
    assert report.mode is ReadMode.INCREMENTAL and report.calls == 3 and report.ok


def test_unsubscribe_is_pushed_to_salesforce(fake: FakeSalesforce, service: SyncService) -> None:
    contact = _contact(fake)
    person = service.add_person("jane@example.com", contact_id=contact, now=_now()).id
    service.unsubscribe(person, Source.CLICKED_LINK, _now())
    report = service.push_due(_now() + timedelta(seconds=1))
    assert report.delivered == 1 and report.calls == 1
    assert _field(fake, "Contact", contact) is True


def test_nightly_writes_both_fields_where_missing(
    fake: FakeSalesforce, service: SyncService
) -> None:
    service.update_settings(_now(), nightly_sync=True, sync_fields=set(SyncField))
    contact = _contact(fake, HasOptedOutOfEmail=True)
    lead = fake.org.create("Lead", {"LastName": "Roe", "Company": "Acme"})
    pulled = service.add_person("a@example.com", contact_id=contact, now=_now()).id
    pushed = service.add_person("b@example.com", lead_id=lead, now=_now()).id
    service.store.record_unsubscribe(pushed, Source.IMPORT, _now(), None)
    report = service.run_nightly(_now())
    assert report.ok and report.writes_done == 2 and service.person(pulled).unsubscribed
    assert _field(fake, "Contact", contact, DEFAULT_PACKAGE_FIELD) is True
    assert _field(fake, "Lead", lead) is True and _field(fake, "Lead", lead, DEFAULT_PACKAGE_FIELD)
    assert service.run_nightly(_now() + timedelta(minutes=1)).writes_done == 0


def test_push_to_a_converted_lead_lands_on_its_contact(
    fake: FakeSalesforce, service: SyncService
) -> None:
    lead = fake.org.create("Lead", {"LastName": "Roe", "Company": "Acme"})
    person = service.add_person("roe@example.com", lead_id=lead, now=_now()).id
    contact = convert_lead(fake.org, lead).contact_id
    service.unsubscribe(person, Source.MANUAL, _now())
    service.push_due(_now() + timedelta(seconds=1))
    assert service.person(person).contact_id == contact
    assert _field(fake, "Contact", contact) is True
