"""The loader's nightly instants follow docs/behaviour.md section 5's daylight-saving rules."""

from __future__ import annotations

from datetime import UTC, datetime, time

from simulator.schedule import next_nightly

LA = "America/Los_Angeles"


def test_next_nightly_is_strictly_after_now_in_the_settings_zone() -> None:
    at_eight = datetime(2026, 3, 3, 4, 0, tzinfo=UTC)  # 20:00 PST
    assert next_nightly(at_eight, time(20, 0), LA) == datetime(2026, 3, 4, 4, 0, tzinfo=UTC)


def test_a_nightly_time_inside_the_spring_gap_runs_at_the_first_instant_after_it() -> None:
    got = next_nightly(datetime(2026, 3, 8, 0, 0, tzinfo=UTC), time(2, 30), LA)
    assert got == datetime(2026, 3, 8, 10, 0, tzinfo=UTC)  # 03:00 PDT


def test_a_nightly_time_repeated_in_the_fall_overlap_runs_at_its_first_occurrence() -> None:
    first = next_nightly(datetime(2026, 11, 1, 0, 0, tzinfo=UTC), time(1, 30), LA)
    assert first == datetime(2026, 11, 1, 8, 30, tzinfo=UTC)  # 01:30 PDT
    assert next_nightly(first, time(1, 30), LA) == datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def test_the_loader_schedule_agrees_with_the_engines_over_a_year_of_nights() -> None:
    from sync_core.schedule import next_nightly as engine_next

    now = datetime(2026, 1, 1, tzinfo=UTC)
    for wall in (time(20, 0), time(2, 30), time(1, 30), time(8, 0)):
        t = now
        for _ in range(366):
            mine = next_nightly(t, wall, LA)
            assert mine == engine_next(t, wall.strftime("%H:%M"), LA), (t, wall)
            t = mine
