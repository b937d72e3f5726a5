"""When the nightly run fires: the configured wall-clock time in an IANA zone, DST-aware.

The one schedule of the engine, for the running service and the simulator alike
(docs/behaviour.md 5): the nightly time's next occurrence while the sync is on. A change of the
setting, the time or the zone takes effect from the next occurrence; only a run missed while
the service was down is caught up on start, within the catch-up window. A time that does not
exist that day (a gap) runs at the first instant after the gap; a time that happens twice (an
overlap) runs once, at its first occurrence.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sync_core.model import Settings


def due_slot(since: datetime, now: datetime, settings: Settings) -> datetime | None:
    """The nightly slot to run at `now`: the first occurrence strictly after `since` (the
    last instant the service looked at the schedule), if the sync is on and it has come."""
    slot = next_slot(since, settings)
    return slot if slot is not None and slot <= now else None


def next_slot(since: datetime, settings: Settings) -> datetime | None:
    """The first nightly instant strictly after `since` under `settings` (None when off)."""
    if not settings.nightly_sync:
        return None
    return next_nightly(since, settings.nightly_at, settings.timezone)


def catch_up_since(
    started: datetime, window: timedelta, schedule_changed: datetime | None
) -> datetime:
    """Where a starting service begins looking: a slot in the catch-up window before the
    start was missed while the service was down, unless the schedule (sync on, time, zone)
    was changed after it: a change never starts a run for a time already past."""
    since = started - window
    if schedule_changed is not None and schedule_changed > since:
        since = min(schedule_changed, started)
    return since


def next_nightly(after: datetime, nightly_at: str, timezone: str) -> datetime:
    """The first nightly instant strictly after `after`, as an aware UTC datetime."""
    if after.tzinfo is None:
        raise ValueError("after must be timezone-aware")
    zone = ZoneInfo(timezone)
    hour, minute = (int(part) for part in nightly_at.split(":"))
    wall = time(hour, minute)
    local_day = after.astimezone(zone).date()
    for offset in range(-1, 4):
        instant = nightly_instant(local_day + timedelta(days=offset), wall, zone)
        if instant > after:
            return instant
    raise AssertionError("a nightly instant always exists within four days")


def nightly_instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The instant `wall` happens on `day` in `zone` (first occurrence; after a gap if none)."""
    naive = datetime.combine(day, wall)
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == naive:
        return first
    # In a gap: fold=1 reads the wall time with the post-transition offset, giving an instant
    # before the transition; fold=0 gives one after it. The transition lies between.
    second = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return _transition_between(min(first, second), max(first, second), zone)


def _transition_between(lo: datetime, hi: datetime, zone: ZoneInfo) -> datetime:
    """The first instant in (lo, hi] whose UTC offset equals hi's (binary search, 1 s)."""
    target = hi.astimezone(zone).utcoffset()
    low, high = 0, int((hi - lo).total_seconds())
    while high - low > 1:
        middle = (low + high) // 2
        if (lo + timedelta(seconds=middle)).astimezone(zone).utcoffset() == target:
            high = middle
        else:
            low = middle
    return lo + timedelta(seconds=high)
