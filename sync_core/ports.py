"""What the service needs from the outside world: Salesforce, a store, a clock, a sleep.

The store is described by the roles it plays, one `Protocol` per part of the SQL store
(sync_core.store, outbox, ledger, claim): `People`, `Outbox`, `Ledger`, `SyncState`,
`NightlyLock`, and `Database` for the read models that query its tables directly. Each
consumer names the roles it uses; `Store` is all of them (sync_core.store.SqlStore).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Engine

from sync_core.model import (
    Diagnostic,
    FieldInfo,
    HistoryEntry,
    OutboxItem,
    Person,
    RecordWrite,
    RunKind,
    RunRecord,
    SalesforceWrite,
    Settings,
    SfRecord,
    SObject,
    Source,
    SyncField,
    WriteOutcome,
)

Clock = Callable[[], datetime]
Sleep = Callable[[float], None]
# What a long run is doing, for a person watching: (phase, units done, units in all or None).
Progress = Callable[[str, int, int | None], None]


def no_progress(phase: str, done: int, total: int | None) -> None:
    """The default Progress: nobody is watching."""


class SalesforceGateway(Protocol):
    """Every Salesforce call the engine makes. Failures raise sync_core.errors types."""

    @property
    def calls(self) -> int:
        """API calls made so far (logins excluded)."""
        ...

    def api_usage(self) -> tuple[int, int] | None:
        """(used, allocation) from the latest Sforce-Limit-Info header, if any."""
        ...

    def describe_fields(self, sobject: SObject) -> Mapping[str, FieldInfo]: ...

    def describe_all(self, sobjects: Sequence[SObject]) -> dict[SObject, Mapping[str, FieldInfo]]:
        """Several describes for the price of one call (a /composite request)."""
        ...

    def update(
        self, writes: Sequence[RecordWrite], names: Mapping[SyncField, str]
    ) -> list[WriteOutcome]:
        """One sObject Collections PATCH (at most 200 records, types may be mixed)."""
        ...

    def bulk_update(
        self, sobject: SObject, writes: Sequence[RecordWrite], names: Mapping[SyncField, str]
    ) -> list[WriteOutcome]:
        """One Bulk API 2.0 ingest job for many records of one object."""
        ...

    def read_opted_out(
        self,
        sobject: SObject,
        fields: frozenset[SyncField],
        names: Mapping[SyncField, str],
        *,
        since: datetime | None = None,
        bulk: bool = False,
        bulk_over: int | None = None,
        give_up_over: int | None = None,
    ) -> list[SfRecord]:
        """Records with any of `fields` true; with `since`, every record modified since.

        By Bulk API 2.0 when `bulk`, or when REST finds more than `bulk_over` rows. With
        `give_up_over`, raises errors.ReadTooLarge instead of reading more rows than that."""
        ...

    def read_records(
        self,
        sobject: SObject,
        ids: Sequence[str],
        fields: frozenset[SyncField],
        names: Mapping[SyncField, str],
    ) -> list[SfRecord]:
        """The listed records (existing, not deleted) with their field values."""
        ...

    def converted_contacts(self, lead_ids: Sequence[str]) -> Mapping[str, str | None]:
        """ConvertedContactId of each Lead (None when not converted)."""
        ...


class People(Protocol):
    """The people, their Salesforce links and their unsubscribe history (sync_core.store)."""

    def add_person(
        self, email: str, contact_id: str | None, lead_id: str | None, now: datetime
    ) -> Person: ...

    def person(self, person_id: int) -> Person: ...

    def find_person(self, key: str) -> Person | None: ...

    def people(self, ids: Iterable[int] | None = None) -> list[Person]: ...

    def people_changed_since(self, since: datetime) -> list[Person]: ...

    def people_linked_to(self, record_ids: Iterable[str]) -> list[Person]: ...

    def people_unsubscribed(self) -> list[Person]: ...

    def people_sitting_out(self) -> list[Person]: ...

    def record_unsubscribe(
        self,
        person_id: int,
        source: Source,
        now: datetime,
        push_due: datetime | None,
        *,
        touch: bool = True,
        reason: str | None = None,
    ) -> bool: ...

    def record_resubscribe(self, person_id: int, by: str, reason: str, now: datetime) -> bool: ...

    def set_link(
        self,
        person_id: int,
        contact_id: str | None,
        lead_id: str | None,
        now: datetime,
        *,
        broken: bool = False,
        touch: bool = True,
    ) -> Person: ...

    def history(self, person_id: int) -> list[HistoryEntry]: ...


class Outbox(Protocol):
    """The pushes waiting for Salesforce, claimed under a lease per worker (sync_core.outbox)."""

    def claim_due(self, now: datetime, limit: int, worker: str) -> list[OutboxItem]: ...

    def finish_items(self, item_ids: Iterable[int], worker: str, now: datetime) -> int: ...

    def retry_items(
        self, delays: Mapping[int, datetime], worker: str, code: str, message: str
    ) -> None: ...

    def park_items(
        self, item_ids: Iterable[int], worker: str, code: str, message: str, retry_at: datetime
    ) -> None: ...

    def requeue_parked(self, now: datetime, person_id: int | None = None) -> int: ...

    def settle_items(self, person_ids: Iterable[int], now: datetime) -> int: ...

    def people_awaiting_delivery(self) -> set[int]: ...

    def next_due(self) -> datetime | None: ...

    def pending_count(self) -> int: ...

    def parked_count(self) -> int: ...


class Ledger(Protocol):
    """What happened: runs, diagnostics and the engine's Salesforce writes (sync_core.ledger)."""

    def start_run(self, kind: RunKind, now: datetime) -> int: ...

    def finish_run(
        self, run_id: int, now: datetime, counts: Mapping[str, int], detail: Mapping[str, Any]
    ) -> None: ...

    def runs(self, kind: RunKind | None = None) -> list[RunRecord]: ...

    def beat_runs(self, now: datetime) -> None: ...

    def close_interrupted(self, now: datetime, *, nightly_dead: bool = False) -> list[int]: ...

    def add_diagnostics(self, entries: Iterable[Diagnostic]) -> None: ...

    def add_salesforce_writes(self, entries: Iterable[SalesforceWrite]) -> None: ...

    def salesforce_writes(self, person_id: int) -> list[SalesforceWrite]: ...

    def diagnostics(self, person_id: int | None = None) -> list[Diagnostic]: ...

    def latest_codes(self, person_ids: Iterable[int]) -> dict[int, str]: ...


