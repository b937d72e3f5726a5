"""Cooperation between processes sharing a store: one nightly run per slot, one at a time.

While a nightly run is in progress the nightly lock is held: a session-level
`pg_try_advisory_lock` on PostgreSQL (freed by the server when the process dies), elsewhere a
`sync_state` row naming its owner with a short lease that a heartbeat renews while the run
lives. A lock whose owner is dead (process gone, or lease not renewed) is taken over, and the
dead owner's unfinished runs are closed as `interrupted` (sync_core.liveness).

A slot (the scheduled instant) is marked done by a compare-and-set on a `sync_state` row once
its run has finished, under the lock: a run killed half-way leaves its slot open, so the next
process to start within the catch-up window runs that night's sync after all.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from sync_core.liveness import HEARTBEAT, STALE, owner_dead, this_process
from sync_core.ports import Clock, Database, Ledger, SyncState
from sync_core.tables import sync_state

SLOT_KEY = "service.nightly_slot"
LOCK_KEY = "service.nightly_lock"
ADVISORY_KEY = 0x5F4E_1647  # any constant shared by every process of this application

log = logging.getLogger(__name__)
Renew = Callable[[datetime], None]  # extends the lock's lease from `now`


class Shared(Database, Ledger, SyncState, Protocol):
    """The store as the lock uses it: its database, its runs (closed when their owner died,
    kept alive by the heartbeat) and its state rows."""


class NightlyBusy(Exception):
    """Another process is running the nightly sync against this store right now."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def claim_slot(store: Database, slot: datetime) -> bool:
    """Mark `slot` done: True for exactly one caller per slot (never for an older slot)."""
    engine = store.engine
    value = slot.astimezone(UTC).isoformat()
    with engine.begin() as conn:
        moved = conn.execute(
            update(sync_state)
            .where(sync_state.c.key == SLOT_KEY, sync_state.c.value < value)
            .values(value=value)
        ).rowcount
        if moved:
            return True
        held = conn.execute(select(sync_state.c.value).where(sync_state.c.key == SLOT_KEY)).first()
        if held is not None:
            return False
    try:
        with engine.begin() as conn:
            conn.execute(insert(sync_state).values(key=SLOT_KEY, value=value))
    except IntegrityError:
        return claim_slot(store, slot)  # another process created the row first: compare again
    return True


def slot_done(store: SyncState, slot: datetime) -> bool:
    """Whether the nightly run of `slot`, or of a later one, has been claimed."""
    raw = store.get_state(SLOT_KEY)
    return raw is not None and datetime.fromisoformat(raw) >= slot


@contextmanager
def nightly_lock(
    store: Shared,
    *,
    exclusive: bool = True,
    clock: Clock = utc_now,
    beat_seconds: float = HEARTBEAT.total_seconds(),
) -> Iterator[None]:
    """Hold the nightly lock for the block, or raise NightlyBusy at once.

    On taking it, every other unfinished nightly run is closed as `interrupted`: its owner
    no longer holds the lock, so it died. A heartbeat renews the lease while the block runs.
    """
    if not exclusive:
        yield
        return
    engine = store.engine
    held = _advisory(engine) if engine.dialect.name == "postgresql" else _leased_row(engine, clock)
    with held as renew:
        closed = store.close_interrupted(clock(), nightly_dead=True)
        if closed:
            log.warning("closed interrupted runs %s", closed)
        with _heartbeat(store, renew, clock, beat_seconds):
            yield


@contextmanager
def _heartbeat(store: Ledger, renew: Renew, clock: Clock, every: float) -> Iterator[None]:
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(every):
            try:
                now = clock()
                renew(now)
                store.beat_runs(now)
            except SQLAlchemyError as exc:  # a busy store: the next beat tries again
                log.warning("nightly heartbeat failed: %s", str(exc).splitlines()[0])

    thread = threading.Thread(target=beat, name="nightly-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _no_renew(now: datetime) -> None:
    """The advisory lock lives as long as its session: nothing to renew."""


class _RenewRow:
    """Moves the lock row's lease on, if the row is still this holder's."""

    def __init__(self, engine: Engine, value: str) -> None:
        self.engine = engine
        self.value = value

    def __call__(self, now: datetime) -> None:
        mine = _lock_value(now)
        with self.engine.begin() as conn:
            moved = conn.execute(
                update(sync_state)
                .where(sync_state.c.key == LOCK_KEY, sync_state.c.value == self.value)
                .values(value=mine)
            ).rowcount
        if moved:
            self.value = mine
        else:
            log.warning("the nightly lock was taken over while this run still held it")


@contextmanager
def _advisory(engine: Engine) -> Iterator[Renew]:
    with engine.connect() as conn:
        got = conn.execute(select(func.pg_try_advisory_lock(ADVISORY_KEY))).scalar()
        conn.commit()
        if not got:
            raise NightlyBusy("another nightly run is in progress on this store")
        try:
            yield _no_renew
        finally:
            conn.execute(select(func.pg_advisory_unlock(ADVISORY_KEY)))
            conn.commit()


def _lock_value(now: datetime) -> str:
    return f"{(now + STALE).isoformat()} {this_process()}"


def _holder_dead(value: str, now: datetime) -> bool:
    """The lease ran out (no heartbeat for STALE) or its process on this host is gone."""
    expiry, _, owner = value.partition(" ")
    try:
        expired = datetime.fromisoformat(expiry) <= now
    except ValueError:
        return True  # unreadable: nobody can be renewing it
    return expired or owner_dead(owner, None, now)


@contextmanager
def _leased_row(engine: Engine, clock: Clock) -> Iterator[Renew]:
    """A row naming the holder and its lease; a dead holder's row is taken over."""
    now = clock()
    mine = _lock_value(now)
    with engine.begin() as conn:
        held = conn.execute(select(sync_state.c.value).where(sync_state.c.key == LOCK_KEY)).first()
        if held is not None and not _holder_dead(held.value, now):
            raise NightlyBusy("another nightly run is in progress on this store")
        if held is None:
            taken = _insert_lock(conn, mine)
        else:
            taken = conn.execute(
                update(sync_state)
                .where(sync_state.c.key == LOCK_KEY, sync_state.c.value == held.value)
                .values(value=mine)
            ).rowcount
    if not taken:
        raise NightlyBusy("another nightly run is in progress on this store")
    renew = _RenewRow(engine, mine)
    try:
        yield renew
    finally:
        with engine.begin() as conn:
            conn.execute(
                delete(sync_state).where(
                    sync_state.c.key == LOCK_KEY, sync_state.c.value == renew.value
                )
            )


def _insert_lock(conn: Connection, value: str) -> int:
    nested = conn.begin_nested()
    try:
        conn.execute(insert(sync_state).values(key=LOCK_KEY, value=value))
    except IntegrityError:
        nested.rollback()
        return 0
    nested.commit()
    return 1
