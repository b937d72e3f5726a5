"""The long-running service: the push worker and the nightly schedule in one loop.

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

from sync_core.claim import NightlyBusy, claim_slot, nightly_lock, slot_done
from sync_core.errors import SyncError
from sync_core.logging_setup import event
from sync_core.model import PushReport
from sync_core.ports import Clock
from sync_core.service import SyncService

T = TypeVar("T")
MAX_IDLE_SECONDS = 1.0  # captures made by other processes are noticed within a second
MIN_PAUSE_SECONDS = 0.05
SEEN_KEY = "service.seen"  # when a running service last went round its loop
SEEN_EVERY = timedelta(seconds=30)


def service_running(store: Any, now: datetime) -> bool:
    """True if a `sync-core run` loop sharing this store went round within two heartbeats."""
    seen = store.get_state(SEEN_KEY)
    return bool(seen) and now - datetime.fromisoformat(seen) <= 2 * SEEN_EVERY


@dataclass
class Runner:
    service: SyncService
    logger: logging.Logger
    clock: Clock
    catch_up: timedelta = timedelta(hours=2)
    stopping: threading.Event = field(default_factory=threading.Event)
    wait: Callable[[float], bool] | None = None
    idle_seconds: float = MAX_IDLE_SECONDS
    _waiting: datetime | None = None  # the slot another process's run is holding up
    _announced: object = None
    _seen: datetime | None = None

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        """Loop until stop(): push what falls due, run each nightly slot not yet done."""
        started = self.clock()
        event(self.logger, "started", worker=self.service.worker, catch_up=str(self.catch_up))
        closed = self._guard("start", partial(self.service.store.close_interrupted, started))
        if closed:
            event(self.logger, "runs_interrupted", logging.WARNING, runs=closed)
        considered = started - self.catch_up
        while not self.stopping.is_set():
            now = self.clock()
            slot = self._guard("nightly", partial(self.service.next_nightly, considered))
            self._guard("nightly", partial(self._announce, slot, now))
            if slot is not None and slot <= now:
                settled = self._guard("nightly", partial(self._nightly, slot, now))
                if settled is False:  # another process holds the lock: look again later
                    slot = None
                else:
                    considered = now
            self._guard("push", partial(self._push, now))
            self._pause(slot)
        self._guard("push", partial(self.service.store.set_state, SEEN_KEY, None))
        event(self.logger, "stopped", worker=self.service.worker)

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

    def _pause(self, slot: datetime | None) -> None:
        due = self._guard("push", self.service.next_push_due)
        wake = [t for t in (due, slot) if t is not None]
        pause = self.idle_seconds
        if wake:
            pause = min(pause, (min(wake) - self.clock()).total_seconds())
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

    def _push(self, now: datetime) -> None:
        report = self.service.push_due(now)
        if report.delivered or report.retrying or report.parked:
            log_push(self.logger, report)

    def _nightly(self, slot: datetime, now: datetime) -> bool:
        """Run the slot unless it is done; False while another process holds the lock."""
        store = self.service.store
        try:
            with nightly_lock(store, clock=self.clock):
                if slot_done(store, slot):
                    event(self.logger, "nightly_skipped", slot=slot, reason="already run")
                    return True
                event(self.logger, "nightly_started", slot=slot)
                report = self.service.run_nightly(now)
                claim_slot(store, slot)
        except NightlyBusy as exc:
            if self._waiting != slot:
                event(self.logger, "nightly_skipped", slot=slot, reason=str(exc))
                self._waiting = slot
            return False
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
        return True


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