class SyncState(Protocol):
    """The settings and the engine's own small facts: watermarks, usage, heartbeats."""

    def settings(self) -> Settings: ...

    def save_settings(self, settings: Settings, now: datetime) -> None: ...

    def get_state(self, key: str) -> str | None: ...

    def set_state(self, key: str, value: str | None) -> None: ...


class NightlyLock(Protocol):
    """Cooperation between processes sharing the store, and its release (sync_core.claim)."""

    def nightly_lock(
        self, *, exclusive: bool = True, clock: Clock | None = None
    ) -> AbstractContextManager[None]:
        """Hold the nightly lock for the block, or raise claim.NightlyBusy at once."""
        ...

    def claim_slot(self, slot: datetime) -> bool:
        """Mark the nightly `slot` done: True for exactly one caller per slot."""
        ...

    def slot_done(self, slot: datetime) -> bool:
        """Whether the nightly run of `slot`, or of a later one, has been claimed."""
        ...

    def close(self) -> None:
        """Let go of the store's connections."""
        ...


class Database(Protocol):
    """The store's database, for read models that query its tables (the console, imports)."""

    @property
    def engine(self) -> Engine: ...


class RunStore(People, Outbox, Ledger, SyncState, Protocol):
    """What a push or a nightly run reads and records: every role but the lock."""


class Store(RunStore, NightlyLock, Database, Protocol):
    """The whole store, as the service holds it."""
