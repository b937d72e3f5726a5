"""`--report FILE.html`: one self-contained page (inline CSS and SVG, no network at view time).

The picture has one lane per person: Marketo Sales state above, the linked Salesforce record's
sync fields below, events as marks on a shared axis, failed expectations highlighted in red.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime
from html import escape

from simulator.report.text import verdict
from simulator.results import Event, ExpectationResult, Lane, LaneState, RunResult, local, shown

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#222}
h1{font-size:1.4rem;margin:0 0 .3rem} .desc{max-width:60rem;color:#444}
.verdict{font-weight:600;padding:.4rem .7rem;border-radius:4px;display:inline-block}
.pass{background:#e3f4e8;color:#1d6b37} .fail{background:#fbe4e2;color:#a3261a}
table{border-collapse:collapse;margin-top:.5rem} td,th{padding:2px 8px;vertical-align:top}
tr:nth-child(even){background:#f6f6f6} .t{white-space:nowrap;font-family:ui-monospace,monospace}
tr.bad{background:#fbe4e2} .ch{color:#555;font-size:.9em} .svgwrap{overflow-x:auto}
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:-2px}
"""
_COLORS = {"out": "#c0392b", "in": "#4caf7a", "mixed": "#e59b2e", "none": "#c8c8c8"}
_EVENT_COLORS = {"push": "#1f6fb2", "nightly": "#6a3fa0", "step": "#555", "expect": "#999"}
_LANE_HEIGHT = 46
_LEFT = 110


def render(result: RunResult) -> str:
    status = "pass" if result.passed else "fail"
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>{escape(result.name)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(result.name)}</h1><div class=desc>{escape(result.description)}</div>",
        f"<p class='verdict {status}'>{escape(verdict(result))}</p>",
        _legend(),
        f"<div class=svgwrap>{picture(result)}</div>",
        "<h2>Expectations</h2>",
        _expectations(result),
        "<h2>Timeline</h2>",
        _timeline(result),
        "</body></html>\n",
    ]
    return "".join(parts)


def _legend() -> str:
    items = [("out", "opted out"), ("in", "subscribed"), ("mixed", "some fields true"),
             ("none", "no Salesforce record")]  # fmt: skip
    spans = "".join(f"<span style='background:{_COLORS[k]}'></span>{t}" for k, t in items)
    marks = (
        f" &nbsp; marks: <b style='color:{_EVENT_COLORS['nightly']}'>&#9650;</b> nightly run, "
        f"<b style='color:{_EVENT_COLORS['push']}'>&#9679;</b> push, "
        f"<b style='color:{_EVENT_COLORS['step']}'>|</b> step, red band: a failed expectation"
    )
    return f"<p class=legend>{spans}{marks}</p>"


class _Axis:
    """An ordinal time axis: every instant where something happened gets an equal slot."""

    def __init__(self, instants: list[datetime]) -> None:
        self.instants = sorted(set(instants))
        self.slot = max(4.0, min(48.0, 1100 / len(self.instants)))
        self.width = _LEFT + self.slot * (len(self.instants) + 1)

    def x(self, at: datetime) -> float:
        index = max(0, bisect_right(self.instants, at) - 1)
        return _LEFT + self.slot * (index + 0.5)


def picture(result: RunResult) -> str:
    """The SVG: event marks on top, one lane per person, failed expectations in red."""
    instants = [e.at for e in result.events] + [s.at for lane in result.lanes for s in lane.states]
    axis = _Axis(instants or [result.start])
    height = 50 + _LANE_HEIGHT * max(1, len(result.lanes))
    body = [_failed_marks(result.expectations, axis, height), _axis_labels(axis, height, result)]
    body += [_event_mark(e, axis, result) for e in result.events]
    body += [_lane(lane, i, axis, result) for i, lane in enumerate(result.lanes)]
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{axis.width:.0f}' height='{height}' "
        f"font-size='11' font-family='system-ui,sans-serif'>{''.join(body)}</svg>"
    )


def _axis_labels(axis: _Axis, height: int, result: RunResult) -> str:
    """The local date and time under the lanes wherever there is room for a label."""
    labels, last_x = [], -1000.0
    for instant in axis.instants:
        x = axis.x(instant)
        if x - last_x >= 90:
            when = instant.astimezone(result.zone).strftime("%b %d %H:%M")
            labels.append(f"<text x='{x:.1f}' y='{height - 4}' fill='#777'>{when}</text>")
            last_x = x
    return "".join(labels)


