"""The console's Setup page: the org's clock and its fault rules, set as the control API sets
them (fake_salesforce.routes.control): the same parsing, the same errors, said on the page."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from fake_salesforce.clock import ClockError
from fake_salesforce.console import bp
from fake_salesforce.console.pages import common, find_org
from fake_salesforce.faults import KINDS, FaultSpecError, parse_when, relative_delta
from fake_salesforce.org import Org


def _page(org: Org, problem: str | None = None, status: int = 200) -> tuple[str, int]:
    now = org.clock.now()
    html = render_template(
        "fake_console/setup.html",
        faults=org.faults.active(now),
        kinds=KINDS,
        problem=problem,
        done=request.args.get("done", ""),
        form=request.form,
        **common(org),
    )
    return html, status


@bp.get("/<org_ref>/setup")
def setup(org_ref: str) -> tuple[str, int]:
    return _page(find_org(org_ref))


def _back(org: Org, done: str) -> Response:
    return redirect(url_for(".setup", org_ref=org.org_id, done=done), code=303)


@bp.post("/<org_ref>/setup/clock")
def set_clock(org_ref: str) -> Response | tuple[str, int]:
    """`+11h`, `-5m`... moves the clock; an ISO time sets it (never backwards, as the API)."""
    org = find_org(org_ref)
    text = request.form.get("when", "").strip()
    try:
        with org.lock:
            delta = relative_delta(text)
            if delta is not None:
                org.clock.advance(delta)
            else:
                org.clock.set(parse_when(text, org.clock.now()))
    except (ClockError, ValueError) as exc:
        return _page(org, f"Clock: {exc}", 400)
    return _back(org, "clock")


@bp.post("/<org_ref>/setup/faults")
def add_fault(org_ref: str) -> Response | tuple[str, int]:
    org = find_org(org_ref)
    spec: dict[str, object] = {"kind": request.form.get("kind", "")}
    for key in ("code", "path", "method", "sobject", "message"):
        if request.form.get(key, "").strip():
            spec[key] = request.form[key].strip()
    for key in ("count", "ms"):
        if request.form.get(key, "").strip():
            try:
                spec[key] = int(request.form[key])
            except ValueError:
                return _page(org, f"Fault: {key}: a whole number", 400)
    if request.form.get("until", "").strip():
        spec["until"] = request.form["until"].strip()
    try:
        org.faults.add(spec, org.clock.now())
    except (FaultSpecError, ValueError) as exc:
        return _page(org, f"Fault: {exc}", 400)
    return _back(org, "fault")


@bp.post("/<org_ref>/setup/faults/clear")
def clear_faults(org_ref: str) -> Response:
    org = find_org(org_ref)
    rule_id = request.form.get("id")
    if rule_id:
        org.faults.remove(rule_id)
    else:
        org.faults.clear()
    return _back(org, "cleared")
