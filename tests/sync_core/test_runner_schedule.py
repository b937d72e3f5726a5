"""The running service keeps the one schedule (docs/behaviour.md 5): turning the sync on or moving
its time takes effect from the next occurrence; only a slot missed while down is caught up."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sync_core.logging_setup import configure
from sync_core.runner import Runner
from sync_core.service import SyncService
from tests.sync_core.conftest import FrozenClock
from tests.sync_core.memory_org import MemoryOrg

PST = timedelta(hours=-8)
# Monday 2 March 2026, 19:00 Pacific (PST): the default 20:00 slot is an hour away.
MON_1900 = datetime(2026, 3, 3, 3, 0, tzinfo=UTC)
MON_2000 = MON_1900 + timedelta(hours=1)


@pytest.fixture
def frozen() -> FrozenClock:
    return FrozenClock(MON_1900)


@pytest.fixture
def service(tmp_path: Path, frozen: FrozenClock) -> Iterator[SyncService]:
    org = MemoryOrg(clock=frozen)
    svc = SyncService.open(
        f"sqlite:///{tmp_path / 'store.db'}", org, clock=frozen, sleep=lambda _s: None,
        rng=random.Random(1),
    )  # fmt: skip
    yield svc
    svc.close()


def _run(
    service: SyncService,
    clock: FrozenClock,
    until: datetime,
    at: dict[datetime, Callable[[], object]] | None = None,
) -> list[datetime]:
    """Run the service loop until `until`, doing each of `at` once its time has come (between
    two passes of the loop, as an admin would); the nightly slots it ran."""
    pending = dict(at or {})
    log = io.StringIO()
    runner = Runner(service, configure(log, json_lines=True, name="sync_core.test.schedule"),
                    clock, idle_seconds=60.0)  # fmt: skip

    def wait(seconds: float) -> bool:
        clock.now = min(clock.now + timedelta(seconds=seconds), until)
        for when in sorted(w for w in pending if w <= clock.now):
            pending.pop(when)()
        if clock.now >= until:
            runner.stop()
        return runner.stopping.is_set()

    runner.wait = wait
    runner.run()
    events = [json.loads(line) for line in log.getvalue().splitlines()]
    return [datetime.fromisoformat(e["slot"]) for e in events if e["event"] == "nightly_started"]


def test_turning_the_sync_on_in_the_morning_waits_for_that_evening(
    service: SyncService, frozen: FrozenClock
) -> None:
    """On at 09:00 on Wednesday: Monday's 20:00 slot, 37 hours old, is not run."""
    wed_0900 = MON_2000 + timedelta(hours=37)
    turn_on = {wed_0900: lambda: service.update_settings(wed_0900, nightly_sync=True)}
    assert _run(service, frozen, wed_0900 + timedelta(hours=1), turn_on) == []
    assert service.runs("nightly") == []
    wed_2000 = MON_2000 + timedelta(days=2)
    assert _run(service, frozen, wed_2000 + timedelta(minutes=5)) == [wed_2000]


def test_moving_the_time_earlier_past_now_does_not_start_a_run_now(
    service: SyncService, frozen: FrozenClock
) -> None:
    """At 19:00 the time moves from 20:00 to 18:00: nothing runs at 19:00 (18:00 is past),
    nothing at 20:00 (no longer the time); the next run is tomorrow at 18:00."""
    service.update_settings(MON_1900 - timedelta(hours=10), nightly_sync=True)
    frozen.now = MON_1900 - timedelta(hours=9)
    at_1900 = {MON_1900: lambda: service.update_settings(MON_1900, nightly_at="18:00")}
    assert _run(service, frozen, MON_1900 + timedelta(hours=3), at_1900) == []
    tue_1800 = MON_1900 + timedelta(hours=23)
    assert _run(service, frozen, tue_1800 + timedelta(minutes=1)) == [tue_1800]


def test_moving_the_time_later_runs_at_the_new_time_the_same_day(
    service: SyncService, frozen: FrozenClock
) -> None:
    service.update_settings(MON_1900 - timedelta(hours=1), nightly_sync=True)
    at_1900 = {MON_1900: lambda: service.update_settings(MON_1900, nightly_at="21:30")}
    slots = _run(service, frozen, MON_1900 + timedelta(hours=3), at_1900)
    assert slots == [MON_1900 + timedelta(hours=2, minutes=30)]


def test_a_slot_missed_while_down_is_not_caught_up_if_the_sync_was_turned_on_after_it(
    service: SyncService, frozen: FrozenClock
) -> None:
    """The service is down over 20:00; at 20:30 an admin turns the sync on (the CLI); the
    service starts at 21:00, inside the catch-up window, and starts nothing for 20:00."""
    service.update_settings(MON_2000 + timedelta(minutes=30), nightly_sync=True)
    frozen.now = MON_2000 + timedelta(hours=1)
    assert _run(service, frozen, frozen.now + timedelta(minutes=5)) == []


def test_a_slot_missed_while_down_with_the_sync_on_is_caught_up_on_start(
    service: SyncService, frozen: FrozenClock
) -> None:
    service.update_settings(MON_1900 - timedelta(days=1), nightly_sync=True)
    frozen.now = MON_2000 + timedelta(hours=1, minutes=59)
    assert _run(service, frozen, frozen.now + timedelta(minutes=5)) == [MON_2000]
