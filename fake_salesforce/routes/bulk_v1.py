"""Bulk API 1.0, JSON flavour: the calls simple-salesforce's `sf.bulk` makes (api spec §5.3).

Auth is `X-SFDC-Session`; errors are `{"exceptionCode","exceptionMessage"}` with 400 (401 never);
`concurrencyMode` may be 0/1; query batches send raw SOQL under a JSON content type. Batches
complete on their first poll, so the client's 5-second sleeps never happen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, Response, request

from fake_salesforce import save_results
from fake_salesforce.bulk_jobs import QUERY_OPERATIONS, store_of
from fake_salesforce.errors import ApiError
from fake_salesforce.org import Org
from fake_salesforce.routes.context import api_version, current_org, json_response, note_write
from fake_salesforce.save_results import Operation, Outcome
from fake_salesforce.schema import ObjectSpec
from fake_salesforce.soql.engine import Result, execute
from fake_salesforce.soql.projection import Projection
from fake_salesforce.values import format_datetime

bp = Blueprint("bulk_v1", __name__, url_prefix="/services/async/<version:version>")

OPERATIONS = frozenset({"insert", "update", "upsert", "delete", "hardDelete", "query", "queryAll"})
EXCEPTION_CODES = {
    "INVALID_SESSION_ID": "InvalidSessionId",
    "NOT_FOUND": "InvalidJob",
    "REQUEST_LIMIT_EXCEEDED": "ExceededQuota",
    "JSON_PARSER_ERROR": "InvalidBatch",
}
MAX_BATCH_RECORDS = 10_000


@dataclass
class Batch:
    id: str
    request: Any
    state: str = "Queued"
    state_message: str | None = None
    outcomes: list[Outcome] = field(default_factory=list)
    result: Result | None = None
    result_id: str | None = None


@dataclass
class V1Job:
    id: str
    operation: str
    sobject: str
    external_id: str | None
    concurrency: str
    created: datetime
    created_by: str
    version: str
    state: str = "Open"
    batches: dict[str, Batch] = field(default_factory=dict)

    def info(self) -> dict[str, Any]:
        done = [b for b in self.batches.values() if b.state == "Completed"]
        processed = sum(len(b.outcomes) or (b.result.total_size if b.result else 0) for b in done)
        return {
            "apexProcessingTime": 0,
            "apiActiveProcessingTime": 0,
            "apiVersion": float(self.version),
            "assignmentRuleId": None,
            "concurrencyMode": self.concurrency,
            "contentType": "JSON",
            "createdById": self.created_by,
            "createdDate": format_datetime(self.created),
            "externalIdFieldName": self.external_id,
            "id": self.id,
            "numberBatchesCompleted": len(done),
            "numberBatchesFailed": sum(1 for b in self.batches.values() if b.state == "Failed"),
            "numberBatchesInProgress": 0,
            "numberBatchesQueued": sum(1 for b in self.batches.values() if b.state == "Queued"),
            "numberBatchesTotal": len(self.batches),
            "numberRecordsFailed": sum(1 for b in done for o in b.outcomes if not o.success),
            "numberRecordsProcessed": processed,
            "numberRetries": 0,
            "object": self.sobject,
            "operation": self.operation,
            "state": self.state,
            "systemModstamp": format_datetime(self.created),
            "totalProcessingTime": 0,
        }

    def batch_info(self, batch: Batch) -> dict[str, Any]:
        count = len(batch.outcomes) or (batch.result.total_size if batch.result else 0)
        return {
            "apexProcessingTime": 0,
            "apiActiveProcessingTime": 0,
            "createdDate": format_datetime(self.created),
            "id": batch.id,
            "jobId": self.id,
            "numberRecordsFailed": sum(1 for o in batch.outcomes if not o.success),
            "numberRecordsProcessed": count,
            "state": batch.state,
            "stateMessage": batch.state_message,
            "systemModstamp": format_datetime(self.created),
            "totalProcessingTime": 0,
        }


@bp.url_value_preprocessor
def _drop_version(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values:
        values.pop("version", None)


@bp.errorhandler(ApiError)
def _bulk_error(exc: ApiError) -> Response:
    code = EXCEPTION_CODES.get(exc.error_code, exc.error_code)
    body = {"exceptionCode": code, "exceptionMessage": exc.message}
    return json_response(body, 400)


def _jobs(org: Org) -> dict[str, V1Job]:
    jobs: dict[str, V1Job] = store_of(org).v1_jobs
    return jobs


def _job(job_id: str) -> V1Job:
    job = _jobs(current_org()).get(job_id)
    if job is None:
        raise ApiError(400, "NOT_FOUND", f"Unable to find job for Id {job_id}")
    return job


def _body() -> Any:
    raw = request.get_data()
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiError(400, "JSON_PARSER_ERROR", "Unable to parse the JSON request") from None


@bp.post("/job")
def create_job() -> Response:
    org = current_org()
    body = _body()
    if not isinstance(body, dict) or body.get("operation") not in OPERATIONS:
        raise ApiError(400, "InvalidJob", f"Invalid operation: {body.get('operation')}")
    spec = org.require_spec(str(body.get("object") or ""))
    mode = body.get("concurrencyMode", "Parallel")
    concurrency = "Serial" if mode in (1, "1", "Serial") else "Parallel"
    external = body.get("externalIdFieldName") if body["operation"] == "upsert" else None
    if external is not None:
        external = save_results.external_field(spec, str(external))
    job = V1Job(
        org.minter.mint("750"),
        body["operation"],
        spec.name,
        external,
        concurrency,
        org.clock.now(),
        org.user_id,
        api_version(),
    )
    _jobs(org)[job.id] = job
    return json_response(job.info(), 201)


@bp.get("/job/<job_id>")
def job_info(job_id: str) -> Response:
    return json_response(_job(job_id).info())


@bp.post("/job/<job_id>")
def job_state(job_id: str) -> Response:
    job = _job(job_id)
    state = (_body() or {}).get("state")
    if state not in ("Closed", "Aborted") or job.state != "Open":
        raise ApiError(400, "InvalidJobState", f"Cannot change the job from {job.state} to {state}")
    job.state = state
    return json_response(job.info())


@bp.post("/job/<job_id>/batch")
def add_batch(job_id: str) -> Response:
    org = current_org()
    job = _job(job_id)
    if job.state != "Open":
        raise ApiError(400, "InvalidJobState", f"Job {job.id} is not open for new batches")
    if job.operation in QUERY_OPERATIONS:
        payload: Any = request.get_data().decode("utf-8")  # raw SOQL, whatever the content type
    else:
        payload = _body()
        if not isinstance(payload, list) or not all(isinstance(r, dict) for r in payload):
            raise ApiError(400, "JSON_PARSER_ERROR", "A batch must be a JSON array of records")
        if len(payload) > MAX_BATCH_RECORDS:
            raise ApiError(400, "InvalidBatch", "Records in a batch exceed 10000")
    batch = Batch(org.minter.mint("751"), payload)
    job.batches[batch.id] = batch
    store_of(org).count_batches(1 if job.operation in QUERY_OPERATIONS else len(payload) or 1)
    return json_response(job.batch_info(batch), 201)


def _batch(job: V1Job, batch_id: str) -> Batch:
    batch = job.batches.get(batch_id)
    if batch is None:
        raise ApiError(400, "InvalidBatch", f"Unable to find batch for Id {batch_id}")
    return batch


@bp.get("/job/<job_id>/batch/<batch_id>")
def batch_info(job_id: str, batch_id: str) -> Response:
    job = _job(job_id)
    batch = _batch(job, batch_id)
    if batch.state == "Queued":
        _run(current_org(), job, batch)
    return json_response(job.batch_info(batch))


def _run(org: Org, job: V1Job, batch: Batch) -> None:
    spec = org.require_spec(job.sobject)
    if job.operation in QUERY_OPERATIONS:
        try:
            batch.result = execute(
                batch.request, org, org.clock.now(), org.timezone, job.operation == "queryAll"
            )
        except ApiError as exc:
            batch.state = "Failed"
            batch.state_message = (
                f"InvalidBatch : Failed to process query: {exc.error_code}: {exc.message}"
            )
            return
        batch.result_id = org.minter.mint("752")
    else:
        operations = [_operation(org, spec, job, record) for record in batch.request]
        batch.outcomes = save_results.run_all(org, operations, all_or_none=False)
        for outcome in batch.outcomes:
            if outcome.success and outcome.record_id is not None:
                note_write(outcome.record_id, dict(outcome.written or {}))
    batch.state = "Completed"


def _operation(org: Org, spec: ObjectSpec, job: V1Job, record: dict[str, Any]) -> Operation:
    values = {k: v for k, v in record.items() if k != "attributes"}
    if job.operation in ("delete", "hardDelete"):
        key = next((k for k in values if k.lower() == "id"), "Id")
        return save_results.delete(org, spec, values.get(key))
    if job.operation == "update":
        return save_results.update(org, spec, values)
    if job.operation == "upsert":
        return save_results.upsert(org, spec, job.external_id or "Id", values)
    return save_results.insert(org, spec, values)


@bp.get("/job/<job_id>/batch/<batch_id>/request")
def batch_request(job_id: str, batch_id: str) -> Response:
    return json_response(_batch(_job(job_id), batch_id).request)


@bp.get("/job/<job_id>/batch/<batch_id>/result")
def batch_result(job_id: str, batch_id: str) -> Response:
    job = _job(job_id)
    batch = _batch(job, batch_id)
    if batch.state != "Completed":
        raise ApiError(400, "InvalidBatch", f"Batch {batch.id} is not completed: {batch.state}")
    if job.operation in QUERY_OPERATIONS:
        return json_response([batch.result_id] if batch.result_id else [])
    results = []
    for outcome in batch.outcomes:
        errors = [] if outcome.error is None else [outcome.error.record_error()]
        results.append(
            {
                "success": outcome.success,
                "created": outcome.created and outcome.success,
                "id": outcome.record_id if outcome.success else None,
                "errors": errors,
            }
        )
    return json_response(results)


@bp.get("/job/<job_id>/batch/<batch_id>/result/<result_id>")
def query_result(job_id: str, batch_id: str, result_id: str) -> Response:
    job = _job(job_id)
    batch = _batch(job, batch_id)
    if batch.result is None or result_id != batch.result_id:
        raise ApiError(400, "InvalidBatch", f"Unable to find result for Id {result_id}")
    return json_response(query_records(batch.result, job.version))


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
