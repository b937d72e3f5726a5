"""Bulk API 1.0 (`/services/async/<version>`): parses JSON, XML or CSV bodies and renders answers.

Wire rules in docs/salesforce-wire.md 6.

State lives in `org.bulk_v1` (bulk_v1_jobs). The rules served here:
- a job is created from a jobInfo in XML (`application/xml`) or JSON (`application/json`) and
  keeps its `contentType` (CSV, XML or JSON); job calls answer in the format of the request's
  Content-Type (else the job's), batch calls in the job's format: JSON for JSON jobs, XML under
  `http://www.force.com/2009/06/asyncapi/dataload` for XML and CSV jobs (tap-salesforce creates
  a CSV job in JSON and reads its batchInfo as XML);
- CSV jobs take CSV batches and answer ingest results as CSV (`"Id","Success","Created","Error"`)
  and query results as CSV ("Records not found for this query" when there are none);
- errors are `exceptionCode`/`exceptionMessage` with 400 (even an invalid session), in XML
  (`<error>`) or JSON as above; content types are exactly `application/xml`, `application/json`
  and `text/csv` (salesforce-bulk and tap-salesforce compare them whole);
- `Sforce-Enable-PKChunking` (`true`, `chunkSize=N`, `parent=...`) on a query job.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, Response, g, request

from fake_salesforce import bulk_apply, bulk_csv, save_results
from fake_salesforce.bulk_v1_jobs import (
    CONTENT_TYPES,
    PK_CHUNK_DEFAULT,
    PK_CHUNK_MAX,
    Batch,
    CsvRows,
    V1Job,
)
from fake_salesforce.errors import ApiError
from fake_salesforce.routes import bulk_v1_xml as xml
from fake_salesforce.routes.context import api_version, current_org, note_bulk_writes
from fake_salesforce.soql.engine import Result
from fake_salesforce.soql.projection import Projection
from fake_salesforce.values import format_datetime

bp = Blueprint("bulk_v1", __name__, url_prefix="/services/async/<version:version>")

EXCEPTION_CODES = {
    "INVALID_SESSION_ID": "InvalidSessionId",
    "NOT_FOUND": "InvalidJob",
    "REQUEST_LIMIT_EXCEEDED": "ExceededQuota",
    "JSON_PARSER_ERROR": "InvalidBatch",
    "INVALIDBATCH": "InvalidBatch",
}
JSON_TYPE = "application/json"
XML_TYPE = "application/xml"
CSV_TYPE = "text/csv"
NO_RECORDS = "Records not found for this query"


@bp.url_value_preprocessor
def _drop_version(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values:
        values.pop("version", None)


def _request_format() -> str | None:
    kind = (request.content_type or "").lower()
    if "json" in kind:
        return "JSON"
    if "xml" in kind:
        return "XML"
    return None


def _answer(payload: Any, root: str, fmt: str, status: int = 200) -> Response:
    if fmt == "JSON":
        return Response(_json(payload), status=status, content_type=JSON_TYPE)
    return Response(xml.document(root, payload), status=status, content_type=XML_TYPE)


def _json(payload: Any) -> str:
    def default(value: Any) -> Any:
        if isinstance(value, datetime):
            return format_datetime(value)
        raise TypeError(type(value).__name__)

    return json.dumps(payload, separators=(",", ":"), default=default)


@bp.errorhandler(ApiError)
def _bulk_error(exc: ApiError) -> Response:
    code = EXCEPTION_CODES.get(exc.error_code, exc.error_code)
    body = {"exceptionCode": code, "exceptionMessage": exc.message}
    fmt = _request_format() or g.get("bulk_format") or "XML"
    return _answer(body, "error", fmt, 400)


def _job(job_id: str) -> V1Job:
    job = current_org().bulk_v1.job(job_id)
    g.bulk_format = "JSON" if job.content_type == "JSON" else "XML"
    return job


def _job_format(job: V1Job) -> str:
    return _request_format() or ("JSON" if job.content_type == "JSON" else "XML")


def _batch_format(job: V1Job) -> str:
    return "JSON" if job.content_type == "JSON" else "XML"


def _job_body() -> dict[str, Any]:
    raw = request.get_data()
    if _request_format() == "JSON":
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: nested too deeply
            raise ApiError(400, "InvalidJob", "Unable to parse the JSON jobInfo") from None
        if not isinstance(body, dict):
            raise ApiError(400, "InvalidJob", "A jobInfo must be a JSON object")
        return body
    return xml.job_info(raw)


@bp.post("/job")
def create_job() -> Response:
    org = current_org()
    body = _job_body()
    name = str(body.get("object") or "")
    spec = org.object_spec(name)
    if spec is None:
        raise ApiError(400, "InvalidEntity", f"Unable to find object: {name}")
    content_type = str(
        body.get("contentType") or ("JSON" if _request_format() == "JSON" else "XML")
    )
    if content_type not in CONTENT_TYPES:
        raise ApiError(400, "InvalidJob", f"Unsupported content type: {content_type}")
    operation = str(body.get("operation") or "")
    external = body.get("externalIdFieldName") if operation == "upsert" else None
    if external is not None:
        external = save_results.external_field(spec, str(external))
    mode = body.get("concurrencyMode", "Parallel")
    job = org.bulk_v1.create(
        operation,
        spec,
        api_version(),
        external_id=external,
        concurrency="Serial" if mode in (1, "1", "Serial") else "Parallel",
        content_type=content_type,
        pk_chunk=_pk_chunk(request.headers.get("Sforce-Enable-PKChunking")),
    )
    return _answer(job.info(), "jobInfo", _job_format(job), 201)


def _pk_chunk(header: str | None) -> int | None:
    """The chunk size `Sforce-Enable-PKChunking` asks for (None: no chunking)."""
    if header is None:
        return None
    options = {}
    for part in header.split(";"):
        key, has_value, value = part.strip().partition("=")
        if key:
            options[key.strip().lower()] = value.strip() if has_value else key.strip().lower()
    if options.get("false") == "false" or options.get("true") == "false":
        return None
    size = options.get("chunksize", str(PK_CHUNK_DEFAULT))
    if not size.isdigit() or not 1 <= int(size) <= PK_CHUNK_MAX:
        raise ApiError(400, "InvalidJob", f"Invalid chunk size: {size} (1 to {PK_CHUNK_MAX})")
    return int(size)


@bp.get("/job/<job_id>")
def job_info(job_id: str) -> Response:
    job = _job(job_id)
    return _answer(job.info(), "jobInfo", _job_format(job))


@bp.post("/job/<job_id>")
def job_state(job_id: str) -> Response:
    job = _job(job_id)
    current_org().bulk_v1.set_state(job, _job_body().get("state"))
    return _answer(job.info(), "jobInfo", _job_format(job))


@bp.post("/job/<job_id>/batch")
def add_batch(job_id: str) -> Response:
    job = _job(job_id)
    if job.is_query:
        payload: Any = request.get_data().decode("utf-8")  # raw SOQL, whatever the content type
    else:
        payload = _records(job, request.get_data())
    batch = current_org().bulk_v1.add_batch(job, payload)
    return _answer(job.batch_info(batch), "batchInfo", _batch_format(job), 201)


def _records(job: V1Job, raw: bytes) -> list[dict[str, Any]] | CsvRows:
    if not raw.strip():
        # Bulk API Developer Guide, "Errors": a request with no data is a ClientInputError
        # (jsforce's suite expects it for `bulk.load(type, op, [])`).
        raise ApiError(400, "ClientInputError", "Unable to find any data to create batch")
    if job.content_type == "CSV":
        with bulk_apply.gc_paused():
            return CsvRows(*bulk_csv.read_upload(raw))
    if job.content_type == "XML":
        return xml.sobjects(raw)
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nested too deeply
        raise ApiError(400, "InvalidBatch", "Unable to parse the JSON request") from None
    if not isinstance(payload, list) or not all(isinstance(r, dict) for r in payload):
        raise ApiError(400, "InvalidBatch", "A batch must be a JSON array of records")
    return payload


@bp.get("/job/<job_id>/batch")
def batch_list(job_id: str) -> Response:
    job = _job(job_id)
    batches = current_org().bulk_v1.poll_all(job)
    infos = [job.batch_info(b) for b in batches]
    if _batch_format(job) == "JSON":
        return _answer({"batchInfo": infos}, "batchInfoList", "JSON")
    return Response(xml.batch_list(infos), content_type=XML_TYPE)


@bp.get("/job/<job_id>/batch/<batch_id>")
def batch_info(job_id: str, batch_id: str) -> Response:
    job = _job(job_id)
    jobs = current_org().bulk_v1
    batch = jobs.poll(job, jobs.batch(job, batch_id))
    return _answer(job.batch_info(batch), "batchInfo", _batch_format(job))


@bp.get("/job/<job_id>/batch/<batch_id>/request")
def batch_request(job_id: str, batch_id: str) -> Response:
    job = _job(job_id)
    batch = current_org().bulk_v1.batch(job, batch_id)
    sent = batch.request
    if isinstance(sent, str):
        return Response(sent, content_type="text/plain")
    if isinstance(sent, CsvRows):
        return Response(bulk_csv.write(sent.header, sent.rows), content_type=CSV_TYPE)
    if job.content_type == "XML":
        return Response(xml.sobjects_document(sent), content_type=XML_TYPE)
    return Response(_json(sent), content_type=JSON_TYPE)


def _completed(job: V1Job, batch_id: str) -> Batch:
    jobs = current_org().bulk_v1
    batch = jobs.poll(job, jobs.batch(job, batch_id))
    if batch.state != "Completed":
        raise ApiError(400, "InvalidBatch", f"Batch {batch.id} is not completed: {batch.state}")
    return batch


@bp.get("/job/<job_id>/batch/<batch_id>/result")
def batch_result(job_id: str, batch_id: str) -> Response:
    job = _job(job_id)
    batch = _completed(job, batch_id)
    if job.is_query:
        ids = [batch.result_id] if batch.result_id else []
        if job.content_type == "JSON":
            return Response(_json(ids), content_type=JSON_TYPE)
        return Response(xml.result_list(ids), content_type=XML_TYPE)
    note_bulk_writes(batch.outcomes.journal_writes)
    if job.content_type == "CSV":
        with bulk_apply.gc_paused():
            return Response(csv_results(batch), content_type=CSV_TYPE)
    results = [_save_result(o) for o in batch.outcomes]
    if job.content_type == "XML":
        return Response(xml.results(results), content_type=XML_TYPE)
    return Response(_json(results), content_type=JSON_TYPE)


def _save_result(outcome: save_results.Outcome) -> dict[str, Any]:
    errors = [] if outcome.error is None else [outcome.error.record_error()]
    return {
        "success": outcome.success,
        "created": outcome.created and outcome.success,
        "id": outcome.record_id if outcome.success else None,
        "errors": errors,
    }


def csv_results(batch: Batch) -> str:
    """`"Id","Success","Created","Error"`, a row per uploaded row in upload order."""
    done = batch.outcomes
    if not done.answered:
        created = "true" if done.created else "false"
        rows: list[list[str]] = [[rid or "", "true", created, ""] for rid in done.record_ids]
    else:
        rows = []
        for outcome in done:
            if outcome.error is None:
                answer = "true" if outcome.created else "false"
                rows.append([outcome.record_id or "", "true", answer, ""])
            else:
                error = bulk_csv.error_text(outcome.error)
                rows.append([outcome.record_id or "", "false", "false", error])
    return bulk_csv.write(["Id", "Success", "Created", "Error"], rows)


@bp.get("/job/<job_id>/batch/<batch_id>/result/<result_id>")
def query_result(job_id: str, batch_id: str, result_id: str) -> Response:
    job = _job(job_id)
    batch = _completed(job, batch_id)
    result = batch.result
    if result is None or result_id != batch.result_id:
        raise ApiError(400, "InvalidBatch", f"Unable to find result for Id {result_id}")
    if job.content_type == "CSV":
        if result.total_size == 0:
            return Response(NO_RECORDS, content_type=CSV_TYPE)
        return Response(bulk_csv.query_rows(result, 0, result.total_size), content_type=CSV_TYPE)
    if job.content_type == "XML":
        records = result.records(0, result.total_size, job.version)
        return Response(xml.query_result(records), content_type=XML_TYPE)
    return Response(_json(query_records(result, job.version)), content_type=JSON_TYPE)


def query_records(result: Result, version: str) -> list[dict[str, Any]]:
    """Bulk 1.0 JSON query records: REST-shaped, but dates and datetimes as epoch milliseconds."""
    if result.render is None:
        return [dict(r) for r in result.records(0, result.total_size, version)]
    rows = result.table.rows
    found = (rows.get(rid) for rid in result.ids)
    return [_record(result.render, row, version) for row in found if row is not None]


def _record(level: Projection, row: list[Any], version: str) -> dict[str, Any]:
    name = level.spec.name
    out: dict[str, Any] = {
        "attributes": {"type": name, "url": f"/services/data/v{version}/sobjects/{name}/{row[0]}"}
    }
    for key, slot in level.entries:
        if slot is None:
            parent, lookup = level.parents[key]
            ref = row[lookup]
            parent_row = parent.table.rows.get(ref) if ref is not None else None
            out[key] = None if parent_row is None else _record(parent, parent_row, version)
        else:
            out[key] = _epoch(row[slot[0]])
    return out


def _epoch(value: Any) -> Any:
    if isinstance(value, datetime):
        return int(value.timestamp() * 1000)
    if isinstance(value, date):
        return int(datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp() * 1000)
    return value
