"""A converted Lead is read, not trusted (docs/behaviour.md 7): the nightly run learns of the
conversion from IsConverted and ConvertedContactId, relinks the person to the Contact, and the
frozen Lead's values count for nothing from then on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.lead_convert import convert_lead
from sync_core.ids import to18
from sync_core.model import (
    DEFAULT_PACKAGE_FIELD,
    Code,
    Kind,
    Person,
    ReadMode,
    Relink,
    Settings,
    SfRecord,
    SObject,
    Source,
    SyncField,
)
from sync_core.plan import plan_conversions
from sync_core.salesforce import SalesforceAdapter
from sync_core.service import SyncService

START = "2026-03-02T17:00:00Z"


@pytest.fixture
def frozen() -> Iterator[Any]:
    with freeze_time(START) as clock:
        yield clock


@pytest.fixture
def fake(frozen: Any) -> FakeSalesforce:
    return FakeSalesforce(packages=("marketo_sales_insight",))


@pytest.fixture
def adapter(fake: FakeSalesforce) -> SalesforceAdapter:
    return SalesforceAdapter.with_password(
        fake.username, fake.password, fake.security_token, session=fake.session()
    )


@pytest.fixture
def service(adapter: SalesforceAdapter) -> Iterator[SyncService]:
    svc = SyncService.open("sqlite:///:memory:", adapter)
    svc.update_settings(_now(), nightly_sync=True)
    yield svc
    svc.close()


def _now() -> datetime:
    return datetime.now(UTC)


def _lead(fake: FakeSalesforce, **values: object) -> str:
    return fake.org.create("Lead", {"LastName": "Roe", "Company": "Acme", **values})


def _value(fake: FakeSalesforce, sobject: str, rid: str, name: str = "HasOptedOutOfEmail") -> Any:
    return (fake.org.get(sobject, rid) or {})[name]


def test_the_fake_serves_the_conversion_fields_the_engine_reads(
    fake: FakeSalesforce, adapter: SalesforceAdapter
) -> None:
    names = Settings().names()
    lead = _lead(fake)
    fresh = adapter.read_records(SObject.LEAD, [lead], frozenset(SyncField), names)
    assert [(r.converted, r.converted_contact) for r in fresh] == [(False, None)]
    contact = convert_lead(fake.org, lead).contact_id
    read = adapter.read_records(SObject.LEAD, [lead], frozenset(SyncField), names)
    assert [(r.converted, r.converted_contact) for r in read] == [(True, contact)]
    full = adapter.read_opted_out(SObject.LEAD, frozenset({SyncField.EMAIL_OPT_OUT}), names)
    assert [r.id for r in full] == [lead]  # converted, though not opted out


def test_a_converted_leads_person_is_relinked_and_takes_the_contacts_opt_out(
    fake: FakeSalesforce, service: SyncService
) -> None:
    lead = _lead(fake)
    person = service.add_person("roe@example.com", lead_id=lead, now=_now()).id
    contact = convert_lead(fake.org, lead).contact_id
    fake.org.update("Contact", contact, {"HasOptedOutOfEmail": True})
    report = service.run_nightly(_now())
    assert report.ok and report.unsubscribed == 1
    relinked = service.person(person)
    assert (relinked.contact_id, relinked.unsubscribed) == (contact, True)
    notes = [d for d in service.diagnostics(person) if d.code == Code.LEAD_CONVERTED]
    assert notes and f"relinked to Contact {contact}" in notes[0].message


def test_the_frozen_leads_opt_out_no_longer_undoes_a_resubscribe_done_on_both_sides(
    fake: FakeSalesforce, service: SyncService, frozen: Any
) -> None:
    lead = _lead(fake, HasOptedOutOfEmail=True)
    person = service.add_person("roe@example.com", lead_id=lead, now=_now()).id
    assert service.run_nightly(_now()).unsubscribed == 1
    contact = convert_lead(fake.org, lead).contact_id
    frozen.tick(timedelta(hours=1))
    service.resubscribe(person, "admin@corp.example", "asked by phone", _now())
    fake.org.update("Contact", contact, {"HasOptedOutOfEmail": False})
    for _night in range(2):
        frozen.tick(timedelta(days=1))
        report = service.run_nightly(_now())
        assert report.ok and report.unsubscribed == 0 and report.writes_done == 0
    assert not service.person(person).unsubscribed
    assert service.history(person)[-1].kind is Kind.RESUBSCRIBE
    assert _value(fake, "Lead", lead) is True and _value(fake, "Contact", contact) is False


def test_the_new_contact_gets_the_marketo_sales_opt_out_the_conversion_did_not_carry(
    fake: FakeSalesforce, service: SyncService
) -> None:
    service.update_settings(_now(), sync_fields=set(SyncField))
    both = {"HasOptedOutOfEmail": True, DEFAULT_PACKAGE_FIELD: True}
    lead = _lead(fake, **both)
    person = service.add_person("roe@example.com", lead_id=lead, now=_now()).id
    service.store.record_unsubscribe(person, Source.IMPORT, _now(), None)
    # the package field is not mapped: not carried
    contact = convert_lead(fake.org, lead).contact_id
    assert _value(fake, "Contact", contact, DEFAULT_PACKAGE_FIELD) is False
    report = service.run_nightly(_now())
    assert report.ok and report.writes_done == 1
    assert _value(fake, "Contact", contact, DEFAULT_PACKAGE_FIELD) is True


def test_an_incremental_run_learns_of_a_conversion_and_reads_the_contact(
    fake: FakeSalesforce, service: SyncService, frozen: Any
) -> None:
    lead = _lead(fake)
    person = service.add_person("roe@example.com", lead_id=lead, now=_now()).id
    assert service.run_nightly(_now()).ok
    frozen.tick(timedelta(days=1))
    contact = convert_lead(fake.org, lead).contact_id
    fake.org.update("Contact", contact, {"HasOptedOutOfEmail": True})
    frozen.tick(timedelta(hours=1))
    report = service.run_nightly(_now())
    assert report.mode is ReadMode.INCREMENTAL and report.ok and report.unsubscribed == 1
    assert service.person(person).contact_id == contact


def test_a_dry_run_shows_the_relink_and_stores_nothing(
    fake: FakeSalesforce, service: SyncService
) -> None:
    lead = _lead(fake)
    person = service.add_person("roe@example.com", lead_id=lead, now=_now()).id
    contact = convert_lead(fake.org, lead).contact_id
    fake.org.update("Contact", contact, {"HasOptedOutOfEmail": True})
    report = service.run_nightly(_now(), dry_run=True)
    assert [u.record_id for u in report.plan.unsubscribes] == [contact]
    assert service.person(person).contact_id is None and not service.person(person).unsubscribed


C1, C2, L1 = (to18(i) for i in ("003000000000001", "003000000000002", "00Q000000000001"))
E = frozenset({SyncField.EMAIL_OPT_OUT})


@pytest.mark.parametrize(
    ("person", "lead", "relinks", "lead_counts"),
    [
        (Person(1, "a@x", lead_id=L1), SfRecord(L1, SObject.LEAD, E), (), True),
        (
            Person(1, "a@x", lead_id=L1),
            SfRecord(L1, SObject.LEAD, E, converted=True, converted_contact=C1),
            (Relink(1, L1, C1),),
            False,
        ),
        (
            Person(1, "a@x", lead_id=L1),
            SfRecord(L1, SObject.LEAD, E, converted=True),
            (Relink(1, L1, None),),
            False,
        ),
        (
            Person(1, "a@x", contact_id=C2, lead_id=L1),
            SfRecord(L1, SObject.LEAD, E, converted=True, converted_contact=C1),
            (),
            False,
        ),
        (
            Person(1, "a@x", lead_id=L1, link_broken=True),
            SfRecord(L1, SObject.LEAD, E, converted=True, converted_contact=C1),
            (),
            False,
        ),
    ],
    ids=["live lead", "converted", "converted to no contact", "has a contact", "broken link"],
)
def test_plan_conversions_relinks_lead_only_people_and_drops_every_converted_lead(
    person: Person, lead: SfRecord, relinks: tuple[Relink, ...], lead_counts: bool
) -> None:
    planned, live = plan_conversions([person], {lead.id: lead, C2: SfRecord(C2, SObject.CONTACT)})
    assert planned == relinks
    assert (lead.id in live) is lead_counts and C2 in live
