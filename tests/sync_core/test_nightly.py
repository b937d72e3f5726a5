"""The nightly run through the service against an in-memory org (docs/behaviour.md 3, 5-8)."""

from __future__ import annotations

from datetime import timedelta

from sync_core.errors import ConfigurationError, PermanentError, TransientError
from sync_core.model import (
    DEFAULT_PACKAGE_FIELD,
    Code,
    ReadMode,
    RunKind,
    SObject,
    Source,
    SyncField,
)
from sync_core.service import SyncService
from tests.sync_core.conftest import T0, FrozenClock
from tests.sync_core.memory_org import MemoryOrg

NIGHT = T0 + timedelta(hours=11)


def _on(service: SyncService, **changes: object) -> None:
    service.update_settings(T0, nightly_sync=True, **changes)


def _person(service: SyncService, org: MemoryOrg, email: str, **values: bool) -> tuple[int, str]:
    contact = org.create(SObject.CONTACT, **values)
    return service.add_person(email, contact_id=contact, now=T0).id, contact


def test_resubscribe_in_one_system_is_undone_by_nightly_sync(
    service: SyncService, org: MemoryOrg
) -> None:
    _on(service)
    person, contact = _person(service, org, "jane@example.com")
    service.unsubscribe(person, Source.CLICKED_LINK, T0)
    service.push_due(T0 + timedelta(seconds=1))
    service.resubscribe(person, "admin@corp.example", "asked by phone", T0 + timedelta(hours=1))
    report = service.run_nightly(NIGHT)
    assert report.ok and report.unsubscribed == 1 and report.writes_done == 0
    assert [(h.kind, h.source) for h in service.history(person)][-1] == (
        "unsubscribe",
        Source.SALESFORCE_SYNC,
    )
    assert org.value(contact)


def test_resubscribing_on_both_sides_before_the_run_sticks(
    service: SyncService, org: MemoryOrg
) -> None:
    _on(service)
    person, contact = _person(service, org, "jane@example.com")
    service.unsubscribe(person, Source.MANUAL, T0)
    service.push_due(T0 + timedelta(seconds=1))
    service.resubscribe(person, "admin@corp.example", "consented again", T0 + timedelta(hours=1))
    org.edit(contact, HasOptedOutOfEmail=False)
    report = service.run_nightly(NIGHT)
    assert report.plan.writes == () and report.plan.unsubscribes == ()
    assert not service.person(person).unsubscribed and not org.value(contact)


def test_salesforce_opt_out_unsubscribes_the_person_and_sets_the_other_field(
    service: SyncService, org: MemoryOrg
) -> None:
    _on(service, sync_fields=set(SyncField))
    person, contact = _person(service, org, "jane@example.com", HasOptedOutOfEmail=True)
    report = service.run_nightly(NIGHT)
    assert report.unsubscribed == 1 and report.writes_done == 1
    assert service.person(person).unsubscribed
    assert org.value(contact, DEFAULT_PACKAGE_FIELD)
    assert service.next_push_due() is None  # the run wrote it; nothing queued twice


def test_a_second_run_right_after_writes_nothing_and_reads_incrementally(
    service: SyncService, org: MemoryOrg, clock: FrozenClock
) -> None:
    _on(service)
    for i in range(5):
        person, _ = _person(service, org, f"p{i}@example.com", HasOptedOutOfEmail=i % 2 == 0)
        if i % 3 == 0:
            service.store.record_unsubscribe(person, Source.IMPORT, T0, None)
    clock.now = NIGHT
    first = service.run_nightly(NIGHT)
    assert first.mode is ReadMode.FULL and first.writes_done == 1 and first.unsubscribed == 2
    second = service.run_nightly(NIGHT + timedelta(minutes=1))
    assert second.mode is ReadMode.INCREMENTAL
    assert second.writes_done == 0 and second.unsubscribed == 0 and second.ok


def test_incremental_run_rewrites_a_box_unchecked_in_salesforce(
    service: SyncService, org: MemoryOrg, clock: FrozenClock
) -> None:
    _on(service)
    person, contact = _person(service, org, "jane@example.com", HasOptedOutOfEmail=True)
    service.run_nightly(NIGHT)
    clock.now = NIGHT + timedelta(hours=5)
    org.edit(contact, HasOptedOutOfEmail=False)
    report = service.run_nightly(NIGHT + timedelta(days=1))
    assert report.mode is ReadMode.INCREMENTAL and report.writes_done == 1
    assert org.value(contact) and service.person(person).unsubscribed


