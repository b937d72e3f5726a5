"""Real `sync-core run` processes against the fake over HTTP, killed with SIGKILL at chosen or
random moments, and the checks that nothing was lost.

A `Campaign` owns a store (SQLite file or PostgreSQL), a config pointing at a served fake, and
a set of people linked to Contacts. Unsubscribes are captured in-process on the same store,
Salesforce-side opt-outs are made directly in the fake org; `verify` then checks docs/behaviour.md's
promises: every captured unsubscribe reached Salesforce, nobody's history says it twice, and
both sides hold the union of what either said.
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from fake_salesforce.fixture import FakeSalesforce
from sync_core.claim import slot_done
from sync_core.config import TEMPLATE
from sync_core.model import Kind, RunKind, Source
from sync_core.schedule import next_nightly
from sync_core.service import SyncService
from sync_core.store import SqlStore, open_store
from sync_core.tables import history

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Campaign-pw-31"
TOKEN = "CampaignTok77"
USERNAME = "crash@corp.example"
FIELD = "HasOptedOutOfEmail"
AIMED_SHARE = 0.1  # of the rounds, while a slot's nightly run is open, kill inside it
NIGHTLY_KILL_WITHIN = 0.2  # seconds after the nightly run shows as running


def campaign_org() -> FakeSalesforce:
    return FakeSalesforce(
        username=USERNAME,
        password=PASSWORD,
        security_token=TOKEN,
        api_limit=10_000_000,
        instance_url=None,
    )


class Process:
    """One `sync-core` process whose JSON log lines are collected as they come."""

    def __init__(self, home: Path, env: dict[str, str], *args: str) -> None:
        command = [sys.executable, "-m", "sync_core.cli", "--config", str(home / "sync-core.toml")]
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        self.process = subprocess.Popen(
            [*command, *args],
            cwd=home,
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
            try:
                entry = json.loads(line)
            except ValueError:
                entry = {"event": "not_json", "line": line}
            self.seen.append(entry)
            self.events.put(entry)

    def wait_for(self, event: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                if self.events.get(timeout=left).get("event") == event:
                    return True
            except queue.Empty:
                break
        return False

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is flushed or released."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.finish()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.finish()

    def finish(self) -> int:
        code = self.process.wait(timeout=120)
        self.reader.join(timeout=30)
        if self.process.stderr is not None:
            self.process.stderr.close()
        return code

    def saw(self, event: str) -> int:
        return sum(1 for e in self.seen if e.get("event") == event)


@dataclass
class Figures:
    kills: int = 0
    kills_mid_nightly: int = 0
    kills_after_a_push: int = 0
    captured: int = 0
    salesforce_only: int = 0
    interrupted_nightly: int = 0
    interrupted_push: int = 0
    nightly_done: int = 0
    push_runs: int = 0
    seconds: float = 0.0

    def line(self, label: str) -> str:
        return f"{label}: " + ", ".join(f"{k} {v}" for k, v in self.__dict__.items())


@dataclass
class Campaign:
    fake: FakeSalesforce
    url: str  # the fake's
    home: Path
    store_url: str
    rng: random.Random
    figures: Figures = field(default_factory=Figures)
    record_of: dict[int, str] = field(default_factory=dict)  # person id -> Contact Id
    captured: set[int] = field(default_factory=set)
    salesforce_side: set[str] = field(default_factory=set)
    slot_minute: str = ""
    fresh_slot: bool = False  # a slot made due since the last round aimed at a nightly run

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "SF_PASSWORD": PASSWORD,
            "SF_SECURITY_TOKEN": TOKEN,
            "SYNC_CORE_STORE_URL": self.store_url,
        }

    def set_up(self, people: int, opted_out_in_salesforce: int) -> None:
        self.schedule_now()
        rows = []
        with self.fake.org.lock:
            for i in range(people):
                opted = i < opted_out_in_salesforce
                rid = self.fake.org.create("Contact", {"LastName": f"C{i}", FIELD: opted})
                rows.append({"email": f"p{i}@example.com", "contact_id": rid})
                if opted:
                    self.salesforce_side.add(rid)
        store = open_store(self.store_url)
        store.add_people(rows, datetime.now(UTC))
        self.record_of = {p.id: str(p.contact_id) for p in store.people()}
        store.close()

    def schedule_now(self) -> None:
        """Make this minute the nightly slot (a new slot when the minute has moved on)."""
        minute = datetime.now(UTC).strftime("%H:%M")
        if minute == self.slot_minute:
            return
        self.slot_minute = minute
        self.fresh_slot = True
        text = TEMPLATE.replace(
            'login_url = "https://login.salesforce.com"', f'login_url = "{self.url}"'
        )
        text = text.replace('username = ""', f'username = "{USERNAME}"')
        text = text.replace("nightly_sync = false", "nightly_sync = true")
        text = text.replace('nightly_at = "20:00"', f'nightly_at = "{minute}"')
        text = text.replace('timezone = "America/Los_Angeles"', 'timezone = "UTC"')
        text = text.replace('log_format = "text"', 'log_format = "json"')
        # A killed worker's claimed pushes come back after this lease.
        text = text.replace("api_headroom = 0.10", "api_headroom = 0.10\nlease_seconds = 3")
        (self.home / "sync-core.toml").write_text(text)
        # The admin chose this schedule before the slot: a time chosen after it has passed
        # waits for its next occurrence (docs/behaviour.md 5), so the store learns it back-dated.
        service = SyncService.open(self.store_url)
        chosen = datetime.now(UTC) - timedelta(hours=1)
        service.update_settings(
            chosen, nightly_sync=True, nightly_at=minute, timezone="UTC", lease_seconds=3
        )
        service.close()

    def capture(self, count: int) -> None:
        """Unsubscribes captured by Marketo Sales, on the store the services share."""
        waiting = sorted(set(self.record_of) - self.captured)
        chosen = self.rng.sample(waiting, min(count, len(waiting)))
        service = SyncService.open(self.store_url)
        now = datetime.now(UTC)
        for person_id in chosen:
            service.unsubscribe(person_id, Source.MANUAL, now)
        service.close()
        self.captured.update(chosen)
        self.figures.captured = len(self.captured)

    def opt_out_in_salesforce(self, count: int) -> None:
        """Opt-outs made in Salesforce directly, for the nightly run to bring back."""
        candidates = sorted(set(self.record_of.values()) - self.salesforce_side)
        chosen = self.rng.sample(candidates, min(count, len(candidates)))
        with self.fake.org.lock:
            for rid in chosen:
                self.fake.org.update("Contact", rid, {FIELD: True})
        self.salesforce_side.update(chosen)
        self.figures.salesforce_only = len(self.salesforce_side)

    def start(self) -> Process:
        return Process(self.home, self.env, "run", "--log-format", "json")

    def kill(self, process: Process) -> None:
        process.kill()
        self.figures.kills += 1
        if process.saw("nightly_started") > process.saw("nightly_finished"):
            self.figures.kills_mid_nightly += 1
        if process.saw("push"):
            self.figures.kills_after_a_push += 1

    def settle(self, timeout: float = 120.0) -> None:
        """One clean service until every push is delivered, then one manual nightly run."""
        process = self.start()
        assert process.wait_for("started", 60), process.seen
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline and not self._drained():
                time.sleep(0.5)
        finally:
            assert process.stop() == 0, process.seen[-5:]
        final = Process(self.home, self.env, "nightly", "--json")
        assert final.finish() == 0, final.seen[-5:]

    def nightly_open(self) -> bool:
        """Whether the current slot's nightly run is still to finish (killed ones leave it open)."""
        slot = next_nightly(datetime.now(UTC) - timedelta(days=1), self.slot_minute, "UTC")
        store = open_store(self.store_url)
        try:
            return not slot_done(store, slot)
        finally:
            store.close()

    def last_run(self, kind: RunKind) -> int:
        """The id of the latest run of `kind` in the store (0 when none)."""
        store = open_store(self.store_url)
        try:
            return max((r.id for r in store.runs(kind)), default=0)
        finally:
            store.close()

    def wait_running(self, kind: RunKind, timeout: float = 60.0, after: int = 0) -> bool:
        """Until the store records a run of `kind` in progress (the moment to kill it), one
        newer than run `after` (a killed run stays "running" until a process closes it)."""
        store = open_store(self.store_url)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if any(r.status == "running" and r.id > after for r in store.runs(kind)):
                    return True
                time.sleep(0.02)
            return False
        finally:
            store.close()

    def _drained(self) -> bool:
        service = SyncService.open(self.store_url)
        try:
            return service.pending_pushes() == 0
        finally:
            service.close()

    def verify(self) -> list[str]:
        """The problems found against docs/behaviour.md after the campaign (none, ideally)."""
        problems: list[str] = []
        store = open_store(self.store_url)
        with self.fake.org.lock:
            opted = {
                rid
                for rid in self.record_of.values()
                if (self.fake.org.get("Contact", rid) or {}).get(FIELD)
            }
        lost = [p for p in self.captured if self.record_of[p] not in opted]
        if lost:
            problems.append(f"{len(lost)} captured unsubscribes never reached Salesforce")
        problems += _duplicate_history(store)
        unsubscribed = {self.record_of[p.id] for p in store.people() if p.unsubscribed}
        union = {self.record_of[p] for p in self.captured} | self.salesforce_side
        if unsubscribed != union:
            problems.append(f"Marketo Sales differs from the union by {len(unsubscribed ^ union)}")
        if opted != union:
            problems.append(f"Salesforce differs from the union by {len(opted ^ union)}")
        self._count_runs(store, problems)
        store.close()
        return problems

    def _count_runs(self, store: SqlStore, problems: list[str]) -> None:
        runs = store.runs()
        if any(r.status == "running" for r in runs):
            problems.append("a run is still recorded as in progress")
        interrupted = [r for r in runs if r.status == "interrupted"]
        self.figures.interrupted_nightly = sum(1 for r in interrupted if r.kind is RunKind.NIGHTLY)
        self.figures.interrupted_push = sum(1 for r in interrupted if r.kind is RunKind.PUSH)
        self.figures.nightly_done = sum(
            1 for r in runs if r.kind is RunKind.NIGHTLY and r.status == "done"
        )
        self.figures.push_runs = sum(1 for r in runs if r.kind is RunKind.PUSH)
        if any(r.status == "done" and r.duration_seconds is None for r in runs):
            problems.append("a finished run has no duration")


