"""Bulk API 1.0 jobs and batches of one org: their state and how a batch runs.

The routes (routes/bulk_v1.py) parse JSON, XML or CSV bodies and render the answers; this module
holds what Salesforce keeps: a job's operation, object and `contentType` (JSON, XML or CSV, kept
as created), its batches and their outcomes. A batch completes on the first poll that sees it
(batch info or the batch list), so clients' polling sleeps never happen.

PK chunking (Bulk API Developer Guide, "Use PK Chunking to Extract Large Data Sets"): a query
job created with `Sforce-Enable-PKChunking` splits its one query batch into batches of
`chunkSize` (default 100,000, at most 250,000) consecutive record Ids, each answering the query
for its Id range; the original batch is left `NotProcessed`.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from fake_salesforce import bulk_apply, bulk_jobs, save_results
from fake_salesforce.bulk_outcomes import JobOutcomes
from fake_salesforce.errors import ApiError
from fake_salesforce.save_results import Operation
from fake_salesforce.schema import ObjectSpec
from fake_salesforce.soql.engine import Result, execute

if TYPE_CHECKING:
    from fake_salesforce.org import Org

OPERATIONS = frozenset({"insert", "update", "upsert", "delete", "hardDelete", "query", "queryAll"})
CONTENT_TYPES = frozenset({"JSON", "XML", "CSV"})
MAX_BATCH_RECORDS = 10_000
PK_CHUNK_DEFAULT = 100_000
PK_CHUNK_MAX = 250_000


@dataclass
class CsvRows:
    """A CSV batch as uploaded: its header and rows (applied a column at a time)."""

    header: list[str]
    rows: list[list[str]]


@dataclass
class Batch:
    """One batch: records (JSON or XML), CSV rows, or a SOQL text; then its outcome."""

    id: str
    request: list[dict[str, Any]] | CsvRows | str
    created: datetime
    state: str = "Queued"
    state_message: str | None = None
    outcomes: JobOutcomes = field(default_factory=JobOutcomes)
    result: Result | None = None
    result_id: str | None = None

    @property
    def processed(self) -> int:
        if self.result is not None:
            return self.result.total_size
        return len(self.outcomes)


@dataclass
class V1Job:
    """One Bulk 1.0 job (jobInfo) and its batches in the order they were added."""

    id: str
    operation: str
    sobject: str
    external_id: str | None
    concurrency: str
    content_type: str
    created: datetime
    created_by: str
    version: str
    pk_chunk: int | None = None
    state: str = "Open"
    batches: dict[str, Batch] = field(default_factory=dict)

    @property
    def is_query(self) -> bool:
        return self.operation in bulk_jobs.QUERY_OPERATIONS

    def info(self) -> dict[str, Any]:
        """jobInfo fields in the order Salesforce writes them (Bulk API guide, JobInfo)."""
        done = [b for b in self.batches.values() if b.state == "Completed"]
        states = [b.state for b in self.batches.values()]
        out: dict[str, Any] = {
            "id": self.id,
            "operation": self.operation,
            "object": self.sobject,
            "createdById": self.created_by,
            "createdDate": self.created,
            "systemModstamp": self.created,
            "state": self.state,
        }
        if self.external_id:
            out["externalIdFieldName"] = self.external_id
        return out | {
            "concurrencyMode": self.concurrency,
            "contentType": self.content_type,
            "numberBatchesQueued": states.count("Queued"),
            "numberBatchesInProgress": 0,
            "numberBatchesCompleted": len(done),
            "numberBatchesFailed": states.count("Failed"),
            "numberBatchesTotal": len(states),
            "numberRecordsProcessed": sum(b.processed for b in done),
            "numberRetries": 0,
            "apiVersion": float(self.version),
            "numberRecordsFailed": sum(b.outcomes.failed_count() for b in done),
            "totalProcessingTime": 0,
            "apiActiveProcessingTime": 0,
            "apexProcessingTime": 0,
        }

    def batch_info(self, batch: Batch) -> dict[str, Any]:
        """batchInfo fields in Salesforce's order (Bulk API guide, BatchInfo)."""
        out: dict[str, Any] = {"id": batch.id, "jobId": self.id, "state": batch.state}
        if batch.state_message is not None:
            out["stateMessage"] = batch.state_message
        return out | {
            "createdDate": batch.created,
            "systemModstamp": batch.created,
            "numberRecordsProcessed": batch.processed if batch.state == "Completed" else 0,
            "numberRecordsFailed": batch.outcomes.failed_count(),
            "totalProcessingTime": 0,
            "apiActiveProcessingTime": 0,
            "apexProcessingTime": 0,
        }


