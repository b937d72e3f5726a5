"""A scenario run: a fresh org and store, a discrete-event loop over a simulated clock, results.

The loop drives sync_core's own service loop (`Runner`, what `sync-core run` deploys: push
worker, parked-push retries, nightly schedule, catch-up): moving the clock ticks it at every
instant something falls due, in time order; only then does the step's action run. Nothing
sleeps: the engine's own `sleep` moves the simulated clock.
"""

from __future__ import annotations

import gc
import logging
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, TypeVar

from simulator.actions import Actions, describe_nightly, describe_push
from simulator.checks import Checker, passed
from simulator.gateway import open_gateway
from simulator.model import Expect, Scenario, Step, TimeKind, TimeSpec
from simulator.observe import Observer, Refs, Snapshot, changes
from simulator.orgs import OrgError, OrgSetup, SalesforceSide, open_org
from simulator.results import (
    Check,
    Event,
    EventKind,
    ExpectationResult,
    Lane,
    LaneState,
    RunResult,
    Window,
)
from simulator.setup import populate
from sync_core.model import NightlyReport, PushReport
from sync_core.runner import Runner
from sync_core.schedule import next_nightly
from sync_core.service import SyncService

T = TypeVar("T")
_MAX_FIRINGS_PER_INSTANT = 100
CATCH_UP = timedelta(hours=2)  # the service's default catch-up window (docs/behaviour.md 5)


class RunStopped(Exception):
    """The engine or the org failed in a way the scenario cannot go on from."""


