"""The service loop on a frozen clock: pushes, nightly slots, catch-up, claims, clean stop."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sync_core.claim import NightlyBusy, claim_slot, nightly_lock
from sync_core.logging_setup import configure
from sync_core.model import SObject, Source
from sync_core.runner import Runner
from sync_core.service import SyncService
from tests.sync_core.conftest import FrozenClock
from tests.sync_core.memory_org import MemoryOrg

# 19:00 Pacific on 2 March 2026 (PST): the default 20:00 slot is an hour away.
START = datetime(2026, 3, 3, 3, 0, tzinfo=UTC)
SLOT = datetime(2026, 3, 3, 4, 0, tzinfo=UTC)


@pytest.fixture
def frozen() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def memory_org(frozen: FrozenClock) -> MemoryOrg:
    return MemoryOrg(clock=frozen)


def _service(path: Path, org: MemoryOrg, clock: FrozenClock, worker: str) -> SyncService:
    return SyncService.open(
        f"sqlite:///{path}", org, clock=clock, worker=worker, sleep=_no_sleep, rng=random.Random(1)
    )


def _no_sleep(seconds: float) -> None:
    raise AssertionError(f"nothing should wait (asked {seconds}s)")


@pytest.fixture
def service(tmp_path: Path, memory_org: MemoryOrg, frozen: FrozenClock) -> Iterator[SyncService]:
    svc = _service(tmp_path / "store.db", memory_org, frozen, "w1")
    svc.update_settings(START, nightly_sync=True)
    yield svc
    svc.close()


def _runner(
    service: SyncService, clock: FrozenClock, until: datetime
) -> tuple[Runner, io.StringIO]:
    """A runner whose waits move the frozen clock, and which stops once it reaches `until`."""
    log = io.StringIO()
    logger = configure(log, json_lines=True, name=f"sync_core.test.{service.worker}")
    runner = Runner(service, logger, clock, idle_seconds=60.0)

    def wait(seconds: float) -> bool:
        clock.now += timedelta(seconds=seconds)
        if clock.now >= until:
            runner.stop()
        return runner.stopping.is_set()

    runner.wait = wait
    return runner, log


def _events(log: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in log.getvalue().splitlines()]


def test_service_pushes_captures_and_runs_the_nightly_slot_once(
    service: SyncService, memory_org: MemoryOrg, frozen: FrozenClock
) -> None:
    contact = memory_org.create(SObject.CONTACT)
    opted = memory_org.create(SObject.CONTACT, HasOptedOutOfEmail=True)
    jane = service.add_person("jane@example.com", contact_id=contact, now=START).id
    service.add_person("rick@example.com", contact_id=opted, now=START)
    service.unsubscribe(jane, Source.CLICKED_LINK, START)
    runner, log = _runner(service, frozen, SLOT + timedelta(minutes=30))
    runner.run()
    events = _events(log)
    names = [e["event"] for e in events]
    assert names[0] == "started" and names[-1] == "stopped"
    assert names.count("push") == 1 and names.count("nightly_finished") == 1
    push = next(e for e in events if e["event"] == "push")
    assert push["delivered"] == 1
    nightly = next(e for e in events if e["event"] == "nightly_finished")
    assert nightly["unsubscribed"] == 1 and nightly["errors"] == 0
    assert memory_org.value(contact) is True
    assert service.find("rick@example.com").unsubscribed  # type: ignore[union-attr]
    assert len(service.runs("nightly")) == 1


def test_a_slot_missed_while_down_runs_on_start_within_the_catch_up_window(
    service: SyncService, frozen: FrozenClock
) -> None:
    frozen.now = SLOT + timedelta(minutes=90)
    runner, log = _runner(service, frozen, frozen.now + timedelta(seconds=5))
    runner.run()
    assert [e["event"] for e in _events(log)].count("nightly_finished") == 1
    frozen.now = SLOT + timedelta(days=1, hours=3)  # three hours late: outside the window
    runner, log = _runner(service, frozen, frozen.now + timedelta(seconds=5))
    runner.run()
    assert "nightly_started" not in [e["event"] for e in _events(log)]
    assert len(service.runs("nightly")) == 1


def test_two_services_on_one_store_run_each_slot_exactly_once(
    tmp_path: Path, service: SyncService, memory_org: MemoryOrg, frozen: FrozenClock
) -> None:
    other = _service(tmp_path / "store.db", memory_org, frozen, "w2")
    frozen.now = SLOT + timedelta(minutes=1)
    first, first_log = _runner(service, frozen, frozen.now + timedelta(seconds=3))
    second, second_log = _runner(other, frozen, frozen.now + timedelta(seconds=6))
    first.run()
    second.run()
    other.close()
    second_events = _events(second_log)
    assert [e["event"] for e in _events(first_log)].count("nightly_finished") == 1
    assert [e["event"] for e in second_events if e["event"].startswith("nightly")] == [
        "nightly_skipped"
    ]
    skipped = next(e for e in second_events if e["event"] == "nightly_skipped")
    assert skipped["reason"] == "already run"
    assert len(service.runs("nightly")) == 1


def test_a_slot_is_claimed_once_and_never_behind_a_newer_claim(service: SyncService) -> None:
    assert claim_slot(service.store, SLOT)
    assert not claim_slot(service.store, SLOT)
    assert not claim_slot(service.store, SLOT - timedelta(days=1))
    assert claim_slot(service.store, SLOT + timedelta(days=1))


def test_the_nightly_lock_refuses_a_second_holder_until_released(service: SyncService) -> None:
    with nightly_lock(service.store), pytest.raises(NightlyBusy), nightly_lock(service.store):
        pass
    with nightly_lock(service.store):
        pass


def test_a_refused_push_is_logged_as_one_line_and_the_loop_goes_on(
    service: SyncService, memory_org: MemoryOrg, frozen: FrozenClock
) -> None:
    from sync_core.errors import ConfigurationError

    contact = memory_org.create(SObject.CONTACT)
    person = service.add_person("jane@example.com", contact_id=contact, now=START).id
    service.unsubscribe(person, Source.MANUAL, START)
    memory_org.faults.append(ConfigurationError("INVALID_LOGIN", "locked out"))
    runner, log = _runner(service, frozen, START + timedelta(seconds=10))
    runner.run()
    events = _events(log)
    assert [e["event"] for e in events] == [
        "started",
        "next_nightly",
        "push",
        "push_error",
        "stopped",
    ]
    assert events[2]["level"] == "warning" and events[2]["parked"] == 1
    assert events[3]["code"] == "INVALID_LOGIN" and events[3]["record"] == contact
    assert memory_org.value(contact) is False
