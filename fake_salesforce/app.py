"""The Flask application factory: routing, error rendering, and the hooks that take every API
call through the request gate (gate.py: authentication, org lock, faults, usage, journal).

No module-level app or state: `create_app(registry)` serves the orgs that registry holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter

from fake_salesforce import console
from fake_salesforce.errors import JSON_CONTENT_TYPE, ApiError
from fake_salesforce.faults import call_sobject
from fake_salesforce.gate import Gate, Passage, token_of
from fake_salesforce.journal import Deferred, Write
from fake_salesforce.lane import Lane
from fake_salesforce.registry import Registry
from fake_salesforce.routes import (
    auth,
    bulk,
    bulk_v1,
    composite,
    control,
    frontdoor,
    limits,
    query,
    sobjects,
    tabs,
    versions,
)

MAX_BODY_BYTES = 160 * 1024 * 1024  # Bulk API 2.0 takes uploads up to 150 MB
_DATA_PATH = re.compile(r"^/services/(?:data/v(\d+\.\d)|async/(\d+\.\d))(?:/|$)(.*)$")
_SOBJECT = re.compile(r"^(?:sobjects|composite/sobjects)/([A-Za-z0-9_]+)", re.IGNORECASE)
_QUERY = re.compile(r"^query(?:All)?/?$", re.IGNORECASE)


class VersionConverter(BaseConverter):
    """`59.0` in `/services/data/v59.0/`: any version Salesforce serves, else 404."""

    regex = r"\d{2}\.\d"

    def to_python(self, value: str) -> str:
        return value


def create_app(
    registry: Registry | None = None,
    *,
    instance_url: str | None = None,
    control_token: str | None = None,
) -> Flask:
    """A fake Salesforce serving every org in `registry` (a new one-org registry by default)."""
    if registry is None:
        registry = Registry()
        registry.add_org()
    app = FakeApp("fake_salesforce")
    app.url_map.strict_slashes = False
    app.url_map.converters["version"] = VersionConverter
    app.config.update(
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        REGISTRY=registry,
        INSTANCE_URL=instance_url,
        CONTROL_TOKEN=control_token,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    _register_blueprints(app)
    app.before_request(_authenticate)
    app.after_request(_finish)
    app.teardown_request(_release)
    app.register_error_handler(HTTPException, _render_http_error)
    app.register_error_handler(Exception, _render_unexpected)
    app.gate = Gate(registry)
    app.lane = Lane(app.gate, app.logger)
    return app


class FakeApp(Flask):
    """Flask, with record CRUD answered by `lane` first (lane.py) when it claims a call; both
    pass the same `gate`."""

    gate: Gate
    lane: Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes] | None] | None = None

    def wsgi_app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        lane = self.lane
        if lane is not None:
            answer = lane(environ, start_response)
            if answer is not None:
                return answer
        return super().wsgi_app(environ, start_response)


def _register_blueprints(app: Flask) -> None:
    app.register_blueprint(console.bp)  # first: its recorder sits inside the transport faults
    modules = (versions, auth, frontdoor, sobjects, query, composite, bulk, bulk_v1, limits, tabs,
               control)  # fmt: skip
    for module in modules:
        app.register_blueprint(module.bp)


def _authenticate() -> None:
    """The gate's way in for a Flask view: version, token, org lock, faults, usage."""
    # Proxies (`request`, `g`) are resolved once: this runs on every call and is on the hot path.
    req = request._get_current_object()  # type: ignore[attr-defined]
    match = _DATA_PATH.match(req.path)
    if match is None or req.endpoint in PUBLIC_ENDPOINTS:
        return
    version = match.group(1) or match.group(2)
    gate: Gate = _app().gate
    if not gate.serves(version):
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    ctx = g._get_current_object()  # type: ignore[attr-defined]
    ctx.api_version = version
    token = token_of(req.headers.get("Authorization"), req.headers.get("X-SFDC-Session"))
    passage = gate.enter(req.method, req.path, token, bulk_v1=match.group(2) is not None)
    ctx.passage, ctx.org, ctx.token = passage, passage.org, token
    gate.admit(passage, _sobject(req, match.group(3)))