class Simulation:
    def __init__(self, scenario: Scenario, side: SalesforceSide) -> None:
        self.scenario = scenario
        self.side = side
        self.now = scenario.start
        self.refs = Refs()
        self.core_spans: list[tuple[int, int]] = []
        self.expect_mark = 0
        self.events: list[Event] = []
        self.results: list[ExpectationResult] = []
        self.lanes: dict[str, list[LaneState]] = {}
        self.windows: list[Window] = []
        self.service = SyncService.open(
            "sqlite:///:memory:", open_gateway(side, self.sleep), sleep=self.sleep,
            clock=lambda: self.now, rng=random.Random(0),
        )  # fmt: skip
        self.observer = Observer(self.service, side, self.refs)
        self.checker = Checker(self.observer, self._api_calls_since_expect, self._writes)
        self.actions = Actions(self)
        self.runner: Runner | None = None

    # the loop -------------------------------------------------------------------------------

    def run(self) -> RunResult:
        stopped: str | None = None
        self.side.set_clock(self.now)
        done = 0
        try:
            populate(self)
            with frozen_heap():
                self.start_service()
                self._record_lanes()
                for step in self.scenario.steps:
                    done += 1
                    self._step(step)
        except (RunStopped, OrgError) as exc:
            stopped = str(exc)
        except Exception as exc:  # an engine bug must show in the report, not as a traceback
            stopped = f"{type(exc).__name__}: {exc}"
        finally:
            self.service.close()
            self.side.close()
        if stopped is not None:
            self._unreached(done)
        return self._result(stopped)

    def _step(self, step: Step) -> None:
        if step.at is not None:
            target = self.resolve(step.at)
            self.advance(target)
        if isinstance(step.action, Expect):
            self._expect(step, step.action)
            return
        self.record(EventKind.STEP, lambda: self.actions.perform(step), line=step.line)
        self.fire_due()

    def resolve(self, spec: TimeSpec) -> datetime:
        if spec.kind is TimeKind.ABSOLUTE and spec.instant is not None:
            return spec.instant
        if spec.kind is TimeKind.RELATIVE and spec.offset is not None:
            return self.now + spec.offset
        settings = self.service.settings()
        return next_nightly(self.now, settings.nightly_at, settings.timezone)

    def advance(self, target: datetime) -> None:
        """Move the clock to `target`, ticking the service at every instant something falls
        due on the way; at `target` it looks once more, as the running loop does each second."""
        self._tick_until(target)
        self.move(target)
        if self.runner is not None:
            self.runner.tick()

    def fire_due(self) -> None:
        """Tick the service until nothing is due at the current instant."""
        self._tick_until(self.now)

    def _tick_until(self, target: datetime) -> None:
        """Tick at each instant something falls due up to `target`, in time order."""
        ticks_here, instant = 0, self.now
        while self.runner is not None:
            wake = self.runner.next_wake()
            if wake is None or wake > target:
                return
            self.move(wake)
            ticks_here = ticks_here + 1 if self.now == instant else 1
            instant = self.now
            if ticks_here > _MAX_FIRINGS_PER_INSTANT:
                raise RunStopped(
                    f"the engine kept work due at {self.now.isoformat()} without progress"
                )
            self.runner.tick()

    # the service ----------------------------------------------------------------------------

    def start_service(self) -> None:
        """Start the service loop as `sync-core run` would, catch-up included."""
        self.runner = Runner(
            self.service, _quiet_logger(), lambda: self.now, catch_up=CATCH_UP,
            around=self._watch,
        )  # fmt: skip
        self.runner.start()

    def stop_service(self) -> None:
        if self.runner is not None:
            self.runner.stop()
        self.runner = None

    def _watch(self, kind: str, action: Callable[[], Any]) -> Any:
        """Each push or nightly run the service makes becomes an event of the timeline."""
        outcome: list[Any] = []

        def run() -> str:
            outcome.append(self.core(action))
            return describe(outcome[0])

        try:
            self.record(EventKind.NIGHTLY if kind == "nightly" else EventKind.PUSH, run)
        except Exception as exc:  # the service logs it and goes on; the timeline shows it
            text = f"{kind} failed: {type(exc).__name__}: {exc}"
            self.events.append(Event(self.now, EventKind.ERROR, text, (), None, True))
            raise
        return outcome[0] if outcome else None

    def move(self, when: datetime) -> None:
        if when > self.now:
            self.now = when
            self.side.set_clock(when)

    def sleep(self, seconds: float) -> None:
        self.move(self.now + timedelta(seconds=seconds))

    # events and checks ----------------------------------------------------------------------

    def core(self, action: Callable[[], T]) -> T:
        """Run a sync-core call, remembering its span of the org's journal as the core's."""
        low = self.side.journal_mark()
        try:
            return action()
        finally:
            self.core_spans.append((low, self.side.journal_mark()))

    def record(self, kind: str, action: Callable[[], str], line: int | None = None) -> None:
        at = self.now
        before = self.observer.snapshot()
        failed = False
        try:
            text = action()
        except OrgError as exc:
            text, failed = f"Salesforce refused: {exc.code}: {exc.message}", True
        after = self.observer.snapshot()
        self.events.append(Event(at, kind, text, _changes(before, after), line, failed))
        self._record_lanes()

    def _expect(self, step: Step, expect: Expect) -> None:
        found = self.checker.check(expect)
        checks = tuple(Check(k, e, a, passed(k, e, a)) for k, e, a in found)
        self.results.append(ExpectationResult(step.line, self.now, checks))
        verdict = "held" if all(c.passed for c in checks) else "FAILED"
        self.events.append(Event(self.now, EventKind.EXPECT, f"expect: {verdict}", (),
                                 step.line, verdict != "held"))  # fmt: skip
        self.expect_mark = self.side.journal_mark()

    def _api_calls_since_expect(self) -> int:
        spans = [(max(low, self.expect_mark), high) for low, high in self.core_spans
                 if high > self.expect_mark]  # fmt: skip
        return self.side.api_calls(spans)

    def _writes(self, ref: str) -> int:
        return self.side.writes(self.refs.records[ref][1], self.core_spans)

    def _record_lanes(self) -> None:
        for ref in self.refs.people:
            state = self.observer.lane(ref, self.now)
            states = self.lanes.setdefault(ref, [])
            if not states or _differs(states[-1], state):
                states.append(state)

    def _unreached(self, done: int) -> None:
        for step in self.scenario.steps[max(done - 1, 0) :]:
            if isinstance(step.action, Expect) and not any(
                r.line == step.line for r in self.results
            ):
                self.results.append(ExpectationResult(step.line, self.now, (), reached=False))

    def _result(self, stopped: str | None) -> RunResult:
        return RunResult(
            name=self.scenario.name, description=self.scenario.description,
            path=self.scenario.path, timezone=self.scenario.settings.timezone,
            start=self.scenario.start, end=self.now, events=tuple(self.events),
            expectations=tuple(self.results), stopped=stopped,
            lanes=tuple(Lane(ref, tuple(states)) for ref, states in self.lanes.items()),
            figures={"simulated_days": (self.now - self.scenario.start).total_seconds() / 86400},
            windows=tuple(self.windows),
        )  # fmt: skip


def describe(report: PushReport | NightlyReport | None) -> str:
    if isinstance(report, PushReport):
        return describe_push(report)
    if isinstance(report, NightlyReport):
        return describe_nightly(report)
    return "nightly slot skipped: already run by another process"


def _quiet_logger() -> logging.Logger:
    """The service's log lines are the timeline's events here; they go nowhere else."""
    logger = logging.getLogger("simulator.service")
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
        logger.propagate = False
    return logger


def _changes(before: Snapshot, after: Snapshot) -> tuple[Any, ...]:
    return changes(before, after)


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Everything alive once the scenario is set up (the generated org, the store) skips
    cyclic garbage collection until the run ends: a year of nights otherwise walks it in every
    full collection, about a third of the run at 50,000 records. Left alone when the process
    has frozen objects of its own."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _differs(old: LaneState, new: LaneState) -> bool:
    return (old.unsubscribed, dict(old.salesforce), old.linked) != (
        new.unsubscribed, dict(new.salesforce), new.linked,
    )  # fmt: skip


def run_scenario(scenario: Scenario, server: str | None = None) -> RunResult:
    """Run one scenario against a fresh org of an in-process fake (or the server at `server`):
    the same code either way, through the fake's control API and its Salesforce API."""
    setup = OrgSetup(
        tuple(sorted(scenario.packages)), scenario.api_limit, scenario.settings.timezone,
        scenario.start,
    )  # fmt: skip
    return Simulation(scenario, open_org(setup, server)).run()
