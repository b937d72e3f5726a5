"""`next_nightly` and `down_for` as a scenario writes them: the engine's one schedule places
them (docs/behaviour.md 5), daylight saving included."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from simulator.model import Settings
from simulator.timespec import TimeError, parse_duration, parse_time, resolve

LA = Settings(nightly_at=time(20, 0), timezone="America/Los_Angeles")


def _next(now: datetime, at: time) -> datetime:
    return resolve(parse_time("next_nightly"), now, Settings(nightly_at=at, timezone=LA.timezone))


def test_next_nightly_is_strictly_after_now_in_the_settings_zone() -> None:
    at_eight = datetime(2026, 3, 3, 4, 0, tzinfo=UTC)  # 20:00 PST
    assert _next(at_eight, time(20, 0)) == datetime(2026, 3, 4, 4, 0, tzinfo=UTC)


def test_a_nightly_time_inside_the_spring_gap_runs_at_the_first_instant_after_it() -> None:
    got = _next(datetime(2026, 3, 8, 0, 0, tzinfo=UTC), time(2, 30))
    assert got == datetime(2026, 3, 8, 10, 0, tzinfo=UTC)  # 03:00 PDT


def test_a_nightly_time_repeated_in_the_fall_overlap_runs_at_its_first_occurrence() -> None:
    first = _next(datetime(2026, 11, 1, 0, 0, tzinfo=UTC), time(1, 30))
    assert first == datetime(2026, 11, 1, 8, 30, tzinfo=UTC)  # 01:30 PDT
    assert _next(first, time(1, 30)) == datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def test_a_downtime_is_a_positive_number_of_seconds_minutes_hours_or_days() -> None:
    assert parse_duration("3h") == timedelta(hours=3)
    assert parse_duration("90m") == timedelta(minutes=90)
    assert parse_duration("2d") == timedelta(days=2)
    for wrong in ("3", "+3h", "0h", "3 hours", "-1h"):
        with pytest.raises(TimeError, match="not a duration"):
            parse_duration(wrong)
