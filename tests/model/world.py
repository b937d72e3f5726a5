"""The world a model run plays in: a fake org, the engine's store, one simulated clock, and the
service loop `sync-core run` deploys (sync_core.runner.Runner) stepped on that clock.

The loop runs on its own thread but never at the same time as the test: each wait it makes
hands control back, and the test resumes it when the clock reaches the instant it asked for.
Salesforce users act on the org directly (their edits are not the engine's API calls);
admin acts, faults and usage go through the fake's control API.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fake_salesforce.clock import OrgClock
from fake_salesforce.control_client import ControlClient
from fake_salesforce.fixture import DEFAULT_INSTANCE, FakeSalesforce
from sync_core.model import NightlyReport, PushReport
from sync_core.runner import Runner
from sync_core.salesforce import SalesforceAdapter
from sync_core.service import SyncService
from sync_core.store import open_store

PACKAGE = "marketo_sales_insight"
NOTICE = timedelta(seconds=1)  # the deployed loop looks at the outbox at least every second
FAR = 10 * 86400.0  # idle as long as nothing is due: the test wakes the loop when it acts
QUIET = "tests.model.service"  # the loop's log: the oracle reads the systems themselves


@dataclass
class Span:
    """One engine activity and the journal entries it made (seq in (low, high])."""

    kind: str
    at: datetime
    low: int
    high: int
    before: Any = None
    report: NightlyReport | PushReport | None = None


class StillClock(OrgClock):
    """The org's clock standing still between moves, so a run replays exactly."""

    @staticmethod
    def _base() -> datetime:
        return datetime(2000, 1, 1, tzinfo=UTC)


class ObservedService(SyncService):
    """The real service; each push and nightly run is bracketed for the oracle to see."""

    def __init__(self, world: World, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.world = world

    def push_due(self, now: datetime) -> PushReport:
        report: PushReport = self.world.observe(
            "push", now, lambda: super(ObservedService, self).push_due(now)
        )
        return report

    def run_nightly(self, now: datetime, **kwargs: Any) -> NightlyReport:
        def run() -> NightlyReport:
            return super(ObservedService, self).run_nightly(now, **kwargs)

        report: NightlyReport = self.world.observe("nightly", now, run)
        return report


class ServiceLoop:
    """`sync-core run`'s loop on a thread, advanced only when the test moves the clock."""

    def __init__(self, world: World) -> None:
        self.world = world
        logger = logging.getLogger(QUIET)
        logger.disabled = True
        self.runner = Runner(
            world.service,
            logger,
            world.clock,
            wait=self._wait,
            idle_seconds=FAR,
        )
        self.wake_at: datetime | None = None
        self.error: BaseException | None = None
        self._to_loop = threading.Semaphore(0)
        self._to_test = threading.Semaphore(0)
        self._thread = threading.Thread(target=self._main, name="service-loop", daemon=True)
        self._thread.start()
        self._handback()

    def _main(self) -> None:
        try:
            self.runner.run()
        except BaseException as exc:  # an oracle failure inside a run surfaces in the test
            self.error = exc
        finally:
            self.wake_at = None
            self._to_test.release()

    def _wait(self, seconds: float) -> bool:
        self.wake_at = self.world.now + timedelta(seconds=seconds)
        self._to_test.release()
        self._to_loop.acquire()
        return self.runner.stopping.is_set()

    def _handback(self) -> None:
        self._to_test.acquire()
        if self.error is not None:
            raise self.error

    def run_until(self, target: datetime) -> None:
        """Let the loop do everything it has due up to `target`, each at its own instant."""
        while self.wake_at is not None and self.wake_at <= target:
            self.world.move(self.wake_at)
            self._to_loop.release()
            self._handback()
        self.world.move(target)

    def notice(self) -> None:
        """Something changed in the store: the loop sees it within a second."""
        if self.wake_at is not None:
            self.wake_at = min(self.wake_at, self.world.now + NOTICE)

    def stop(self) -> None:
        self.runner.stop()
        if self.wake_at is not None:
            self._to_loop.release()
            self._handback()
        self._thread.join(timeout=30)


@dataclass
class World:
    """Both systems, the clock, and every engine activity seen so far."""

    start: datetime
    fake: FakeSalesforce = field(init=False)
    control: ControlClient = field(init=False)
    service: ObservedService = field(init=False)
    loop: ServiceLoop | None = field(init=False, default=None)
    spans: list[Span] = field(default_factory=list)
    hooks: list[Callable[[Span], None]] = field(default_factory=list)
    befores: list[Callable[[str], Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.now = self.start
        self.fake = FakeSalesforce(packages=(PACKAGE,))
        self.fake.org.clock = StillClock()
        self.fake.org.clock.restore(self.start)
        self.control = ControlClient(DEFAULT_INSTANCE, session=self.fake.session())
        gateway = SalesforceAdapter.with_password(
            self.fake.username, self.fake.password, self.fake.security_token,
            session=self.fake.session(), sleep=self.sleep,
        )  # fmt: skip
        self.service = ObservedService(
            self, open_store("sqlite:///:memory:"), gateway,
            sleep=self.sleep, clock=self.clock, rng=random.Random(0),
        )  # fmt: skip

    @property
    def org(self) -> Any:
        return self.fake.org

    def clock(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.move(self.now + timedelta(seconds=seconds))

    def move(self, when: datetime) -> None:
        if when > self.now:
            self.now = when
            self.org.clock.set(when)

    def journal_mark(self) -> int:
        return int(self.org.journal.last_seq())

    def observe(self, kind: str, now: datetime, action: Callable[[], Any]) -> Any:
        before = [hook(kind) for hook in self.befores]
        low = self.journal_mark()
        report = action()
        span = Span(kind, now, low, self.journal_mark(), before[0] if before else None, report)
        self.spans.append(span)
        for hook in self.hooks:
            hook(span)
        return report

    # the service -------------------------------------------------------------------------

    def start_service(self) -> None:
        self.loop = ServiceLoop(self)

    def stop_service(self) -> None:
        if self.loop is not None:
            self.loop.stop()
            self.loop = None

    def advance(self, target: datetime) -> None:
        if self.loop is None:
            self.move(target)
        else:
            self.loop.run_until(target)

    def notice(self) -> None:
        if self.loop is not None:
            self.loop.notice()

    def close(self) -> None:
        self.stop_service()
        self.service.close()
