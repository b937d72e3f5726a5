"""Bulk API 2.0 jobs driven step by step, so polling waits through the engine's injected sleep.

Works on simple-salesforce's per-object Bulk 2.0 client (create_job, get_job, ...) passed in
by the adapter; this module only speaks CSV and job states.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

RESULT_PAGE = 50_000
TERMINAL_FAILURES = ("Failed", "Aborted")


class BulkJobFailed(Exception):
    """The job ended Failed or Aborted; the message is Salesforce's errorMessage."""


class Bulk2Client(Protocol):
    def create_job(self, operation: Any, query: str | None = None) -> Any: ...

    def get_job(self, job_id: str, is_query: bool) -> Any: ...

    def get_query_results(self, job_id: str, locator: str = "", max_records: int = ...) -> Any: ...

    def upload_job_data(self, job_id: str, data: str) -> None: ...

    def close_job(self, job_id: str) -> Any: ...

    def get_ingest_results(self, job_id: str, results_type: str) -> str: ...


def wait_for(
    client: Bulk2Client, job_id: str, is_query: bool, sleep: Callable[[float], None], poll: float
) -> None:
    """Poll until JobComplete: the first poll at once (small jobs are done), then every `poll`."""
    while True:
        job = client.get_job(job_id, is_query)
        state = job["state"]
        if state == "JobComplete":
            return
        if state in TERMINAL_FAILURES:
            raise BulkJobFailed(str(job.get("errorMessage") or state))
        sleep(poll)


def query_rows(
    client: Bulk2Client,
    soql: str,
    sleep: Callable[[float], None],
    poll: float,
    operation: str = "query",
) -> Iterator[dict[str, str]]:
    """Every row of a Bulk 2.0 query job (`query`, or `queryAll` for the recycle bin too),
    page by page (locator until 'null')."""
    job = client.create_job(operation, soql)
    wait_for(client, job["id"], True, sleep, poll)
    locator = ""
    while True:
        page = client.get_query_results(job["id"], locator, RESULT_PAGE)
        yield from csv.DictReader(io.StringIO(page["records"]))
        locator = page["locator"]
        if not locator:
            return


def update_rows(
    client: Bulk2Client,
    rows: Sequence[dict[str, str]],
    sleep: Callable[[float], None],
    poll: float,
) -> dict[str, str]:
    """One ingest job updating `rows` (each with Id); returns {record id: "CODE:message"} failed."""
    job = client.create_job("update")
    client.upload_job_data(job["id"], to_csv(rows))
    client.close_job(job["id"])
    wait_for(client, job["id"], False, sleep, poll)
    failed = client.get_ingest_results(job["id"], "failedResults")
    return {row["sf__Id"] or row.get("Id", ""): row["sf__Error"] for row in _read(failed)}


def to_csv(rows: Sequence[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text))) if text.strip() else []


def split_error(text: str) -> tuple[str, str]:
    """Bulk result errors read 'STATUS_CODE:message:fields' (Bulk API 2.0 failedResults)."""
    code, _, rest = text.partition(":")
    return code.strip() or "UNKNOWN_EXCEPTION", rest.rstrip(":").strip() or text
