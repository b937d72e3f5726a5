"""The push outbox: claim due items under a lease, then finish, retry or park them.

On PostgreSQL several workers share the table: claims use `FOR UPDATE SKIP LOCKED`, and a
lease makes a crashed worker's items claimable again once it expires (at-least-once). A
parked item waits for its slow retry (or an event that requeues it); a resubscribe cancels
what is not yet delivered (docs/behaviour.md 4).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Update,
    and_,
    case,
    func,
    or_,
    select,
    type_coerce,
    update,
)

from sync_core.model import OutboxItem
from sync_core.tables import UtcDateTime, outbox, people

PENDING = "pending"
PARKED = "parked"
DONE = "done"
WAITING = (PENDING, PARKED)
# A cancelled item is done without a delivery: the person was resubscribed before it landed.
CANCELLED = "RESUBSCRIBED"
CANCELLED_MESSAGE = "cancelled: the person was resubscribed before the push was delivered"


class OutboxStore:
    """Outbox operations; mixed into the SQL store, which provides `engine` and `lease`."""

    engine: Engine
    lease: timedelta

    def claim_due(self, now: datetime, limit: int, worker: str) -> list[OutboxItem]:
        """Lease up to `limit` due items to `worker`, oldest first (parked ones on their slow
        retry included).

        What is delivered is decided by the person's state now, in the claiming transaction
        (docs/behaviour.md 4): an item whose person is no longer unsubscribed is cancelled, never
        claimed, so a push that waited out an outage cannot undo a later resubscribe.
        """
        claimable = and_(
            outbox.c.state.in_(WAITING),
            outbox.c.due_at <= now,
            or_(outbox.c.lease_until.is_(None), outbox.c.lease_until <= now),
        )
        query = (
            select(outbox.c.id, outbox.c.person_id, outbox.c.created_at, outbox.c.due_at)
            .add_columns(outbox.c.attempts, outbox.c.last_code, people.c.unsubscribed)
            .join(people, people.c.id == outbox.c.person_id)
            .where(claimable)
            .order_by(outbox.c.due_at, outbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=outbox)
        )
        with self.engine.begin() as conn:
            rows = conn.execute(query).all()
            live = [row for row in rows if row.unsubscribed]
            stale = [row.id for row in rows if not row.unsubscribed]
            if stale:
                conn.execute(_cancel(outbox.c.id.in_(stale)))
            if live:
                conn.execute(
                    update(outbox)
                    .where(outbox.c.id.in_([row.id for row in live]))
                    .values(state=PENDING, claimed_by=worker, lease_until=now + self.lease)
                )
        if stale and not live:
            return self.claim_due(now, limit, worker)  # the cancelled ones made room
        return [
            OutboxItem(r.id, r.person_id, r.created_at, r.due_at, r.attempts, r.last_code)
            for r in live
        ]

    def cancel_undelivered(self, conn: Connection, person_id: int) -> int:
        """Cancel a person's items not yet delivered (inside the resubscribe's transaction)."""
        condition = and_(outbox.c.person_id == person_id, outbox.c.state.in_(WAITING))
        return conn.execute(_cancel(condition)).rowcount

    def finish_items(self, item_ids: Iterable[int], worker: str, now: datetime) -> int:
        """Mark delivered. Done even if the lease moved on: the write happened (at least once)."""
        ids = list(item_ids)
        if not ids:
            return 0
        with self.engine.begin() as conn:
            result = conn.execute(
                update(outbox)
                .where(outbox.c.id.in_(ids), outbox.c.state.in_(WAITING))
                .values(state=DONE, delivered_at=now, lease_until=None, claimed_by=worker)
            )
        return result.rowcount

    def retry_items(
        self, delays: Mapping[int, datetime], worker: str, code: str, message: str
    ) -> None:
        """Schedule each item again at its own instant, counting the failed attempt."""
        if not delays:
            return
        with self.engine.begin() as conn:
            for item_id, due in delays.items():
                conn.execute(
                    update(outbox)
                    .where(outbox.c.id == item_id, outbox.c.state.in_(WAITING))
                    .values(state=PENDING, due_at=due, **_failed_attempt(code, message))
                )

    def park_items(
        self,
        item_ids: Iterable[int],
        worker: str,
        code: str,
        message: str,
        retry_at: datetime,
    ) -> None:
        """Stop the quick retries: the item waits for its slow retry at `retry_at`, or sooner
        for a settings change, a relink, an undelete or an admin's retry (docs/behaviour.md 4)."""
        ids = list(item_ids)
        if not ids:
            return
        with self.engine.begin() as conn:
            conn.execute(
                update(outbox)
                .where(outbox.c.id.in_(ids), outbox.c.state.in_(WAITING))
                .values(state=PARKED, due_at=retry_at, **_failed_attempt(code, message))
            )

    def requeue_parked(self, now: datetime, person_id: int | None = None) -> int:
        """Parked items become due now (all of them, or one person's)."""
        condition = outbox.c.state == PARKED
        if person_id is not None:
            condition = and_(condition, outbox.c.person_id == person_id)
        with self.engine.begin() as conn:
            result = conn.execute(
                update(outbox).where(condition).values(state=PENDING, due_at=now, attempts=0)
            )
        return result.rowcount

    def settle_items(self, person_ids: Iterable[int], now: datetime) -> int:
        """Mark these people's undelivered items done: a nightly run wrote their records."""
        ids = list(person_ids)
        settled = 0
        with self.engine.begin() as conn:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                settled += conn.execute(
                    update(outbox)
                    .where(outbox.c.person_id.in_(chunk), outbox.c.state.in_(WAITING))
                    .values(
                        state=DONE,
                        delivered_at=now,
                        lease_until=None,
                        last_code="SETTLED_BY_NIGHTLY",
                        last_message="the nightly run wrote every selected field",
                    )
                ).rowcount
        return settled

    def people_awaiting_delivery(self) -> set[int]:
        """People with an item not yet delivered (pending or parked)."""
        query = select(outbox.c.person_id).where(outbox.c.state.in_(WAITING)).distinct()
        with self.engine.connect() as conn:
            return set(conn.execute(query).scalars())

    def next_due(self) -> datetime | None:
        """The earliest instant an item can be claimed (its due time, a parked one's slow
        retry, or a lease's end)."""
        ready = case(
            (
                and_(outbox.c.lease_until.is_not(None), outbox.c.lease_until > outbox.c.due_at),
                outbox.c.lease_until,
            ),
            else_=outbox.c.due_at,
        )
        with self.engine.connect() as conn:
            earliest = type_coerce(func.min(ready), UtcDateTime())
            value = conn.execute(select(earliest).where(outbox.c.state.in_(WAITING))).scalar()
        return value if isinstance(value, datetime) else None

    def pending_count(self) -> int:
        """Items not yet delivered (pending or parked)."""
        with self.engine.connect() as conn:
            query = select(func.count()).where(outbox.c.state.in_(WAITING))
            return int(conn.execute(query).scalar_one())

    def parked_count(self) -> int:
        """Of the items not yet delivered, those parked on a permanent error."""
        with self.engine.connect() as conn:
            query = select(func.count()).where(outbox.c.state == PARKED)
            return int(conn.execute(query).scalar_one())

    def outbox_states(self, person_id: int) -> list[tuple[str, str | None]]:
        """(state, last_code) of one person's items, oldest first (for diagnostics and tests)."""
        query = (
            select(outbox.c.state, outbox.c.last_code)
            .where(outbox.c.person_id == person_id)
            .order_by(outbox.c.id)
        )
        with self.engine.connect() as conn:
            return [(row.state, row.last_code) for row in conn.execute(query)]


def _failed_attempt(code: str, message: str) -> dict[str, Any]:
    """The columns a failed delivery sets: one more attempt, the lease released, the error kept."""
    return {
        "attempts": outbox.c.attempts + 1,
        "lease_until": None,
        "claimed_by": None,
        "last_code": code,
        "last_message": message,
    }


def _cancel(condition: Any) -> Update:
    return (
        update(outbox)
        .where(condition)
        .values(
            state=DONE,
            lease_until=None,
            claimed_by=None,
            last_code=CANCELLED,
            last_message=CANCELLED_MESSAGE,
        )
    )