def test_incremental_run_reads_a_newly_linked_persons_old_record(
    service: SyncService, org: MemoryOrg, clock: FrozenClock
) -> None:
    _on(service)
    service.run_nightly(NIGHT)
    opted_out = org.create(SObject.LEAD, HasOptedOutOfEmail=True)  # modstamp before watermark
    clock.now = T0
    person = service.add_person("late@example.com", now=T0).id
    service.link(person, lead_id=opted_out, now=NIGHT + timedelta(hours=2))
    report = service.run_nightly(NIGHT + timedelta(days=1))
    assert report.mode is ReadMode.INCREMENTAL
    assert service.person(person).unsubscribed


def test_when_more_changed_than_is_opted_out_the_run_reads_in_full(
    service: SyncService, org: MemoryOrg, clock: FrozenClock
) -> None:
    _on(service)
    _person(service, org, "jane@example.com", HasOptedOutOfEmail=True)
    service.run_nightly(NIGHT)
    clock.now = NIGHT + timedelta(hours=1)
    for _ in range(2_100):  # another integration touched every record today
        org.create(SObject.CONTACT)
    before = org.calls
    report = service.run_nightly(NIGHT + timedelta(days=1))
    assert report.mode is ReadMode.FULL and report.ok
    assert org.call_log[before:] == [
        "describe Contact Lead",
        "read Contact rest first page",
        "read Contact rest since=False",
        "read Lead rest since=False",
    ]


def test_changing_the_fields_forces_a_full_read(service: SyncService, org: MemoryOrg) -> None:
    _on(service)
    _person(service, org, "jane@example.com", **{DEFAULT_PACKAGE_FIELD: True})
    service.run_nightly(NIGHT)
    service.update_settings(NIGHT, sync_fields=set(SyncField))
    report = service.run_nightly(NIGHT + timedelta(days=1))
    assert report.mode is ReadMode.FULL and report.unsubscribed == 1


def test_a_full_read_happens_at_least_every_full_reconcile_days(
    service: SyncService, org: MemoryOrg
) -> None:
    _on(service, full_reconcile_days=2)
    modes = [service.run_nightly(NIGHT + timedelta(days=d)).mode for d in range(5)]
    assert modes == ["full", "incremental", "full", "incremental", "full"]


def test_missing_package_field_is_reported_before_anything_is_written(
    service: SyncService, org: MemoryOrg
) -> None:
    org.package = False
    _on(service, sync_fields=set(SyncField))
    person, _ = _person(service, org, "jane@example.com", HasOptedOutOfEmail=True)
    report = service.run_nightly(NIGHT)
    assert [p.code for p in report.plan.problems] == [Code.MISSING_FIELD] * 2
    assert report.writes_done == 0 and not service.person(person).unsubscribed
    assert org.call_log == ["describe Contact Lead"]  # one /composite call
    assert {d.code for d in service.diagnostics()} == {Code.MISSING_FIELD}


def test_read_only_field_is_a_configuration_error(service: SyncService, org: MemoryOrg) -> None:
    org.updateable["HasOptedOutOfEmail"] = False
    _on(service)
    report = service.run_nightly(NIGHT)
    assert {p.code for p in report.plan.problems} == {Code.READ_ONLY_FIELD}


def test_nightly_off_reads_and_writes_nothing(service: SyncService, org: MemoryOrg) -> None:
    _person(service, org, "jane@example.com", HasOptedOutOfEmail=True)
    report = service.run_nightly(NIGHT)
    assert report.stopped == Code.NIGHTLY_OFF and org.calls == 0
    assert service.next_nightly(NIGHT) is None


def test_sync_now_with_the_nightly_sync_off_records_no_run(
    service: SyncService, org: MemoryOrg
) -> None:
    _person(service, org, "jane@example.com", HasOptedOutOfEmail=True)
    assert service.run_nightly(NIGHT).stopped == Code.NIGHTLY_OFF
    assert service.runs(RunKind.NIGHTLY) == [] and service.diagnostics() == []


