"""`--report FILE.html`: one self-contained page (inline CSS, no network at view time).

The chart is as wide as the window, on a real time axis in the scenario's zone: nights shaded,
windows while Salesforce was failing hatched, one lane per person labelled with their email
(Marketo Sales above, the linked Salesforce record's sync fields below), every event a mark
that links to its row in the timeline; a run of retries that failed the same way is one span.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from simulator.report.chart import Axis, Band, Item, items, windows
from simulator.report.style import CSS
from simulator.report.text import verdict
from simulator.results import ExpectationResult, Lane, LaneState, RunResult, local, shown

_SHOWN_ROWS = 5000
_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)")


def localised(text: str, zone: ZoneInfo) -> str:
    """Event text with every ISO instant in it (a fault's `until`) on the scenario's clock."""

    def swap(found: re.Match[str]) -> str:
        return local(datetime.fromisoformat(found.group(0).replace("Z", "+00:00")), zone)

    return _INSTANT.sub(swap, text)


def render(result: RunResult, emails: Mapping[str, str] | None = None) -> str:
    """The page; `emails` names each lane's person (ref -> email) when the scenario gives it."""
    status = "pass" if result.passed else "fail"
    axis = Axis(result)
    listed = items(result.events)
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        "<meta name=viewport content='width=device-width, initial-scale=1'>",
        f"<title>{escape(result.name)}</title><style>{CSS}</style></head><body>",
        "<header class=top><div class=wrap>",
        f"<p class=kicker>Scenario · {escape(result.path)}</p><h1>{escape(result.name)}</h1>",
        f"<p class=desc>{escape(result.description)}</p>",
        f"<p class='verdict {status}'>{escape(verdict(result))}</p>",
        f"<p class=meta>{escape(local(axis.start, axis.zone))} to "
        f"{escape(local(axis.end, axis.zone))} · times in {escape(result.timezone)}</p>",
        "</div></header><main class=wrap>",
        "<section aria-labelledby=chart-h><h2 id=chart-h>What happened, over time</h2>",
        _legend(),
        _chart(result, axis, listed, emails or {}),
        "</section>",
        "<section aria-labelledby=exp-h><h2 id=exp-h>Expectations</h2>",
        _expectations(result),
        "</section><section aria-labelledby=tl-h><h2 id=tl-h>Timeline</h2>",
        _timeline(result, listed),
        "</section></main></body></html>\n",
    ]
    return "".join(parts)


def _legend() -> str:
    keys = [
        ("sw out", "opted out"),
        ("sw in", "subscribed"),
        ("sw mixed", "some fields opted out"),
        ("sw none", "no Salesforce record"),
        ("sw night", "night (20:00 to 07:00)"),
        ("sw fault", "Salesforce failing"),
        ("sw down", "service down"),
        ("dot push", "push"),
        ("dot retry", "retries"),
        ("dot nightly", "nightly run"),
        ("dot step", "step"),
        ("dot expect", "expectation"),
    ]
    spans = "".join(f"<li><span class='{c}' aria-hidden=true></span>{t}</li>" for c, t in keys)
    return f"<ul class=legend aria-label=Legend>{spans}</ul>"


def _chart(result: RunResult, axis: Axis, listed: list[Item], emails: Mapping[str, str]) -> str:
    labels = ["<div class=label-events>Events</div>"]
    rows = [
        _bands(axis, axis.nights(), "night"),
        _bands(axis, windows(result, "fault"), "fault"),
        _bands(axis, windows(result, "down"), "down"),
    ]
    rows.append(f"<div class='row events'>{''.join(_mark(i, axis, result) for i in listed)}")
    rows.append(_expectation_marks(result.expectations, axis) + "</div>")
    for lane in result.lanes:
        email = emails.get(lane.person, lane.person)
        labels.append(
            f"<div class=label-lane><b title='{escape(email)}'>{escape(email)}</b>"
            f"<small>{escape(lane.person)} · MS / SF</small></div>"
        )
        rows.append(_lane(lane, email, axis, result))
    labels.append("<div class=label-axis></div>")
    ticks = "".join(
        f"<span class=tick style='left:{x}%'>{escape(t)}</span>" for x, t in axis.ticks()
    )
    rows.append(f"<div class='row axis' aria-hidden=true>{ticks}</div>")
    return (
        f"<div class=chart id=chart><div class=labels>{''.join(labels)}</div>"
        f"<div class=plot>{''.join(rows)}</div></div>"
    )


def _bands(axis: Axis, bands: list[Band], kind: str) -> str:
    out = []
    for band in bands:
        x0, x1 = axis.x(band.start), axis.x(band.end)
        tip = f"{band.label}: {local(band.start, axis.zone)} to {local(band.end, axis.zone)}"
        out.append(
            f"<div class='band {kind}' style='left:{x0}%;width:{max(x1 - x0, 0.1):.4f}%' "
            f"title='{escape(tip)}'></div>"
        )
    return "".join(out)


