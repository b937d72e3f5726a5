"""What a run produced: the timeline of events, each expectation's checks, and per-person lanes.

The renderers (text, HTML, JUnit, JSON) read only this model, never the runner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo


def shown(value: Any) -> str:
    """A value as the report prints it: YAML-ish, `missing` for an absent value."""
    if value is None:
        return "missing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {shown(v)}" for k, v in value.items()) + "}"
    return str(value)


@dataclass(frozen=True)
class Change:
    """One thing an event changed: `subject` (a ref) went from `before` to `after` on `what`."""

    subject: str
    what: str
    before: Any
    after: Any

    def __str__(self) -> str:
        return f"{self.subject}.{self.what} {shown(self.before)} -> {shown(self.after)}"


class EventKind:
    STEP = "step"
    PUSH = "push"
    NIGHTLY = "nightly"
    EXPECT = "expect"
    ERROR = "error"


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str
    text: str
    changes: tuple[Change, ...] = ()
    line: int | None = None
    failed: bool = False


@dataclass(frozen=True)
class Window:
    """A stretch of the run the report shades: Salesforce failing (`fault`, from a fault step
    to its `until` or the next `clear_faults`; `end` None for a fault that lasts a number of
    requests) or the service down (`down`, a `restart_service` step)."""

    kind: str
    start: datetime
    end: datetime | None
    label: str


@dataclass(frozen=True)
class Check:
    """One compared value of an expectation."""

    key: str
    expected: Any
    actual: Any
    passed: bool


@dataclass(frozen=True)
class ExpectationResult:
    line: int
    at: datetime
    checks: tuple[Check, ...]
    reached: bool = True

    @property
    def passed(self) -> bool:
        return self.reached and all(c.passed for c in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed)

    def title(self, zone: ZoneInfo) -> str:
        keys = sorted({c.key.split(".")[0] for c in self.checks})
        return f"line {self.line} at {local(self.at, zone)}: {', '.join(keys) or 'nothing'}"


@dataclass(frozen=True)
class LaneState:
    """A person's state from `at` on: Marketo Sales and the linked record's sync fields."""

    at: datetime
    unsubscribed: bool
    salesforce: Mapping[str, bool | None]
    linked: bool


@dataclass(frozen=True)
class Lane:
    person: str
    states: tuple[LaneState, ...]


@dataclass(frozen=True)
class RunResult:
    name: str
    description: str
    path: str
    timezone: str
    start: datetime
    end: datetime
    events: tuple[Event, ...]
    expectations: tuple[ExpectationResult, ...]
    lanes: tuple[Lane, ...] = ()
    stopped: str | None = None  # why the run ended early, if it did
    figures: Mapping[str, Any] = field(default_factory=dict)
    windows: tuple[Window, ...] = ()

    @property
    def passed(self) -> bool:
        return self.stopped is None and all(e.passed for e in self.expectations)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def local(instant: datetime, zone: ZoneInfo) -> str:
    """`2026-03-02 20:00:00 PST`: the instant on the scenario's wall clock."""
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z")