def _sobject(req: Any, rest: str) -> str | None:
    """What a fault rule's `sobject` matches: the URL's object, a query's FROM, or the type
    of a collection's records (only those bodies are parsed, and only here)."""
    named = _SOBJECT.match(rest)
    if named:
        return named.group(1)
    if _QUERY.match(rest):
        return call_sobject(None, req.args.get("q"), None)
    if rest.rstrip("/").lower() == "composite/sobjects" and req.method in ("PATCH", "POST"):
        try:
            body = req.get_json(silent=True)
        except RecursionError:  # nested too deeply: the route answers JSON_PARSER_ERROR
            return None
        return call_sobject(None, None, body)
    return None


def _release(_exc: BaseException | None) -> None:
    passage = g.pop("passage", None)
    if passage is not None:
        Gate.release(passage)


def _app() -> FakeApp:
    from flask import current_app

    return current_app._get_current_object()  # type: ignore[attr-defined,no-any-return]


PUBLIC_ENDPOINTS: set[str] = {"versions.list_versions"}


def _finish(response: Response) -> Response:
    """The gate's way out for a Flask view: `Sforce-Limit-Info` and the journal entry."""
    ctx = g._get_current_object()  # type: ignore[attr-defined]
    passage: Passage | None = ctx.get("passage")
    if passage is None:
        return response
    header = Gate.leave(passage, response.status_code, _error_code(response), **_noted_records(ctx))
    if header is not None:
        response.headers["Sforce-Limit-Info"] = header
    return response


def _noted_records(ctx: Any) -> dict[str, Sequence[Any]]:
    """The journal's `records` and `written` for this request; a Bulk poll's many writes are
    listed only when the entry is read."""
    records: tuple[str, ...] = tuple(ctx.get("records", ()))
    written: tuple[Write, ...] = tuple(ctx.get("written", ()))
    bulk = ctx.get("bulk_writes")
    if bulk is None:
        return {"records": tuple(dict.fromkeys(records)), "written": written}
    later = Deferred(bulk)
    return {
        "records": Deferred(lambda: dict.fromkeys([*records, *(rid for rid, _ in later)])),
        "written": Deferred(lambda: (*written, *later)),
    }


def _error_code(response: Response) -> str | None:
    if response.status_code < 300 or response.is_streamed:
        return None
    body = response.get_json(silent=True)
    if isinstance(body, list) and body and isinstance(body[0], dict):
        code = body[0].get("errorCode")
        return str(code) if code else None
    if isinstance(body, dict):
        code = body.get("exceptionCode") or body.get("error")
        return str(code) if code else None
    return None


_HTTP_CODES = {
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "REQUEST_ENTITY_TOO_LARGE",
    414: "URI_TOO_LONG",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


def _render_http_error(exc: HTTPException) -> Any:
    if isinstance(exc, ApiError):
        return exc.get_response()
    status = exc.code or 500
    code = _HTTP_CODES.get(status, "UNKNOWN_EXCEPTION" if status >= 500 else "INVALID_REQUEST")
    message = {
        404: "The requested resource does not exist",
        405: f"HTTP Method '{request.method}' not allowed. Allowed are "
        f"{','.join(sorted(set(getattr(exc, 'valid_methods', None) or []) - {'OPTIONS'}))}",
        413: "Request entity too large",
    }.get(status, exc.description or code)
    return Response(
        f'[{{"errorCode":"{code}","message":{_quote(message)}}}]',
        status=status,
        content_type=JSON_CONTENT_TYPE,
    )


def _render_unexpected(exc: Exception) -> Any:
    _app().logger.error(
        "unexpected error answering %s %s", request.method, request.path, exc_info=exc
    )
    return ApiError(500, "UNKNOWN_EXCEPTION").get_response()


def _quote(text: str) -> str:
    import json

    return json.dumps(text)
