"""The next nightly instant after a time, with docs/behaviour.md section 5's daylight-saving rules.

The loader uses it to place `next_nightly` and to see a clock going backwards before anything
runs; a DST gap runs at the first instant after the gap, an overlap at the first occurrence.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def next_nightly(after: datetime, at: time, timezone: str) -> datetime:
    """The first nightly instant strictly after `after`, in UTC."""
    zone = ZoneInfo(timezone)
    local_day = after.astimezone(zone).date()
    for shift in range(-1, 3):
        instant = nightly_on(local_day + timedelta(days=shift), at, zone)
        if instant > after:
            return instant
    raise AssertionError("a nightly time exists within three days")  # pragma: no cover


def nightly_on(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The instant the nightly run of a local day happens, in UTC."""
    wall = datetime.combine(day, at, tzinfo=zone)  # fold=0: an overlap's first occurrence
    instant = wall.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == wall.replace(tzinfo=None):
        return instant
    return _end_of_gap(wall.replace(fold=1).astimezone(UTC), instant, zone)


def _end_of_gap(low: datetime, high: datetime, zone: ZoneInfo) -> datetime:
    """The first instant, between low and high, that has the offset after the transition."""
    after_offset = high.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == after_offset:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)
