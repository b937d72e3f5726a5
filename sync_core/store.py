"""The SQL store: SQLite by default (file or memory), PostgreSQL by URL; Alembic-migrated on open.

Each capture is one transaction: state change, history entry and outbox item together.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Connection,
    Engine,
    and_,
    create_engine,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.pool import StaticPool

from sync_core import claim
from sync_core.ids import is_id_shaped, to18, to18_or_none
from sync_core.ledger import LedgerStore
from sync_core.model import (
    HistoryEntry,
    Kind,
    Person,
    Settings,
    Source,
)
from sync_core.outbox import PENDING, OutboxStore
from sync_core.ports import Clock
from sync_core.tables import (
    history,
    outbox,
    people,
    settings,
    sync_state,
)

MIGRATIONS = Path(__file__).with_name("migrations")
CHUNK = 500  # ids per IN (...) list
PERSON_COLUMNS = (
    people.c.id,
    people.c.email,
    people.c.contact_id,
    people.c.lead_id,
    people.c.unsubscribed,
    people.c.link_broken,
)
DEFAULT_URL = "sqlite:///sync-core.db"
MIGRATION_KEY = 0x5F4E_1648  # PostgreSQL advisory lock held while migrating


def open_store(url: str = DEFAULT_URL) -> SqlStore:
    """Open (and migrate in place) the store at a SQLAlchemy URL.

    A bare `postgresql://` (or `postgres://`) URL uses psycopg 3, the driver we ship with.
    """
    for bare in ("postgresql://", "postgres://"):
        if url.startswith(bare):
            url = "postgresql+psycopg://" + url.removeprefix(bare)
    if url.startswith("sqlite") and (":memory:" in url or url.rstrip("/") == "sqlite:"):
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        engine = create_engine(url, pool_pre_ping=True)
    migrate(engine)
    return SqlStore(engine)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema in place to `revision` (the newest migration shipped by default).

    One process at a time: several first starts on a fresh store wait for each other, and
    all but the first find the schema already there.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with _migration_lock(engine), engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(select(func.pg_advisory_xact_lock(MIGRATION_KEY)))
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """An exclusive lock file beside a SQLite database file (PostgreSQL locks in-database)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _person(row: Any) -> Person:
    """A row of PERSON_COLUMNS, positionally (the Boolean columns arrive as bools)."""
    return Person(*row)


def _history(row: Any) -> HistoryEntry:
    source = Source(row.source) if row.source else None
    return HistoryEntry(row.person_id, row.at, Kind(row.kind), source, row.admin, row.reason)


