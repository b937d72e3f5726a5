"""docs/behaviour.md 4's delivery promise: an unsubscribe is never lost, and never parked for good.

Each captured unsubscribe is owed to Salesforce until the person's record shows the pushed
fields true (or an admin resubscribes the person, which cancels it). While it is owed, the
store must still hold it (pending or parked); once every cause that could stop it has been
gone for the backoff cap (transient causes) or the slow retry schedule (permanent ones), it
must have arrived.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tests.model.awaiting import waits_for
from tests.model.oracle import (
    BACKOFF_CAP,
    EMAIL_OPT_OUT,
    SLACK,
    SLOW_RETRY,
    Snapshot,
    require,
)


@dataclass
class Trouble:
    """When each cause that may hold a push back was last present."""

    # outages, limits, the service being down; and a lock error or a dropped reply (a fault
    # that lasts a number of requests) until the last request it hit, as the journal shows it
    transient_until: datetime
    permanent_since: datetime | None = None  # a read-only field, a missing package field
    permanent_cleared: datetime | None = None
    relinked: dict[int, datetime] = field(default_factory=dict)  # requeued at once
    undeleted: dict[int, datetime] = field(default_factory=dict)  # seen on the slow schedule

    def transient(self, until: datetime) -> None:
        self.transient_until = max(self.transient_until, until)

    def permanent(self, present: bool, now: datetime) -> None:
        if present and self.permanent_since is None:
            self.permanent_since = now
        elif not present and self.permanent_since is not None:
            self.permanent_since = None
            self.permanent_cleared = now


@dataclass
class Owed:
    """Captured unsubscribes not yet seen in Salesforce, by person (earliest capture)."""

    since: dict[int, datetime] = field(default_factory=dict)

    def captured(self, pid: int, at: datetime) -> None:
        self.since.setdefault(pid, at)

    def cancelled(self, pid: int) -> None:
        self.since.pop(pid, None)

    def settle(self, snap: Snapshot) -> int:
        """The record shows what a push writes: the selected fields with the sync on, the
        Email Opt Out field with it off (docs/behaviour.md 4)."""
        pushed = snap.selected if snap.sync_on else frozenset({EMAIL_OPT_OUT})
        arrived = [
            pid
            for pid in self.since
            if (view := snap.people.get(pid)) and view.record and pushed <= view.opted_out
        ]
        for pid in arrived:
            del self.since[pid]
        return len(arrived)

    def check(self, snap: Snapshot, awaiting: set[int], trouble: Trouble, now: datetime) -> None:
        for pid, at in self.since.items():
            view = snap.people[pid]
            require(
                pid in awaiting,
                "4 (never lost)",
                f"person {pid}'s unsubscribe of {at} is neither in Salesforce nor queued",
            )
            if view.record is None or view.broken:
                continue  # no live record to write; it waits for a relink or an undelete
            due = _deadline(pid, at, trouble)
            require(
                due is None or now <= due,
                "4 (never parked for good)",
                f"person {pid}'s unsubscribe of {at} still not delivered at {now}, "
                f"every cause gone since {due}",
            )


def _deadline(pid: int, at: datetime, trouble: Trouble) -> datetime | None:
    """When the push must have arrived, or None when a cause is still present (or its
    healing awaits a fix)."""
    if trouble.permanent_since is not None:
        return None
    quiet = max(at, trouble.transient_until, trouble.relinked.get(pid, at))
    wait: timedelta = BACKOFF_CAP + SLACK
    healed = [t for t in (trouble.permanent_cleared, trouble.undeleted.get(pid)) if t]
    if any(t > at for t in healed):
        if waits_for("slow_retry"):
            return None
        quiet = max(quiet, *healed)
        wait = SLOW_RETRY + BACKOFF_CAP + SLACK
    return quiet + wait
