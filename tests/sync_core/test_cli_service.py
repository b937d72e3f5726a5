"""`sync-core run` as two real processes on one PostgreSQL store, against the fake over HTTP."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sync_core.service import SCHEDULE_CHANGED
from sync_core.store import open_store
from tests.pg_cluster import fresh_database
from tests.sync_core.cli_harness import (  # noqa: F401  (fixtures)
    PASSWORD,
    TOKEN,
    Cli,
    cli_fixture,
    served_fixture,
)

ROOT = Path(__file__).resolve().parents[2]
EVENT_TIMEOUT = 60.0

pytestmark = pytest.mark.postgres


class Service:
    """One `sync-core run` process whose JSON log lines are read as they come."""

    def __init__(self, name: str, config: Path, env: dict[str, str]) -> None:
        self.name = name
        self.lines: list[str] = []
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        command = [sys.executable, "-m", "sync_core.cli", "--config", str(config), "run"]
        self.process = subprocess.Popen(
            [*command, "--log-format", "json"],
            cwd=config.parent,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)
            try:
                self.events.put(json.loads(line))
            except ValueError:
                self.events.put({"event": "not_json", "line": line})

    def wait_for(self, match: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The next event that matches (events before it are kept in `seen`)."""
        deadline = datetime.now(UTC) + timedelta(seconds=EVENT_TIMEOUT)
        while True:
            remaining = (deadline - datetime.now(UTC)).total_seconds()
            try:
                found = self.events.get(timeout=max(0.01, remaining))
            except queue.Empty:
                raise AssertionError(f"{self.name}: no matching event; log: {self.lines}") from None
            if match(found):
                return found

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=EVENT_TIMEOUT)
        self.reader.join(timeout=EVENT_TIMEOUT)
        self.close()
        return code

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.reader.join(timeout=EVENT_TIMEOUT)
        if self.process.stderr is not None:
            self.process.stderr.close()


@pytest.fixture
def pg_cli(cli: Cli, postgres_url: str) -> Cli:
    """A store whose nightly time passed a minute ago, a schedule the admin chose an hour ago
    (a time chosen after it passed would wait for its next occurrence: docs/behaviour.md 5)."""
    url = fresh_database(postgres_url, f"cli_{uuid.uuid4().hex[:8]}")
    a_minute_ago = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%H:%M")
    cli.edit(url=f'"{url}"', timezone='"UTC"', nightly_at=f'"{a_minute_ago}"', catch_up_hours="1")
    assert cli("settings", "show").code == 0  # applies the file's settings to the store
    store = open_store(url)
    store.set_state(SCHEDULE_CHANGED, (datetime.now(UTC) - timedelta(hours=1)).isoformat())
    store.close()
    return cli


@pytest.fixture
def start_services(pg_cli: Cli) -> Iterator[Callable[[], list[Service]]]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SF_PASSWORD": PASSWORD,
        "SF_SECURITY_TOKEN": TOKEN,
    }
    started: list[Service] = []

    def start() -> list[Service]:
        started.extend(Service(name, pg_cli.config, env) for name in ("a", "b"))
        return started

    yield start
    for service in started:
        service.close()


def first_of(services: list[Service], match: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The first matching event any of the services logs (no waiting thread outlives this)."""
    deadline = datetime.now(UTC) + timedelta(seconds=EVENT_TIMEOUT)
    while datetime.now(UTC) < deadline:
        for service in services:
            try:
                found = service.events.get(timeout=0.05)
            except queue.Empty:
                continue
            if match(found):
                return found
    logs = {s.name: s.lines for s in services}
    raise AssertionError(f"no service logged a matching event; logs: {logs}")


def _is(name: str) -> Callable[[dict[str, Any]], bool]:
    return lambda event: event.get("event") == name


def test_two_processes_run_the_missed_nightly_once_push_captures_and_stop_on_sigterm(
    pg_cli: Cli, start_services: Callable[[], list[Service]]
) -> None:
    opted = pg_cli.contact("sf@example.com", HasOptedOutOfEmail=True)
    contact = pg_cli.contact("jane@example.com")
    rows = f"email,contact_id,lead_id\nsf@example.com,{opted},\njane@example.com,{contact},\n"
    assert pg_cli("people", "import", pg_cli.people_csv(rows)).code == 0
    services = start_services()
    for service in services:
        connected = service.wait_for(_is("connected"))
        assert connected["store"] == "postgresql" and connected["salesforce"] == pg_cli.url
        service.wait_for(_is("started"))
    outcomes = [
        service.wait_for(lambda e: str(e.get("event")) in ("nightly_finished", "nightly_skipped"))
        for service in services
    ]
    assert sorted(str(o["event"]) for o in outcomes) == ["nightly_finished", "nightly_skipped"]
    finished = next(o for o in outcomes if o["event"] == "nightly_finished")
    assert finished["unsubscribed"] == 1 and finished["errors"] == 0
    assert len(pg_cli("runs", "--kind", "nightly", "--json").json()) == 1
    assert pg_cli("unsubscribe", "jane@example.com", "--source", "clicked_link").code == 0
    push = first_of(services, _is("push"))
    assert push["delivered"] == 1, push
    assert pg_cli.value("Contact", contact) is True
    for service in services:
        assert service.stop() == 0
        last = [json.loads(line)["event"] for line in service.lines[-2:]]
        assert last == ["stopping", "stopped"], service.lines
    logs = "".join(line for s in services for line in s.lines)
    assert PASSWORD not in logs and TOKEN not in logs


def test_on_postgres_one_nightly_lock_holder_at_a_time_across_connections(
    postgres_url: str,
) -> None:
    from sync_core.claim import NightlyBusy, claim_slot, nightly_lock
    from sync_core.store import open_store

    url = fresh_database(postgres_url, f"lock_{uuid.uuid4().hex[:8]}")
    first, second = open_store(url), open_store(url)
    slot = datetime(2026, 3, 3, 4, 0, tzinfo=UTC)
    try:
        assert claim_slot(first, slot) and not claim_slot(second, slot)
        with nightly_lock(first), pytest.raises(NightlyBusy), nightly_lock(second):
            pass
        with nightly_lock(second):
            pass
    finally:
        first.close()
        second.close()
