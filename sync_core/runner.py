"""The long-running service: the push worker, parked-push retries and the nightly schedule
in one loop, the same object under `sync-core run` and under the simulator's clock.

Several processes may share one PostgreSQL store: outbox claims are leased per worker, and
each nightly slot is run by exactly one process, under the nightly lock, and a slot whose run
was killed is run again by the next process to start (sync_core.claim). A stop request lets
the current step finish, so nothing is left claimed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError

from sync_core.claim import NightlyBusy
from sync_core.errors import SyncError
from sync_core.logging_setup import event
from sync_core.model import NightlyReport, PushReport
from sync_core.ports import Clock, SyncState
from sync_core.schedule import catch_up_since
from sync_core.service import SyncService

T = TypeVar("T")
MAX_IDLE_SECONDS = 1.0  # captures made by other processes are noticed within a second
MIN_PAUSE_SECONDS = 0.05
SEEN_KEY = "service.seen"  # when a running service last went round its loop
SEEN_EVERY = timedelta(seconds=30)


def service_running(store: SyncState, now: datetime) -> bool:
    """True if a `sync-core run` loop sharing this store went round within two heartbeats."""
    seen = store.get_state(SEEN_KEY)
    if not seen:
        return False
    return now - datetime.fromisoformat(seen) <= 2 * SEEN_EVERY


def _direct(kind: str, action: Callable[[], T]) -> T:
    return action()


@dataclass
class Runner:
    """The loop `sync-core run` deploys and the simulator drives under its clock: `start`,
    then `tick` whenever `next_wake` comes (and at least every `idle_seconds`)."""

    service: SyncService
    logger: logging.Logger
    clock: Clock
    catch_up: timedelta = timedelta(hours=2)
    stopping: threading.Event = field(default_factory=threading.Event)
    wait: Callable[[float], bool] | None = None
    idle_seconds: float = MAX_IDLE_SECONDS
    around: Callable[[str, Callable[[], Any]], Any] = _direct  # how each run is watched
    _since: datetime | None = None  # the last instant the loop looked at the schedule
    _waiting: datetime | None = None  # the slot another process's run is holding up
    _announced: object = None
    _seen: datetime | None = None

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        """Loop until stop(): push what falls due, run each nightly slot this process claims."""
        self.start()
        while not self.stopping.is_set():
            self.tick()
            self._pause()
        self._guard("push", partial(self.service.store.set_state, SEEN_KEY, None))
        event(self.logger, "stopped", worker=self.service.worker)

    def start(self) -> None:
        """Begin looking at the schedule from the catch-up window: a slot missed while the
        service was down runs now, unless the schedule changed after it (docs/behaviour.md 5)."""
        started = self.clock()
        event(self.logger, "started", worker=self.service.worker, catch_up=str(self.catch_up))
        closed = self._guard("start", partial(self.service.store.close_interrupted, started))
        if closed:
            event(self.logger, "runs_interrupted", logging.WARNING, runs=closed)
        changed = self._guard("nightly", self.service.schedule_changed)
        self._since = catch_up_since(started, self.catch_up, changed)

    def tick(self) -> None:
        """One pass: the nightly slot if it has come, then every push that is due (parked
        pushes on their slow retry included)."""
        now = self.clock()
        since = self._since if self._since is not None else now
        upcoming = self._guard("nightly", partial(self.service.next_nightly, since))
        self._guard("nightly", partial(self._announce, upcoming, now))
        slot = upcoming if upcoming is not None and upcoming <= now else None
        self._since = now
        if slot is not None:
            self._guard("nightly", partial(self.around, "nightly", partial(self._nightly, slot)))
        if self._push_due(self.clock()):
            self._guard("push", partial(self.around, "push", partial(self._push, self.clock())))

    def next_wake(self) -> datetime | None:
        """The earliest instant something falls due: a push, a slow retry or the next slot."""
        since = self._since if self._since is not None else self.clock()
        slot = self._guard("nightly", partial(self.service.next_nightly, since))
        if slot is not None and slot == self._waiting:
            slot = None  # another process is running it: look again at the next idle tick
        due = self._guard("push", self.service.next_push_due)
        wake = [t for t in (due, slot) if t is not None]
        return min(wake) if wake else None

    def _announce(self, slot: datetime | None, now: datetime) -> None:
        """Say when the next nightly run is due whenever that changes; keep the heartbeat."""
        if slot != self._announced:
            self._announced = slot
            if slot is None:
                event(self.logger, "next_nightly", due="never (the nightly sync is off)")
            else:
                zone = ZoneInfo(self.service.settings().timezone)
                local = slot.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z")
                event(self.logger, "next_nightly", due=local, utc=slot)
        if self._seen is None or now - self._seen >= SEEN_EVERY:
            self._seen = now
            self.service.store.set_state(SEEN_KEY, now.isoformat())

    def _push_due(self, now: datetime) -> bool:
        due = self._guard("push", self.service.next_push_due)
        return due is not None and due <= now

    def _pause(self) -> None:
        wake = self.next_wake()
        pause = self.idle_seconds
        if wake is not None:
            pause = min(pause, (wake - self.clock()).total_seconds())
        pause = max(MIN_PAUSE_SECONDS, pause)
        if self.wait is not None:
            self.wait(pause)
        else:
            self.stopping.wait(pause)

    def _guard(self, step: str, action: Callable[[], T]) -> T | None:
        """A Salesforce or store failure is logged and the loop goes on; nothing is lost."""
        try:
            return action()
        except SyncError as exc:
            event(self.logger, f"{step}_failed", logging.ERROR, code=exc.code, message=exc.message)
        except SQLAlchemyError as exc:
            first = str(getattr(exc, "orig", None) or exc).splitlines()[0:1]
            event(self.logger, "store_failed", logging.ERROR, step=step, message=" ".join(first))
        return None

    def _push(self, now: datetime) -> PushReport:
        report = self.service.push_due(now)
        if report.delivered or report.retrying or report.parked:
            log_push(self.logger, report)
        return report

    def _nightly(self, slot: datetime) -> NightlyReport | None:
        """Run the slot unless it is done (None then, or while another process holds the
        lock: the slot stays due and is looked at again)."""
        store = self.service.store
        try:
            with store.nightly_lock(clock=self.clock):
                if store.slot_done(slot):
                    event(self.logger, "nightly_skipped", slot=slot, reason="already run")
                    return None
                event(self.logger, "nightly_started", slot=slot)
                report = self.service.run_nightly(self.clock())
                store.claim_slot(slot)
        except NightlyBusy as exc:
            if self._waiting != slot:
                event(self.logger, "nightly_skipped", slot=slot, reason=str(exc))
                self._waiting = slot
            self._since = slot - timedelta(microseconds=1)
            return None
        level = logging.INFO if report.ok else logging.WARNING
        event(
            self.logger,
            "nightly_finished",
            level,
            run=report.run_id,
            mode=str(report.mode) if report.mode else None,
            read=report.reads,
            written=report.writes_done,
            unsubscribed=report.unsubscribed,
            skipped=len(report.plan.skips),
            errors=len(report.errors),
            calls=report.calls,
            stopped=report.stopped,
        )
        for problem in report.plan.problems:
            event(self.logger, "nightly_problem", logging.ERROR, message=problem.message)
        return report


def log_push(logger: logging.Logger, report: PushReport) -> None:
    level = logging.INFO if not report.parked else logging.WARNING
    event(
        logger,
        "push",
        level,
        delivered=report.delivered,
        retrying=report.retrying,
        parked=report.parked,
        calls=report.calls,
    )
    for error in report.errors:
        event(
            logger,
            "push_error",
            logging.WARNING,
            person=error.person_id,
            record=error.record_id,
            code=error.code,
            message=error.message,
        )
