"""The discrete-event loop: time moves forward only, each due run fires at its own instant."""

from __future__ import annotations

import gc
import time
from datetime import UTC, datetime

import pytest

from simulator.load import load_text
from simulator.problems import InvalidScenario
from simulator.results import EventKind, RunResult
from simulator.run import frozen_heap, run_scenario
from sync_core.runner import Runner

HEAD = """
name: loop
clock: {start: 2026-03-02T09:00:00-08:00}
settings: {nightly_sync: true}
salesforce:
  records: [{ref: c1, type: Contact, LastName: Doe, Email: jane@example.com}]
marketo_sales:
  people: [{ref: p1, email: jane@example.com, salesforce: c1}]
steps:
"""


def run(steps: str) -> RunResult:
    return run_scenario(load_text(HEAD + steps, "loop.yaml"))


def nightly_times(result: RunResult) -> list[datetime]:
    return [e.at for e in result.events if e.kind == EventKind.NIGHTLY]


def test_moving_the_clock_three_days_fires_three_nightly_runs_each_at_20_00_pacific() -> None:
    result = run("  - at: +3d\n    expect: {runs: {nightly: 3}}\n")
    assert result.passed, result.expectations
    assert nightly_times(result) == [
        datetime(2026, 3, d, 4, 0, tzinfo=UTC) for d in (3, 4, 5)
    ]  # fmt: skip


def test_a_failed_expectation_is_reported_and_the_run_goes_on() -> None:
    result = run(
        "  - at: +1d\n    expect: {runs: {nightly: 5}}\n"
        "  - at: +1d\n    expect: {runs: {nightly: 2}}\n"
    )
    first, second = result.expectations
    assert not first.passed and [(c.expected, c.actual) for c in first.failures] == [(5, 1)]
    assert second.passed
    assert not result.passed


def test_a_settings_step_moves_the_next_nightly_run_to_the_new_time() -> None:
    result = run(
        '  - settings: {nightly_at: "08:00"}\n'
        "  - at: 2026-03-03T10:30:00-08:00\n    expect: {runs: {nightly: 1}}\n"
    )
    assert result.passed
    assert nightly_times(result) == [datetime(2026, 3, 3, 16, 0, tzinfo=UTC)]


def test_with_the_sync_off_no_nightly_run_fires_but_next_nightly_still_names_its_time() -> None:
    result = run(
        "  - settings: {nightly_sync: false}\n"
        "  - at: next_nightly\n    expect: {runs: {nightly: 0}}\n"
    )
    assert result.passed
    assert result.end == datetime(2026, 3, 3, 4, 0, tzinfo=UTC)


def test_run_nightly_runs_the_sync_now_whatever_the_schedule() -> None:
    result = run("  - at: +1h\n    run_nightly: true\n  - expect: {runs: {nightly: 1}}\n")
    assert result.passed
    assert result.events[0].at == datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    assert result.events[0].text.startswith("admin runs the sync now: nightly sync")
    assert nightly_times(result) == []


def test_two_months_of_nights_run_without_sleeping() -> None:
    started = time.perf_counter()
    result = run("  - at: +60d\n    expect: {runs: {nightly: 60}}\n")
    assert result.passed
    assert len(nightly_times(result)) == 60
    assert time.perf_counter() - started < 30


def test_a_run_freezes_what_set_up_made_and_thaws_it_after() -> None:
    kept = [object() for _ in range(3)]
    with frozen_heap():
        assert gc.get_freeze_count() >= len(kept)
    assert gc.get_freeze_count() == 0


def test_objects_the_process_froze_itself_stay_frozen() -> None:
    gc.freeze()
    try:
        count = gc.get_freeze_count()
        with frozen_heap():
            pass
        assert gc.get_freeze_count() == count
    finally:
        gc.unfreeze()


def test_the_simulator_drives_the_service_loop_that_sync_core_run_deploys() -> None:
    scenario = load_text(HEAD + "  - at: +1d\n    expect: {runs: {nightly: 1}}\n", "loop.yaml")
    ticks: list[datetime] = []
    original = Runner.tick

    def watched(runner: Runner) -> None:
        ticks.append(runner.clock())
        original(runner)

    Runner.tick = watched  # type: ignore[method-assign]
    try:
        result = run_scenario(scenario)
    finally:
        Runner.tick = original  # type: ignore[method-assign]
    assert result.passed
    assert datetime(2026, 3, 3, 4, 0, tzinfo=UTC) in ticks  # the 20:00 slot, by the Runner


def test_a_restart_stops_the_service_and_catches_up_a_slot_missed_while_down() -> None:
    result = run(
        "  - at: 2026-03-02T19:00:00-08:00\n    restart_service: {down_for: 90m}\n"
        "  - expect: {runs: {nightly: 1}}\n"
    )
    assert result.passed, result.expectations
    assert nightly_times(result) == [datetime(2026, 3, 3, 4, 30, tzinfo=UTC)]  # 20:30, on start


def test_nothing_runs_while_the_service_is_down() -> None:
    result = run(
        "  - unsubscribe: {person: p1}\n"
        "  - restart_service: {down_for: 5h}\n"
        "  - expect: {salesforce: {c1: {HasOptedOutOfEmail: true}}, pending_pushes: 0}\n"
    )
    assert result.passed, result.expectations
    pushes = [e.at for e in result.events if e.kind == EventKind.PUSH]
    assert pushes == [datetime(2026, 3, 2, 22, 0, tzinfo=UTC)]  # at the restart, 14:00


def test_a_history_entry_is_checked_on_its_time_when_the_expectation_gives_one() -> None:
    result = run(
        "  - unsubscribe: {person: p1}\n"
        "  - at: next_nightly\n"
        "    expect: {history: {p1: [{kind: unsubscribe, at: 2026-03-02T09:00:00-08:00}]}}\n"
        "  - expect: {history: {p1: [{kind: unsubscribe, at: 2026-03-02T20:00:00-08:00}]}}\n"
    )
    right, wrong = result.expectations
    assert right.passed and not wrong.passed


def test_a_history_time_without_an_offset_is_an_error_with_its_line() -> None:
    with pytest.raises(InvalidScenario) as caught:
        load_text(HEAD + "  - expect: {history: {p1: [{at: 2026-03-02T09:00:00}]}}\n", "h.yaml")
    assert "h.yaml:10:" in str(caught.value) and "no offset" in str(caught.value)
