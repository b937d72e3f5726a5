"""Several push workers on one outbox: none lost, none twice; a killed worker's items come back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sync_core.model import RecordWrite, SyncField, WriteOutcome
from sync_core.service import SyncService
from sync_core.store import open_store
from tests.pg_cluster import fresh_database

T0 = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


class SharedGateway:
    """One Salesforce seen by several workers; each worker's first call waits for the other."""

    def __init__(self, parties: int, meanwhile: Callable[[], None] | None = None) -> None:
        self.lock = threading.Lock()
        self.barrier = threading.Barrier(parties, action=meanwhile, timeout=30)
        self.delivered: Counter[str] = Counter()
        self.by_worker: Counter[str] = Counter()
        self.calls = 0

    def api_usage(self) -> tuple[int, int] | None:
        return None

    def view(self, worker: str) -> WorkerView:
        return WorkerView(self, worker)


class WorkerView:
    def __init__(self, shared: SharedGateway, worker: str) -> None:
        self.shared = shared
        self.worker = worker
        self.first = True

    @property
    def calls(self) -> int:
        return self.shared.calls

    def api_usage(self) -> tuple[int, int] | None:
        return None

    def update(
        self, writes: Sequence[RecordWrite], names: Mapping[SyncField, str]
    ) -> list[WriteOutcome]:
        if self.first:  # both workers hold a claimed batch at the same moment
            self.first = False
            self.shared.barrier.wait()
        with self.shared.lock:
            self.shared.calls += 1
            self.shared.delivered.update(w.record_id for w in writes)
            self.shared.by_worker[self.worker] += len(writes)
        return [WriteOutcome(w.record_id) for w in writes]


def _seed(url: str, count: int) -> list[str]:
    store = open_store(url)
    records = [f"003{i:012d}AAA" for i in range(count)]
    store.add_people(
        [{"email": f"p{i}@example.com", "contact_id": r} for i, r in enumerate(records)], T0
    )
    for person in store.people():
        store.record_unsubscribe(person.id, "manual", T0, T0)  # type: ignore[arg-type]
    store.close()
    return records


@pytest.mark.postgres
def test_two_workers_share_one_outbox_and_deliver_each_item_exactly_once(
    postgres_url: str,
) -> None:
    url = fresh_database(postgres_url, f"w_{uuid.uuid4().hex[:12]}")
    records = _seed(url, 1000)
    shared = SharedGateway(2)
    services = [
        SyncService.open(url, shared.view(name), worker=name)  # type: ignore[arg-type]
        for name in ("worker-a", "worker-b")
    ]
    errors: list[BaseException] = []

    def drain(service: SyncService) -> None:
        try:
            service.push_due(T0 + timedelta(seconds=1))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=drain, args=(s,)) for s in services]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert set(shared.delivered) == set(records)
    assert max(shared.delivered.values()) == 1
    assert min(shared.by_worker.values()) > 0 and len(shared.by_worker) == 2
    assert services[0].pending_pushes() == 0
    for service in services:
        service.close()


@pytest.mark.postgres
def test_people_resubscribed_while_workers_deliver_get_none_of_their_pushes(
    postgres_url: str,
) -> None:
    """While two workers each hold a claimed batch, an admin resubscribes the last 400 people
    (another process): the claims that follow see it, so none of their pushes is delivered."""
    url = fresh_database(postgres_url, f"r_{uuid.uuid4().hex[:12]}")
    records = _seed(url, 1000)
    admin = open_store(url)
    people = admin.people()

    def resubscribe_the_last_400() -> None:
        for person in people[600:]:
            admin.record_resubscribe(person.id, "admin@corp.example", "asked", T0)

    shared = SharedGateway(2, resubscribe_the_last_400)
    services = [
        SyncService.open(url, shared.view(name), worker=name)  # type: ignore[arg-type]
        for name in ("worker-a", "worker-b")
    ]
    threads = [
        threading.Thread(target=s.push_due, args=(T0 + timedelta(seconds=1),)) for s in services
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert set(shared.delivered) == set(records[:600])
    assert max(shared.delivered.values()) == 1
    assert services[0].pending_pushes() == 0
    for service in services:
        service.close()
    admin.close()


def _worker(url: str, log: Path, name: str, at: datetime, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.sync_core.crash_worker",
            url,
            str(log),
            name,
            at.isoformat(),
            mode,
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.fixture(params=["sqlite-file", pytest.param("postgres", marks=pytest.mark.postgres)])
def crash_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        cluster: str = request.getfixturevalue("postgres_url")
        return fresh_database(cluster, f"c_{uuid.uuid4().hex[:12]}")
    return f"sqlite:///{tmp_path / 'crash.db'}"


def test_a_worker_killed_mid_batch_loses_no_unsubscribe(crash_url: str, tmp_path: Path) -> None:
    records = _seed(crash_url, 450)
    log = tmp_path / "delivered.log"
    with _worker(crash_url, log, "doomed", T0 + timedelta(seconds=1), "hang") as doomed:
        assert doomed.stdout is not None
        line = doomed.stdout.readline()
        assert line.startswith("in-batch"), line
        doomed.send_signal(signal.SIGKILL)
        assert doomed.wait(timeout=30) == -signal.SIGKILL
    half_done = log.read_text().split()
    assert 0 < len(half_done) < len(records)
    after_lease = T0 + timedelta(seconds=1) + timedelta(minutes=5, seconds=1)
    with _worker(crash_url, log, "survivor", after_lease, "run") as survivor:
        out, _ = survivor.communicate(timeout=120)
    assert survivor.returncode == 0, out
    assert set(log.read_text().split()) == set(records)
    store = open_store(crash_url)
    assert store.pending_count() == 0
    store.close()
