"""Query resources: /query and /queryAll (with paging by locator), getUpdated/getDeleted, and
SOSL /search.

Wire rules in docs/salesforce-wire.md 3.1: both /query/{locator} and /queryAll/{locator}
resolve, the batch size comes from `Sforce-Query-Options`, and queryAll alone returns deleted
rows.
`columns=true` and `explain=` answer column metadata and query plans (soql/metadata.py).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from fake_salesforce import list_views, sosl, viewed
from fake_salesforce.errors import JSON_CONTENT_TYPE, ApiError
from fake_salesforce.routes.context import (
    api_version,
    current_org,
    json_response,
    note_records,
    record_url,
)
from fake_salesforce.soql import cursor, metadata, replication
from fake_salesforce.soql.engine import execute

bp = Blueprint("query", __name__, url_prefix="/services/data/v<version:version>")
MAX_RECENT = 200


@bp.url_value_preprocessor
def _drop_version(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values:
        values.pop("version", None)


def _run(include_deleted: bool) -> Response:
    org = current_org()
    now = org.clock.now()
    plan = request.args.get("explain")
    if plan is not None:
        view = list_views.by_id(org, plan.strip()) if plan.strip()[:3] == "00B" else None
        soql = list_views.query(*view) if view is not None else plan
        return json_response(metadata.explain(soql, org, now, org.timezone))
    text = request.args.get("q")
    if text is None:
        raise ApiError(400, "MALFORMED_QUERY", "A query string has to be specified")
    if request.args.get("columns", "").lower() == "true":
        return json_response(metadata.columns(text, org))
    result = execute(text, org, now, org.timezone, include_deleted)
    if result.for_mode is not None:
        viewed.mark_viewed(org, result.sobject, result.ids, result.for_mode)
    batch = cursor.batch_size(request.headers.get("Sforce-Query-Options"))
    page = cursor.first_page(
        org.cursors, result, api_version(), batch, now, lambda: org.minter.mint("01g")
    )
    return _answer(page)


def _answer(page: cursor.Page) -> Response:
    note_records(*page.ids)
    # Pages go straight to JSON text: 2,000 records a page is the hot path of a full sync.
    return Response(page.json(), status=200, content_type=JSON_CONTENT_TYPE)


@bp.get("/query")
def query() -> Response:
    return _run(include_deleted=False)


@bp.get("/queryAll")
def query_all() -> Response:
    return _run(include_deleted=True)


@bp.get("/query/<locator>")
@bp.get("/queryAll/<locator>")
def query_more(locator: str) -> Response:
    org = current_org()
    return _answer(cursor.next_page(org.cursors, locator, api_version(), org.clock.now()))


@bp.get("/sobjects/<sobject>/updated")
def updated(sobject: str) -> Response:
    org = current_org()
    spec = org.require_spec(sobject)
    start, end = _window()
    return json_response(replication.updated(org.table(spec.name), start, end, org.clock.now()))


@bp.get("/sobjects/<sobject>/deleted")
def deleted(sobject: str) -> Response:
    org = current_org()
    spec = org.require_spec(sobject)
    start, end = _window()
    log = org.deleted_log(spec.name)
    return json_response(replication.deleted(log, start, end, org.clock.now()))


def _window() -> tuple[Any, Any]:
    return (
        replication.window_bound(request.args.get("start"), "start"),
        replication.window_bound(request.args.get("end"), "end"),
    )


@bp.get("/recent")
def recent() -> Response:
    """Recently viewed items (REST API Developer Guide, "Recently Viewed Items"): the records
    last viewed or referenced (`FOR VIEW`, `FOR REFERENCE`), newest first, `?limit=` up to 200."""
    org = current_org()
    raw = request.args.get("limit", str(MAX_RECENT))
    if not raw.isdigit():
        raise ApiError(400, "INVALID_QUERY_PARAMETER_VALUE", f"Invalid limit: {raw}")
    out = []
    found = viewed.recently_viewed(org, min(int(raw), MAX_RECENT))
    for sobject, rid in found:
        record = org.get(sobject, rid) or {}
        out.append(
            {
                "attributes": {"type": sobject, "url": record_url(sobject, rid)},
                "Id": rid,
                "Name": record.get("Name"),
            }
        )
    note_records(*(rid for _, rid in found))
    return json_response(out)


@bp.get("/search")
def search() -> Response:
    """SOSL (fake_salesforce/sosl.py): `?q=FIND {...} ...`, answered as `searchRecords`."""
    org = current_org()
    text = request.args.get("q")
    if not text:
        raise ApiError(400, "MALFORMED_SEARCH", "A search string has to be specified")
    answer = sosl.search(text, org, org.clock.now(), api_version())
    note_records(*(r["Id"] for r in answer["searchRecords"] if "Id" in r))
    return json_response(answer)
