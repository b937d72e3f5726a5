"""sObject resources: global and per-object describe, create, retrieve, update, delete, upsert.

Status codes per docs/salesforce-wire.md 2.1: create 201 `{id,success,errors}`; update and
delete 204 with an empty body; upsert 201/200 with `created`, 300 when an external Id matches
several.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from fake_salesforce import ids, layouts, list_views, save_results
from fake_salesforce.describe import describe_global, describe_object, global_entry
from fake_salesforce.errors import ApiError
from fake_salesforce.org import Org
from fake_salesforce.routes.context import (
    api_version,
    current_org,
    empty_response,
    json_response,
    note_records,
    note_write,
    record_url,
    render_record,
    request_object,
)
from fake_salesforce.schema import ObjectSpec

bp = Blueprint("sobjects", __name__, url_prefix="/services/data/v<version:version>/sobjects")


@bp.url_value_preprocessor
def _drop_version(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values:
        values.pop("version", None)


def _spec(org: Org, sobject: str) -> ObjectSpec:
    spec = org.object_spec(sobject)
    if spec is None:
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    return spec


@bp.get("")
def global_describe() -> Response:
    org = current_org()
    specs = [s for name in org.tables if (s := org.object_spec(name)) is not None]
    return json_response(describe_global(specs, api_version()))


@bp.get("/<sobject>")
def basic_info(sobject: str) -> Response:
    org = current_org()
    spec = _spec(org, sobject)
    return json_response({"objectDescribe": global_entry(spec, api_version()), "recentItems": []})


@bp.get("/<sobject>/describe")
def describe(sobject: str) -> Response:
    org = current_org()
    specs = [s for name in org.tables if (s := org.object_spec(name)) is not None]
    return json_response(describe_object(_spec(org, sobject), api_version(), specs))


@bp.get("/<sobject>/describe/layouts")
def describe_layouts(sobject: str) -> Response:
    org = current_org()
    spec = _spec(org, sobject)
    return json_response(layouts.describe_layouts(spec, _layout_id(org, spec)))


@bp.get("/<sobject>/describe/layouts/<record_type_id>")
def describe_layout(sobject: str, record_type_id: str) -> Response:
    org = current_org()
    spec = _spec(org, sobject)
    if ids.normalize(record_type_id) != layouts.MASTER_RECORD_TYPE:
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    return json_response(layouts.layout(spec, _layout_id(org, spec)))


@bp.get("/<sobject>/describe/namedLayouts/<name>")
def describe_named_layout(sobject: str, name: str) -> Response:
    org = current_org()
    spec = _spec(org, sobject)
    if not layouts.has_named_layout(spec, name):
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    return json_response(layouts.describe_layouts(spec, _layout_id(org, spec)))


@bp.get("/<sobject>/describe/compactLayouts")
def describe_compact_layouts(sobject: str) -> Response:
    return json_response(layouts.compact_layouts(_spec(current_org(), sobject)))


@bp.get("/<sobject>/describe/approvalLayouts")
def describe_approval_layouts(sobject: str) -> Response:
    _spec(current_org(), sobject)
    return json_response(layouts.approval_layouts())


@bp.get("/<sobject>/listviews")
def list_view_listing(sobject: str) -> Response:
    org = current_org()
    return json_response(list_views.listing(org, _spec(org, sobject), _base()))


@bp.get("/<sobject>/listviews/<list_view_id>")
def list_view_info(sobject: str, list_view_id: str) -> Response:
    org = current_org()
    spec = _spec(org, sobject)
    list_views.require(org, spec, list_view_id)
    return json_response(list_views.info(org, spec, _base()))


@bp.get("/<sobject>/listviews/<list_view_id>/describe")
def list_view_describe(sobject: str, list_view_id: str) -> Response:
    org = current_org()
    spec = _spec(org, sobject)
    view = list_views.require(org, spec, list_view_id)
    return json_response(list_views.describe(org, spec, view))


@bp.get("/<sobject>/listviews/<list_view_id>/results")
def list_view_results(sobject: str, list_view_id: str) -> Response:
    org = current_org()
    spec = _spec(org, sobject)
    view = list_views.require(org, spec, list_view_id)
    limit, offset = list_views.page_bounds(request.args.get("limit"), request.args.get("offset"))
    return json_response(list_views.results(org, spec, view, limit, offset))


def _base() -> str:
    return f"/services/data/v{api_version()}"


def _layout_id(org: Org, spec: ObjectSpec) -> str:
    """A stable `00h` Id per object and org (its position among the org's objects)."""
    position = list(org.tables).index(spec.name) + 1
    return ids.to18(f"00h{org.org_id[3:5]}{position:010d}")


@bp.post("/<sobject>")
def create(sobject: str) -> Response:
    org = current_org()
    spec = _spec(org, sobject)
    body = request_object()
    record_id = org.create(spec.name, body)
    note_write(record_id, written_fields(spec, body))
    return json_response({"id": record_id, "success": True, "errors": []}, 201)


def written_fields(spec: ObjectSpec, body: dict[str, Any]) -> dict[str, Any]:
    """The body's fields in canonical casing, for the journal."""
    out = {}
    for key, value in body.items():
        field = spec.field(key)
        if field is not None and field.name != "Id":
            out[field.name] = value
    return out


SUBRESOURCES = frozenset({"describe", "updated", "deleted", "listviews", "quickactions"})


def _not_a_subresource(name: str) -> None:
    """`DELETE /sobjects/Contact/describe` is a wrong method, not a record Id; a GET of a
    sub-resource the fake does not serve (`listviews`) is not found (a 405 saying that GET is
    not allowed while allowing GET would contradict itself)."""
    if name.lower() not in SUBRESOURCES:
        return
    if request.method in ("GET", "HEAD"):
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    raise ApiError(
        405,
        "METHOD_NOT_ALLOWED",
        f"HTTP Method '{request.method}' not allowed. Allowed are GET,HEAD",
    )


def _resolve_id(org: Org, spec: ObjectSpec, value: str) -> str:
    """The Id in a URL, or the 404/400 Salesforce answers for it (docs/salesforce-wire.md 2.4)."""
    _not_a_subresource(value)
    if ids.is_id_shaped(value):
        if value[:3] == spec.key_prefix:
            rid = ids.normalize(value)
            if rid is None:
                raise ApiError(
                    400,
                    "MALFORMED_ID",
                    f"{spec.label} ID: id value of incorrect type: {value}",
                    ["Id"],
                )
            return rid
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    raise ApiError(
        404, "NOT_FOUND", f"Provided external ID field does not exist or is not accessible: {value}"
    )


@bp.get("/<sobject>/<record_id>")
def retrieve(sobject: str, record_id: str) -> Response:
    org = current_org()
    spec = _spec(org, sobject)
    rid = _resolve_id(org, spec, record_id)
    record = org.get(spec.name, rid)
    if record is None:
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    note_records(rid)
    return json_response(render_record(spec, record, _field_list(spec)))


def _field_list(spec: ObjectSpec) -> list[str] | None:
    """`?fields=A,B`: those fields then `Id`; an unknown one is INVALID_FIELD."""
    wanted = request.args.get("fields") if request.query_string else None
    if not wanted:
        return None
    names: list[str] = []
    for raw in wanted.split(","):
        raw = raw.strip()
        field = spec.field(raw)
        if field is None:
            raise ApiError(
                400,
                "INVALID_FIELD",
                f"No such column '{raw}' on entity "
                f"'{spec.name}'. If you are attempting to use a custom field, be sure "
                "to append the '__c' after the custom field name. Please reference "
                "your WSDL or the describe call for the appropriate names.",
            )
        if field.name not in names:
            names.append(field.name)
    if "Id" not in names:
        names.append("Id")
    return names


@bp.patch("/<sobject>/<record_id>")
def update(sobject: str, record_id: str) -> Response:
    org = current_org()
    spec = _spec(org, sobject)
    rid = _resolve_id(org, spec, record_id)
    body = request_object()
    org.update(spec.name, rid, body)
    note_write(rid, written_fields(spec, body))
    return empty_response()


@bp.delete("/<sobject>/<record_id>")
def delete(sobject: str, record_id: str) -> Response:
    org = current_org()
    spec = _spec(org, sobject)
    rid = _resolve_id(org, spec, record_id)
    org.delete(spec.name, rid)
    note_write(rid, {"IsDeleted": True})
    return empty_response()


@bp.get("/<sobject>/<field>/<path:value>")
def retrieve_by_external_id(sobject: str, field: str, value: str) -> Response:
    org = current_org()
    spec = _spec(org, sobject)
    name = save_results.external_field(spec, field)
    found = save_results.external_matches(org, spec, name, value)
    if not found:
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    if len(found) > 1:
        return json_response([record_url(spec.name, r) for r in found], 300)
    record = org.get(spec.name, found[0])
    assert record is not None
    note_records(found[0])
    return json_response(render_record(spec, record, _field_list(spec)))


@bp.route("/<sobject>/<field>/<path:value>", methods=["PATCH", "POST"])
@bp.route("/<sobject>/<field>", methods=["POST"], defaults={"value": ""})
def upsert(sobject: str, field: str, value: str) -> Response:
    org = current_org()
    spec = _spec(org, sobject)
    _not_a_subresource(field)
    name = save_results.external_field(spec, field)
    body = request_object()
    found = save_results.external_matches(org, spec, name, value) if value else []
    if len(found) > 1:
        return json_response([record_url(spec.name, r) for r in found], 300)
    if found:
        org.update(
            spec.name,
            found[0],
            {k: v for k, v in body.items() if (f := spec.field(k)) is None or f.name != name},
        )
        note_write(found[0], written_fields(spec, body))
        return json_response({"id": found[0], "success": True, "errors": [], "created": False}, 200)
    if request.args.get("updateOnly") == "true":
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    if name == "Id" and value:
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    create_body = dict(body)
    if name != "Id":
        create_body[name] = value
    record_id = org.create(spec.name, create_body)
    note_write(record_id, written_fields(spec, create_body))
    return json_response({"id": record_id, "success": True, "errors": [], "created": True}, 201)
