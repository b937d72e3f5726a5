"""A record deleted in Salesforce is found by the nightly watermark read, with no write to it
and no extra call (docs/behaviour.md 7)."""

from __future__ import annotations

from datetime import timedelta

from sync_core.model import Code, ReadMode, SObject, Source
from sync_core.service import SyncService
from tests.sync_core.conftest import T0, FrozenClock
from tests.sync_core.memory_org import MemoryOrg

NIGHT = T0 + timedelta(hours=11)
DAY = timedelta(days=1)


def _converged(service: SyncService, org: MemoryOrg, clock: FrozenClock) -> tuple[int, str]:
    service.update_settings(T0, nightly_sync=True)
    contact = org.create(SObject.CONTACT)
    other = org.create(SObject.CONTACT)
    person = service.add_person("jane@example.com", contact_id=contact, now=T0).id
    service.add_person("john@example.com", contact_id=other, now=T0)
    clock.now = NIGHT
    assert service.run_nightly(NIGHT).ok
    return person, contact


def test_a_record_deleted_after_convergence_is_reported_and_its_link_broken(
    service: SyncService, org: MemoryOrg, clock: FrozenClock
) -> None:
    person, contact = _converged(service, org, clock)
    clock.now = NIGHT + timedelta(hours=2)
    org.delete(contact)
    calls = org.calls
    report = service.run_nightly(NIGHT + DAY)
    assert report.mode is ReadMode.INCREMENTAL
    assert [(e.code, e.person_id, e.record_id) for e in report.errors] == [
        ("ENTITY_IS_DELETED", person, contact)
    ]
    assert service.person(person).link_broken and report.writes_done == 0
    assert org.calls - calls == 3  # describe, Contact and Lead since the watermark: no more


def test_a_deleted_unsubscribed_person_is_not_written_and_stays_unsubscribed(
    service: SyncService, org: MemoryOrg, clock: FrozenClock
) -> None:
    person, contact = _converged(service, org, clock)
    clock.now = NIGHT + timedelta(hours=2)
    service.store.record_unsubscribe(person, Source.IMPORT, clock.now, None)
    org.delete(contact)
    report = service.run_nightly(NIGHT + DAY)
    assert [e.code for e in report.errors] == ["ENTITY_IS_DELETED"]
    assert report.plan.writes == () and org.written == []
    assert service.person(person).unsubscribed


def test_undeleting_the_record_mends_the_link_on_the_next_night(
    service: SyncService, org: MemoryOrg, clock: FrozenClock
) -> None:
    person, contact = _converged(service, org, clock)
    clock.now = NIGHT + timedelta(hours=2)
    org.delete(contact)
    service.run_nightly(NIGHT + DAY)
    skipped = service.run_nightly(NIGHT + 2 * DAY)
    assert skipped.errors == () and [s.code for s in skipped.plan.skips] == [Code.LINK_BROKEN]
    clock.now = NIGHT + 2 * DAY + timedelta(hours=2)
    org.delete(contact, deleted=False)
    mended = service.run_nightly(NIGHT + 3 * DAY)
    assert mended.errors == () and not service.person(person).link_broken


def test_a_dry_run_reports_the_deletion_but_breaks_nothing(
    service: SyncService, org: MemoryOrg, clock: FrozenClock
) -> None:
    person, contact = _converged(service, org, clock)
    clock.now = NIGHT + timedelta(hours=2)
    org.delete(contact)
    report = service.run_nightly(NIGHT + DAY, dry_run=True)
    assert [e.code for e in report.errors] == ["ENTITY_IS_DELETED"]
    assert not service.person(person).link_broken
