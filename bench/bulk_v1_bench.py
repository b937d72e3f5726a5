"""Bulk API 1.0 CSV ingest against the csv-module floor, measured in the same run.

    .venv/bin/python -m bench.bulk_v1_bench

A CSV update job of 100,000 Contacts as salesforce-bulk and jsforce send it: an XML jobInfo,
ten CSV batches of 10,000 rows (the Bulk 1.0 batch limit; split before timing, as a client
splits before it uploads), close, one batch-list poll, each batch's CSV results. Beside it the
csv module alone reading that CSV and writing a results file of the same rows (the floor, as
for Bulk 2.0 in bulk_bench). On the wire through the in-process transport, and the server's
share alone (parse, apply, results); each the best of 3 runs alternated with the floor.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from bench.bulk_bench import against_floor, csv_floor, fake_with, report, update_csv
from fake_salesforce.bulk_apply import gc_paused
from fake_salesforce.bulk_csv import read_upload
from fake_salesforce.bulk_v1_jobs import MAX_BATCH_RECORDS, CsvRows
from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.routes.bulk_v1 import csv_results

ROWS = 100_000
NS = "http://www.force.com/2009/06/asyncapi/dataload"
JOB = (
    f'<?xml version="1.0" encoding="UTF-8"?><jobInfo xmlns="{NS}"><operation>update</operation>'
    "<object>Contact</object><contentType>CSV</contentType></jobInfo>"
)


def batches(text: str) -> list[bytes]:
    """The upload split into CSV batches of at most 10,000 rows, each with the header."""
    header, _, body = text.partition("\n")
    lines = body.splitlines(keepends=True)
    return [
        (header + "\n" + "".join(lines[k : k + MAX_BATCH_RECORDS])).encode()
        for k in range(0, len(lines), MAX_BATCH_RECORDS)
    ]


def wire(fake: FakeSalesforce, parts: list[bytes]) -> Callable[[], None]:
    session = fake.session()
    session.headers["X-SFDC-Session"] = fake.token()
    base = f"{fake.instance_url}/services/async/59.0/job"
    xml = {"Content-Type": "application/xml; charset=UTF-8"}
    csv_type = {"Content-Type": "text/csv; charset=UTF-8"}

    def run() -> None:
        job = re.search(r"<id>(\w+)</id>", session.post(base, data=JOB, headers=xml).text)
        assert job is not None
        job_id = job.group(1)
        ids = []
        for part in parts:
            added = session.post(f"{base}/{job_id}/batch", data=part, headers=csv_type)
            assert added.status_code == 201, added.text
            found = re.search(r"<id>(\w+)</id>", added.text)
            assert found is not None
            ids.append(found.group(1))
        closed = f'<jobInfo xmlns="{NS}"><state>Closed</state></jobInfo>'
        session.post(f"{base}/{job_id}", data=closed, headers=xml).raise_for_status()
        listing = session.get(f"{base}/{job_id}/batch").text
        assert listing.count("<state>Completed</state>") == len(parts), listing[:500]
        for batch_id in ids:
            results = session.get(f"{base}/{job_id}/batch/{batch_id}/result").text
            assert results.count('"true"') >= 1 and '"false","false"' not in results

    return run


def server_side(fake: FakeSalesforce, parts: list[bytes]) -> Callable[[], None]:
    """The same job without HTTP: parse each batch, apply it, write its CSV results."""
    org = fake.org
    spec = org.require_spec("Contact")
    jobs = org.bulk_v1

    def run() -> None:
        with gc_paused():  # as the routes parse and write
            added_and_written()

    def added_and_written() -> None:
        job = jobs.create("update", spec, "59.0", external_id=None, concurrency="Parallel",
                          content_type="CSV", pk_chunk=None)  # fmt: skip
        added = [jobs.add_batch(job, CsvRows(*read_upload(part))) for part in parts]
        for batch in jobs.poll_all(job):
            assert batch.state == "Completed" and batch.outcomes.failed_count() == 0
        for batch in added:
            csv_results(batch)

    return run


def main() -> None:
    fake, ids = fake_with(ROWS)
    text = update_csv(ids)
    parts = batches(text)
    floor = functools.partial(csv_floor, text)
    runs = [
        (f"Bulk 1.0 CSV ingest, {ROWS:,} Contact updates in {len(parts)} batches, on the wire",
         wire(fake, parts)),
        ("  of which the server's parse, apply and results", server_side(fake, parts)),
    ]  # fmt: skip
    for label, run in runs:
        ours, base = against_floor(run, floor)
        report(label, ROWS, ours, base)


if __name__ == "__main__":
    main()
