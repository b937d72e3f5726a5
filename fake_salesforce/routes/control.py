"""The control API under /_fake/: orgs, state, records, admin acts, clock, faults and journal.

Every route addresses one org (`?org=` Id or username, or `X-Fake-Org`; the default org when
omitted). Loopback callers only, unless the app has a CONTROL_TOKEN: then every call must send
it as `X-Fake-Control-Token`. Answers are JSON; errors are `{"error": CODE, "message": ...}`.
"""

from __future__ import annotations

import hmac
import ipaddress
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, Response, current_app, request
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import HTTPException

from fake_salesforce import generate, ids, lead_convert, snapshot
from fake_salesforce.clock import ClockError, ClockRangeError
from fake_salesforce.errors import ApiError
from fake_salesforce.faults import FaultSpecError, TransportFaults, parse_when, relative_delta
from fake_salesforce.journal import filters_from_query
from fake_salesforce.org import Org
from fake_salesforce.registry import Registry
from fake_salesforce.routes import control_checks as check
from fake_salesforce.routes.context import empty_response, json_response
from fake_salesforce.values import to_json

bp = Blueprint("control", __name__, url_prefix="/_fake")
TOKEN_HEADER = "X-Fake-Control-Token"
ORG_HEADER = "X-Fake-Org"


