"""Composite resources: sObject Collections, `/composite` (with references), `/composite/batch`
and `/composite/tree` (composite_tree.py).

Wire rules in docs/salesforce-wire.md 4: collections take up to 200 records (2,000 Ids to retrieve),
answer 200 with SaveResults in request order keyed `statusCode`; a composite is one API call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, Response, request

from fake_salesforce import ids, save_results
from fake_salesforce.errors import ApiError
from fake_salesforce.org import Org
from fake_salesforce.routes import composite_graph, composite_tree
from fake_salesforce.routes.context import (
    current_org,
    json_response,
    note_records,
    note_write,
    render_record,
    request_object,
)
from fake_salesforce.save_results import Operation, Outcome
from fake_salesforce.schema import ObjectSpec

bp = Blueprint("composite", __name__, url_prefix="/services/data/v<version:version>/composite")

MAX_RECORDS, MAX_RETRIEVE, MAX_CHUNKS = 200, 2000, 10


@bp.url_value_preprocessor
def _drop_version(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values:
        values.pop("version", None)


def _too_many(limit: int) -> ApiError:
    return ApiError(
        400,
        "EXCEEDED_ID_LIMIT",
        f"record limit reached. cannot submit more than {limit} records into this call",
    )


def _records(body: dict[str, Any]) -> list[dict[str, Any]]:
    records = body.get("records")
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ApiError(400, "JSON_PARSER_ERROR", "records: expected a list of sObjects")
    if len(records) > MAX_RECORDS:
        raise _too_many(MAX_RECORDS)
    return records


def _all_or_none(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _type_of(org: Org, record: dict[str, Any]) -> ObjectSpec | ApiError:
    attributes = record.get("attributes")
    name = attributes.get("type") if isinstance(attributes, dict) else None
    if not isinstance(name, str) or not name:
        return ApiError(400, "INVALID_TYPE", "No SObject Type defined in JSON", [])
    spec = org.object_spec(name)
    if spec is None:
        return ApiError(400, "INVALID_TYPE", f"sObject type '{name}' is not supported.", [])
    return spec


def _check_chunks(specs: Sequence[object]) -> None:
    """Runs of one type are chunks; Salesforce takes at most ten (docs/salesforce-wire.md 4.1)."""
    names = [s.name if isinstance(s, ObjectSpec) else None for s in specs]
    chunks = sum(1 for i, n in enumerate(names) if i == 0 or n != names[i - 1])
    if chunks > MAX_CHUNKS:
        raise ApiError(
            400,
            "INVALID_BATCH_REQUEST",
            "Cannot have more than 10 chunks in a single operation. Please rearrange the data "
            "to reduce chunking.",
        )


def _failing(error: ApiError) -> Operation:
    def run() -> Outcome:
        raise error

    return run


def _answer(outcomes: list[Outcome], with_created: bool = False) -> Response:
    for outcome in outcomes:
        if outcome.success and outcome.record_id is not None:
            note_write(outcome.record_id, dict(outcome.written or {}))
    return json_response([o.body(with_created) for o in outcomes])


def _write(build: Any) -> Response:
    org = current_org()
    body = request_object()
    records = _records(body)
    specs = [_type_of(org, r) for r in records]
    _check_chunks(specs)
    operations = [
        _failing(s) if isinstance(s, ApiError) else build(org, s, r)
        for s, r in zip(specs, records, strict=True)
    ]
    return _answer(save_results.run_all(org, operations, _all_or_none(body.get("allOrNone"))))


def _create(org: Org, spec: ObjectSpec, record: dict[str, Any]) -> Operation:
    if any(k.lower() == "id" for k in record):
        return _failing(
            ApiError(400, "INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])
        )
    return save_results.insert(org, spec, _fields(record))


def _fields(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "attributes"}


@bp.post("/sobjects")
def collection_create() -> Response:
    return _write(_create)


@bp.patch("/sobjects")
def collection_update() -> Response:
    return _write(lambda org, spec, record: save_results.update(org, spec, _fields(record)))


@bp.delete("/sobjects")
def collection_delete() -> Response:
    org = current_org()
    raw = request.args.get("ids", "")
    wanted = [i.strip() for i in raw.split(",") if i.strip()]
    if not wanted:
        raise ApiError(400, "MISSING_ARGUMENT", "ids: the list of Ids is required")
    if len(wanted) > MAX_RECORDS:
        raise _too_many(MAX_RECORDS)
    operations = [save_results.delete(org, None, rid) for rid in wanted]
    all_or_none = _all_or_none(request.args.get("allOrNone"))
    return _answer(save_results.run_all(org, operations, all_or_none))


@bp.patch("/sobjects/<sobject>/<field>")
def collection_upsert(sobject: str, field: str) -> Response:
    org = current_org()
    target = org.require_spec(sobject)
    name = save_results.external_field(target, field)
    body = request_object()
    records = _records(body)
    operations: list[Operation] = []
    for record in records:
        spec = _type_of(org, record)
        if isinstance(spec, ApiError):
            operations.append(_failing(spec))
        elif spec.name != target.name:
            message = f"Record type {spec.name} does not match the URL's {target.name}"
            operations.append(_failing(ApiError(400, "INVALID_TYPE", message, [])))
        else:
            operations.append(save_results.upsert(org, spec, name, _fields(record)))
    outcomes = save_results.run_all(org, operations, _all_or_none(body.get("allOrNone")))
    return _answer(outcomes, with_created=True)


@bp.get("/sobjects/<sobject>")
def collection_retrieve(sobject: str) -> Response:
    wanted = [i for i in request.args.get("ids", "").split(",") if i.strip()]
    names = [f for f in request.args.get("fields", "").split(",") if f.strip()]
    return _retrieve(sobject, wanted, names)


@bp.post("/sobjects/<sobject>")
def collection_retrieve_by_body(sobject: str) -> Response:
    body = request_object()
    wanted, names = body.get("ids"), body.get("fields")
    if not isinstance(wanted, list) or not isinstance(names, list):
        raise ApiError(400, "JSON_PARSER_ERROR", "ids and fields must be lists")
    return _retrieve(sobject, [str(i) for i in wanted], [str(f) for f in names])


def _retrieve(sobject: str, wanted: list[str], names: list[str]) -> Response:
    org = current_org()
    spec = org.require_spec(sobject)
    if len(wanted) > MAX_RETRIEVE:
        raise _too_many(MAX_RETRIEVE)
    fields: list[str] = []
    for raw in names:
        field = spec.field(raw.strip())
        if field is None:
            raise ApiError(
                400, "INVALID_FIELD", f"No such column '{raw}' on entity '{spec.name}'", [raw]
            )
        fields.append(field.name)
    out: list[dict[str, Any] | None] = []
    for raw in wanted:
        rid = ids.normalize(raw.strip())
        record = org.get(spec.name, rid) if rid else None
        if record is None or rid is None:
            out.append(None)
            continue
        note_records(rid)
        out.append(render_record(spec, record, fields or None))
    return json_response(out)


@bp.post("")
def composite() -> Response:
    return json_response(composite_graph.run_composite(current_org(), request_object()))


@bp.post("/batch")
def batch() -> Response:
    return json_response(composite_graph.run_batch(request_object()))


@bp.post("/tree/<sobject>")
def tree(sobject: str) -> Response:
    """sObject Tree (routes/composite_tree.py): 201 when every record was created, else 400."""
    org = current_org()
    nodes = composite_tree.flatten(org, org.require_spec(sobject), request_object())
    failed, results = composite_tree.create(org, nodes)
    if not failed:
        for node, result in zip(nodes, results, strict=True):
            note_write(result["id"], node.values)
    return json_response({"hasErrors": failed, "results": results}, 400 if failed else 201)