def _failed_marks(expectations: tuple[ExpectationResult, ...], axis: _Axis, height: int) -> str:
    marks = []
    for exp in expectations:
        if not exp.passed:
            x = axis.x(exp.at)
            detail = "; ".join(f"{c.key}: expected {shown(c.expected)}, got {shown(c.actual)}"
                               for c in exp.failures)  # fmt: skip
            marks.append(
                f"<rect x='{x - axis.slot / 2:.1f}' y='0' width='{axis.slot:.1f}' "
                f"height='{height}' fill='#fbe4e2'><title>failed at line {exp.line}: "
                f"{escape(detail)}</title></rect>"
            )
    return "".join(marks)


def _event_mark(event: Event, axis: _Axis, result: RunResult) -> str:
    x = axis.x(event.at)
    color = "#c0392b" if event.failed else _EVENT_COLORS.get(event.kind, "#555")
    tip = escape(f"{local(event.at, result.zone)} {event.text}")
    if event.kind == "nightly":
        shape = f"<polygon points='{x},4 {x - 5},16 {x + 5},16' fill='{color}'/>"
    elif event.kind == "push":
        shape = f"<circle cx='{x}' cy='11' r='4' fill='{color}'/>"
    else:
        shape = f"<rect x='{x - 1.5}' y='5' width='3' height='12' fill='{color}'/>"
    return f"<g><title>{tip}</title>{shape}</g>"


def _lane(lane: Lane, index: int, axis: _Axis, result: RunResult) -> str:
    top = 28 + index * _LANE_HEIGHT
    parts = [f"<text x='4' y='{top + 17}' font-weight='600'>{escape(lane.person)}</text>",
             f"<text x='4' y='{top + 31}' fill='#777'>MS / SF</text>"]  # fmt: skip
    end = axis.width - axis.slot / 2
    for i, state in enumerate(lane.states):
        x0 = axis.x(state.at) - axis.slot / 2
        x1 = axis.x(lane.states[i + 1].at) - axis.slot / 2 if i + 1 < len(lane.states) else end
        if x1 <= x0:
            continue
        tip = escape(f"{lane.person} from {local(state.at, result.zone)}: {_describe(state)}")
        ms = _COLORS["out" if state.unsubscribed else "in"]
        sf = _COLORS[_salesforce_shade(state)]
        parts.append(
            f"<g><title>{tip}</title>"
            f"<rect x='{x0:.1f}' y='{top + 6}' width='{x1 - x0:.1f}' height='14' fill='{ms}'/>"
            f"<rect x='{x0:.1f}' y='{top + 22}' width='{x1 - x0:.1f}' height='14' "
            f"fill='{sf}'/></g>"
        )
    return "".join(parts)


def _salesforce_shade(state: LaneState) -> str:
    values = [v for v in state.salesforce.values() if v is not None]
    if not state.linked or not values:
        return "none"
    if all(values):
        return "out"
    return "mixed" if any(values) else "in"


def _describe(state: LaneState) -> str:
    ms = "unsubscribed" if state.unsubscribed else "subscribed"
    sf = ", ".join(f"{k}={shown(v)}" for k, v in state.salesforce.items()) or "not linked"
    return f"Marketo Sales {ms}; Salesforce {sf}"


def _expectations(result: RunResult) -> str:
    rows = []
    for exp in result.expectations:
        mark = "ok" if exp.passed else "FAILED"
        checks = "<br>".join(
            escape(f"{c.key}: expected {shown(c.expected)}, got {shown(c.actual)}")
            for c in (exp.failures if not exp.passed else ())
        )
        if not exp.reached:
            checks = "not reached: the run stopped first"
        cls = "" if exp.passed else " class=bad"
        rows.append(f"<tr{cls}><td>{mark}</td><td class=t>{escape(exp.title(result.zone))}</td>"
                    f"<td>{checks}</td></tr>")  # fmt: skip
    return f"<table>{''.join(rows)}</table>"


def _timeline(result: RunResult) -> str:
    rows = []
    for event in result.events[:5000]:
        changes = "; ".join(str(c) for c in event.changes[:20])
        cls = " class=bad" if event.failed else ""
        line = "" if event.line is None else str(event.line)
        rows.append(
            f"<tr{cls}><td class=t>{escape(local(event.at, result.zone))}</td>"
            f"<td>{escape(event.kind)}</td><td>{line}</td><td>{escape(event.text)}"
            f"<div class=ch>{escape(changes)}</div></td></tr>"
        )
    more = len(result.events) - 5000
    tail = f"<p>{more} more events are in the text and JSON output.</p>" if more > 0 else ""
    return f"<table>{''.join(rows)}</table>{tail}"
