"""`sync-core run` killed with SIGKILL mid-push and mid-nightly loses nothing: every captured
unsubscribe reaches Salesforce, nobody's history says it twice, both sides hold the union.

The quick test kills at fixed moments (a nightly run in progress, a push delivered). The slow
ones (`make test-slow`) kill 30 times or more on SQLite and on PostgreSQL, at random moments and
inside each nightly slot's run, and kill one of three workers sharing a PostgreSQL store; each
prints its figures.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.server import FakeServer
from sync_core.model import RunKind
from tests.pg_cluster import fresh_database
from tests.sync_core.crash_campaign import Campaign, Process, campaign_org, random_kills


@pytest.fixture
def served() -> Iterator[tuple[FakeSalesforce, str]]:
    fake = campaign_org()
    with FakeServer(fake.app, port=0) as server:
        yield fake, server.url


def _campaign(served: tuple[FakeSalesforce, str], home: Path, store_url: str) -> Campaign:
    fake, url = served
    return Campaign(fake, url, home, store_url, random.Random(16))


def _slow_every_request(fake: FakeSalesforce, ms: int) -> None:
    fake.org.faults.add({"kind": "latency", "ms": ms, "sleep": True}, fake.org.clock.now())


def test_a_service_killed_mid_nightly_and_after_a_push_loses_nothing(
    served: tuple[FakeSalesforce, str], tmp_path: Path
) -> None:
    campaign = _campaign(served, tmp_path, f"sqlite:///{tmp_path / 'store.db'}")
    campaign.set_up(people=300, opted_out_in_salesforce=20)
    _slow_every_request(served[0], 300)  # each call takes a while: the kills land mid-run
    campaign.capture(40)
    campaign.opt_out_in_salesforce(10)
    first = campaign.start()
    assert first.wait_for("nightly_started", 60), first.seen
    assert campaign.wait_running(RunKind.NIGHTLY)
    campaign.kill(first)
    second = campaign.start()  # takes the dead run's lock over and runs the night again
    assert second.wait_for("nightly_finished", 60), second.seen
    campaign.capture(40)
    assert second.wait_for("push", 60), second.seen
    campaign.kill(second)
    served[0].org.faults.clear()
    campaign.settle()
    assert campaign.verify() == []
    figures = campaign.figures
    assert figures.kills == 2 and figures.interrupted_nightly >= 1
    assert figures.nightly_done >= 1


def _random_campaign(
    served: tuple[FakeSalesforce, str], home: Path, store_url: str, label: str
) -> None:
    started = time.monotonic()
    campaign = _campaign(served, home, store_url)
    campaign.set_up(people=3000, opted_out_in_salesforce=150)
    _slow_every_request(served[0], 40)
    random_kills(campaign, kills=32, budget=420.0, say=print)
    served[0].org.faults.clear()
    campaign.settle()
    problems = campaign.verify()
    campaign.figures.seconds = round(time.monotonic() - started, 1)
    print("\n" + campaign.figures.line(label))
    assert problems == []
    assert campaign.figures.kills >= 30
    assert campaign.figures.kills_mid_nightly >= 1 and campaign.figures.kills_after_a_push >= 1


@pytest.mark.slow
def test_thirty_random_kills_on_sqlite_lose_nothing(
    served: tuple[FakeSalesforce, str], tmp_path: Path
) -> None:
    _random_campaign(served, tmp_path, f"sqlite:///{tmp_path / 'store.db'}", "crash sqlite")


@pytest.mark.slow
@pytest.mark.postgres
def test_thirty_random_kills_on_postgres_lose_nothing(
    served: tuple[FakeSalesforce, str], tmp_path: Path, postgres_url: str
) -> None:
    url = fresh_database(postgres_url, f"crash_{uuid.uuid4().hex[:8]}")
    _random_campaign(served, tmp_path, url, "crash postgres")


def _first_to_start_the_nightly(workers: list[Process], timeout: float = 60.0) -> Process:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for worker in workers:
            if worker.saw("nightly_started"):
                return worker
        time.sleep(0.02)
    raise AssertionError("no worker started the nightly run")


@pytest.mark.slow
@pytest.mark.postgres
def test_three_workers_on_postgres_one_killed_in_the_nightly_run_lose_nothing(
    served: tuple[FakeSalesforce, str], tmp_path: Path, postgres_url: str
) -> None:
    started = time.monotonic()
    url = fresh_database(postgres_url, f"workers_{uuid.uuid4().hex[:8]}")
    campaign = _campaign(served, tmp_path, url)
    campaign.set_up(people=3000, opted_out_in_salesforce=150)
    campaign.capture(300)
    _slow_every_request(served[0], 20)
    workers = [campaign.start() for _ in range(3)]
    victim = _first_to_start_the_nightly(workers)
    assert campaign.wait_running(RunKind.NIGHTLY)
    campaign.kill(victim)
    for _ in range(10):  # captures keep coming while the others take over
        campaign.capture(200)
        time.sleep(0.5)
    served[0].org.faults.clear()
    campaign.settle()
    survivors = [w for w in workers if w is not victim]
    for worker in survivors:
        assert worker.stop() == 0
    problems = campaign.verify()
    campaign.figures.seconds = round(time.monotonic() - started, 1)
    print("\n" + campaign.figures.line("workers postgres"))
    print(
        f"nightly runs finished by the survivors: {[w.saw('nightly_finished') for w in survivors]}"
    )
    assert problems == []
    assert campaign.figures.kills_mid_nightly == 1 and campaign.figures.interrupted_nightly == 1
    # The slot ran to the end once, in a survivor; the other finished run is settle's own.
    assert sum(w.saw("nightly_finished") for w in survivors) == 1
    assert campaign.figures.nightly_done == 2