class BatchJobs:
    """The Bulk 1.0 jobs of one org."""

    def __init__(self, org: Org) -> None:
        self._org = weakref.ref(org)
        self.jobs: dict[str, V1Job] = {}

    @property
    def org(self) -> Org:
        org = self._org()
        assert org is not None
        return org

    def create(self, operation: str, spec: ObjectSpec, version: str, **options: Any) -> V1Job:
        """A new Open job; `options`: external_id, concurrency, content_type, pk_chunk."""
        org = self.org
        if operation not in OPERATIONS:
            raise ApiError(400, "InvalidJob", f"Invalid operation: {operation}")
        if options.get("pk_chunk") and operation not in bulk_jobs.QUERY_OPERATIONS:
            options["pk_chunk"] = None  # Salesforce ignores the header on ingest jobs
        now = org.clock.now()
        job = V1Job(
            id=org.minter.mint("750"),
            operation=operation,
            sobject=spec.name,
            created=now,
            created_by=org.user_id,
            version=version,
            **options,
        )
        self.jobs[job.id] = job
        return job

    def job(self, job_id: str) -> V1Job:
        job = self.jobs.get(job_id)
        if job is None:
            raise ApiError(400, "InvalidJob", f"Unable to find job for Id {job_id}")
        return job

    def set_state(self, job: V1Job, state: Any) -> None:
        if state not in ("Closed", "Aborted") or job.state != "Open":
            raise ApiError(
                400, "InvalidJobState", f"Cannot change the job from {job.state} to {state}"
            )
        job.state = state

    def add_batch(self, job: V1Job, request: list[dict[str, Any]] | CsvRows | str) -> Batch:
        """A Queued batch (PK chunking: the original NotProcessed, one batch per Id range)."""
        org = self.org
        if job.state != "Open":
            raise ApiError(400, "InvalidJobState", f"Job {job.id} is not open for new batches")
        size = _records_in(request)
        if size > MAX_BATCH_RECORDS:
            raise ApiError(400, "InvalidBatch", "Records in a batch exceed 10000")
        batch = Batch(org.minter.mint("751"), request, org.clock.now())
        job.batches[batch.id] = batch
        org.bulk.count_batches(size or 1)
        if job.pk_chunk and isinstance(request, str):
            self._chunk(job, batch)
        return batch

    def _chunk(self, job: V1Job, original: Batch) -> None:
        org = self.org
        assert isinstance(original.request, str) and job.pk_chunk
        try:
            whole = self._execute(job, original.request)
        except ApiError as exc:
            original.state, original.state_message = "Failed", _query_failure(exc)
            return
        original.state = "NotProcessed"
        ordered = sorted(whole.table.rows)
        bounds = ordered[:: job.pk_chunk] or [""]
        for k, low in enumerate(bounds):
            high = bounds[k + 1] if k + 1 < len(bounds) else None
            chunk_ids = [i for i in whole.ids if i >= low and (high is None or i < high)]
            chunk = Batch(
                org.minter.mint("751"), _ranged(original.request, low, high), org.clock.now()
            )
            chunk.result = replace(whole, ids=chunk_ids, total_size=len(chunk_ids))
            job.batches[chunk.id] = chunk
        org.bulk.count_batches(len(bounds))

    def batch(self, job: V1Job, batch_id: str) -> Batch:
        batch = job.batches.get(batch_id)
        if batch is None:
            raise ApiError(400, "InvalidBatch", f"Unable to find batch for Id {batch_id}")
        return batch

    def poll(self, job: V1Job, batch: Batch) -> Batch:
        """The batch as a poll sees it: a Queued batch runs now."""
        if batch.state == "Queued":
            self._run(job, batch)
        return batch

    def poll_all(self, job: V1Job) -> list[Batch]:
        """Every batch as a batch-list poll sees it: queued CSV batches sharing a header run
        as one pass in upload order (as a Serial job runs them), the others one by one."""
        queued = [b for b in job.batches.values() if b.state == "Queued"]
        with bulk_apply.gc_paused():
            for group in _same_header_runs(queued):
                if len(group) > 1:
                    self._run_csv(job, group)
            for batch in queued:
                self.poll(job, batch)
        return list(job.batches.values())

    def _execute(self, job: V1Job, soql: str) -> Result:
        org = self.org
        return execute(soql, org, org.clock.now(), org.timezone, job.operation == "queryAll")

    def _run(self, job: V1Job, batch: Batch) -> None:
        org = self.org
        batch.state = "Completed"
        if job.is_query:
            if batch.result is None:
                assert isinstance(batch.request, str)
                try:
                    batch.result = self._execute(job, batch.request)
                except ApiError as exc:
                    batch.state, batch.state_message = "Failed", _query_failure(exc)
                    return
            batch.result_id = org.minter.mint("752")
        elif isinstance(batch.request, CsvRows):
            self._run_csv(job, [batch])
        else:
            assert not isinstance(batch.request, str)
            spec = org.require_spec(job.sobject)
            operations = [_operation(org, spec, job, record) for record in batch.request]
            batch.outcomes = JobOutcomes.of(
                save_results.run_all(org, operations, all_or_none=False)
            )
            if job.operation == "hardDelete":
                org.purge(spec.name, (rid for rid, _ in batch.outcomes.journal_writes()))

    def _run_csv(self, job: V1Job, group: list[Batch]) -> None:
        """CSV batches of one header take Bulk 2.0's ingest path together (column at a time,
        the same checks), each keeping the outcomes of its own rows."""
        uploads = [b.request for b in group if isinstance(b.request, CsvRows)]
        assert len(uploads) == len(group)
        ingest = bulk_jobs.Job(
            group[0].id,
            job.operation,
            job.sobject,
            job.version,
            job.created_by,
            group[0].created,
            external_id=job.external_id,
            header=uploads[0].header,
            rows=[row for upload in uploads for row in upload.rows],
        )
        bulk_jobs.run_ingest(self.org, ingest)
        start = 0
        for batch, upload in zip(group, uploads, strict=True):
            if ingest.state == "Failed":
                batch.state, batch.state_message = "Failed", ingest.error_message
                continue
            stop = start + len(upload.rows)
            batch.state, batch.outcomes = "Completed", ingest.outcomes.part(start, stop)
            start = stop


def _same_header_runs(batches: list[Batch]) -> list[list[Batch]]:
    """Consecutive CSV batches with the same header, grouped."""
    runs: list[list[Batch]] = []
    for batch in batches:
        request = batch.request
        if not isinstance(request, CsvRows):
            continue
        last = runs[-1][-1].request if runs else None
        if isinstance(last, CsvRows) and last.header == request.header:
            runs[-1].append(batch)
        else:
            runs.append([batch])
    return runs


def _records_in(request: list[dict[str, Any]] | CsvRows | str) -> int:
    """Records a batch carries (a query batch counts as one)."""
    if isinstance(request, str):
        return 1
    return len(request.rows) if isinstance(request, CsvRows) else len(request)


def _query_failure(exc: ApiError) -> str:
    return f"InvalidBatch : Failed to process query: {exc.error_code}: {exc.message}"


def _ranged(soql: str, low: str, high: str | None) -> str:
    """The chunk's query text as Salesforce shows it: the Id range added to the filter."""
    where = f"Id >= '{low}'" + (f" AND Id < '{high}'" if high else "")
    joiner = "AND" if " where " in soql.lower() else "WHERE"
    return f"{soql.rstrip()} {joiner} {where}"


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
