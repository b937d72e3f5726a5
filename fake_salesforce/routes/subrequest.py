"""One composite subrequest run through the app's own routes, inside the composite's call.

The subrequest gets a fresh Flask `g` that shares the caller's org and token but skips
authentication, faults and usage counting: the whole composite is one API call. What the
subrequest wrote is reported to the caller's journal entry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, request

from fake_salesforce.errors import ApiError

# Families a composite may contain (docs/salesforce-wire.md 4.2): sObjects, query, collections.
ALLOWED_ENDPOINTS = ("sobjects.", "query.", "composite.collection_")
FORBIDDEN_HEADERS = frozenset({"accept", "authorization", "content-type"})


@dataclass(frozen=True)
class Answer:
    """A subrequest's status, parsed JSON body (None when empty) and Location header."""

    status: int
    body: Any
    location: str | None = None

    @property
    def ok(self) -> bool:
        return self.status < 400


def dispatch(method: str, path: str, body: Any, headers: dict[str, str] | None = None) -> Answer:
    """Run `method path` with JSON `body` as the current org, without counting a call."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    outer = g._get_current_object()  # type: ignore[attr-defined]
    for name in headers or {}:
        if name.lower() in FORBIDDEN_HEADERS:
            return _error(400, "INVALID_HEADER_TYPE", f"Subrequests cannot set the {name} header")
    path, _, query = path.partition("?")
    data = None if body is None else json.dumps(body)
    with app.app_context():
        g.org, g.token, g.counted = outer.org, getattr(outer, "token", None), False
        g.api_version = _version(path) or getattr(outer, "api_version", "59.0")
        with app.test_request_context(
            path,
            method=method.upper(),
            query_string=query,
            data=data,
            content_type="application/json",
            headers=headers or {},
        ):
            response = _run(app)
        for key in ("written", "records"):
            outer.setdefault(key, []).extend(g.get(key, ()))
    payload = response.get_data()
    parsed = json.loads(payload) if payload.strip() else None
    return Answer(response.status_code, parsed, response.headers.get("Location"))


def _version(path: str) -> str | None:
    parts = path.split("/")
    if len(parts) > 3 and parts[1:3] == ["services", "data"] and parts[3].startswith("v"):
        return parts[3][1:]
    return None


def _run(app: Any) -> Any:
    try:
        if request.routing_exception is not None:
            raise request.routing_exception
        if not (request.endpoint or "").startswith(ALLOWED_ENDPOINTS):
            raise ApiError(
                400, "INVALID_REQUEST", f"Resource not supported in a composite: {request.path}"
            )
        for name in (None, *reversed(request.blueprints)):
            for preprocess in app.url_value_preprocessors.get(name, ()):
                preprocess(request.endpoint, request.view_args)
        return app.make_response(app.dispatch_request())
    except Exception as exc:  # rendered exactly as the app renders it
        return app.make_response(app.handle_user_exception(exc))


def _error(status: int, code: str, message: str) -> Answer:
    return Answer(status, [{"errorCode": code, "message": message}])
