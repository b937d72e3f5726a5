"""Field history of the opt-out fields: per record, field, old value, new value, time, by whom.

Salesforce's Field History Tracking keeps these rows for the fields an admin tracks; the fake
tracks Email Opt Out and the Marketo Sales Insight opt-out so the org console can show who
changed a person's opt-out: the engine (an API user), a user in the console, or a test (the
control API, or code calling the org directly). Who is acting is a context variable the request
layer sets (`acting_as`); code that sets nothing is a test.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fake_salesforce.schema import MSO_FIELD

TRACKED_FIELDS = frozenset({"HasOptedOutOfEmail", MSO_FIELD})
TRACKED_OBJECTS = frozenset({"Contact", "Lead"})
TEST_ACTOR = "test"
Actor = str | Callable[[], str]  # a name, or how to find it (asked only when a field changes)
ACTOR: ContextVar[Actor] = ContextVar("fake_salesforce_actor", default=TEST_ACTOR)


@contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    """Writes inside are recorded as made by `actor` (e.g. `api:admin@example.com`)."""
    token = ACTOR.set(actor)
    try:
        yield
    finally:
        ACTOR.reset(token)


def current_actor() -> str:
    actor = ACTOR.get()
    return actor if isinstance(actor, str) else actor()


def actor_kind(actor: str) -> str:
    """`engine` (an API client), `user` (the console) or `test` (everything else)."""
    if actor.startswith("api:"):
        return "engine"
    if actor.startswith("console:"):
        return "user"
    return "test"


@dataclass(frozen=True)
class Change:
    """One tracked field's change on one record."""

    sobject: str
    record_id: str
    field: str
    old: Any
    new: Any
    time: datetime
    by: str

    @property
    def kind(self) -> str:
        return actor_kind(self.by)

    def as_json(self) -> dict[str, Any]:
        return {
            "sobject": self.sobject,
            "id": self.record_id,
            "field": self.field,
            "old": self.old,
            "new": self.new,
            "time": self.time.isoformat(),
            "by": self.by,
            "kind": self.kind,
        }


@dataclass
class FieldHistory:
    """The org's tracked changes, oldest first."""

    changes: list[Change] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def note(
        self, sobject: str, record_id: str, before: dict[str, Any], after: dict[str, Any],
        time: datetime,
    ) -> int:  # fmt: skip
        """Record the tracked fields that changed; returns how many rows were added."""
        if sobject not in TRACKED_OBJECTS:
            return 0
        changed = [(name, value) for name, value in after.items()
                   if name in TRACKED_FIELDS and before.get(name) != value]  # fmt: skip
        if not changed:
            return 0
        by = current_actor()
        rows = [Change(sobject, record_id, n, before.get(n), v, time, by) for n, v in changed]
        with self._lock:
            self.changes.extend(rows)
        return len(rows)

    def forget_last(self, count: int) -> None:
        """Undo the last `count` rows (a rolled-back all-or-none transaction)."""
        with self._lock:
            del self.changes[len(self.changes) - count :]

    def of(self, record_id: str) -> list[Change]:
        """The record's changes, newest first (15- or 18-character Id)."""
        key = record_id[:15]
        return [c for c in reversed(self.changes) if c.record_id[:15] == key]
