"""Relative date literals (TODAY, LAST_N_DAYS:n, THIS_MONTH, ...) as [start, end) date ranges.

Semantics from the SOQL reference, "Date Formats and Date Literals": ranges start at midnight in
the user's time zone; weeks start on Sunday; LAST_N_DAYS:n includes today, NEXT_N_DAYS:n starts
tomorrow; N_X_AGO:n is the single period n periods back. Fiscal literals are not supported.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UNITS = {
    "DAY": "DAY",
    "DAYS": "DAY",
    "WEEK": "WEEK",
    "WEEKS": "WEEK",
    "MONTH": "MONTH",
    "MONTHS": "MONTH",
    "QUARTER": "QUARTER",
    "QUARTERS": "QUARTER",
    "YEAR": "YEAR",
    "YEARS": "YEAR",
}
FIXED = {
    "TODAY": ("THIS", "DAY"),
    "YESTERDAY": ("LAST", "DAY"),
    "TOMORROW": ("NEXT", "DAY"),
    "LAST_90_DAYS": ("LAST_N", "DAY", 90),
    "NEXT_90_DAYS": ("NEXT_N", "DAY", 90),
}


def _period_start(day: date, unit: str) -> date:
    if unit == "DAY":
        return day
    if unit == "WEEK":
        return day - timedelta(days=(day.weekday() + 1) % 7)  # Sunday
    if unit == "MONTH":
        return day.replace(day=1)
    if unit == "QUARTER":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, 1, 1)


def _shift(start: date, unit: str, count: int) -> date:
    """The period start `count` periods after `start` (which is a period start)."""
    if unit == "DAY":
        return start + timedelta(days=count)
    if unit == "WEEK":
        return start + timedelta(weeks=count)
    months = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}[unit] * count
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def parse_literal(name: str, n: int | None) -> tuple[str, str, int] | None:
    """(kind, unit, n) for a literal name, or None when the name is not a date literal.

    kind is THIS, LAST, NEXT, LAST_N, NEXT_N or AGO; `n` must be given exactly when the name
    carries `_N_` or `_AGO`.
    """
    if name in FIXED and n is None:
        kind, unit, *count = FIXED[name]
        return str(kind), str(unit), int(count[0]) if count else 1
    words = name.split("_")
    if len(words) == 2 and words[0] in ("THIS", "LAST", "NEXT") and words[1] in UNITS:
        return (words[0], UNITS[words[1]], 1) if n is None else None
    if n is None:
        return None
    if len(words) == 3 and words[0] in ("LAST", "NEXT") and words[1] == "N" and words[2] in UNITS:
        return words[0] + "_N", UNITS[words[2]], n
    if len(words) == 3 and words[0] == "N" and words[1] in UNITS and words[2] == "AGO":
        return "AGO", UNITS[words[1]], n
    return None


def date_range(kind: str, unit: str, n: int, today: date) -> tuple[date, date]:
    """[start, end) in local dates."""
    this = _period_start(today, unit)
    if kind == "THIS":
        return this, _shift(this, unit, 1)
    if kind == "LAST":
        return _shift(this, unit, -1), this
    if kind == "NEXT":
        return _shift(this, unit, 1), _shift(this, unit, 2)
    if kind == "LAST_N":
        if unit == "DAY":  # includes today
            return today - timedelta(days=n), today + timedelta(days=1)
        return _shift(this, unit, -n), this
    if kind == "NEXT_N":
        return _shift(this, unit, 1), _shift(this, unit, n + 1)
    return _shift(this, unit, -n), _shift(this, unit, -n + 1)  # AGO


def local_today(now: datetime, zone: str) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def datetime_range(start: date, end: date, zone: str) -> tuple[datetime, datetime]:
    """Local midnights of [start, end) as aware UTC datetimes."""
    tz = ZoneInfo(zone)
    return (
        datetime.combine(start, time(), tz).astimezone(UTC),
        datetime.combine(end, time(), tz).astimezone(UTC),
    )
