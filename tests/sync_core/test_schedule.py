"""The nightly schedule across years of DST transitions in several zones (docs/behaviour.md 5)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sync_core.model import Settings
from sync_core.schedule import catch_up_since, due_slot, next_nightly, next_slot

ZONES = ["America/Los_Angeles", "Europe/Berlin", "Australia/Sydney", "Australia/Lord_Howe"]
TIMES = ["20:00", "02:30", "01:30", "02:00", "00:00", "23:59"]


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.mark.parametrize(
    ("after", "at", "zone", "expected"),
    [
        ("2026-03-02T09:00:00-08:00", "20:00", "America/Los_Angeles", "2026-03-02T20:00:00-08:00"),
        ("2026-03-02T20:00:00-08:00", "20:00", "America/Los_Angeles", "2026-03-03T20:00:00-08:00"),
        ("2026-03-08T12:00:00-07:00", "20:00", "America/Los_Angeles", "2026-03-08T20:00:00-07:00"),
        # spring-forward gap: 02:30 does not exist; run at the first instant after the gap
        ("2026-03-07T23:00:00-08:00", "02:30", "America/Los_Angeles", "2026-03-08T03:00:00-07:00"),
        ("2026-03-29T00:00:00+01:00", "02:30", "Europe/Berlin", "2026-03-29T03:00:00+02:00"),
        ("2026-10-03T12:00:00+10:00", "02:30", "Australia/Sydney", "2026-10-04T03:00:00+11:00"),
        # fall-back overlap: 01:30 happens twice; run once, at the first
        ("2026-10-31T12:00:00-07:00", "01:30", "America/Los_Angeles", "2026-11-01T01:30:00-07:00"),
        ("2026-11-01T01:30:00-07:00", "01:30", "America/Los_Angeles", "2026-11-02T01:30:00-08:00"),
        ("2026-11-01T01:45:00-08:00", "01:30", "America/Los_Angeles", "2026-11-02T01:30:00-08:00"),
        ("2026-10-25T00:00:00+02:00", "02:30", "Europe/Berlin", "2026-10-25T02:30:00+02:00"),
        ("2026-10-25T02:30:00+02:00", "02:30", "Europe/Berlin", "2026-10-26T02:30:00+01:00"),
        ("2026-04-04T12:00:00+11:00", "02:30", "Australia/Sydney", "2026-04-05T02:30:00+11:00"),
        ("2026-04-05T02:30:00+11:00", "02:30", "Australia/Sydney", "2026-04-06T02:30:00+10:00"),
        # Lord Howe moves by half an hour
        ("2026-10-03T12:00:00+10:30", "02:15", "Australia/Lord_Howe", "2026-10-04T02:30:00+11:00"),
    ],
)
def test_next_nightly_handles_gaps_and_overlaps(
    after: str, at: str, zone: str, expected: str
) -> None:
    assert next_nightly(_utc(after), at, zone) == _utc(expected)


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("at", TIMES)
def test_over_six_years_the_run_fires_exactly_once_every_local_day(zone: str, at: str) -> None:
    tz = ZoneInfo(zone)
    hour, minute = (int(p) for p in at.split(":"))
    instant = datetime(2025, 1, 1, tzinfo=tz).astimezone(UTC)
    seen: list[date] = []
    while instant < datetime(2031, 1, 1, tzinfo=UTC):
        following = next_nightly(instant, at, zone)
        assert following > instant
        local = following.astimezone(tz)
        wall = local.replace(tzinfo=None)
        wanted = datetime.combine(local.date(), datetime.min.time()).replace(
            hour=hour, minute=minute
        )
        if wall != wanted:  # only in a gap: the first instant after it, on the same day
            assert wanted < wall <= wanted + timedelta(hours=1)
            assert (following - timedelta(seconds=1)).astimezone(
                tz
            ).utcoffset() != local.utcoffset()
        seen.append(local.date())
        instant = following
    assert len(seen) == len(set(seen))
    assert seen == [seen[0] + timedelta(days=i) for i in range(len(seen))]


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_nightly(datetime(2026, 1, 1), "20:00", "America/Los_Angeles")  # noqa: DTZ001


def test_the_due_slot_is_the_first_occurrence_after_the_service_last_looked() -> None:
    on = Settings(nightly_sync=True)
    looked = datetime(2026, 3, 3, 3, 59, 59, tzinfo=UTC)  # 19:59:59 PST
    slot = datetime(2026, 3, 3, 4, 0, tzinfo=UTC)
    assert due_slot(looked, slot - timedelta(seconds=1), on) is None
    assert due_slot(looked, slot + timedelta(seconds=1), on) == slot
    assert due_slot(looked, slot, Settings(nightly_sync=False)) is None
    assert next_slot(looked, Settings()) is None


def test_catch_up_begins_at_the_window_or_at_the_last_schedule_change_if_later() -> None:
    started = datetime(2026, 3, 3, 5, 0, tzinfo=UTC)
    window = timedelta(hours=2)
    assert catch_up_since(started, window, None) == started - window
    old_change = started - timedelta(days=3)
    assert catch_up_since(started, window, old_change) == started - window
    recent = started - timedelta(minutes=30)
    assert catch_up_since(started, window, recent) == recent
    assert catch_up_since(started, window, started + timedelta(hours=1)) == started
