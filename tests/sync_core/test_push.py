"""Capture and the push worker against an in-memory org (docs/behaviour.md sections 4, 6, 7, 8)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sync_core.errors import (
    ConfigurationError,
    ConvertedLeadError,
    PermanentError,
    TransientError,
)
from sync_core.ids import to18
from sync_core.model import DEFAULT_PACKAGE_FIELD, Kind, SObject, Source, SyncField
from sync_core.service import SyncService
from tests.sync_core.conftest import T0, FrozenClock
from tests.sync_core.memory_org import MemoryOrg


def _linked(service: SyncService, org: MemoryOrg, email: str = "jane@example.com") -> int:
    contact = org.create(SObject.CONTACT)
    return service.add_person(email, contact_id=contact, now=T0).id


def test_unsubscribe_is_pushed_within_a_second_writing_email_opt_out_when_nightly_is_off(
    service: SyncService, org: MemoryOrg
) -> None:
    service.update_settings(T0, sync_fields={SyncField.MARKETO_SALES_OPT_OUT})
    person = _linked(service, org)
    assert service.unsubscribe(person, Source.CLICKED_LINK, T0)
    due = service.next_push_due()
    assert due is not None and timedelta(0) < due - T0 <= timedelta(seconds=1)
    assert service.push_due(T0).delivered == 0
    report = service.push_due(due)
    contact = service.person(person).contact_id
    assert report.delivered == 1 and report.calls == 1
    assert org.written == [(contact, frozenset({"HasOptedOutOfEmail"}))]
    assert service.next_push_due() is None and service.pending_pushes() == 0


def test_push_writes_every_selected_field_when_nightly_is_on(
    service: SyncService, org: MemoryOrg
) -> None:
    service.update_settings(T0, nightly_sync=True, sync_fields=set(SyncField))
    person = _linked(service, org)
    service.unsubscribe(person, Source.MANUAL, T0)
    service.push_due(T0 + timedelta(seconds=1))
    contact = service.person(person).contact_id
    assert contact is not None
    assert org.value(contact) and org.value(contact, DEFAULT_PACKAGE_FIELD)


def test_unsubscribing_an_unsubscribed_person_adds_no_second_push(
    service: SyncService, org: MemoryOrg
) -> None:
    person = _linked(service, org)
    assert service.unsubscribe(person, Source.MANUAL, T0)
    assert not service.unsubscribe(person, Source.BULK, T0 + timedelta(seconds=1))
    assert service.pending_pushes() == 1
    assert [h.source for h in service.history(person)] == [Source.MANUAL]


def test_salesforce_sync_is_not_a_capture_source(service: SyncService, org: MemoryOrg) -> None:
    with pytest.raises(ValueError, match="nightly"):
        service.unsubscribe(_linked(service, org), Source.SALESFORCE_SYNC, T0)


def test_resubscribe_needs_a_reason_and_pushes_nothing(
    service: SyncService, org: MemoryOrg
) -> None:
    person = _linked(service, org)
    service.unsubscribe(person, Source.MANUAL, T0)
    service.push_due(T0 + timedelta(seconds=1))
    with pytest.raises(ValueError, match="reason"):
        service.resubscribe(person, "admin@corp.example", " ", T0)
    assert service.resubscribe(person, "admin@corp.example", "asked by phone", T0)
    assert service.next_push_due() is None
    last = service.history(person)[-1]
    assert (last.kind, last.admin, last.reason) == (
        Kind.RESUBSCRIBE,
        "admin@corp.example",
        "asked by phone",
    )
    assert not service.person(person).unsubscribed


def test_burst_of_450_unsubscribes_goes_out_in_three_collection_calls(
    service: SyncService, org: MemoryOrg
) -> None:
    people = [_linked(service, org, f"p{i}@example.com") for i in range(450)]
    for person in people:
        service.unsubscribe(person, Source.BULK, T0)
    report = service.push_due(T0 + timedelta(seconds=1))
    assert (report.delivered, report.calls) == (450, 3)
    assert len(service.runs("push")) == 3


def test_transient_failure_is_retried_with_doubling_backoff_until_delivered(
    service: SyncService, org: MemoryOrg, clock: FrozenClock
) -> None:
    person = _linked(service, org)
    service.unsubscribe(person, Source.MANUAL, T0)
    for _ in range(4):
        org.faults.append(TransientError("SERVER_UNAVAILABLE", "down", status=503))
    now = T0 + timedelta(seconds=1)
    waits = []
    while (report := service.push_due(now)).delivered == 0:
        due = service.next_push_due()
        assert due is not None
        waits.append((due - now).total_seconds())
        now = due
    assert report.delivered == 1 and len(waits) == 4
    for attempt, wait in enumerate(waits):
        base = 2.0 * 2**attempt
        assert base <= wait <= base * 1.2
    diagnostics = service.diagnostics(person)
    assert [d.code for d in diagnostics] == ["SERVER_UNAVAILABLE"]  # shown once, retried quietly
    errors = [run.counts["errors"] for run in service.runs("push")]
    assert errors == [1, 1, 1, 1, 0]


def test_diagnostics_show_a_retried_push_when_its_cause_changes(
    service: SyncService, org: MemoryOrg, clock: FrozenClock
) -> None:
    person = _linked(service, org)
    service.unsubscribe(person, Source.MANUAL, T0)
    causes = ["SERVER_UNAVAILABLE"] * 3 + ["UNABLE_TO_LOCK_ROW"] * 2 + ["SERVER_UNAVAILABLE"]
    org.faults.extend(TransientError(code, "transient", status=503) for code in causes)
    now = T0 + timedelta(seconds=1)
    while service.push_due(now).delivered == 0:
        due = service.next_push_due()
        assert due is not None
        now = due
    codes = [d.code for d in service.diagnostics(person)]
    assert codes == ["SERVER_UNAVAILABLE", "UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE"]


def test_backoff_is_capped_at_fifteen_minutes_and_retries_forever(
    service: SyncService, org: MemoryOrg
) -> None:
    person = _linked(service, org)
    service.unsubscribe(person, Source.MANUAL, T0)
    now = T0 + timedelta(seconds=1)
    for _ in range(20):
        org.faults.append(TransientError("UNABLE_TO_LOCK_ROW", "locked"))
        service.push_due(now)
        due = service.next_push_due()
        assert due is not None and due - now <= timedelta(minutes=15)
        now = due
    assert service.push_due(now).delivered == 1


def test_permanent_failure_is_parked_and_requeued_when_settings_change(
    service: SyncService, org: MemoryOrg
) -> None:
    person = _linked(service, org)
    contact = service.person(person).contact_id
    assert contact is not None
    service.unsubscribe(person, Source.MANUAL, T0)
    error = PermanentError("FIELD_CUSTOM_VALIDATION_EXCEPTION", "rule says no")
    org.record_faults[contact] = [error]
    report = service.push_due(T0 + timedelta(seconds=1))
    assert report.parked == 1 and service.next_push_due() == T0 + timedelta(hours=1, seconds=1)
    assert service.pending_pushes() == 1
    assert service.diagnostics(person)[-1].code == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    later = T0 + timedelta(minutes=10)
    service.update_settings(later, nightly_at="21:00")
    assert service.next_push_due() == later
    assert service.push_due(later).delivered == 1 and org.value(contact)


def test_a_parked_push_is_tried_again_hourly_with_the_nightly_sync_off_until_it_lands(
    service: SyncService, org: MemoryOrg
) -> None:
    person = _linked(service, org)
    contact = service.person(person).contact_id
    assert contact is not None and not service.settings().nightly_sync
    service.unsubscribe(person, Source.MANUAL, T0)
    error = PermanentError("INSUFFICIENT_ACCESS_OR_READONLY", "read-only")
    org.record_faults[contact] = [error, error]
    assert service.push_due(T0 + timedelta(seconds=1)).parked == 1
    first_retry = T0 + timedelta(hours=1, seconds=1)
    assert service.push_due(first_retry - timedelta(seconds=1)).calls == 0
    assert service.push_due(first_retry).parked == 1  # the cause is still there
    assert len(service.diagnostics(person)) == 1  # the same failure is not shown again
    assert service.next_push_due() == first_retry + timedelta(hours=1)
    assert service.push_due(first_retry + timedelta(hours=1)).delivered == 1
    assert org.value(contact) and service.pending_pushes() == 0


def test_the_slow_retry_interval_is_a_setting(service: SyncService, org: MemoryOrg) -> None:
    service.update_settings(T0, parked_retry_seconds=600)
    person = _linked(service, org)
    contact = service.person(person).contact_id
    assert contact is not None
    service.unsubscribe(person, Source.MANUAL, T0)
    org.record_faults[contact] = [PermanentError("ENTITY_IS_LOCKED", "locked")]
    assert service.push_due(T0 + timedelta(seconds=1)).parked == 1
    assert service.next_push_due() == T0 + timedelta(minutes=10, seconds=1)


def test_a_resubscribe_during_an_outage_cancels_the_waiting_push(
    service: SyncService, org: MemoryOrg
) -> None:
    person = _linked(service, org)
    contact = service.person(person).contact_id
    service.unsubscribe(person, Source.MANUAL, T0)
    org.faults.append(TransientError("SERVER_UNAVAILABLE", "down"))
    assert service.push_due(T0 + timedelta(seconds=1)).retrying == 1
    service.resubscribe(person, "admin@corp.example", "asked by phone", T0 + timedelta(minutes=1))
    assert service.pending_pushes() == 0 and service.next_push_due() is None
    report = service.push_due(T0 + timedelta(hours=1))
    assert report.calls == 0 and not org.value(contact)


def test_configuration_error_on_the_whole_call_parks_every_item_in_it(
    service: SyncService, org: MemoryOrg
) -> None:
    people = [_linked(service, org, f"p{i}@example.com") for i in range(3)]
    for person in people:
        service.unsubscribe(person, Source.MANUAL, T0)
    org.faults.append(ConfigurationError("INVALID_FIELD", "No such column"))
    report = service.push_due(T0 + timedelta(seconds=1))
    assert report.parked == 3 and service.requeue_parked(T0 + timedelta(seconds=2)) == 3


def test_push_to_a_converted_lead_follows_it_to_the_contact_and_relinks(
    service: SyncService, org: MemoryOrg
) -> None:
    lead = org.create(SObject.LEAD)
    person = service.add_person("roe@example.com", lead_id=lead, now=T0).id
    contact = org.convert(lead)
    service.unsubscribe(person, Source.MANUAL, T0)
    report = service.push_due(T0 + timedelta(seconds=1))
    assert report.delivered == 1 and org.value(contact)
    assert service.person(person).contact_id == contact
    assert "LEAD_CONVERTED" in [d.code for d in service.diagnostics(person)]


def test_push_to_a_converted_lead_shows_salesforces_error_with_the_lead_in_diagnostics(
    service: SyncService, org: MemoryOrg
) -> None:
    lead = org.create(SObject.LEAD)
    person = service.add_person("roe@example.com", lead_id=lead, now=T0).id
    org.convert(lead)
    service.unsubscribe(person, Source.MANUAL, T0)
    service.push_due(T0 + timedelta(seconds=1))
    refused = [d for d in service.diagnostics(person) if d.code == "CANNOT_UPDATE_CONVERTED_LEAD"]
    assert [(d.record_id, d.person_id) for d in refused] == [(to18(lead), person)]
    assert refused[0].run_id is not None and refused[0].message


def test_a_conversion_that_keeps_bouncing_ends_instead_of_spinning(
    service: SyncService, org: MemoryOrg
) -> None:
    lead = org.create(SObject.LEAD)
    person = service.add_person("roe@example.com", lead_id=lead, now=T0).id
    contact = org.convert(lead)
    bounce = ConvertedLeadError("CANNOT_UPDATE_CONVERTED_LEAD", "odd org")
    org.record_faults[contact] = [bounce] * 10
    service.unsubscribe(person, Source.MANUAL, T0)
    report = service.push_due(T0 + timedelta(seconds=1))
    assert report.delivered == 0 and report.calls <= 10
    assert service.pending_pushes() == 1 and service.person(person).link_broken


def test_deleted_record_breaks_the_link_until_the_person_is_relinked(
    service: SyncService, org: MemoryOrg
) -> None:
    person = _linked(service, org)
    old = service.person(person).contact_id
    assert old is not None
    org.records[old].deleted = True
    service.unsubscribe(person, Source.MANUAL, T0)
    report = service.push_due(T0 + timedelta(seconds=1))
    assert report.parked == 1 and service.person(person).link_broken
    assert service.person(person).unsubscribed
    new = org.create(SObject.CONTACT)
    service.link(person, contact_id=new, now=T0 + timedelta(minutes=5))
    assert not service.person(person).link_broken
    assert service.push_due(T0 + timedelta(minutes=5)).delivered == 1 and org.value(new)


def test_person_without_salesforce_id_is_parked_then_pushed_once_linked(
    service: SyncService, org: MemoryOrg
) -> None:
    person = service.add_person("x@example.com", now=T0).id
    service.unsubscribe(person, Source.IMPORT, T0)
    report = service.push_due(T0 + timedelta(seconds=1))
    assert report.parked == 1 and report.calls == 0
    assert service.diagnostics(person)[0].code == "NO_SALESFORCE_ID"
    lead = org.create(SObject.LEAD)
    service.link(person, lead_id=lead, now=T0 + timedelta(days=1))
    assert service.push_due(T0 + timedelta(days=1)).delivered == 1 and org.value(lead)


def test_person_linked_to_contact_and_lead_is_written_on_the_contact(
    service: SyncService, org: MemoryOrg
) -> None:
    contact, lead = org.create(SObject.CONTACT), org.create(SObject.LEAD)
    person = service.add_person("both@example.com", contact_id=contact, lead_id=lead, now=T0)
    service.unsubscribe(person.id, Source.MANUAL, T0)
    service.push_due(T0 + timedelta(seconds=1))
    assert org.value(contact) and not org.value(lead)


def test_an_email_names_one_person(service: SyncService) -> None:
    service.add_person("Jane@example.com", now=T0)
    with pytest.raises(ValueError, match="already exists"):
        service.add_person("jane@EXAMPLE.com ", now=T0)


def test_ids_must_carry_the_objects_key_prefix(service: SyncService) -> None:
    with pytest.raises(ValueError, match="Contact Id"):
        service.add_person("a@example.com", contact_id="00Q000000000001AAA", now=T0)
    person = service.add_person("a@example.com", now=T0)
    with pytest.raises(ValueError, match="Lead Id"):
        service.link(person.id, lead_id="00Q0000", now=T0)


def test_fifteen_character_ids_are_stored_in_their_eighteen_character_form(
    service: SyncService,
) -> None:
    person = service.add_person("a@example.com", contact_id="0031a0000000001", now=T0)
    assert person.contact_id == "0031a0000000001AAA"
    linked = service.link(person.id, lead_id="00Q5e00000AbCdE", now=T0)
    assert linked.lead_id == "00Q5e00000AbCdEEAV"
    assert to18("001A0000006Vm9r") == "001A0000006Vm9rIAC"
    assert to18("001A0000006Vm9rIAC") == "001A0000006Vm9rIAC"


def test_people_are_found_by_email_or_by_salesforce_id(
    service: SyncService, org: MemoryOrg
) -> None:
    person = _linked(service, org, "Jane@Example.com")
    contact = service.person(person).contact_id
    assert contact is not None
    assert service.find("jane@example.COM") == service.person(person)
    assert service.find(contact) == service.find(contact[:15]) == service.person(person)
    assert service.find("nobody@example.com") is None


def test_with_the_sync_off_an_undeleted_record_gets_its_push_on_the_slow_retry(
    service: SyncService, org: MemoryOrg
) -> None:
    person = _linked(service, org)
    contact = service.person(person).contact_id
    assert contact is not None
    org.records[contact].deleted = True
    service.unsubscribe(person, Source.MANUAL, T0)
    assert service.push_due(T0 + timedelta(seconds=1)).parked == 1
    assert service.person(person).link_broken
    org.records[contact].deleted = False  # a Salesforce user undeletes it; no nightly sees it
    report = service.push_due(T0 + timedelta(hours=1, seconds=1))
    assert report.delivered == 1 and org.value(contact)
    assert not service.person(person).link_broken
    assert service.diagnostics(person)[-1].code == "LINK_MENDED"


def test_a_capture_for_a_broken_link_is_parked_without_a_call_on_its_first_try(
    service: SyncService, org: MemoryOrg
) -> None:
    person = _linked(service, org)
    record = service.person(person)
    service.store.set_link(person, record.contact_id, None, T0, broken=True)
    service.unsubscribe(person, Source.MANUAL, T0)
    report = service.push_due(T0 + timedelta(seconds=1))
    assert report.parked == 1 and report.calls == 0