class SqlStore(OutboxStore, LedgerStore):
    """Every role of ports.Store over SQLAlchemy Core: People and SyncState here, Outbox in
    sync_core.outbox, Ledger in sync_core.ledger, NightlyLock by sync_core.claim."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.lease = timedelta(seconds=self.settings().lease_seconds)

    # the nightly lock ---------------------------------------------------------------------

    def nightly_lock(
        self, *, exclusive: bool = True, clock: Clock | None = None
    ) -> AbstractContextManager[None]:
        return claim.nightly_lock(self, exclusive=exclusive, clock=clock or claim.utc_now)

    def claim_slot(self, slot: datetime) -> bool:
        return claim.claim_slot(self, slot)

    def slot_done(self, slot: datetime) -> bool:
        return claim.slot_done(self, slot)

    def close(self) -> None:
        self.engine.dispose()

    # people -------------------------------------------------------------------------------

    def add_person(
        self, email: str, contact_id: str | None, lead_id: str | None, now: datetime
    ) -> Person:
        values = {
            "email": email.strip().lower(),
            "contact_id": to18_or_none(contact_id, "Contact"),
            "lead_id": to18_or_none(lead_id, "Lead"),
            "unsubscribed": False,
            "link_broken": False,
            "created_at": now,
            "changed_at": now,
        }
        with self.engine.begin() as conn:
            person_id = conn.execute(insert(people).values(values)).inserted_primary_key
            assert person_id is not None
        return self.person(int(person_id[0]))

    def add_people(self, rows: Iterable[Mapping[str, Any]], now: datetime) -> None:
        """Bulk load (imports, benchmarks): email, contact_id, lead_id, unsubscribed."""
        values = [
            {
                "email": str(r["email"]).strip().lower(),
                "contact_id": to18_or_none(r.get("contact_id"), "Contact"),
                "lead_id": to18_or_none(r.get("lead_id"), "Lead"),
                "unsubscribed": bool(r.get("unsubscribed", False)),
                "link_broken": False,
                "created_at": now,
                "changed_at": now,
            }
            for r in rows
        ]
        with self.engine.begin() as conn:
            conn.execute(insert(people), values)

    def person(self, person_id: int) -> Person:
        with self.engine.connect() as conn:
            query = select(*PERSON_COLUMNS).where(people.c.id == person_id)
            row = conn.execute(query).one_or_none()
        if row is None:
            raise KeyError(f"no person {person_id}")
        return _person(row)

    def find_person(self, key: str) -> Person | None:
        """By email (case-insensitive) or by a linked Contact/Lead Id in its 15- or
        18-character form (docs/behaviour.md 3.4); an Id with a wrong suffix raises BadId."""
        key = key.strip()
        condition = people.c.email == key.lower()
        if "@" not in key:
            if not is_id_shaped(key):
                return None
            record_id = to18(key)
            condition = or_(people.c.contact_id == record_id, people.c.lead_id == record_id)
        with self.engine.connect() as conn:
            query = select(*PERSON_COLUMNS).where(condition).order_by(people.c.id)
            row = conn.execute(query).first()
        return _person(row) if row is not None else None

    def people(self, ids: Iterable[int] | None = None) -> list[Person]:
        if ids is None:
            return self._people_where(None)
        wanted = sorted(set(ids))
        return [
            person
            for start in range(0, len(wanted), CHUNK)
            for person in self._people_where(people.c.id.in_(wanted[start : start + CHUNK]))
        ]

    def people_changed_since(self, since: datetime) -> list[Person]:
        return self._people_where(people.c.changed_at >= since)

    def people_linked_to(self, record_ids: Iterable[str]) -> list[Person]:
        """People whose Contact or Lead Id is one of these (exact 18-character match)."""
        wanted = sorted(set(record_ids))
        found: dict[int, Person] = {}
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            condition = or_(people.c.contact_id.in_(chunk), people.c.lead_id.in_(chunk))
            found.update((p.id, p) for p in self._people_where(condition))
        return [found[k] for k in sorted(found)]

    def people_unsubscribed(self) -> list[Person]:
        """Everyone unsubscribed in Marketo Sales (linked or not)."""
        return self._people_where(people.c.unsubscribed.is_(True))

    def people_sitting_out(self) -> list[Person]:
        """People without any Salesforce Id, or with a broken link."""
        condition = or_(
            people.c.link_broken.is_(True),
            and_(people.c.contact_id.is_(None), people.c.lead_id.is_(None)),
        )
        return self._people_where(condition)

    def _people_where(self, condition: Any) -> list[Person]:
        query = select(*PERSON_COLUMNS).order_by(people.c.id)
        if condition is not None:
            query = query.where(condition)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [Person(*row) for row in rows]

    def record_unsubscribe(
        self,
        person_id: int,
        source: Source,
        now: datetime,
        push_due: datetime | None,
        *,
        touch: bool = True,
        reason: str | None = None,
    ) -> bool:
        """Unsubscribe, history entry and (if push_due) outbox item, atomically; idempotent.

        `touch=False` (the nightly run's own changes) leaves `changed_at` alone, so the next
        incremental run does not re-read what this run has just reconciled.
        """
        values: dict[str, Any] = {"unsubscribed": True}
        if touch:
            values["changed_at"] = now
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(people)
                .where(people.c.id == person_id, people.c.unsubscribed.is_(False))
                .values(**values)
            ).rowcount
            if not changed:
                self._require(conn, person_id)
                return False
            entry = {"person_id": person_id, "at": now, "kind": str(Kind.UNSUBSCRIBE)}
            conn.execute(insert(history).values(**entry, source=str(source), reason=reason))
            if push_due is not None:
                conn.execute(insert(outbox).values(_outbox_row(person_id, now, push_due)))
        return True

    def record_resubscribe(self, person_id: int, by: str, reason: str, now: datetime) -> bool:
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(people)
                .where(people.c.id == person_id, people.c.unsubscribed.is_(True))
                .values(unsubscribed=False, changed_at=now)
            ).rowcount
            if not changed:
                self._require(conn, person_id)
                return False
            entry = {"person_id": person_id, "at": now, "kind": str(Kind.RESUBSCRIBE)}
            conn.execute(insert(history).values(**entry, admin=by, reason=reason))
            self.cancel_undelivered(conn, person_id)
        return True

    def set_link(
        self,
        person_id: int,
        contact_id: str | None,
        lead_id: str | None,
        now: datetime,
        *,
        broken: bool = False,
        touch: bool = True,
    ) -> Person:
        values: dict[str, Any] = {
            "contact_id": to18_or_none(contact_id, "Contact"),
            "lead_id": to18_or_none(lead_id, "Lead"),
        }
        values["link_broken"] = broken
        if touch:
            values["changed_at"] = now
        with self.engine.begin() as conn:
            self._require(conn, person_id)
            conn.execute(update(people).where(people.c.id == person_id).values(**values))
        return self.person(person_id)

    def _require(self, conn: Connection, person_id: int) -> None:
        found = conn.execute(select(people.c.id).where(people.c.id == person_id)).first()
        if found is None:
            raise KeyError(f"no person {person_id}")

    def history(self, person_id: int) -> list[HistoryEntry]:
        query = select(history).where(history.c.person_id == person_id).order_by(history.c.id)
        with self.engine.connect() as conn:
            return [_history(row) for row in conn.execute(query)]

    # settings and state -------------------------------------------------------------------

    def settings(self) -> Settings:
        with self.engine.connect() as conn:
            row = conn.execute(select(settings.c.data).where(settings.c.id == 1)).first()
        return Settings.from_dict(json.loads(row.data)) if row is not None else Settings()

    def save_settings(self, value: Settings, now: datetime) -> None:
        data = json.dumps(value.to_dict(), sort_keys=True)
        with self.engine.begin() as conn:
            exists = conn.execute(select(settings.c.id).where(settings.c.id == 1)).first()
            if exists is None:
                conn.execute(insert(settings).values(id=1, data=data, changed_at=now))
            else:
                conn.execute(
                    update(settings).where(settings.c.id == 1).values(data=data, changed_at=now)
                )
        self.lease = timedelta(seconds=value.lease_seconds)

    def get_state(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(sync_state.c.value).where(sync_state.c.key == key)).first()
        return row.value if row is not None else None

    def set_state(self, key: str, value: str | None) -> None:
        with self.engine.begin() as conn:
            conn.execute(sync_state.delete().where(sync_state.c.key == key))
            if value is not None:
                conn.execute(insert(sync_state).values(key=key, value=value))


def _outbox_row(person_id: int, now: datetime, due: datetime) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "created_at": now,
        "due_at": due,
        "attempts": 0,
        "state": PENDING,
    }