def test_dry_run_lists_both_sides_changes_and_their_cost_writing_nothing(
    service: SyncService, org: MemoryOrg
) -> None:
    _on(service)
    pulled, _ = _person(service, org, "a@example.com", HasOptedOutOfEmail=True)
    pushed, contact = _person(service, org, "b@example.com")
    service.store.record_unsubscribe(pushed, Source.IMPORT, T0, None)
    report = service.run_nightly(NIGHT, dry_run=True)
    assert [u.person_id for u in report.plan.unsubscribes] == [pulled]
    assert [w.record_id for w in report.plan.writes] == [contact]
    assert report.estimated_write_calls == 1 and report.run_id is None
    assert not service.person(pulled).unsubscribed and not org.value(contact)
    assert service.runs("nightly") == []


def test_people_without_an_id_are_skipped_and_reported_once(
    service: SyncService, org: MemoryOrg
) -> None:
    _on(service)
    person = service.add_person("x@example.com", now=T0).id
    for day in range(3):
        report = service.run_nightly(NIGHT + timedelta(days=day))
        assert [s.code for s in report.plan.skips] == [Code.NO_SALESFORCE_ID]
    assert [d.code for d in service.diagnostics(person)] == [Code.NO_SALESFORCE_ID]


def test_nightly_stops_before_the_api_headroom_and_leaves_the_rest_for_next_time(
    service: SyncService, org: MemoryOrg
) -> None:
    _on(service)
    for i in range(3):
        person, _ = _person(service, org, f"p{i}@example.com")
        service.store.record_unsubscribe(person, Source.IMPORT, T0, None)
    org.allocation, org.used_before = 100, 87  # describe 1 + reads 2 leave 10: the headroom
    report = service.run_nightly(NIGHT)
    assert report.stopped == Code.API_HEADROOM and report.left == 3
    assert report.unsubscribed == 0 and org.written == []
    run = service.runs("nightly")[-1]
    assert run.counts["left"] == 3 and run.detail["stopped"] == Code.API_HEADROOM
    org.used_before = -org.calls  # a day later the rolling window has moved on
    after = service.run_nightly(NIGHT + timedelta(days=1))
    assert after.mode is ReadMode.FULL and after.writes_done == 3 and after.ok


def test_a_run_that_would_start_inside_the_headroom_makes_no_call_at_all(
    service: SyncService, org: MemoryOrg
) -> None:
    """The usage seen on the day's last push response is in the store: the describe waits."""
    person, _ = _person(service, org, "jane@example.com")
    org.allocation, org.used_before = 100, 89
    service.unsubscribe(person, Source.CLICKED_LINK, NIGHT - timedelta(hours=3))
    assert service.push_due(NIGHT - timedelta(hours=2)).delivered == 1  # usage now 90/100
    _on(service)
    calls = org.calls
    report = service.run_nightly(NIGHT)
    assert report.stopped == Code.API_HEADROOM and report.calls == 0 and org.calls == calls


def test_the_kept_usage_survives_a_new_process_and_lapses_after_a_day(
    service: SyncService, org: MemoryOrg
) -> None:
    person, _ = _person(service, org, "jane@example.com")
    org.allocation, org.used_before = 100, 89
    service.unsubscribe(person, Source.CLICKED_LINK, NIGHT - timedelta(hours=3))
    service.push_due(NIGHT - timedelta(hours=2))
    _on(service)
    fresh = MemoryOrg(clock=org.clock)  # another process: its gateway has seen nothing yet
    fresh.records = org.records
    other = SyncService(service.store, fresh, sleep=lambda _s: None, clock=org.clock)
    assert other.run_nightly(NIGHT).stopped == Code.API_HEADROOM and fresh.calls == 0
    later = other.run_nightly(NIGHT + timedelta(days=1))  # the rolling day has moved on
    assert later.stopped is None and fresh.calls > 0


def test_deleted_record_in_nightly_breaks_the_link_and_keeps_the_unsubscribe(
    service: SyncService, org: MemoryOrg
) -> None:
    _on(service)
    person, contact = _person(service, org, "jane@example.com")
    service.store.record_unsubscribe(person, Source.IMPORT, T0, None)
    org.records[contact].deleted = True
    report = service.run_nightly(NIGHT)
    assert [e.code for e in report.errors] == ["ENTITY_IS_DELETED"]
    assert service.person(person).link_broken and service.person(person).unsubscribed
    again = service.run_nightly(NIGHT + timedelta(days=1))
    assert [s.code for s in again.plan.skips] == [Code.LINK_BROKEN]
    org.records[contact].deleted = False  # undeleted from the recycle bin
    revived = service.run_nightly(NIGHT + timedelta(days=2))
    assert revived.writes_done == 1 and org.value(contact)
    assert not service.person(person).link_broken


