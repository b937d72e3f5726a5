"""A process killed mid-run loses nothing: its nightly lock is taken over, its runs are closed
as interrupted, and the night it was running happens after all. Runs record their duration."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, update

from sync_core.claim import LOCK_KEY, NightlyBusy, claim_slot, nightly_lock
from sync_core.model import RunKind, SObject, Source
from sync_core.service import SyncService
from sync_core.store import SqlStore, open_store
from sync_core.tables import runs, sync_state
from tests.pg_cluster import fresh_database
from tests.sync_core.cli_harness import Cli, cli_fixture, served_fixture  # noqa: F401
from tests.sync_core.conftest import FrozenClock
from tests.sync_core.memory_org import MemoryOrg
from tests.sync_core.test_cli_runner import SLOT, START, _events, _runner, _service

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def frozen() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def memory_org(frozen: FrozenClock) -> MemoryOrg:
    return MemoryOrg(clock=frozen)


@pytest.fixture
def service(tmp_path: Path, memory_org: MemoryOrg, frozen: FrozenClock) -> Iterator[SyncService]:
    svc = _service(tmp_path / "store.db", memory_org, frozen, "w1")
    svc.update_settings(START, nightly_sync=True)
    yield svc
    svc.close()


@pytest.fixture
def holder_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


def _hold_and_kill(url: str) -> int:
    """Start a process that holds the nightly lock mid-run, SIGKILL it; the run's id."""
    with subprocess.Popen(
        [sys.executable, "-m", "tests.sync_core.nightly_holder", url],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.startswith("holding "), line
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    return int(line.split()[1])


def _store(service: SyncService) -> SqlStore:
    assert isinstance(service.store, SqlStore)
    return service.store


def test_a_night_killed_mid_run_runs_on_restart_and_the_dead_run_is_closed_interrupted(
    tmp_path: Path, service: SyncService, memory_org: MemoryOrg, frozen: FrozenClock
) -> None:
    contact = memory_org.create(SObject.CONTACT)
    person = service.add_person("a@example.com", contact_id=contact, now=frozen.now)
    killed = _hold_and_kill(f"sqlite:///{tmp_path / 'store.db'}")
    frozen.now = SLOT + timedelta(minutes=30)
    service.unsubscribe(person.id, Source.MANUAL, frozen.now)
    runner, log = _runner(service, frozen, frozen.now + timedelta(seconds=5))
    runner.run()
    events = [e["event"] for e in _events(log)]
    assert events.count("nightly_finished") == 1, events
    runs = {r.id: r for r in service.runs(RunKind.NIGHTLY)}
    assert runs[killed].status == "interrupted"
    assert runs[killed].detail["stopped"] == "interrupted"
    assert runs[killed].finished_at is not None
    assert [r.status for r in runs.values() if r.id != killed] == ["done"]


def test_the_nightly_lock_of_a_killed_process_is_taken_over_at_once(holder_url: str) -> None:
    _hold_and_kill(holder_url)
    store = open_store(holder_url)
    with nightly_lock(store):
        assert [r.status for r in store.runs()] == ["interrupted"]
    store.close()


def test_sync_core_nightly_runs_at_once_after_a_killed_nightly_run(cli: Cli) -> None:
    killed = _hold_and_kill(f"sqlite:///{cli.home / 'sync-core.db'}")
    result = cli("nightly", "--json")
    assert result.code == 0, result.err
    runs = {r["id"]: r for r in cli("runs", "--json").json()}
    assert runs[killed]["status"] == "interrupted"
    assert runs[result.json()["run_id"]]["status"] == "done"
    assert f"#{killed} nightly" in cli("runs").out and "interrupted after" in cli("runs").out


def _write_lock(store: SqlStore, expiry: datetime, owner: str) -> None:
    with store.engine.begin() as conn:
        conn.execute(insert(sync_state).values(key=LOCK_KEY, value=f"{expiry.isoformat()} {owner}"))


def test_a_lock_held_on_another_host_waits_for_its_lease_to_run_out(service: SyncService) -> None:
    now = datetime.now(UTC)
    _write_lock(_store(service), now + timedelta(seconds=60), "elsewhere.example:4242")
    with pytest.raises(NightlyBusy), nightly_lock(service.store, clock=lambda: now):
        pass
    later = now + timedelta(seconds=61)
    with nightly_lock(service.store, clock=lambda: later):
        pass


def test_a_held_lock_renews_its_lease_while_the_run_lives(service: SyncService) -> None:
    store = _store(service)
    ticks = iter(datetime(2026, 3, 3, tzinfo=UTC) + timedelta(seconds=s) for s in range(10**6))
    with nightly_lock(store, clock=lambda: next(ticks), beat_seconds=0.02):
        first = store.get_state(LOCK_KEY)
        deadline = datetime.now(UTC) + timedelta(seconds=5)
        while store.get_state(LOCK_KEY) == first and datetime.now(UTC) < deadline:
            pass
        renewed = store.get_state(LOCK_KEY)
    assert first is not None and renewed is not None and renewed > first
    assert store.get_state(LOCK_KEY) is None


def test_a_killed_push_run_is_closed_as_interrupted_by_the_next_start(
    tmp_path: Path, service: SyncService, frozen: FrozenClock
) -> None:
    other = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    script = "import sys; print(1, flush=True); sys.stdin.readline()"
    with subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as child:
        assert child.stdout is not None
        child.stdout.readline()
        run_id = other.start_run(RunKind.PUSH, frozen.now)
        with other.engine.begin() as conn:  # the run as the child process would record it
            owner = f"{socket.gethostname()}:{child.pid}"
            conn.execute(update(runs).where(runs.c.id == run_id).values(owner=owner))
        assert service.store.close_interrupted(frozen.now) == []  # still alive: left alone
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    assert service.store.close_interrupted(frozen.now) == [run_id]
    assert service.runs(RunKind.PUSH)[0].status == "interrupted"
    other.close()


class TickingClock(FrozenClock):
    """Every reading is a second after the last: a run that reads it twice took time."""

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def test_nightly_and_push_runs_record_how_long_they_took(memory_org: MemoryOrg) -> None:
    clock = TickingClock(SLOT)
    svc = SyncService.open("sqlite:///:memory:", memory_org, clock=clock)
    svc.update_settings(SLOT, nightly_sync=True)
    contact = memory_org.create(SObject.CONTACT)
    person = svc.add_person("a@example.com", contact_id=contact, now=SLOT)
    svc.unsubscribe(person.id, Source.MANUAL, SLOT)
    svc.push_due(SLOT + timedelta(minutes=1))
    svc.run_nightly(SLOT + timedelta(minutes=2))
    for run in svc.runs():
        assert run.status == "done"
        assert run.duration_seconds is not None and run.duration_seconds > 0
        assert run.finished_at is not None and run.finished_at > run.started_at
    svc.close()


@pytest.mark.postgres
def test_on_postgres_a_killed_holders_advisory_lock_is_free_and_its_run_interrupted(
    postgres_url: str,
) -> None:
    url = fresh_database(postgres_url, f"crash_{uuid.uuid4().hex[:12]}")
    killed = _hold_and_kill(url)
    store = open_store(url)
    with nightly_lock(store):
        pass
    assert {r.id: r.status for r in store.runs()} == {killed: "interrupted"}
    assert claim_slot(store, SLOT)
    store.close()
