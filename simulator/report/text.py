"""The terminal report: one line per event on the scenario's wall clock, then each expectation."""

from __future__ import annotations

import textwrap

from simulator.results import ExpectationResult, RunResult, local, shown

_MARK = {"step": " ", "push": ">", "nightly": "*", "expect": "?", "error": "!"}


def render(result: RunResult, verbose: bool = True) -> str:
    """The whole report as text, ending with a one-line verdict."""
    lines = [f"Scenario: {result.name}  ({result.path})"]
    if result.description:
        lines += textwrap.wrap(result.description, 96, initial_indent="  ",
                               subsequent_indent="  ")  # fmt: skip
    lines += ["", "Timeline"]
    lines += [_event_line(result, i) for i in range(len(result.events))] if verbose else []
    if result.stopped:
        lines += ["", f"The run stopped: {result.stopped}"]
    lines += ["", "Expectations"]
    lines += [line for e in result.expectations for line in _expectation(e, result)]
    lines += ["", verdict(result)]
    return "\n".join(lines) + "\n"


def _event_line(result: RunResult, index: int) -> str:
    event = result.events[index]
    mark = "!" if event.failed else _MARK.get(event.kind, " ")
    where = f"line {event.line}" if event.line is not None else event.kind
    head = f"  {local(event.at, result.zone)} {mark} {where:<9} {event.text}"
    if not event.changes:
        return head
    changed = "; ".join(str(c) for c in event.changes[:6])
    more = f" (+{len(event.changes) - 6} more)" if len(event.changes) > 6 else ""
    return f"{head}\n{' ' * 36}changed: {changed}{more}"


def _expectation(expectation: ExpectationResult, result: RunResult) -> list[str]:
    title = expectation.title(result.zone)
    if not expectation.reached:
        return [f"  FAIL {title}: not reached (the run stopped first)"]
    if expectation.passed:
        return [f"  ok   {title} ({len(expectation.checks)} checks)"]
    lines = [f"  FAIL {title}"]
    for check in expectation.failures:
        lines.append(
            f"       {check.key}: expected {shown(check.expected)}, got {shown(check.actual)}"
        )
    return lines


def verdict(result: RunResult) -> str:
    total = len(result.expectations)
    held = sum(1 for e in result.expectations if e.passed)
    word = "PASSED" if result.passed else "FAILED"
    return f"{word}: {held} of {total} expectations held ({result.path})"


def span(result: RunResult) -> str:
    """How much simulated time the run covered, e.g. `3d 11h 00m`."""
    minutes = int((result.end - result.start).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    return (f"{days}d " if days else "") + f"{rest // 60}h {rest % 60:02d}m"
