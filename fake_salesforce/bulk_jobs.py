"""Bulk API 2.0 jobs of one org: ingest and query job state machines, results, daily counts.

Ingest: Open -> UploadComplete -> InProgress -> JobComplete | Failed | Aborted. A job completes
on the poll that finds it ready: by default the first, or after `polls_to_complete` polls and
`job_seconds` on the org clock (BulkSettings), so clients' polling loops are exercised. A served
fake hands closed jobs to its worker (bulk_worker), which applies them off the request path;
in process, the poll that completes a job applies it.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from fake_salesforce import bulk_apply, bulk_csv, foreign_keys, save_results
from fake_salesforce.bulk_outcomes import JobOutcomes
from fake_salesforce.errors import ApiError
from fake_salesforce.foreign_keys import ForeignKey
from fake_salesforce.save_results import Operation, Outcome
from fake_salesforce.schema import FieldSpec, ObjectSpec
from fake_salesforce.soql.engine import Result, execute
from fake_salesforce.values import format_datetime

if TYPE_CHECKING:
    from fake_salesforce.org import Org


INGEST_OPERATIONS = frozenset({"insert", "update", "upsert", "delete", "hardDelete"})
QUERY_OPERATIONS = frozenset({"query", "queryAll"})
TERMINAL = frozenset({"JobComplete", "Failed", "Aborted"})
# Bulk 2.0 counts one batch per 10,000 records (docs/salesforce-wire.md 7.1).
RECORDS_PER_BATCH = 10_000
# Operations applied a column at a time (bulk_apply), each row they doubt per record.
FAST_PATHS = {
    "update": bulk_apply.update_rows,
    "delete": bulk_apply.delete_rows,
    "hardDelete": bulk_apply.delete_rows,
    "insert": bulk_apply.insert_rows,
}


@dataclass
class BulkSettings:
    """How long jobs take (the poll that completes them, org-clock seconds they need), and the
    rows of a query results page when the client gives no `maxRecords`."""

    polls_to_complete: int = 1
    job_seconds: float = 0.0
    page_size: int = 100_000


@dataclass
class Job:
    """One Bulk 2.0 job; ingest jobs carry their upload and outcomes, query jobs a Result."""

    id: str
    operation: str
    sobject: str
    api_version: str
    created_by: str
    created: datetime
    delimiter: str = "COMMA"
    line_ending: str = "LF"
    external_id: str | None = None
    query: str | None = None
    state: str = "Open"
    modstamp: datetime | None = None
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    outcomes: JobOutcomes = field(default_factory=JobOutcomes)
    result: Result | None = None
    ready_at: datetime | None = None
    polls: int = 0
    error_message: str | None = None
    journaled: bool = False
    worker: Any = None  # the bulk_worker.Handoff applying this job, when a worker has it

    @property
    def is_query(self) -> bool:
        return self.operation in QUERY_OPERATIONS

    def info(self) -> dict[str, Any]:
        """JobInfo as Salesforce returns it (docs/salesforce-wire.md 5.3)."""
        kind = "query" if self.is_query else "ingest"
        out: dict[str, Any] = {
            "id": self.id,
            "operation": self.operation,
            "object": self.sobject,
            "createdById": self.created_by,
            "createdDate": format_datetime(self.created),
            "systemModstamp": format_datetime(self.modstamp or self.created),
            "state": self.state,
        }
        if self.external_id:
            out["externalIdFieldName"] = self.external_id
        out |= {
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(self.api_version),
            "jobType": "V2Query" if self.is_query else "V2Ingest",
        }
        if not self.is_query:
            out["contentUrl"] = f"services/data/v{self.api_version}/jobs/{kind}/{self.id}/batches"
        out |= {"lineEnding": self.line_ending, "columnDelimiter": self.delimiter}
        out |= self._counts()
        if self.error_message:
            out["errorMessage"] = self.error_message
        return out

    def _counts(self) -> dict[str, Any]:
        if self.is_query:
            done = self.state == "JobComplete" and self.result is not None
            processed = self.result.total_size if done and self.result else 0
            return {"numberRecordsProcessed": processed, "retries": 0, "totalProcessingTime": 0}
        failed = self.outcomes.failed_count()
        return {
            "numberRecordsProcessed": len(self.outcomes),
            "numberRecordsFailed": failed,
            "retries": 0,
            "totalProcessingTime": 0,
            "apiActiveProcessingTime": 0,
            "apexProcessingTime": 0,
        }


class BulkStore:
    """The Bulk 2.0 jobs of one org (`org.bulk`), its BulkSettings and the day's batch and
    query-job counts (`org.bulk.settings.polls_to_complete = 3`)."""

    def __init__(self, org: Org) -> None:
        self._org = weakref.ref(org)
        self.settings = BulkSettings()
        self.jobs: dict[str, Job] = {}
        self.batches: dict[date, int] = {}
        self.query_jobs: dict[date, int] = {}

    @property
    def org(self) -> Org:
        org = self._org()
        assert org is not None
        return org

    def today(self) -> date:
        org = self.org
        return org.clock.now().astimezone(ZoneInfo(org.timezone)).date()

    def count_batches(self, records: int) -> None:
        day = self.today()
        self.batches[day] = self.batches.get(day, 0) + max(1, -(-records // RECORDS_PER_BATCH))

    def job(self, job_id: str, query: bool) -> Job:
        job = self.jobs.get(job_id)
        if job is None or job.is_query != query:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        return job

    def listing(self, query: bool) -> Iterator[Job]:
        return (j for j in self.jobs.values() if j.is_query == query)

    def new_job(self, operation: str, sobject: str, version: str, **options: Any) -> Job:
        org = self.org
        now = org.clock.now()
        job = Job(org.minter.mint("750"), operation, sobject, version, org.user_id, now, **options)
        self.jobs[job.id] = job
        return job

    # -- ingest ----------------------------------------------------------------------------
    def upload(self, job: Job, data: bytes) -> None:
        if job.state != "Open":
            raise ApiError(
                409, "INVALIDJOBSTATE", f"Job {job.id} is not Open: data can only be uploaded once"
            )
        if not data.strip():
            return  # an empty upload is no upload (docs/coverage.md, "empty Bulk 2.0 job")
        delimiter = bulk_csv.DELIMITERS.get(job.delimiter, ",")
        with bulk_apply.gc_paused():
            header, rows = bulk_csv.read_upload(data, delimiter)
        if job.header and header != job.header:
            raise ApiError(400, "INVALIDBATCH", "InvalidBatch : the CSV header changed")
        job.header = header
        job.rows.extend(rows)

    def set_state(self, job: Job, state: str) -> None:
        now = self.org.clock.now()
        if state == "Aborted" and job.state not in TERMINAL:
            job.state = "Aborted"
        elif state == "UploadComplete" and job.state == "Open" and not job.is_query:
            job.state = "UploadComplete"
            self.count_batches(len(job.rows))
            job.ready_at = now + timedelta(seconds=self.settings.job_seconds)
        else:
            raise ApiError(
                400,
                "INVALIDJOBSTATE",
                f"Changing the state of a job from {job.state} to {state} is not allowed",
            )
        job.modstamp = now

    def poll(self, job: Job) -> Job:
        """The job as a poll sees it: the poll that finds it ready runs it to completion."""
        if job.state not in ("UploadComplete", "InProgress"):
            return job
        job.polls += 1
        now = self.org.clock.now()
        if job.polls < self.settings.polls_to_complete or (job.ready_at and now < job.ready_at):
            job.state = "InProgress"
            return job
        if job.is_query:
            job.state = "JobComplete"
        elif job.worker is not None:
            job.worker.settle(self.org, job)
        else:
            run_ingest(self.org, job)
        job.modstamp = now
        return job

    def delete(self, job: Job) -> None:
        if job.state in ("Open", "InProgress"):
            raise ApiError(
                400, "INVALIDJOBSTATE", f"Deleting a job in state {job.state} is not allowed"
            )
        del self.jobs[job.id]

    # -- query -----------------------------------------------------------------------------
    def new_query_job(self, operation: str, soql: str, version: str, **options: Any) -> Job:
        org = self.org
        result = execute(soql, org, org.clock.now(), org.timezone, operation == "queryAll")
        job = self.new_job(operation, result.sobject, version, query=soql, **options)
        job.result, job.state = result, "UploadComplete"
        job.ready_at = job.created + timedelta(seconds=self.settings.job_seconds)
        day = self.today()
        self.query_jobs[day] = self.query_jobs.get(day, 0) + 1
        return job


# -- running an ingest job -------------------------------------------------------------------
def run_ingest(org: Org, job: Job) -> None:
    """Apply every uploaded row; the job fails as a whole when its header is unusable."""
    with bulk_apply.gc_paused():
        _run_ingest(org, job)


def _run_ingest(org: Org, job: Job) -> None:
    columns = ingest_columns(org, job)
    if columns is not None:
        job.outcomes = apply_rows(org, job, columns, job.rows)
        job.state = "JobComplete"


Column = FieldSpec | ForeignKey  # a field, or `Account.Ext__c`: a parent by its external Id


def ingest_columns(org: Org, job: Job) -> list[Column] | None:
    """The fields of the job's header (none when nothing was uploaded); None, and the job
    Failed, when the header is unusable."""
    if not (job.header or job.rows):
        return []
    columns = _columns(org.require_spec(job.sobject), job)
    if isinstance(columns, str):
        job.state, job.error_message = "Failed", columns
        return None
    return columns


def apply_rows(org: Org, job: Job, columns: list[Column], rows: list[list[str]]) -> JobOutcomes:
    """Apply `rows` of the job (all of them, or a slice in upload order) and their outcomes.
    A job naming parents by external Id takes the per-record path, where they are found."""
    spec = org.require_spec(job.sobject)
    outcomes = None
    fast = FAST_PATHS.get(job.operation)
    fields = [c for c in columns if isinstance(c, FieldSpec)]
    if fast is not None and len(fields) == len(columns):

        def one_row(row: list[str]) -> Outcome:
            operation = _operation(org, spec, job, columns, row)
            return save_results.run_all(org, [operation], all_or_none=False)[0]

        outcomes = fast(org, spec, fields, rows, one_row)
    if outcomes is None:
        operations = [_operation(org, spec, job, columns, row) for row in rows]
        outcomes = JobOutcomes.of(save_results.run_all(org, operations, all_or_none=False))
    if job.operation == "hardDelete":
        org.purge(spec.name, (rid for rid, _ in outcomes.journal_writes()))
    return outcomes


def _columns(spec: ObjectSpec, job: Job) -> list[Column] | str:
    fields: list[Column] = []
    for name in job.header:
        found = spec.field(name) or foreign_keys.column(spec, name)
        if found is None:
            return f"InvalidBatch : Field name not found : {name}"
        fields.append(found)
    names = {f.name for f in fields if isinstance(f, FieldSpec)}
    if job.operation in ("delete", "hardDelete") and names != {"Id"}:
        return "InvalidBatch : The 'delete' batch must contain only the 'Id' column"
    if job.operation == "update" and "Id" not in names:
        return "InvalidBatch : Field name not found : Id"
    # An upsert on Id without an Id column creates every row (the Salesforce CLI's
    # `force data bulk upsert --external-id Id` loads new records this way).
    if job.operation == "upsert" and job.external_id not in names | {"Id"}:
        return f"InvalidBatch : Field name not found : {job.external_id}"
    return fields


def _operation(
    org: Org, spec: ObjectSpec, job: Job, columns: list[Column], row: list[str]
) -> Operation:
    if len(row) != len(columns):
        error = ApiError(400, "INVALID_FIELD", "Row has a different number of columns", [])
        return _failing(error)
    values = bulk_csv.upload_values(columns, row)
    if job.operation in ("delete", "hardDelete"):
        return save_results.delete(org, spec, values.get("Id"))
    if job.operation == "update":
        return save_results.update(org, spec, values)
    if job.operation == "upsert":
        return save_results.upsert(org, spec, job.external_id or "Id", values)
    return save_results.insert(org, spec, values)


def _failing(error: ApiError) -> Operation:
    def run() -> Outcome:
        raise error

    return run


def ingest_results(job: Job, kind: str) -> str:
    """successfulResults, failedResults or unprocessedrecords as CSV text."""
    with bulk_apply.gc_paused():
        return _ingest_results(job, kind)


def _ingest_results(job: Job, kind: str) -> str:
    delimiter = bulk_csv.DELIMITERS.get(job.delimiter, ",")
    ending = bulk_csv.LINE_ENDINGS.get(job.line_ending, "\n")
    done = job.outcomes
    if kind == "unprocessedrecords":
        rows = job.rows[len(done) :] if job.state in ("Aborted", "Failed") else []
        return bulk_csv.write(job.header, rows, delimiter, ending)
    if kind == "successfulresults":
        good = done.successful_rows(job.rows)
        return bulk_csv.write(["sf__Id", "sf__Created", *job.header], good, delimiter, ending)
    bad = done.failed_rows(job.rows)
    return bulk_csv.write(["sf__Id", "sf__Error", *job.header], bad, delimiter, ending)
