"""What both sides hold before a nightly run: a full read, or a watermark read when safe.

Incremental only when the last run left both sides converged under the same settings and a
full read happened within `full_reconcile_days`; every local change since is read by Id.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TypeVar

from sync_core.errors import ReadTooLarge, TransientError
from sync_core.model import Diagnostic, Person, ReadMode, Settings, SfRecord, SObject
from sync_core.plan import next_retry_delay
from sync_core.ports import Progress, RunStore, SalesforceGateway, Sleep, no_progress
from sync_core.usage import Usage, last_usage

T = TypeVar("T")
WATERMARK = "nightly.watermark"
LAST_FULL = "nightly.last_full"
CLEAN = "nightly.clean"
SIGNATURE = "nightly.signature"
MARGIN = timedelta(minutes=10)  # SystemModstamp commits can lag the clock (sync-anchors 7b)
CALL_ATTEMPTS = 3
READING = "reading Salesforce"


class HeadroomReached(Exception):
    """The org's daily allocation is down to the reserved headroom: stop optional work."""


@dataclass
class Reader:
    """Reads Salesforce for a nightly run, retrying transient failures, minding the headroom."""

    store: RunStore
    gateway: SalesforceGateway
    sleep: Sleep
    rng: random.Random = field(default_factory=random.Random)
    progress: Progress = no_progress
    _calls_at_start: int = 0
    _now: datetime = field(default=datetime.min.replace(tzinfo=UTC))

    def _mode(self, settings: Settings, now: datetime) -> ReadMode:
        """Incremental only when the last run left both sides converged under these settings."""
        state = {k: self.store.get_state(k) for k in (WATERMARK, LAST_FULL, CLEAN, SIGNATURE)}
        if None in state.values() or state[CLEAN] != "1":
            return ReadMode.FULL
        if state[SIGNATURE] != signature(settings):
            return ReadMode.FULL
        last_full = datetime.fromisoformat(str(state[LAST_FULL]))
        if now - last_full >= timedelta(days=settings.full_reconcile_days):
            return ReadMode.FULL
        return ReadMode.INCREMENTAL

    def _gather(
        self, mode: ReadMode, settings: Settings, now: datetime
    ) -> tuple[ReadMode, dict[str, SfRecord], list[Person]]:
        sitting_out = self.store.people_sitting_out()
        revived, found = self._revive(settings, sitting_out, now)
        still_out = [p for p in sitting_out if p.id not in revived]
        if mode is ReadMode.INCREMENTAL:
            try:
                return mode, *self._read_changes(settings, revived, found, still_out)
            except ReadTooLarge:
                pass  # more changed than opted out: the full read is the cheaper one
        unsubscribed = self.store.people_unsubscribed()
        records = {**found, **self._read_full(settings, unsubscribed)}
        return ReadMode.FULL, records, self._people_around(records, [*unsubscribed, *still_out])

    def _set_aside_deleted(
        self, people: list[Person], records: dict[str, SfRecord], now: datetime, dry_run: bool
    ) -> tuple[list[Person], dict[str, SfRecord], list[Diagnostic]]:
        """docs/behaviour.md 7: a record the watermark read found deleted is not written; each
        person whose link targets it is reported (ENTITY_IS_DELETED, as a failed write is),
        their link marked broken, mended as ever when the record is undeleted, and left out of
        this run's plan (reported once, not also skipped; later runs count the skip)."""
        gone = {i for i, r in records.items() if r.deleted}
        if not gone:
            return people, records, []
        notes: list[Diagnostic] = []
        kept: list[Person] = []
        for person in people:
            target = person.target
            if target is not None and target[1] in gone:
                message = f"{target[0]} {target[1]}: entity is deleted; the link is broken"
                notes.append(Diagnostic(now, "ENTITY_IS_DELETED", message, person.id, target[1]))
                if not dry_run:
                    self.store.set_link(
                        person.id, person.contact_id, person.lead_id, now, broken=True, touch=False
                    )
                continue
            kept.append(person)
        return kept, {i: r for i, r in records.items() if i not in gone}, notes

    def _people_around(self, records: Collection[str], seed: list[Person]) -> list[Person]:
        """Everyone the union can touch: `seed`, the people linked to `records`, and whoever
        shares a record with them (to a fixed point). Everyone else is already converged: not
        unsubscribed, and linked only to records that are not opted out."""
        found = {p.id: p for p in seed}
        seen: set[str] = set()
        frontier = set(records) | {i for p in seed for i in p.record_ids}
        while frontier:
            seen |= frontier
            linked = self.store.people_linked_to(frontier)
            frontier = set()
            for person in linked:
                if person.id not in found:
                    found[person.id] = person
                    frontier.update(i for i in person.record_ids if i not in seen)
        return [found[k] for k in sorted(found)]

    def _read_changes(
        self,
        settings: Settings,
        revived: set[int],
        found: dict[str, SfRecord],
        sitting_out: list[Person],
    ) -> tuple[dict[str, SfRecord], list[Person]]:
        """Records modified since the watermark, and the records of people changed since.

        People still sitting out join the plan so that their skips are counted each night."""
        watermark = datetime.fromisoformat(str(self.store.get_state(WATERMARK)))
        records: dict[str, SfRecord] = dict(found)
        for sobject in SObject:
            hint = int(self.store.get_state(f"nightly.written.{sobject}") or 0)
            full_size = int(self.store.get_state(f"nightly.size.{sobject}") or 0)
            bulk = hint > settings.bulk_read_threshold
            limit = max(full_size, 2_000)  # under one REST page both reads cost one call
            rows = self._read(
                settings, sobject, since=watermark - MARGIN, bulk=bulk, give_up_over=limit
            )
            records.update((r.id, r) for r in rows)
            self.progress(READING, len(records), None)
        # Local changes come from our own clock: no margin needed; the run's own are untouched.
        touched = {p.id: p for p in self.store.people_changed_since(watermark)}
        touched.update((p.id, p) for p in self.store.people(revived))
        records.update(self._read_ids(settings, list(touched.values()), records.keys()))
        # A changed record's people have other records, unchanged and so unread: absent, the
        # plan would take them as all-false and write them again (docs/behaviour.md 5: records
        # already in agreement are not written).
        while more := self._read_ids(
            settings, self.store.people_linked_to(records.keys()), records.keys()
        ):
            records.update(more)
        relevant = {p.id: p for p in self.store.people_linked_to(records.keys())}
        relevant.update((p.id, p) for p in sitting_out)
        relevant.update(touched)
        return records, [relevant[k] for k in sorted(relevant)]

    def _revive(
        self, settings: Settings, sitting_out: list[Person], now: datetime
    ) -> tuple[set[int], dict[str, SfRecord]]:
        """A broken link whose record is back (undeleted) is mended; its parked pushes resume."""
        broken = [p for p in sitting_out if p.link_broken and p.record_ids]
        if not broken:
            return set(), {}
        found = self._read_ids(settings, broken, set())
        revived: set[int] = set()
        for person in broken:
            target = person.contact_id or person.lead_id
            if target in found:
                self.store.set_link(person.id, person.contact_id, person.lead_id, now, touch=False)
                self.store.requeue_parked(now, person.id)
                revived.add(person.id)
        return revived, found

    def _read_ids(
        self, settings: Settings, people: Sequence[Person], known: Collection[str]
    ) -> dict[str, SfRecord]:
        """The linked records of `people` not already in `known`, read by Id."""
        records: dict[str, SfRecord] = {}
        for sobject in SObject:
            ids = sorted({i for p in people for i in _ids_of(p, sobject)} - set(known))
            if ids:
                self._check_headroom(settings, 1)
                read = partial(
                    self.gateway.read_records, sobject, ids, settings.sync_fields, settings.names()
                )
                records.update((r.id, r) for r in self._call(settings, read))
        return records

    def _read_full(self, settings: Settings, unsubscribed: list[Person]) -> dict[str, SfRecord]:
        records: dict[str, SfRecord] = {}
        for sobject in SObject:
            hint_key = f"nightly.size.{sobject}"
            local = sum(1 for p in unsubscribed if _ids_of(p, sobject))
            hint = max(local, int(self.store.get_state(hint_key) or 0))
            rows = self._read(settings, sobject, bulk=hint > settings.bulk_read_threshold)
            self.store.set_state(hint_key, str(len(rows)))
            records.update((r.id, r) for r in rows)
            self.progress(READING, len(records), None)
        return records

    def _read(
        self,
        settings: Settings,
        sobject: SObject,
        *,
        since: datetime | None = None,
        bulk: bool = False,
        give_up_over: int | None = None,
    ) -> list[SfRecord]:
        self._check_headroom(settings, 3 if bulk else 1)
        return self._call(
            settings,
            lambda: self.gateway.read_opted_out(
                sobject,
                settings.sync_fields,
                settings.names(),
                since=since,
                bulk=bulk,
                bulk_over=settings.bulk_read_threshold,
                give_up_over=give_up_over,
            ),
        )

    def _call(self, settings: Settings, fn: Callable[..., T], *args: object) -> T:
        """Retry transient failures a few times with backoff (the injected sleep), then raise.

        A retry is another call of the run, so the headroom is checked again before it
        (docs/behaviour.md 8): a failed call may have been counted against the allocation."""
        for attempt in range(1, CALL_ATTEMPTS + 1):
            try:
                return fn(*args)
            except TransientError:
                if attempt == CALL_ATTEMPTS:
                    raise
                delay = next_retry_delay(attempt, settings, self.rng.random())
                self.sleep(delay.total_seconds())
                self._check_headroom(settings, 1)
        raise AssertionError("unreachable")

    def _check_headroom(self, settings: Settings, upcoming: int) -> None:
        """Stop before the allocation falls under the headroom (docs/behaviour.md 8), before every
        call, the first included: until this run has had a response, the usage last seen on
        any response (a push's too, kept in the store with its time) decides."""
        if self.gateway.calls > self._calls_at_start:
            seen = self.gateway.api_usage()  # kept in the store once the run ends
            usage = Usage(seen[0], seen[1], self._now) if seen is not None else None
        else:
            usage = last_usage(self.store, self._now)
        if usage is not None and not usage.leaves(upcoming, settings.api_headroom):
            raise HeadroomReached()


def _ids_of(person: Person, sobject: SObject) -> tuple[str, ...]:
    found = person.contact_id if sobject is SObject.CONTACT else person.lead_id
    return (found,) if found else ()


def signature(settings: Settings) -> str:
    return ",".join([*sorted(settings.sync_fields), settings.package_field])
