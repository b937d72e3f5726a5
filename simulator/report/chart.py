"""The report chart's geometry: a real time axis, nights, fault and downtime windows, and
collapsed retries.

Positions are percentages of the run's span (the chart is as wide as the window): an 11-hour
gap is 11 hours wide, a one-second gap next to nothing. Everything is read from the RunResult's
events and windows, in the scenario's time zone; nothing here renders HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from simulator.results import Event, EventKind, RunResult

NIGHT_FROM, NIGHT_TO = time(20, 0), time(7, 0)  # the hours shaded as night, local wall time
MAX_NIGHTS = 62  # longer runs show month and day ticks without shading every night
_RETRY = re.compile(r"^push: 0 delivered\b.*; errors: (?P<codes>.+)$")
# (largest span, tick step, label format): steps are wall-clock, so ticks stay on the hour
# across a daylight-saving change.
_TICKS = (
    (timedelta(minutes=10), timedelta(minutes=1), "%H:%M"),
    (timedelta(hours=2), timedelta(minutes=15), "%H:%M"),
    (timedelta(hours=12), timedelta(hours=1), "%H:%M"),
    (timedelta(days=2), timedelta(hours=3), "%H:%M"),
    (timedelta(days=14), timedelta(days=1), "%b %d"),
    (timedelta(days=120), timedelta(days=7), "%b %d"),
)


@dataclass(frozen=True)
class Band:
    """A stretch of time on the axis: a night, or a window while Salesforce was failing."""

    start: datetime
    end: datetime
    label: str


@dataclass(frozen=True)
class Item:
    """One mark on the chart and one row of the timeline: an event, or a run of retries that
    failed the same way collapsed into one span."""

    index: int  # the first event's position in result.events (the row's anchor)
    events: tuple[Event, ...]

    @property
    def first(self) -> Event:
        return self.events[0]

    @property
    def last(self) -> Event:
        return self.events[-1]

    @property
    def is_span(self) -> bool:
        return len(self.events) > 1


class Axis:
    """Instants to percentages of the run's span, in the scenario's zone."""

    def __init__(self, result: RunResult) -> None:
        instants = [result.start, result.end, *(e.at for e in result.events)]
        self.start, self.end = min(instants), max(instants)
        if self.end - self.start < timedelta(minutes=1):
            self.end = self.start + timedelta(minutes=1)
        self.zone = result.zone

    @property
    def span(self) -> timedelta:
        return self.end - self.start

    def x(self, at: datetime) -> float:
        """Where `at` is, 0 to 100 (clamped)."""
        share = (at - self.start) / self.span
        return round(min(100.0, max(0.0, share * 100)), 4)

    def ticks(self) -> list[tuple[float, str]]:
        """Labelled instants every hour, day or week (whichever fits), on the local clock;
        months for runs longer than four months."""
        step, fmt = next(((s, f) for top, s, f in _TICKS if self.span <= top), (None, "%b %Y"))
        local = self.start.astimezone(self.zone)
        wall = local.replace(tzinfo=None)
        if step is None:  # month starts
            steps = _months(wall.replace(day=1, hour=0, minute=0, second=0, microsecond=0))
        else:
            first = _floor(wall, step)
            steps = [first + step * n for n in range(int(self.span / step) + 2)]
        found = []
        for tick in steps:
            at = tick.replace(tzinfo=self.zone)
            if at > self.end:
                break
            if at.astimezone(UTC).astimezone(self.zone).replace(tzinfo=None) != tick:
                continue  # a wall time the spring-forward change skips
            if at >= self.start:
                found.append((self.x(at), tick.strftime(fmt)))
        return found

    def nights(self) -> list[Band]:
        """20:00 to 07:00 local, each night the run spans (none for very long runs)."""
        first = self.start.astimezone(self.zone).date() - timedelta(days=1)
        days = (self.end.astimezone(self.zone).date() - first).days + 1
        if days > MAX_NIGHTS:
            return []
        bands = []
        for n in range(days):
            day = first + timedelta(days=n)
            start = _at(day, NIGHT_FROM, self.zone)
            end = _at(day + timedelta(days=1), NIGHT_TO, self.zone)
            if end > self.start and start < self.end:
                bands.append(Band(max(start, self.start), min(end, self.end), "night"))
        return bands


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone)


def _floor(wall: datetime, step: timedelta) -> datetime:
    midnight = wall.replace(hour=0, minute=0, second=0, microsecond=0)
    if step >= timedelta(days=1):
        return midnight
    return midnight + step * ((wall - midnight) // step)


def _months(wall: datetime) -> list[datetime]:
    months = []
    for n in range(0, 240):
        year, month = divmod(wall.month - 1 + n, 12)
        months.append(wall.replace(year=wall.year + year, month=month + 1))
    return months


def windows(result: RunResult, kind: str) -> list[Band]:
    """The run's `fault` or `down` windows (results.Window) as bands. A fault that lasts a
    number of requests ends with the last push or nightly run after it that met an error (or a
    minute after it began, if none did), and no window runs past the end of the run."""
    bands = []
    for window in result.windows:
        if window.kind != kind:
            continue
        end = window.end or _last_error_after(result.events, window.start, result.end)
        bands.append(Band(window.start, min(end, result.end), window.label))
    return bands


def _last_error_after(events: tuple[Event, ...], start: datetime, run_end: datetime) -> datetime:
    errors = [e.at for e in events if e.at >= start and "; errors: " in e.text]
    return errors[-1] if errors else min(run_end, start + timedelta(minutes=1))


def items(events: tuple[Event, ...]) -> list[Item]:
    """The events in order, each run of pushes that delivered nothing and failed with the same
    error codes (retries during an outage) collapsed into one item."""
    found: list[Item] = []
    open_run: list[Event] = []
    open_at, open_codes, open_slot = 0, "", -1
    for index, event in enumerate(events):
        if event.kind != EventKind.PUSH:
            found.append(Item(index, (event,)))
            continue
        retry = _RETRY.match(event.text)
        codes = retry.group("codes") if retry else None
        if codes is not None and codes == open_codes and open_run:
            open_run.append(event)
            found[open_slot] = Item(open_at, tuple(open_run))
            continue
        found.append(Item(index, (event,)))
        open_run, open_at, open_codes = ([event], index, codes or "") if codes else ([], 0, "")
        open_slot = len(found) - 1
    return found