def _duplicate_history(store: SqlStore) -> list[str]:
    """Nobody is unsubscribed twice: the campaign never resubscribes anyone."""
    query = (
        select(history.c.person_id, func.count())
        .where(history.c.kind == str(Kind.UNSUBSCRIBE))
        .group_by(history.c.person_id)
        .having(func.count() > 1)
    )
    with store.engine.connect() as conn:
        twice = conn.execute(query).all()
    return [f"{len(twice)} people have their unsubscribe recorded twice"] if twice else []


def random_kills(campaign: Campaign, kills: int, budget: float, say: Callable[[str], None]) -> None:
    """`kills` rounds within `budget` seconds: capture, opt out in Salesforce, start `sync-core
    run`, SIGKILL it. Every slot's first round, and a share of the rounds while the slot's
    nightly run is still to finish, kill inside that nightly run; the others kill at a random
    moment (start-up, a push batch, a nightly run taken over), whatever the machine's load."""
    started = time.monotonic()
    for round_number in range(kills):
        if time.monotonic() - started > budget:
            say(f"time budget reached after {round_number} kills")
            break
        campaign.capture(campaign.rng.randint(10, 120))
        campaign.opt_out_in_salesforce(campaign.rng.randint(0, 15))
        campaign.schedule_now()
        aimed = campaign.rng.random() < AIMED_SHARE and campaign.nightly_open()
        if campaign.fresh_slot or aimed:
            campaign.fresh_slot = False
            kill_mid_nightly(campaign)
        else:
            process = campaign.start()
            time.sleep(campaign.rng.uniform(0.3, 4.0))
            campaign.kill(process)


def kill_mid_nightly(campaign: Campaign) -> None:
    """Start `sync-core run`, wait until the store shows its nightly run in progress, SIGKILL
    it at a random moment inside the run."""
    before = campaign.last_run(RunKind.NIGHTLY)
    process = campaign.start()
    if campaign.wait_running(RunKind.NIGHTLY, after=before):
        time.sleep(campaign.rng.uniform(0.0, NIGHTLY_KILL_WITHIN))
    campaign.kill(process)
