"""Read-only SQL the console's pages need beyond the service: search, the outbox, run detail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, or_, select

from sync_core.ids import is_id_shaped, to18
from sync_core.model import Person
from sync_core.outbox import PARKED, PENDING
from sync_core.tables import history, outbox, people, salesforce_writes

PAGE = 50


@dataclass(frozen=True)
class OutboxRow:
    email: str
    person_id: int
    state: str
    attempts: int
    due_at: datetime
    code: str | None
    message: str | None


def search_people(engine: Engine, text: str, limit: int = PAGE) -> tuple[list[Person], int]:
    """People whose email contains `text`, or whose Contact/Lead Id is `text` (15 or 18)."""
    columns = (
        people.c.id,
        people.c.email,
        people.c.contact_id,
        people.c.lead_id,
        people.c.unsubscribed,
        people.c.link_broken,
    )
    query = select(*columns)
    needle = text.strip()
    if needle:
        record = _record_id(needle)
        escaped = needle.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(
            or_(
                people.c.email.like(f"%{escaped}%", escape="\\"),
                people.c.contact_id == record,
                people.c.lead_id == record,
            )
        )
    counted = select(func.count()).select_from(query.subquery())
    with engine.connect() as conn:
        total = int(conn.execute(counted).scalar() or 0)
        rows = conn.execute(query.order_by(people.c.email).limit(limit)).all()
    return [Person(*row) for row in rows], total


def _record_id(text: str) -> str:
    """The 18-character form of an Id typed in either form (what the store holds)."""
    if not is_id_shaped(text):
        return text
    try:
        return to18(text)
    except ValueError:  # a wrong case-safe suffix: matches nothing, as it should
        return text


def waiting_pushes(engine: Engine) -> list[OutboxRow]:
    """Pushes not yet delivered: parked ones first, then those retrying or due."""
    query = (
        select(
            people.c.email,
            outbox.c.person_id,
            outbox.c.state,
            outbox.c.attempts,
            outbox.c.due_at,
            outbox.c.last_code,
            outbox.c.last_message,
        )
        .join(people, people.c.id == outbox.c.person_id)
        .where(outbox.c.state.in_([PARKED, PENDING]))
        .order_by(outbox.c.state.desc(), outbox.c.due_at)
    )
    with engine.connect() as conn:
        return [OutboxRow(*row) for row in conn.execute(query)]


def emails(engine: Engine, person_ids: set[int]) -> dict[int, str]:
    if not person_ids:
        return {}
    query = select(people.c.id, people.c.email).where(people.c.id.in_(sorted(person_ids)))
    with engine.connect() as conn:
        return {row.id: row.email for row in conn.execute(query)}


def run_writes(engine: Engine, run_id: int) -> list[dict[str, Any]]:
    """What a run wrote to Salesforce, record by record."""
    query = (
        select(
            people.c.email,
            salesforce_writes.c.person_id,
            salesforce_writes.c.record_id,
            salesforce_writes.c.fields,
        )
        .join(people, people.c.id == salesforce_writes.c.person_id)
        .where(salesforce_writes.c.run_id == run_id)
        .order_by(salesforce_writes.c.id)
    )
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def nightly_unsubscribes(
    engine: Engine, started: datetime, finished: datetime | None
) -> list[dict[str, Any]]:
    """People a nightly run unsubscribed in Marketo Sales (source salesforce_sync)."""
    query = (
        select(people.c.email, history.c.person_id, history.c.at)
        .join(people, people.c.id == history.c.person_id)
        .where(history.c.source == "salesforce_sync", history.c.at >= started)
        .order_by(history.c.id)
    )
    if finished is not None:
        query = query.where(history.c.at <= finished)
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]