class ControlError(HTTPException):
    """A refused control call: status, a code and a sentence saying why."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(description=message)
        self.code, self.error, self.message = status, error, message

    def get_response(self, environ: Any = None, scope: Any = None) -> Response:
        return json_response({"error": self.error, "message": self.message}, self.code or 400)


@bp.record_once
def _wrap_transport(state: BlueprintSetupState) -> None:
    app: Any = state.app
    registry: Registry = app.config["REGISTRY"]
    app.wsgi_app = TransportFaults(app.wsgi_app, registry.resolve)


@bp.before_request
def _guard() -> None:
    expected = current_app.config.get("CONTROL_TOKEN")
    if expected:
        given = request.headers.get(TOKEN_HEADER, "")
        if not hmac.compare_digest(given.encode(), str(expected).encode()):
            raise ControlError(401, "CONTROL_TOKEN_REQUIRED", f"send the {TOKEN_HEADER} header")
        return
    try:
        loopback = ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ControlError(
            403,
            "CONTROL_LOOPBACK_ONLY",
            "the control API answers loopback callers only; start the server with a "
            "control token to use it from elsewhere",
        )


@bp.errorhandler(ControlError)
def _control_error(exc: ControlError) -> Response:
    return exc.get_response()


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> Response:
    return ControlError(exc.status, exc.error_code, exc.message).get_response()


@bp.errorhandler(ClockError)
def _clock_error(exc: ClockError) -> Response:
    return ControlError(409, "CLOCK_BACKWARDS", str(exc)).get_response()


@bp.errorhandler(ClockRangeError)
def _clock_range_error(exc: ClockRangeError) -> Response:
    return ControlError(400, "CLOCK_OUT_OF_RANGE", str(exc)).get_response()


@bp.errorhandler(ValueError)
def _bad_value(exc: ValueError) -> Response:  # BadInput, FaultSpecError, LoadError, Snapshot...
    return ControlError(400, "INVALID_REQUEST", str(exc)).get_response()


def _registry() -> Registry:
    registry: Registry = current_app.config["REGISTRY"]
    return registry


def _org() -> Org:
    wanted = request.args.get("org") or request.headers.get(ORG_HEADER)
    registry = _registry()
    if not wanted:
        if not registry.orgs:
            raise ControlError(404, "ORG_NOT_FOUND", "the server holds no org")
        return registry.default_org
    org = _find_org(registry, wanted)
    if org is None:
        raise ControlError(404, "ORG_NOT_FOUND", f"no org {wanted!r} (give its Id or username)")
    return org


def _find_org(registry: Registry, wanted: str) -> Org | None:
    org_id = ids.normalize(wanted) if ids.is_id_shaped(wanted) else None
    if org_id is not None and org_id in registry.orgs:
        return registry.orgs[org_id]
    return registry.by_username(wanted)


def _body() -> dict[str, Any]:
    return check.json_object(request.get_data())


def org_json(org: Org) -> dict[str, Any]:
    creds = org.credentials
    return {
        "id": org.org_id,
        "name": org.settings.name,
        "username": creds.username,
        "password": creds.password,
        "securityToken": creds.security_token,
        "consumerKey": creds.consumer_key,
        "consumerSecret": creds.consumer_secret,
        "packages": sorted(org.packages),
        "timezone": org.settings.timezone,
        "apiLimit": org.usage.limit,
        "now": org.clock.now().isoformat(),
    }


# -- orgs ---------------------------------------------------------------------------------
@bp.get("/orgs")
def list_orgs() -> Response:
    return json_response({"orgs": [org_json(o) for o in _registry().orgs.values()]})


@bp.post("/orgs")
def create_org() -> Response:
    body = _body()
    if not body.get("username"):
        raise ControlError(400, "INVALID_REQUEST", "username is required")
    schema = _schema_paths(body.get("schema", []))
    settings, credentials = check.org_settings(body, schema=schema), check.org_credentials(body)
    try:
        org = _registry().add_org(settings, credentials)
    except ValueError as exc:
        raise ControlError(409, "DUPLICATE_USERNAME", str(exc)) from None
    for package in settings.packages:
        org.install_package(package)
    return json_response(org_json(org), 201)


@bp.delete("/orgs/<org_ref>")
def delete_org(org_ref: str) -> Response:
    org = _find_org(_registry(), org_ref)
    if org is None:
        raise ControlError(404, "ORG_NOT_FOUND", f"no org {org_ref!r}")
    _registry().remove_org(org.org_id)
    return empty_response()


# -- state --------------------------------------------------------------------------------
@bp.post("/reset")
def reset() -> Response:
    org = _org()
    snapshot.reset_org(org)
    return json_response(org_json(org))


@bp.get("/state")
def export_state() -> Response:
    return json_response(snapshot.export_org(_org()))


@bp.put("/state")
def import_state() -> Response:
    org, data = _org(), _body()
    registry = _registry()
    if not isinstance(data.get("org_id"), str):
        raise check.BadInput("org_id: the snapshot's org Id, a string")
    if data.get("org_id") != org.org_id and data.get("org_id") in registry.orgs:
        raise ControlError(409, "ORG_EXISTS", f"another org already has Id {data['org_id']}")
    old_id = org.org_id
    _import_or_keep(org, data)
    if org.org_id != old_id:
        registry.orgs.pop(old_id, None)
        registry.orgs[org.org_id] = org
    return json_response(org_json(org))


def _import_or_keep(org: Org, data: dict[str, Any]) -> None:
    """Import a snapshot whole, or leave the org as it was and say why (400)."""
    saved = snapshot.export_org(org)
    try:
        snapshot.import_into(org, data)
    except (ValueError, LookupError, TypeError, AttributeError, OverflowError) as exc:
        snapshot.import_into(org, saved)
        detail = str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"
        raise check.BadInput(f"not a usable org snapshot ({detail})") from None


@bp.post("/records")
def load_records() -> Response:
    org = _org()
    try:
        section = generate.parse_document(request.get_data(), request.content_type or "")
    except RecursionError:
        raise check.BadInput("the document is nested too deeply") from None
    cap = current_app.config.get("MAX_GENERATE") or check.DEFAULT_MAX_GENERATE
    check.generate_counts(section, cap)
    return json_response(generate.load_section(org, section).as_json(), 201)


@bp.get("/records/<sobject>")
def read_columns(sobject: str) -> Response:
    """Some fields of every live record of a type in one answer (`?fields=Email,Title`): what a
    caller checking thousands of records needs without paging the API or counting usage.
    Fields the object lacks in this org (a package not installed) are left out; `fields` names
    the columns of each row, Id first."""
    org = _org()
    spec = org.require_spec(sobject)
    wanted = [name for name in request.args.get("fields", "").split(",") if name]
    names = [f.name for f in (spec.field(n) for n in wanted) if f is not None]
    with org.lock:
        table = org.tables[spec.name]
        rows = [
            [rid, *(to_json(table.value(row, n)) for n in names)]
            for rid, row in table.rows.items()
            if not table.value(row, "IsDeleted")
        ]
    return json_response({"fields": ["Id", *names], "records": rows})


@bp.get("/records/<sobject>/<record_id>")
def read_record(sobject: str, record_id: str) -> Response:
    """The stored record, deleted ones included (what the API would hide)."""
    org = _org()
    spec = org.require_spec(sobject)
    rid = ids.normalize(record_id)
    table = org.tables[spec.name]
    row = table.row(rid) if rid else None
    if row is None:
        raise ControlError(404, "NOT_FOUND", f"no {spec.name} {record_id}")
    return json_response({k: to_json(v) for k, v in table.as_dict(row, spec.fields).items()})


@bp.post("/records/<sobject>/<record_id>/undelete")
def undelete(sobject: str, record_id: str) -> Response:
    org = _org()
    with org.lock:
        org.undelete(sobject, record_id)
    return empty_response()


# -- the user's own schema ----------------------------------------------------------------
def _schema_paths(paths: Any) -> tuple[str, ...]:
    if not isinstance(paths, list) or not all(isinstance(p, str) and p for p in paths):
        raise ControlError(400, "INVALID_REQUEST", "schema paths must be a list of paths")
    return tuple(paths)


def _schema_json(org: Org) -> dict[str, Any]:
    specs = [t.spec for t in org.tables.values()]
    return {
        "paths": list(org.settings.schema),
        "objects": [{"name": s.name, "keyPrefix": s.key_prefix, "custom": s.custom} for s in specs],
    }


@bp.get("/schema")
def read_schema() -> Response:
    return json_response(_schema_json(_org()))


@bp.post("/schema")
def load_schema() -> Response:
    """Load SFDX, Metadata API or describe JSON files (paths on the server's machine)."""
    paths = _schema_paths(_body().get("paths"))
    org = _org()
    org.load_schema(paths)  # SchemaError is a ValueError: 400 naming the file and element
    return json_response(_schema_json(org))


# -- packages and admin acts --------------------------------------------------------------
@bp.get("/packages")
def packages() -> Response:
    return json_response({"packages": sorted(_org().packages)})


@bp.put("/packages/<package>")
def install_package(package: str) -> Response:
    org = _org()
    with org.lock:
        org.install_package(package)
    return json_response({"packages": sorted(org.packages)})


@bp.delete("/packages/<package>")
def uninstall_package(package: str) -> Response:
    org = _org()
    with org.lock:
        org.uninstall_package(package)
    return json_response({"packages": sorted(org.packages)})


@bp.post("/leads/<lead_id>/convert")
def convert_lead(lead_id: str) -> Response:
    body = _body()
    result = lead_convert.convert_lead(
        _org(),
        lead_id,
        contact_id=body.get("contactId"),
        account_id=body.get("accountId"),
        map_package_field=bool(body.get("mapPackageField", False)),
    )
    return json_response(result.as_json())


@bp.get("/field-security")
def field_security() -> Response:
    locked = sorted(f"{obj}.{name}" for obj, name in _org().read_only)
    return json_response({"readOnly": locked})


@bp.put("/field-security/<sobject>/<field_name>")
def set_field_security(sobject: str, field_name: str) -> Response:
    org, body = _org(), _body()
    with org.lock:
        org.set_field_read_only(sobject, field_name, bool(body.get("readOnly", True)))
    return field_security()


@bp.post("/sessions/expire")
def expire_sessions() -> Response:
    ended = _registry().expire_sessions(_org().org_id)
    return json_response({"expired": ended})


@bp.put("/usage")
def set_usage() -> Response:
    org, body = _org(), _body()
    with org.lock:
        if "limit" in body:
            org.usage.limit = check.whole(body, "limit", 0, 0, 10**9)
        if "used" in body:
            org.usage.set_used(org.clock.now(), check.whole(body, "used", 0, 0, 10**9))
        now = org.clock.now()
        return json_response({"used": org.usage.used(now), "limit": org.usage.limit})


# -- clock --------------------------------------------------------------------------------
def _clock_json(org: Org, now: datetime | None = None) -> Response:
    return json_response({"now": (now or org.clock.now()).isoformat()})


@bp.get("/clock")
def read_clock() -> Response:
    return _clock_json(_org())


@bp.put("/clock")
def set_clock() -> Response:
    org, body = _org(), _body()
    if "now" not in body:
        raise ControlError(400, "INVALID_REQUEST", 'send {"now": "2026-03-02T09:00:00Z"}')
    try:
        when = parse_when(body["now"], org.clock.now())
    except FaultSpecError as exc:
        raise ControlError(400, "INVALID_REQUEST", str(exc).replace("until:", "now:")) from None
    return _clock_json(org, org.clock.set(when))


@bp.post("/clock/advance")
def advance_clock() -> Response:
    org, body = _org(), _body()
    if "seconds" in body:
        delta = check.seconds(body["seconds"])
    else:
        delta = relative_delta(str(body.get("by", ""))) or timedelta(-1)
        if delta < timedelta(0):
            raise ControlError(
                400, "INVALID_REQUEST", 'send {"seconds": 90} or {"by": "+2h"} (forward only)'
            )
    return _clock_json(org, org.clock.advance(delta))


# -- faults -------------------------------------------------------------------------------
@bp.get("/faults")
def list_faults() -> Response:
    org = _org()
    return json_response({"faults": [r.as_json() for r in org.faults.active(org.clock.now())]})


@bp.post("/faults")
def add_fault() -> Response:
    org = _org()
    rule = org.faults.add(_body(), org.clock.now())
    return json_response(rule.as_json(), 201)


@bp.delete("/faults")
def clear_faults() -> Response:
    _org().faults.clear()
    return empty_response()


@bp.delete("/faults/<rule_id>")
def remove_fault(rule_id: str) -> Response:
    if not _org().faults.remove(rule_id):
        raise ControlError(404, "NOT_FOUND", f"no fault {rule_id}")
    return empty_response()


# -- journal ------------------------------------------------------------------------------
@bp.get("/journal")
def journal() -> Response:
    org = _org()
    entries = org.journal.query(**filters_from_query(request.args))
    return json_response(
        {
            "entries": [e.as_json() for e in entries],
            "lastSeq": org.journal.last_seq(),
            "dropped": org.journal.dropped,
        }
    )


@bp.get("/journal/counts")
def journal_counts() -> Response:
    org = _org()
    return json_response({**org.journal.counts(int(request.args.get("after", 0))),
                          "lastSeq": org.journal.last_seq()})  # fmt: skip


@bp.delete("/journal")
def clear_journal() -> Response:
    _org().journal.clear()
    return empty_response()
