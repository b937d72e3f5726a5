"""Machine-readable results (`--json`): the verdict, the events and every check."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from simulator.results import RunResult


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def as_data(result: RunResult) -> dict[str, Any]:
    return {
        "name": result.name,
        "path": result.path,
        "passed": result.passed,
        "stopped": result.stopped,
        "start": result.start.isoformat(),
        "end": result.end.isoformat(),
        "timezone": result.timezone,
        "figures": _plain(result.figures),
        "events": [
            {
                "at": e.at.isoformat(),
                "kind": e.kind,
                "line": e.line,
                "text": e.text,
                "failed": e.failed,
                "changes": [
                    {
                        "subject": c.subject,
                        "what": c.what,
                        "before": _plain(c.before),
                        "after": _plain(c.after),
                    }
                    for c in e.changes
                ],
            }
            for e in result.events
        ],
        "expectations": [
            {
                "line": x.line,
                "at": x.at.isoformat(),
                "passed": x.passed,
                "reached": x.reached,
                "checks": [
                    {
                        "key": c.key,
                        "expected": _plain(c.expected),
                        "actual": _plain(c.actual),
                        "passed": c.passed,
                    }
                    for c in x.checks
                ],
            }
            for x in result.expectations
        ],
    }


def render(result: RunResult) -> str:
    return json.dumps(as_data(result), indent=2) + "\n"
