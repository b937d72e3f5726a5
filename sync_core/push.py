"""The push worker: deliver due outbox items in sObject Collections batches (docs/behaviour.md 4).

Transient failures go back with backoff; permanent ones are parked, shown in diagnostics and
tried again on the slow schedule;
a converted Lead is followed to its Contact; a deleted record breaks the person's link.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sync_core.errors import (
    ConvertedLeadError,
    RecordGoneError,
    RequestShapeError,
    SyncError,
    TransientError,
)
from sync_core.model import (
    Code,
    Diagnostic,
    OutboxItem,
    Person,
    PushReport,
    RecordWrite,
    RunKind,
    SalesforceWrite,
    Settings,
    SObject,
    SyncField,
    WriteOutcome,
)
from sync_core.plan import next_retry_delay, plan_push
from sync_core.ports import Clock, People, RunStore, SalesforceGateway
from sync_core.usage import remember_usage

log = logging.getLogger(__name__)


@dataclass
class _Tally:
    delivered: int = 0
    retrying: int = 0
    parked: int = 0
    calls: int = 0
    errors: list[Diagnostic] = field(default_factory=list)
    run_ids: list[int] = field(default_factory=list)


@dataclass
class PushWorker:
    """Drains the outbox for one worker identity; all time comes in as `now`."""

    store: RunStore
    gateway: SalesforceGateway
    worker: str = "worker-1"
    rng: random.Random = field(default_factory=random.Random)
    clock: Clock | None = None  # measures each batch's duration; `now` anchors it

    def push_due(self, now: datetime) -> PushReport:
        tally = _Tally()
        settings = self.store.settings()
        while True:
            # One claim per collection call: other workers can take the next 200 meanwhile.
            items = self.store.claim_due(now, settings.collection_size, self.worker)
            if not items:
                break
            self._deliver(items, settings, now, tally)
        return PushReport(
            at=now,
            delivered=tally.delivered,
            retrying=tally.retrying,
            parked=tally.parked,
            calls=tally.calls,
            errors=tuple(tally.errors),
            run_ids=tuple(tally.run_ids),
        )

    def _deliver(
        self, items: list[OutboxItem], settings: Settings, now: datetime, tally: _Tally
    ) -> None:
        people = {p.id: p for p in self.store.people({i.person_id for i in items})}
        plan = plan_push(items, people, settings)
        by_id = {i.id: i for i in items}
        for item_id, skip in plan.parked:
            retry_at = parked_retry_at(settings, now)
            self.store.park_items([item_id], self.worker, skip.code, skip.message, retry_at)
            note = Diagnostic(now, skip.code, skip.message, skip.person_id)
            self._note(tally, note, show=_news([by_id[item_id]], skip.code))
            tally.parked += 1
        for batch in plan.batches:
            batch_items = {
                w.record_id: [by_id[i] for i in plan.item_ids[w.record_id]] for w in batch
            }
            self._send(batch, batch_items, settings, now, tally)

    def _send(
        self,
        batch: tuple[RecordWrite, ...],
        items: dict[str, list[OutboxItem]],
        settings: Settings,
        now: datetime,
        tally: _Tally,
    ) -> None:
        run_id = self.store.start_run(RunKind.PUSH, now)
        began = self.clock() if self.clock else now
        before = (tally.delivered, tally.retrying, tally.parked, len(tally.errors))
        calls = self.gateway.calls
        outcomes = self._update(batch, settings)
        tally.calls += self.gateway.calls - calls
        remember_usage(self.store, self.gateway, now)
        converted: list[RecordWrite] = []
        for write in batch:
            error = outcomes.get(write.record_id)
            self._settle(write, items[write.record_id], error, settings, now, tally, run_id)
            if isinstance(error, ConvertedLeadError):
                converted.append(write)
        if converted:
            self._follow_conversions(converted, items, settings, now, tally, run_id)
        delivered, retrying, parked, errors = before
        counts = {
            "records": len(batch),
            "delivered": tally.delivered - delivered,
            "retrying": tally.retrying - retrying,
            "parked": tally.parked - parked,
            "errors": len(tally.errors) - errors,
            "calls": self.gateway.calls - calls,
        }
        detail = {"errors": [d.as_detail() for d in tally.errors[errors:]]}
        finished = now + (self.clock() - began if self.clock else timedelta(0))
        self.store.finish_run(run_id, finished, counts, detail)
        log.info("push run %s: %s", run_id, counts)
        tally.run_ids.append(run_id)

    def _update(
        self, batch: tuple[RecordWrite, ...], settings: Settings
    ) -> dict[str, Exception | None]:
        """One collection call per batch (more when Salesforce refuses its shape); a failure of
        the whole request is every record's."""
        try:
            outcomes = update_in_shape(self.gateway, batch, settings.names())
        except SyncError as exc:
            return {w.record_id: exc for w in batch}
        return {o.record_id: o.error for o in outcomes}

    def _settle(
        self,
        write: RecordWrite,
        items: list[OutboxItem],
        error: Exception | None,
        settings: Settings,
        now: datetime,
        tally: _Tally,
        run_id: int,
    ) -> None:
        ids = [i.id for i in items]
        if error is None:
            tally.delivered += self.store.finish_items(ids, self.worker, now)
            self.store.add_salesforce_writes(written(write, settings, now, RunKind.PUSH, run_id))
            self._mend_links(write, now, tally, run_id)
            return
        code, message = _describe(error)
        if isinstance(error, ConvertedLeadError):
            # Salesforce's refusal is a run error like any other (docs/behaviour.md 8); the Lead is
            # followed to its Contact after the batch, with one query for every converted Lead.
            for person_id in write.person_ids:
                note = Diagnostic(now, code, message, person_id, write.record_id, run_id)
                self._note(tally, note, show=_news(items, code))
            return
        # A failure reaches the diagnostics page on an item's first try and whenever its cause
        # changes (an outage, then lock errors); a retry failing as before is in the run
        # records only, so an outage, or a parked push's slow retry, does not flood the page.
        first = _news(items, code)
        for person_id in write.person_ids:
            note = Diagnostic(now, code, message, person_id, write.record_id, run_id)
            self._note(tally, note, show=first)
        if isinstance(error, TransientError):
            delays = {
                i.id: now + next_retry_delay(i.attempts + 1, settings, self.rng.random())
                for i in items
            }
            self.store.retry_items(delays, self.worker, code, message)
            tally.retrying += len(items)
            return
        if isinstance(error, RecordGoneError):
            for person_id in write.person_ids:
                self._break_link(self.store.person(person_id), now)
        self.store.park_items(ids, self.worker, code, message, parked_retry_at(settings, now))
        tally.parked += len(items)

    def _mend_links(self, write: RecordWrite, now: datetime, tally: _Tally, run_id: int) -> None:
        """A write to a record behind a broken link went through: it was undeleted."""
        for person in self.store.people(write.person_ids):
            if person.link_broken:
                self.store.set_link(person.id, person.contact_id, person.lead_id, now)
                message = f"{write.record_id} is back (undeleted); the link is mended"
                note = Diagnostic(now, Code.LINK_MENDED, message, person.id, write.record_id)
                self._note(tally, replace(note, run_id=run_id))

    def _break_link(self, person: Person, now: datetime) -> None:
        self.store.set_link(person.id, person.contact_id, person.lead_id, now, broken=True)

    def _follow_conversions(
        self,
        writes: list[RecordWrite],
        items: dict[str, list[OutboxItem]],
        settings: Settings,
        now: datetime,
        tally: _Tally,
        run_id: int,
    ) -> None:
        """Relink each converted Lead's people to its Contact; the items are due again now."""
        try:
            contacts = self.gateway.converted_contacts([w.record_id for w in writes])
        except SyncError as exc:
            contacts = {}
            self._note(tally, Diagnostic(now, exc.code, exc.message, run_id=run_id))
        for write in writes:
            contact_id = contacts.get(write.record_id)
            for person_id in write.person_ids:
                note = follow_conversion(self.store, person_id, write.record_id, contact_id, now)
                self._note(tally, replace(note, run_id=run_id))
            ids = [i.id for i in items[write.record_id]]
            if contact_id is None:
                message = f"Lead {write.record_id} is converted but has no ConvertedContactId"
                retry_at = parked_retry_at(settings, now)
                self.store.park_items(ids, self.worker, Code.LEAD_CONVERTED, message, retry_at)
                tally.parked += len(ids)
            else:
                # Due again at once, to the Contact; an item bounced around more than a few
                # times waits its backoff instead, so a strange org cannot spin this loop.
                due = {
                    i.id: now
                    if i.attempts < 3
                    else now + next_retry_delay(i.attempts + 1, settings, self.rng.random())
                    for i in items[write.record_id]
                }
                message = f"relinked to Contact {contact_id}"
                self.store.retry_items(due, self.worker, Code.LEAD_CONVERTED, message)
                tally.retrying += len(ids)

    def _note(self, tally: _Tally, diagnostic: Diagnostic, *, show: bool = True) -> None:
        tally.errors.append(diagnostic)
        if show:
            self.store.add_diagnostics([diagnostic])


