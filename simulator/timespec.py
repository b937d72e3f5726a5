"""Times as a scenario writes them: ISO 8601 with an offset, `+15m` offsets, `next_nightly`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from simulator.model import Settings, TimeKind, TimeSpec
from sync_core.schedule import next_nightly

_RELATIVE = re.compile(r"^\+(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_DURATION = re.compile(r"^(\d+)([smhd])$")
_WALL_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")

MAX_SPAN = timedelta(days=36525)  # a scenario's times lie within 100 years of its clock's start
TIME_FORMS = (
    "an ISO 8601 time with an offset (2026-03-02T19:59:00-08:00), +Ns/+Nm/+Nh/+Nd, or next_nightly"
)


class TimeError(ValueError):
    """A time that does not parse; the message says what would."""


def parse_time(text: str) -> TimeSpec:
    """A TimeSpec from its text, or TimeError."""
    if text == "next_nightly":
        return TimeSpec(TimeKind.NEXT_NIGHTLY, text)
    relative = _RELATIVE.match(text)
    if relative:
        offset = _span(text, relative.group(1), relative.group(2))
        return TimeSpec(TimeKind.RELATIVE, text, offset=offset)
    return TimeSpec(TimeKind.ABSOLUTE, text, instant=parse_instant(text))


def parse_instant(text: str) -> datetime:
    """An aware UTC datetime from ISO 8601 text that carries an offset or Z."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise TimeError(f'"{text}" is not a time: use {TIME_FORMS}') from None
    if value.tzinfo is None:
        raise TimeError(f'"{text}" has no offset: add one such as -08:00 or Z')
    return value.astimezone(UTC)


def parse_duration(text: str) -> timedelta:
    """A length of time such as `3h`, `90m`, `45s` or `2d`, or TimeError."""
    match = _DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise TimeError(f'"{text}" is not a duration: use a positive Ns, Nm, Nh or Nd, e.g. 3h')
    return _span(text, match.group(1), match.group(2))


def _span(text: str, count: str, unit: str) -> timedelta:
    """`count` `unit`s, at most MAX_SPAN (a scenario spans at most 100 years)."""
    try:
        span = timedelta(**{_UNITS[unit]: int(count)})
    except OverflowError:
        span = MAX_SPAN + timedelta(days=1)
    if span > MAX_SPAN:
        raise TimeError(f'"{text}" is too long: a scenario spans at most 100 years')
    return span


def parse_wall_time(text: str) -> time:
    match = _WALL_TIME.match(text)
    if not match:
        raise TimeError(f'"{text}" is not a wall-clock time: use HH:MM, e.g. "20:00"')
    return time(int(match.group(1)), int(match.group(2)))


def resolve(spec: TimeSpec, now: datetime, settings: Settings) -> datetime:
    """The instant a TimeSpec names, seen from `now` under `settings`."""
    if spec.kind is TimeKind.ABSOLUTE:
        assert spec.instant is not None
        return spec.instant
    if spec.kind is TimeKind.RELATIVE:
        assert spec.offset is not None
        return now + spec.offset
    return next_nightly(now, settings.nightly_at.strftime("%H:%M"), settings.timezone)
