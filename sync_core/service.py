"""The engine's front door: capture, settings, push worker, nightly run, and what they recorded.

Used by the CLI, the service loop (sync_core.runner) and the simulator. Every method that
changes state takes `now` (aware UTC); nothing here reads the wall clock.
"""

from __future__ import annotations

import random
import time
from dataclasses import fields as dataclass_fields
from datetime import UTC, datetime, timedelta
from typing import Any

from sync_core.ids import to18_or_none
from sync_core.model import (
    Diagnostic,
    HistoryEntry,
    NightlyReport,
    Person,
    PushReport,
    RunKind,
    RunRecord,
    SalesforceWrite,
    Settings,
    Source,
)
from sync_core.nightly import NightlyRun
from sync_core.ports import Clock, Progress, SalesforceGateway, Sleep, Store, no_progress
from sync_core.push import PushWorker
from sync_core.schedule import next_slot
from sync_core.store import open_store

SCHEDULE_CHANGED = "schedule.changed_at"


def utc_now() -> datetime:
    return datetime.now(UTC)


def schedule_of(settings: Settings) -> tuple[bool, str, str]:
    """What decides when the nightly run fires (docs/behaviour.md 5)."""
    return (settings.nightly_sync, settings.nightly_at, settings.timezone)


class SyncService:
    """One engine instance over a store and (optionally) a Salesforce gateway."""

    def __init__(
        self,
        store: Store,
        gateway: SalesforceGateway | None = None,
        *,
        worker: str = "worker-1",
        sleep: Sleep = time.sleep,
        clock: Clock = utc_now,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.gateway = gateway
        self.worker = worker
        self.sleep = sleep
        self.clock = clock
        self.rng = rng or random.Random()

    @classmethod
    def open(cls, url: str, gateway: SalesforceGateway | None = None, **kwargs: Any) -> SyncService:
        """Open the store at a SQLAlchemy URL (`sqlite:///:memory:` for simulations)."""
        return cls(open_store(url), gateway, **kwargs)

    def close(self) -> None:
        self.store.close()

    # people and capture --------------------------------------------------------------------

    def add_person(
        self,
        email: str,
        *,
        contact_id: str | None = None,
        lead_id: str | None = None,
        now: datetime,
    ) -> Person:
        if "@" not in email or any(ord(c) < 32 or ord(c) == 127 for c in email):
            raise ValueError(f"not an email address: {email!r}")
        contact_id = to18_or_none(contact_id, "Contact")
        lead_id = to18_or_none(lead_id, "Lead")
        if self.store.find_person(email) is not None:
            raise ValueError(f"a person with email {email.strip().lower()} already exists")
        return self.store.add_person(email, contact_id, lead_id, now)

    def person(self, person_id: int) -> Person:
        return self.store.person(person_id)

    def find(self, key: str) -> Person | None:
        """A person by email or by linked Contact/Lead Id."""
        return self.store.find_person(key)

    def people(self) -> list[Person]:
        return self.store.people()

    def unsubscribe(
        self, person_id: int, source: Source | str, now: datetime, *, reason: str | None = None
    ) -> bool:
        """Capture an unsubscribe and queue its push (one transaction). False if already so.

        `reason` is the recipient's own words from the unsubscribe page, kept in the history."""
        source = Source(source)
        if source is Source.SALESFORCE_SYNC:
            raise ValueError("salesforce_sync unsubscribes come only from the nightly run")
        due = now + timedelta(seconds=self.store.settings().push_window_seconds)
        return self.store.record_unsubscribe(person_id, source, now, due, reason=reason)

    def resubscribe(self, person_id: int, by: str, reason: str, now: datetime) -> bool:
        """An admin removes an unsubscribe; a reason is mandatory. Nothing is pushed."""
        if not by.strip():
            raise ValueError("a resubscribe needs the admin who did it")
        if not reason.strip():
            raise ValueError("a resubscribe needs a reason")
        return self.store.record_resubscribe(person_id, by.strip(), reason.strip(), now)

    def link(
        self,
        person_id: int,
        *,
        contact_id: str | None = None,
        lead_id: str | None = None,
        now: datetime,
    ) -> Person:
        """Set the person's Contact and/or Lead Id (others kept); clears a broken link.

        Ids are taken in their 15- or 18-character form and stored in the 18-character one
        (docs/behaviour.md 3.4). Pushes parked for want of an Id or for a broken link become due
        again.
        """
        contact_id = contact_id if contact_id == "" else to18_or_none(contact_id, "Contact")
        lead_id = lead_id if lead_id == "" else to18_or_none(lead_id, "Lead")
        person = self.store.person(person_id)
        contact = contact_id if contact_id is not None else person.contact_id
        lead = lead_id if lead_id is not None else person.lead_id
        updated = self.store.set_link(person_id, contact or None, lead or None, now)
        self.store.requeue_parked(now, person_id)
        return updated

    def history(self, person_id: int) -> list[HistoryEntry]:
        return self.store.history(person_id)

    def salesforce_writes(self, person_id: int) -> list[SalesforceWrite]:
        return self.store.salesforce_writes(person_id)

    def trail(self, person_id: int) -> list[HistoryEntry | SalesforceWrite | Diagnostic]:
        """Why each opt-out changed on either side, in time order: Marketo Sales history,
        the engine's writes to Salesforce, and the problems recorded for the person."""
        entries: list[HistoryEntry | SalesforceWrite | Diagnostic] = [
            *self.store.history(person_id),
            *self.store.salesforce_writes(person_id),
            *self.store.diagnostics(person_id),
        ]
        return sorted(entries, key=lambda e: e.at)

    # settings ------------------------------------------------------------------------------

    def settings(self) -> Settings:
        return self.store.settings()

    def update_settings(self, now: datetime, **changes: Any) -> Settings:
        """Change settings (validated); every parked push is re-queued, since the cause may
        have been fixed."""
        known = {f.name for f in dataclass_fields(Settings)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        if "sync_fields" in changes:
            changes["sync_fields"] = frozenset(changes["sync_fields"])
        current = self.store.settings()
        updated = current.with_changes(**changes)
        self.store.save_settings(updated, now)
        if schedule_of(updated) != schedule_of(current):
            self.store.set_state(SCHEDULE_CHANGED, now.isoformat())
        self.store.requeue_parked(now)
        return updated

    def schedule_changed(self) -> datetime | None:
        """When the sync was last turned on or off, or its time or zone moved."""
        raw = self.store.get_state(SCHEDULE_CHANGED)
        return datetime.fromisoformat(raw) if raw else None

    def requeue_parked(self, now: datetime) -> int:
        return self.store.requeue_parked(now)

    # push ----------------------------------------------------------------------------------

    def push_due(self, now: datetime) -> PushReport:
        """Deliver every outbox item due at `now`, at most 200 records per call."""
        worker = PushWorker(self.store, self._gateway(), self.worker, self.rng, self.clock)
        return worker.push_due(now)

    def next_push_due(self) -> datetime | None:
        """When the next outbox item falls due (a retry or a fresh capture), or None."""
        return self.store.next_due()

    def pending_pushes(self) -> int:
        return self.store.pending_count()

    def parked_pushes(self) -> int:
        """Of the pending pushes, those parked on a permanent error."""
        return self.store.parked_count()

    # nightly -------------------------------------------------------------------------------

    def run_nightly(
        self,
        now: datetime,
        *,
        dry_run: bool = False,
        full: bool = False,
        progress: Progress = no_progress,
    ) -> NightlyReport:
        """Reconcile both sides now. `dry_run` plans and estimates, writing nothing.

        `progress(phase, done, total)` hears how the reads and writes are going."""
        run = NightlyRun(
            self.store, self._gateway(), self.sleep, self.rng, progress, clock=self.clock
        )
        return run.run(now, dry_run=dry_run, full=full)

    def next_nightly(self, after: datetime) -> datetime | None:
        """The next scheduled nightly instant strictly after `after` (None when off)."""
        return next_slot(after, self.store.settings())

    # records -------------------------------------------------------------------------------

    def diagnostics(self, person_id: int | None = None) -> list[Diagnostic]:
        return self.store.diagnostics(person_id)

    def runs(self, kind: RunKind | str | None = None) -> list[RunRecord]:
        return self.store.runs(RunKind(kind) if kind is not None else None)

    def _gateway(self) -> SalesforceGateway:
        if self.gateway is None:
            raise RuntimeError("no Salesforce gateway configured")
        return self.gateway