def update_in_shape(
    gateway: SalesforceGateway, writes: Sequence[RecordWrite], names: Mapping[SyncField, str]
) -> list[WriteOutcome]:
    """An sObject Collections update. A request refused for its shape (too many type chunks,
    too many records) is the engine's own fault, never the records': it is split in two and
    each half sent (docs/behaviour.md 4: an unsubscribe is never parked for good). A single record
    refused so gets the error as its outcome: transient, so it is retried later."""
    try:
        return list(gateway.update(writes, names))
    except RequestShapeError as exc:
        if len(writes) == 1:
            return [WriteOutcome(writes[0].record_id, exc)]
        half = len(writes) // 2
        first = update_in_shape(gateway, writes[:half], names)
        return [*first, *update_in_shape(gateway, writes[half:], names)]


def follow_conversion(
    store: People,
    person_id: int,
    lead_id: str,
    contact_id: str | None,
    now: datetime,
    *,
    touch: bool = True,
) -> Diagnostic:
    """Relink a person from a converted Lead to its Contact (section 7); say so."""
    person = store.person(person_id)
    if contact_id is None:
        message = f"Lead {lead_id} is converted but names no Contact; link broken"
        store.set_link(person.id, person.contact_id, person.lead_id, now, broken=True, touch=touch)
        return Diagnostic(now, Code.LEAD_CONVERTED, message, person_id, lead_id)
    store.set_link(person.id, contact_id, person.lead_id, now, touch=touch)
    message = f"Lead {lead_id} was converted; relinked to Contact {contact_id}"
    return Diagnostic(now, Code.LEAD_CONVERTED, message, person_id, lead_id)


def parked_retry_at(settings: Settings, now: datetime) -> datetime:
    """A parked push is tried again on the slow schedule, sync on or off (docs/behaviour.md 4)."""
    return now + timedelta(seconds=settings.parked_retry_seconds)


def _news(items: Iterable[OutboxItem], code: str) -> bool:
    """A failure worth a diagnostics entry: an item's first try (or first after a requeue),
    or a different failure than its last one."""
    return any(i.attempts == 0 or i.last_code != code for i in items)


def written(
    write: RecordWrite, settings: Settings, now: datetime, origin: RunKind, run_id: int
) -> list[SalesforceWrite]:
    names = tuple(sorted(settings.api_name(f) for f in write.fields))
    return [
        SalesforceWrite(person_id, now, write.record_id, names, origin, run_id)
        for person_id in write.person_ids
    ]


def _describe(error: Exception) -> tuple[str, str]:
    if isinstance(error, SyncError):
        return error.code, error.message
    return type(error).__name__, str(error)


def writes_by_object(writes: Iterable[RecordWrite]) -> dict[SObject, list[RecordWrite]]:
    grouped: dict[SObject, list[RecordWrite]] = {o: [] for o in SObject}
    for write in writes:
        grouped[write.sobject].append(write)
    return grouped
