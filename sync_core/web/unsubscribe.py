"""The unsubscribe page behind every sales email's link (the `clicked_link` source).

A GET only shows the address and a confirm button: mail scanners follow links, so a GET never
unsubscribes. A POST (the confirm button, or an RFC 8058 one-click POST) captures the
unsubscribe and pushes it at once. A forged, altered or expired link changes nothing.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request
from werkzeug.wrappers import Response

from sync_core.model import Person, Source
from sync_core.web.app import WebOptions
from sync_core.web.links import LinkError, LinkProblem, confirm_token, read_token, verify_token

unsubscribe = Blueprint("unsubscribe", __name__)
REASON_LIMIT = 500


def _person(token: str) -> tuple[Person | None, LinkProblem | None]:
    """The link's person if the link is genuine and current, else why not."""
    options: WebOptions = current_app.extensions["options"]
    now: datetime = current_app.extensions["clock"]()
    if options.link_key is None:
        return None, LinkProblem.FORGED
    try:
        claim = read_token(token)
        person = _lookup(claim.person_id)
        verify_token(options.link_key, token, person.email if person else None, now)
    except LinkError as exc:
        return None, exc.problem
    return person, None


def _lookup(person_id: int) -> Person | None:
    try:
        person: Person = current_app.extensions["sync"].person(person_id)
    except KeyError:
        return None
    return person


def _page(template: str, status: int = 200, **values: Any) -> tuple[str, int]:
    return render_template(template, **values), status


@unsubscribe.get("/u/<token>")
def show(token: str) -> tuple[str, int]:
    person, problem = _person(token)
    if person is None:
        return _page(
            "unsubscribe_invalid.html", 404 if problem != "expired" else 410, problem=problem
        )
    key = current_app.extensions["options"].link_key
    return _page(
        "unsubscribe.html",
        person=person,
        token=token,
        done=person.unsubscribed,
        confirm=confirm_token(key, token),
    )


@unsubscribe.post("/u/<token>")
def confirm(token: str) -> tuple[str, int] | Response:
    """Capture a `clicked_link` unsubscribe (once) and push it now (docs/behaviour.md 4)."""
    person, problem = _person(token)
    if person is None:
        return _page(
            "unsubscribe_invalid.html", 404 if problem != "expired" else 410, problem=problem
        )
    one_click = request.form.get("List-Unsubscribe") == "One-Click"  # RFC 8058 3.1
    expected = confirm_token(current_app.extensions["options"].link_key, token)
    if not one_click and not hmac.compare_digest(request.form.get("csrf", ""), expected):
        abort(400, description="The form has expired. Open the link from the email again.")
    reason = request.form.get("reason", "").strip()[:REASON_LIMIT] or None
    clock = current_app.extensions["clock"]
    service = current_app.extensions["sync"]
    now = clock()
    captured = service.unsubscribe(person.id, Source.CLICKED_LINK, now, reason=reason)
    if captured:
        window = service.settings().push_window_seconds
        current_app.extensions["pusher"](now + timedelta(seconds=window))
    if one_click:
        return Response("unsubscribed\n", 200, mimetype="text/plain")
    return _page("unsubscribe_done.html", person=person, already=not captured)
