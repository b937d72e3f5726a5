"""Cooperation between processes sharing a store: one nightly run per slot, one at a time.

A slot (the scheduled instant) is claimed by a compare-and-set on a `sync_state` row, so
however many `sync-core run` processes see it fall due, exactly one runs it. While a run is
in progress a lock is held: `pg_try_advisory_lock` on PostgreSQL (freed if the process dies),
a leased row elsewhere.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from sync_core.ports import Store
from sync_core.store import SqlStore
from sync_core.tables import sync_state

SLOT_KEY = "service.nightly_slot"
LOCK_KEY = "service.nightly_lock"
ADVISORY_KEY = 0x5F4E_1647  # any constant shared by every process of this application
LEASE = timedelta(hours=6)


class NightlyBusy(Exception):
    """Another process is running the nightly sync against this store right now."""


def _engine(store: Store) -> Engine:
    if not isinstance(store, SqlStore):
        raise TypeError("process cooperation needs the SQL store")
    return store.engine


def claim_slot(store: Store, slot: datetime) -> bool:
    """True for exactly one caller per slot (and never for a slot older than one claimed)."""
    engine = _engine(store)
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


def claimed_slot(store: Store) -> datetime | None:
    raw = store.get_state(SLOT_KEY)
    return datetime.fromisoformat(raw) if raw else None


@contextmanager
def nightly_lock(store: Store, *, exclusive: bool = True) -> Iterator[None]:
    """Hold the nightly lock for the block, or raise NightlyBusy at once."""
    if not exclusive:
        yield
        return
    engine = _engine(store)
    if engine.dialect.name == "postgresql":
        with _advisory(engine):
            yield
    else:
        with _leased_row(engine):
            yield


@contextmanager
def _advisory(engine: Engine) -> Iterator[None]:
    with engine.connect() as conn:
        got = conn.execute(select(func.pg_try_advisory_lock(ADVISORY_KEY))).scalar()
        conn.commit()
        if not got:
            raise NightlyBusy("another nightly run is in progress on this store")
        try:
            yield
        finally:
            conn.execute(select(func.pg_advisory_unlock(ADVISORY_KEY)))
            conn.commit()


@contextmanager
def _leased_row(engine: Engine) -> Iterator[None]:
    """A row naming the holder and its expiry; an expired one (a crashed holder) is taken over."""
    now = datetime.now(UTC)
    mine = f"{(now + LEASE).isoformat()} {os.getpid()}"
    with engine.begin() as conn:
        held = conn.execute(select(sync_state.c.value).where(sync_state.c.key == LOCK_KEY)).first()
        if held is not None and held.value.split(" ")[0] > now.isoformat():
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
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(
                delete(sync_state).where(sync_state.c.key == LOCK_KEY, sync_state.c.value == mine)
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
