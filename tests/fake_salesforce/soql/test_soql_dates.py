"""Relative date literals as [start, end) ranges in the org's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from fake_salesforce.soql.dates import date_range, datetime_range, local_today, parse_literal

TODAY = date(2026, 3, 4)  # a Wednesday

RANGES = [
    ("TODAY", None, date(2026, 3, 4), date(2026, 3, 5)),
    ("YESTERDAY", None, date(2026, 3, 3), date(2026, 3, 4)),
    ("TOMORROW", None, date(2026, 3, 5), date(2026, 3, 6)),
    ("LAST_N_DAYS", 1, date(2026, 3, 3), date(2026, 3, 5)),
    ("LAST_N_DAYS", 30, date(2026, 2, 2), date(2026, 3, 5)),
    ("NEXT_N_DAYS", 2, date(2026, 3, 5), date(2026, 3, 7)),
    ("N_DAYS_AGO", 3, date(2026, 3, 1), date(2026, 3, 2)),
    ("LAST_90_DAYS", None, date(2025, 12, 4), date(2026, 3, 5)),
    ("NEXT_90_DAYS", None, date(2026, 3, 5), date(2026, 6, 3)),
    ("THIS_WEEK", None, date(2026, 3, 1), date(2026, 3, 8)),
    ("LAST_WEEK", None, date(2026, 2, 22), date(2026, 3, 1)),
    ("NEXT_WEEK", None, date(2026, 3, 8), date(2026, 3, 15)),
    ("LAST_N_WEEKS", 2, date(2026, 2, 15), date(2026, 3, 1)),
    ("THIS_MONTH", None, date(2026, 3, 1), date(2026, 4, 1)),
    ("LAST_MONTH", None, date(2026, 2, 1), date(2026, 3, 1)),
    ("NEXT_MONTH", None, date(2026, 4, 1), date(2026, 5, 1)),
    ("LAST_N_MONTHS", 3, date(2025, 12, 1), date(2026, 3, 1)),
    ("N_MONTHS_AGO", 3, date(2025, 12, 1), date(2026, 1, 1)),
    ("THIS_QUARTER", None, date(2026, 1, 1), date(2026, 4, 1)),
    ("LAST_QUARTER", None, date(2025, 10, 1), date(2026, 1, 1)),
    ("NEXT_N_QUARTERS", 2, date(2026, 4, 1), date(2026, 10, 1)),
    ("THIS_YEAR", None, date(2026, 1, 1), date(2027, 1, 1)),
    ("LAST_YEAR", None, date(2025, 1, 1), date(2026, 1, 1)),
    ("N_YEARS_AGO", 2, date(2024, 1, 1), date(2025, 1, 1)),
]


@pytest.mark.parametrize(("name", "n", "start", "end"), RANGES)
def test_each_literal_covers_its_documented_range(
    name: str, n: int | None, start: date, end: date
) -> None:
    parsed = parse_literal(name, n)
    assert parsed is not None
    assert date_range(*parsed, today=TODAY) == (start, end)


@pytest.mark.parametrize(
    ("name", "n"),
    [
        ("TODAY", 1),
        ("LAST_N_DAYS", None),
        ("SOMEDAY", None),
        ("LAST_N_FORTNIGHTS", 2),
        ("THIS_WEEK", 3),
    ],
)
def test_unknown_or_misused_literals_are_not_date_literals(name: str, n: int | None) -> None:
    assert parse_literal(name, n) is None


def test_today_is_the_local_date_in_the_org_zone() -> None:
    late_evening_utc = datetime(2026, 3, 5, 3, 0, tzinfo=UTC)
    assert local_today(late_evening_utc, "America/Los_Angeles") == date(2026, 3, 4)
    assert local_today(late_evening_utc, "UTC") == date(2026, 3, 5)


def test_ranges_start_at_local_midnight_across_a_dst_change() -> None:
    low, high = datetime_range(date(2026, 3, 8), date(2026, 3, 9), "America/Los_Angeles")
    assert low == datetime(2026, 3, 8, 8, 0, tzinfo=UTC)
    assert high == datetime(2026, 3, 9, 7, 0, tzinfo=UTC)