def test_a_run_whose_only_failures_are_gone_records_is_followed_by_an_incremental_one(
    service: SyncService, org: MemoryOrg
) -> None:
    _on(service)
    person, contact = _person(service, org, "jane@example.com")
    service.store.record_unsubscribe(person, Source.IMPORT, T0, None)
    org.records[contact].deleted = True
    first = service.run_nightly(NIGHT)
    assert [e.code for e in first.errors] == ["ENTITY_IS_DELETED"] and first.stopped is None
    assert service.run_nightly(NIGHT + timedelta(hours=1)).mode is ReadMode.INCREMENTAL


def test_a_failure_named_like_a_gone_record_but_not_one_is_redone_by_a_full_read(
    service: SyncService, org: MemoryOrg
) -> None:
    """Settled is decided by the error's type (RecordGoneError breaks the link), not its code:
    a NOT_FOUND that is not about a gone record leaves the person linked and unwritten."""
    _on(service)
    person, contact = _person(service, org, "jane@example.com")
    service.store.record_unsubscribe(person, Source.IMPORT, T0, None)
    org.record_faults[contact] = [PermanentError("NOT_FOUND", "the resource was not found")]
    first = service.run_nightly(NIGHT)
    assert [e.code for e in first.errors] == ["NOT_FOUND"] and first.stopped is None
    assert not service.person(person).link_broken
    again = service.run_nightly(NIGHT + timedelta(hours=1))
    assert again.mode is ReadMode.FULL and again.writes_done == 1 and org.value(contact)


def test_an_undeleted_record_gets_the_opt_out_and_its_parked_push_is_settled(
    service: SyncService, org: MemoryOrg
) -> None:
    _on(service)
    person, contact = _person(service, org, "jane@example.com")
    org.records[contact].deleted = True
    service.unsubscribe(person, Source.MANUAL, T0)
    assert service.push_due(T0 + timedelta(seconds=1)).parked == 1
    assert service.person(person).link_broken
    org.records[contact].deleted = False
    report = service.run_nightly(NIGHT)
    assert report.writes_done == 1 and org.value(contact)
    assert not service.person(person).link_broken and service.pending_pushes() == 0


def test_nightly_follows_a_converted_lead_to_its_contact(
    service: SyncService, org: MemoryOrg
) -> None:
    _on(service)
    lead = org.create(SObject.LEAD)
    person = service.add_person("roe@example.com", lead_id=lead, now=T0).id
    service.store.record_unsubscribe(person, Source.IMPORT, T0, None)
    contact = org.convert(lead)
    report = service.run_nightly(NIGHT)
    assert report.writes_done == 1 and org.value(contact)
    assert service.person(person).contact_id == contact
    assert [n.code for n in report.notes] == [Code.LEAD_CONVERTED]


def test_transient_read_failure_is_retried_with_the_injected_sleep(
    service: SyncService, org: MemoryOrg, sleeps: list[float]
) -> None:
    _on(service)
    _person(service, org, "jane@example.com", HasOptedOutOfEmail=True)
    org.faults.append(TransientError("SERVER_UNAVAILABLE", "down", status=503))
    report = service.run_nightly(NIGHT)
    assert report.ok and report.unsubscribed == 1 and len(sleeps) == 1


def test_a_retried_call_checks_the_headroom_again_before_it_goes(
    service: SyncService, org: MemoryOrg
) -> None:
    """The failed describe was counted (90 of 100 used): retrying it would eat the headroom."""
    _on(service)
    _person(service, org, "jane@example.com", HasOptedOutOfEmail=True)
    org.allocation, org.used_before = 100, 89
    org.faults.append(TransientError("SERVER_UNAVAILABLE", "down", status=503))
    report = service.run_nightly(NIGHT)
    assert report.stopped == Code.API_HEADROOM and org.calls == 1