def _mark(item: Item, axis: Axis, result: RunResult) -> str:
    first, last = item.first, item.last
    kind = "retry" if item.is_span else first.kind
    bad = " bad" if any(e.failed for e in item.events) else ""
    x0 = axis.x(first.at)
    when = local(first.at, result.zone)
    if item.is_span:
        tip = (f"{len(item.events)} retries from {when} to {local(last.at, result.zone)}: "
               f"{localised(first.text, result.zone)}")  # fmt: skip
        width = max(axis.x(last.at) - x0, 0.0)
        style = f"left:{x0}%;width:{width:.4f}%"
    else:
        tip, style = f"{when} {localised(first.text, result.zone)}", f"left:{x0}%"
    return (
        f"<a class='mark {escape(kind)}{bad}' href='#ev-{item.index}' style='{style}' "
        f"title='{escape(tip)}' aria-label='{escape(tip)}'></a>"
    )


def _expectation_marks(expectations: tuple[ExpectationResult, ...], axis: Axis) -> str:
    out = []
    for n, exp in enumerate(expectations):
        word = "held" if exp.passed else "FAILED"
        tip = escape(f"expectation {exp.title(axis.zone)}: {word}")
        cls = "expect" if exp.passed else "expect bad"
        out.append(
            f"<a class='mark {cls}' href='#exp-{n}' style='left:{axis.x(exp.at)}%' "
            f"title='{tip}' aria-label='{tip}'></a>"
        )
    return "".join(out)


def _lane(lane: Lane, email: str, axis: Axis, result: RunResult) -> str:
    parts = []
    for i, state in enumerate(lane.states):
        x0 = axis.x(state.at)
        x1 = axis.x(lane.states[i + 1].at) if i + 1 < len(lane.states) else 100.0
        if x1 <= x0 and i + 1 < len(lane.states):
            continue
        tip = escape(f"{email} from {local(state.at, result.zone)}: {_describe(state)}")
        ms = "out" if state.unsubscribed else "in"
        geometry = f"left:{x0}%;width:{max(x1 - x0, 0.15):.4f}%"
        parts.append(
            f"<div class='seg ms {ms}' style='{geometry}' title='{tip}'></div>"
            f"<div class='seg sf {_salesforce_shade(state)}' style='{geometry}' title='{tip}'>"
            "</div>"
        )
    return f"<div class='row lane' role=img aria-label='{escape(email)}'>{''.join(parts)}</div>"


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
    for n, exp in enumerate(result.expectations):
        mark = "held" if exp.passed else "FAILED"
        checks = "<br>".join(
            escape(f"{c.key}: expected {shown(c.expected)}, got {shown(c.actual)}")
            for c in (exp.failures if not exp.passed else ())
        )
        if not exp.reached:
            checks = "not reached: the run stopped first"
        cls = "" if exp.passed else " class=bad"
        rows.append(f"<tr id=exp-{n}{cls}><td>{mark}</td><td class=t>"
                    f"{escape(exp.title(result.zone))}</td><td>{checks}</td></tr>")  # fmt: skip
    head = "<tr><th scope=col>Result</th><th scope=col>Expectation</th><th scope=col>Why</th></tr>"
    return f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def _timeline(result: RunResult, listed: list[Item]) -> str:
    rows = []
    for item in listed[:_SHOWN_ROWS]:
        event = item.first
        changes = "; ".join(str(c) for e in item.events for c in e.changes[:20])
        cls = " class=bad" if any(e.failed for e in item.events) else ""
        line = "" if event.line is None else str(event.line)
        when = escape(local(event.at, result.zone))
        text = escape(localised(event.text, result.zone))
        if item.is_span:
            when += f"<br>to {escape(local(item.last.at, result.zone))}"
            text = f"<b>{len(item.events)} retries</b> failing the same way; the first: {text}"
        kind = "retries" if item.is_span else event.kind
        rows.append(
            f"<tr id=ev-{item.index}{cls}><td class=t>{when}</td><td>{escape(kind)}</td>"
            f"<td>{line}</td><td>{text}<div class=ch>{escape(changes)}</div></td></tr>"
        )
    more = len(listed) - _SHOWN_ROWS
    tail = f"<p>{more} more events are in the text and JSON output.</p>" if more > 0 else ""
    head = ("<tr><th scope=col>When</th><th scope=col>Kind</th><th scope=col>Line</th>"
            "<th scope=col>What</th></tr>")  # fmt: skip
    return f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>{tail}"
