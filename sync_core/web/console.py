"""The admin console: status, settings, people, a person's page, diagnostics, runs, login.

Views parse the request, call the service, render a template: nothing else. Changes need a
logged-in admin (`require_admin`); reading needs `require_read` (see app.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from sync_core.model import RunKind
from sync_core.runner import SEEN_KEY, service_running
from sync_core.web import queries
from sync_core.web.accounts import Accounts
from sync_core.web.app import require_admin, require_read
from sync_core.web.settings_form import save_settings, settings_page
from sync_core.web.throttle import LoginThrottle

console = Blueprint("console", __name__)
Page = str | Response | tuple[str, int]


def _service() -> Any:
    return current_app.extensions["sync"]


def _now() -> datetime:
    now: datetime = current_app.extensions["clock"]()
    return now


def _engine() -> Any:
    return _service().store.engine


@console.get("/")
def status() -> Page:
    if (denied := require_read()) is not None:
        return denied
    service = _service()
    now = _now()
    pushes = service.runs(RunKind.PUSH)
    nightlies = service.runs(RunKind.NIGHTLY)
    gateway = service.gateway
    usage = gateway.api_usage() if gateway is not None else None
    return render_template(
        "status.html",
        now=now,
        settings=service.settings(),
        last_push=pushes[-1] if pushes else None,
        last_nightly=nightlies[-1] if nightlies else None,
        next_nightly=service.next_nightly(now),
        pending=service.pending_pushes(),
        waiting=queries.waiting_pushes(_engine()),
        usage=usage,
        running=service_running(service.store, now),
        seen=service.store.get_state(SEEN_KEY),
    )


@console.route("/settings", methods=["GET", "POST"])
def settings() -> Page:
    if request.method == "POST":
        if (denied := require_admin()) is not None:
            return denied
        return save_settings(_service(), request.form, _now())
    if (denied := require_read()) is not None:
        return denied
    return settings_page(_service(), _now())


@console.get("/people")
def people() -> Page:
    if (denied := require_read()) is not None:
        return denied
    text = request.args.get("q", "")
    found, total = queries.search_people(_engine(), text)
    return render_template("people.html", q=text, people=found, total=total)


@console.get("/people/<int:person_id>")
def person(person_id: int) -> Page:
    if (denied := require_read()) is not None:
        return denied
    return _person_page(person_id)


def _person_page(person_id: int, error: str | None = None, status: int = 200) -> Page:
    service = _service()
    try:
        found = service.person(person_id)
    except KeyError:
        abort(404, description=f"There is no person number {person_id}.")
    history = list(reversed(service.history(person_id)))
    writes = list(reversed(service.salesforce_writes(person_id)))
    problems = list(reversed(service.diagnostics(person_id)))
    page = render_template(
        "person.html",
        person=found,
        history=history,
        writes=writes,
        problems=problems,
        error=error,
        reason=request.form.get("reason", ""),
        saved=request.args.get("saved"),
    )
    return page, status


@console.post("/people/<int:person_id>/resubscribe")
def resubscribe(person_id: int) -> Page:
    """Remove an unsubscribe in Marketo Sales only; a reason is required (docs/behaviour.md 6)."""
    if (denied := require_admin()) is not None:
        return denied
    reason = request.form.get("reason", "").strip()
    if not reason:
        return _person_page(person_id, "Give a reason: it is kept in the history.", 400)
    changed = _service().resubscribe(person_id, g.admin, reason, _now())
    saved = "resubscribed" if changed else "already"
    return redirect(url_for("console.person", person_id=person_id, saved=saved))


@console.get("/diagnostics")
def diagnostics() -> Page:
    if (denied := require_read()) is not None:
        return denied
    service = _service()
    recent = list(reversed(service.diagnostics()))[:100]
    names = queries.emails(_engine(), {d.person_id for d in recent if d.person_id})
    return render_template(
        "diagnostics.html",
        recent=recent,
        names=names,
        waiting=queries.waiting_pushes(_engine()),
        requeued=request.args.get("requeued"),
    )


@console.post("/diagnostics/retry")
def retry() -> Page:
    """Every parked push (or one person's) is due again now (docs/behaviour.md 4: on request)."""
    if (denied := require_admin()) is not None:
        return denied
    person_id = request.form.get("person", "")
    count = _service().store.requeue_parked(_now(), int(person_id) if person_id.isdigit() else None)
    return redirect(url_for("console.diagnostics", requeued=count))


@console.get("/runs")
def runs() -> Page:
    if (denied := require_read()) is not None:
        return denied
    records = list(reversed(_service().runs()))[:200]
    return render_template("runs.html", runs=records)


@console.get("/runs/<int:run_id>")
def run(run_id: int) -> Page:
    if (denied := require_read()) is not None:
        return denied
    record = next((r for r in _service().runs() if r.id == run_id), None)
    if record is None:
        abort(404, description=f"There is no run number {run_id}.")
    engine = _engine()
    unsubscribed = []
    if record.kind is RunKind.NIGHTLY:
        unsubscribed = queries.nightly_unsubscribes(engine, record.started_at, record.finished_at)
    return render_template(
        "run.html",
        run=record,
        writes=queries.run_writes(engine, run_id),
        unsubscribed=unsubscribed,
    )


@console.route("/login", methods=["GET", "POST"])
def login() -> Page:
    target = request.values.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("console.status")
    if request.method == "GET":
        return render_template("login.html", next=target, error=None)
    accounts: Accounts = current_app.extensions["accounts"]
    throttle: LoginThrottle = current_app.extensions["login_throttle"]
    username, address, now = request.form.get("username", ""), request.remote_addr or "", _now()
    wait = throttle.wait(username, address, now)
    if wait is not None:
        minutes = max(1, -(-int(wait.total_seconds()) // 60))
        error = f"Too many failed logins. Try again in {minutes} minute{'s' * (minutes > 1)}."
        page = render_template("login.html", next=target, error=error, username=username)
        return Response(page, 429, {"Retry-After": str(max(1, int(wait.total_seconds())))})
    token = accounts.log_in(username, request.form.get("password", ""), now)
    if token is None:
        throttle.failed(username, address, now)
        page = render_template(
            "login.html",
            next=target,
            error="That name and password do not match.",
            username=username,
        )
        return page, 401
    throttle.succeeded(username, address)
    session.clear()
    session["sid"] = token
    return redirect(target)


@console.post("/logout")
def logout() -> Page:
    accounts: Accounts = current_app.extensions["accounts"]
    accounts.log_out(session.get("sid"))
    session.clear()
    return redirect(url_for("console.login"))