def test_the_trail_shows_why_each_opt_out_changed_on_either_side(
    service: SyncService, org: MemoryOrg
) -> None:
    _on(service)
    person, contact = _person(service, org, "jane@example.com")
    service.unsubscribe(person, Source.CLICKED_LINK, T0)
    service.push_due(T0 + timedelta(seconds=1))
    service.resubscribe(person, "admin@corp.example", "asked", T0 + timedelta(hours=1))
    service.run_nightly(NIGHT)
    trail = service.trail(person)
    described = [
        (type(e).__name__, getattr(e, "kind", None), getattr(e, "origin", None)) for e in trail
    ]
    assert described == [
        ("HistoryEntry", "unsubscribe", None),
        ("SalesforceWrite", None, "push"),
        ("HistoryEntry", "resubscribe", None),
        ("HistoryEntry", "unsubscribe", None),
    ]
    assert trail[1].record_id == contact and trail[1].fields == ("HasOptedOutOfEmail",)
    assert trail[-1].source == Source.SALESFORCE_SYNC


def test_a_parked_push_is_settled_once_the_nightly_writes_the_record(
    service: SyncService, org: MemoryOrg
) -> None:
    org.package = False
    _on(service, sync_fields=set(SyncField))
    person, contact = _person(service, org, "jane@example.com")
    service.unsubscribe(person, Source.MANUAL, T0)
    org.faults.append(ConfigurationError("INVALID_FIELD", "No such column"))
    assert service.push_due(T0 + timedelta(seconds=1)).parked == 1
    org.package = True  # the admin installs the package; no setting changed
    report = service.run_nightly(NIGHT)
    assert report.writes_done == 1 and org.value(contact, DEFAULT_PACKAGE_FIELD)
    assert service.pending_pushes() == 0


def test_every_run_is_recorded_with_its_counts(service: SyncService, org: MemoryOrg) -> None:
    _on(service)
    _person(service, org, "jane@example.com", HasOptedOutOfEmail=True)
    service.run_nightly(NIGHT)
    (run,) = service.runs("nightly")
    assert run.counts["unsubscribed"] == 1 and run.counts["calls"] == 3
    assert run.detail["mode"] == "full" and run.finished_at == NIGHT


def test_a_full_run_reaches_everyone_who_shares_a_record_with_an_opt_out(
    service: SyncService, org: MemoryOrg
) -> None:
    """A full run loads only the people the union can touch, so it must follow shared records:
    Lead L is opted out; P holds L and Contact C; Q holds only C; R holds nothing opted out."""
    _on(service)
    lead = org.create(SObject.LEAD, HasOptedOutOfEmail=True)
    contact = org.create(SObject.CONTACT)
    other = org.create(SObject.CONTACT)
    p = service.add_person("p@example.com", contact_id=contact, lead_id=lead, now=T0).id
    q = service.add_person("q@example.com", contact_id=contact, now=T0).id
    r = service.add_person("r@example.com", contact_id=other, now=T0).id
    report = service.run_nightly(NIGHT)
    assert report.mode is ReadMode.FULL
    assert {u.person_id for u in report.plan.unsubscribes} == {p, q}
    assert service.person(q).unsubscribed and not service.person(r).unsubscribed
    assert org.value(contact) and not org.value(other)


def test_a_full_run_pulls_a_local_unsubscribe_to_a_record_that_is_not_opted_out(
    service: SyncService, org: MemoryOrg
) -> None:
    _on(service)
    person, contact = _person(service, org, "jane@example.com")
    neighbour = service.add_person("neighbour@example.com", contact_id=contact, now=T0).id
    service.store.record_unsubscribe(person, Source.IMPORT, T0, None)
    report = service.run_nightly(NIGHT)
    assert report.mode is ReadMode.FULL and report.writes_done == 1
    assert org.value(contact) and service.person(neighbour).unsubscribed


def test_a_nightly_run_reports_its_reads_and_writes_as_it_goes(
    service: SyncService, org: MemoryOrg
) -> None:
    _on(service, sync_fields=set(SyncField))
    for i in range(3):
        _person(service, org, f"p{i}@example.com", HasOptedOutOfEmail=True)
    heard: list[tuple[str, int, int | None]] = []
    report = service.run_nightly(NIGHT, progress=lambda *event: heard.append(event))
    assert report.writes_done == 3
    assert ("reading Salesforce", 3, None) in heard
    assert heard.index(("reading Salesforce", 3, None)) < heard.index(
        ("writing to Salesforce", 0, 3)
    )
    assert ("unsubscribing in Marketo Sales", 0, 3) in heard
    assert heard[-1] == ("writing to Salesforce", 3, 3)
