"""Bulk API 2.0: ingest jobs (CSV upload, state changes, results) and query jobs (paged CSV).

Wire rules in docs/salesforce-wire.md 5.1-5.2 and trap 10.13: the upload answers exactly 201, job
create answers JSON whatever `Accept` says, every results page carries Sforce-NumberOfRecords
and Sforce-Locator (the literal `null` on the last), job DELETE answers 204.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import Blueprint, Response, current_app, request

from fake_salesforce import bulk_csv
from fake_salesforce.bulk_jobs import (
    INGEST_OPERATIONS,
    QUERY_OPERATIONS,
    Job,
    ingest_results,
)
from fake_salesforce.bulk_worker import worker_of
from fake_salesforce.errors import ApiError
from fake_salesforce.routes.context import (
    api_version,
    current_org,
    empty_response,
    json_response,
    note_bulk_writes,
    note_records,
    request_object,
)

bp = Blueprint("bulk", __name__, url_prefix="/services/data/v<version:version>/jobs")

CSV_TYPE = "text/csv; charset=UTF-8"


@bp.url_value_preprocessor
def _drop_version(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values:
        values.pop("version", None)


def _options(body: dict[str, Any]) -> dict[str, Any]:
    delimiter = str(body.get("columnDelimiter") or "COMMA")
    ending = str(body.get("lineEnding") or "LF")
    if delimiter not in bulk_csv.DELIMITERS or ending not in bulk_csv.LINE_ENDINGS:
        raise ApiError(400, "INVALIDJOB", "InvalidJob : invalid columnDelimiter or lineEnding")
    return {"delimiter": delimiter, "line_ending": ending}


def _listing(query: bool) -> Response:
    jobs = [j.info() for j in current_org().bulk.listing(query)]
    return json_response({"done": True, "records": jobs, "nextRecordsUrl": None})


# -- ingest ------------------------------------------------------------------------------------
@bp.post("/ingest")
def create_ingest() -> Response:
    org = current_org()
    body = request_object()
    operation = body.get("operation")
    if not isinstance(operation, str) or operation not in INGEST_OPERATIONS:
        raise ApiError(400, "INVALIDJOB", f"InvalidJob : Invalid operation: {operation}")
    spec = org.require_spec(str(body.get("object") or ""))
    options = _options(body)
    external = None
    if operation == "upsert":
        external = _external_id(spec, body.get("externalIdFieldName"))
    job = org.bulk.new_job(operation, spec.name, api_version(), external_id=external, **options)
    return json_response(job.info())


def _external_id(spec: Any, name: Any) -> str:
    field = spec.field(str(name or "Id"))
    if field is None or not (field.external_id or field.id_lookup or field.name == "Id"):
        raise ApiError(
            400, "INVALIDJOB", f"InvalidJob : Field name provided, {name} is not an External ID"
        )
    return str(field.name)


@bp.get("/ingest")
def list_ingest() -> Response:
    return _listing(query=False)


@bp.put("/ingest/<job_id>/batches")
def upload(job_id: str) -> Response:
    store = current_org().bulk
    store.upload(store.job(job_id, query=False), request.get_data())
    return empty_response(201)


@bp.get("/ingest/<job_id>")
def ingest_info(job_id: str) -> Response:
    store = current_org().bulk
    job = store.poll(store.job(job_id, query=False))
    _journal(job)
    return json_response(job.info())


def _journal(job: Job) -> None:
    """The poll that ran the job wrote its records: the journal hears of them now."""
    if job.journaled or job.state != "JobComplete":
        return
    job.journaled = True
    note_bulk_writes(job.outcomes.journal_writes)


@bp.patch("/ingest/<job_id>")
def ingest_state(job_id: str) -> Response:
    return _change_state(job_id, query=False)


def _change_state(job_id: str, query: bool) -> Response:
    org = current_org()
    store = org.bulk
    job = store.job(job_id, query)
    state = request_object().get("state")
    store.set_state(job, str(state))
    worker = worker_of(current_app)
    if worker is not None and job.state == "UploadComplete":
        worker.submit(org, job)  # applied off the request path (bulk_worker)
    return json_response(job.info())


@bp.delete("/ingest/<job_id>")
def delete_ingest(job_id: str) -> Response:
    store = current_org().bulk
    store.delete(store.job(job_id, query=False))
    return empty_response(204)


@bp.get("/ingest/<job_id>/<kind>")
def ingest_result(job_id: str, kind: str) -> Response:
    # simple-salesforce asks for `unprocessedRecords`, jsforce for `unprocessedrecords`.
    kind = kind.lower()
    if kind not in ("successfulresults", "failedresults", "unprocessedrecords"):
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    store = current_org().bulk
    job = store.job(job_id, query=False)
    return Response(ingest_results(job, kind), status=200, content_type=CSV_TYPE)


# -- query -------------------------------------------------------------------------------------
@bp.post("/query")
def create_query() -> Response:
    body = request_object()
    operation = body.get("operation") or "query"
    if not isinstance(operation, str) or operation not in QUERY_OPERATIONS:
        raise ApiError(400, "INVALIDJOB", f"InvalidJob : Invalid operation: {operation}")
    soql = body.get("query")
    if not isinstance(soql, str) or not soql.strip():
        raise ApiError(400, "INVALIDJOB", "InvalidJob : the query is required")
    store = current_org().bulk
    job = store.new_query_job(operation, soql, api_version(), **_options(body))
    # JSON even when Accept is text/csv (docs/salesforce-wire.md 10.13).
    return json_response(job.info())


@bp.get("/query")
def list_query() -> Response:
    return _listing(query=True)


@bp.get("/query/<job_id>")
def query_info(job_id: str) -> Response:
    store = current_org().bulk
    return json_response(store.poll(store.job(job_id, query=True)).info())


@bp.patch("/query/<job_id>")
def query_state(job_id: str) -> Response:
    return _change_state(job_id, query=True)


@bp.delete("/query/<job_id>")
def delete_query(job_id: str) -> Response:
    store = current_org().bulk
    store.delete(store.job(job_id, query=True))
    return empty_response(204)


@bp.get("/query/<job_id>/results")
def query_results(job_id: str) -> Response:
    store = current_org().bulk
    job = store.job(job_id, query=True)
    if job.api_version != api_version():
        raise ApiError(
            409,
            "API_VERSION_MISMATCH",
            f"The job was created with API version {job.api_version}; ask for its results with "
            "the same version",
        )
    if job.state != "JobComplete" or job.result is None:
        raise ApiError(
            412,
            "JOB_NOT_COMPLETE",
            "can only download query results of successfully completed bulk job with status: "
            f"JOB_COMPLETE. Current status: {_status_word(job.state)}",
        )
    start = _offset(request.args.get("locator"))
    size = _max_records(request.args.get("maxRecords"), store.settings.page_size)
    stop = min(start + size, job.result.total_size)
    text = _page(job, start, stop)
    locator = _locator(stop) if stop < job.result.total_size else "null"
    headers = {"Sforce-Locator": locator, "Sforce-NumberOfRecords": str(stop - start)}
    return Response(text, status=200, content_type=CSV_TYPE, headers=headers)


def _status_word(state: str) -> str:
    return {"UploadComplete": "UPLOAD_COMPLETE", "InProgress": "IN_PROGRESS"}.get(
        state, state.upper()
    )


def _page(job: Job, start: int, stop: int) -> str:
    assert job.result is not None
    note_records(*job.result.ids[start:stop])
    delimiter = bulk_csv.DELIMITERS[job.delimiter]
    ending = bulk_csv.LINE_ENDINGS[job.line_ending]
    return bulk_csv.query_rows(job.result, start, stop, delimiter, ending)


def _locator(offset: int) -> str:
    """An opaque locator such as `MTAwMDA` (base64 of the next row's offset, no padding)."""
    return base64.b64encode(str(offset).encode()).decode().rstrip("=")


def _offset(locator: str | None) -> int:
    if not locator:
        return 0
    try:
        text = base64.b64decode(locator + "=" * (-len(locator) % 4), validate=True).decode()
        return max(0, int(text))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ApiError(400, "INVALID_LOCATOR", f"Invalid locator: {locator}") from None


def _max_records(raw: str | None, default: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise ApiError(400, "INVALID_REQUEST", f"maxRecords must be a positive integer: {raw}")
    return value
