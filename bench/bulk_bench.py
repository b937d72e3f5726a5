"""Bulk API 2.0 and sObject Collections through simple-salesforce in-process, against floors
measured in the same run.

    .venv/bin/python -m bench.bulk_bench [--full]

- Ingest: a Bulk 2.0 update job of 100,000 Contacts (create, upload, close, poll, successful
  results) beside the csv module alone reading that CSV and writing its results file (the
  floor): on the wire with plain requests, the server's share alone, and through
  simple-salesforce (whose client-side CSV split is in its figure). Each figure and its
  floor are the best of 3 runs, alternated.
- Ingest deletes and inserts: Bulk 2.0 delete and insert jobs of 100,000 Contacts, the
  server's share (upload, apply, successful results) beside the same csv floor; each
  against the same org of 100,000 Contacts, put back between runs (untimed); best of 5.
- Query: a Bulk 2.0 query job read page by page (50,000 rows a page) and parsed, beside the csv
  module writing and parsing the same rows (the floor). 100,000 rows; --full adds 1,000,000.
- Collections: 10,000 updates in 50 PATCH composite/sobjects calls beside 10,000 single PATCHes.
"""

from __future__ import annotations

import argparse
import csv
import functools
import gc
import io
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fake_salesforce.bulk_jobs import ingest_results, run_ingest
from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.generate import generate

INGEST_ROWS, QUERY_ROWS, FULL_QUERY_ROWS, COLLECTION_ROWS = 100_000, 100_000, 1_000_000, 10_000
QUERY = "SELECT Id, FirstName, LastName, Email, HasOptedOutOfEmail, SystemModstamp FROM Contact"


def timed(run: Callable[[], Any]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def fake_with(count: int) -> tuple[FakeSalesforce, list[str]]:
    fake = FakeSalesforce(api_limit=10_000_000)
    return fake, generate(fake.org, "Contact", count, opted_out=0.1, seed=1)


def update_csv(ids: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Id", "HasOptedOutOfEmail", "Title"])
    writer.writerows([rid, "true" if n % 2 else "false", f"T{n}"] for n, rid in enumerate(ids))
    return out.getvalue()


def delete_csv(ids: list[str]) -> str:
    return "Id\n" + "".join(f"{rid}\n" for rid in ids)


def insert_csv(rows: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["FirstName", "LastName", "Email", "Title", "HasOptedOutOfEmail"])
    writer.writerows(
        [f"F{n}", f"L{n}", f"new{n}@example.com", f"T{n}", "true" if n % 2 else "false"]
        for n in range(rows)
    )
    return out.getvalue()


def csv_floor(text: str) -> None:
    """Parse the upload and write a successful-results file of the same rows, csv module only."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(["sf__Id", "sf__Created", *header])
    writer.writerows([row[0], "false", *row] for row in reader)


def bench_ingest(rows: int) -> None:
    fake, ids = fake_with(rows)
    text = update_csv(ids)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "updates.csv"
        source.write_text(text)
        runs = [
            (f"Bulk 2.0 ingest, {rows:,} Contact updates, on the wire", wire(fake, text)),
            ("  of which the server's upload, apply and results", server_side(fake, text)),
            (
                "  through simple-salesforce (its own CSV split included)",
                through_simple_salesforce(fake, source),
            ),
        ]
        for label, run in runs:
            ours, floor = against_floor(run, lambda: csv_floor(text))
            report(label, rows, ours, floor)


def bench_ingest_jobs(rows: int) -> None:
    """Delete and insert jobs, server side, each run against the same org of `rows` Contacts,
    put back between runs (untimed): the same memory layout every run, as for the updates."""
    fake, ids = fake_with(rows)
    reset = put_back(fake, ids)
    jobs = [("deletes", "delete", delete_csv(ids)), ("inserts", "insert", insert_csv(rows))]
    for noun, operation, text in jobs:
        run = server_side(fake, text, operation)
        ours, floor = against_floor(run, functools.partial(csv_floor, text), 5, reset)
        report(f"Bulk 2.0 ingest, {rows:,} Contact {noun}, server side", rows, ours, floor)


def put_back(fake: FakeSalesforce, ids: list[str]) -> Callable[[], None]:
    """Undo the last job: drop the Contacts it created, undelete those it deleted."""
    org = fake.org
    table = org.table("Contact")
    kept = set(ids)

    def reset() -> None:
        for rid in [rid for rid in table.rows if rid not in kept]:
            table.remove(rid)
        for rid in ids:
            if table.value(table.rows[rid], "IsDeleted"):
                org.undelete("Contact", rid)
        gc.collect()  # the last job's garbage, not a collection inside the next run

    return reset


def against_floor(
    run: Callable[[], Any],
    floor: Callable[[], Any],
    times: int = 3,
    setup: Callable[[], Any] | None = None,
) -> tuple[float, float]:
    """The best of a few runs of each, alternated so both meet the same machine; `setup`
    (untimed) runs before each of ours."""
    ours: list[float] = []
    base: list[float] = []
    for _ in range(times):
        base.append(timed(floor))
        if setup is not None:
            setup()
        ours.append(timed(run))
    return min(ours), min(base)


def wire(fake: FakeSalesforce, text: str) -> Callable[[], None]:
    """Bulk 2.0's calls as any client makes them, through the in-process transport: create,
    upload, close, poll, successful results (journal, usage and HTTP layers included)."""
    session = fake.session()
    session.headers["Authorization"] = f"Bearer {fake.token()}"
    jobs = f"{fake.instance_url}/services/data/v59.0/jobs/ingest"
    body = text.encode()

    def run() -> None:
        job = session.post(jobs, json={"object": "Contact", "operation": "update"}).json()["id"]
        upload = session.put(
            f"{jobs}/{job}/batches", data=body, headers={"Content-Type": "text/csv"}
        )
        assert upload.status_code == 201, upload.text
        session.patch(f"{jobs}/{job}", json={"state": "UploadComplete"}).raise_for_status()
        info = session.get(f"{jobs}/{job}").json()
        assert info["state"] == "JobComplete" and info["numberRecordsFailed"] == 0, info
        results = session.get(f"{jobs}/{job}/successfulResults")
        assert results.text.count("\n") == text.count("\n"), "one result a row"

    return run


def server_side(fake: FakeSalesforce, text: str, operation: str = "update") -> Callable[[], None]:
    """The same job without HTTP, client or journal: parse, apply, successful results."""
    org = fake.org
    store = org.bulk

    def run() -> None:
        job = store.new_job(operation, "Contact", "59.0")
        store.upload(job, text.encode())
        run_ingest(org, job)
        assert job.state == "JobComplete" and job.outcomes.failed_count() == 0
        ingest_results(job, "successfulresults")

    return run


def through_simple_salesforce(fake: FakeSalesforce, source: Path) -> Callable[[], None]:
    """`sf.bulk2.Contact.update` and its successful records: simple-salesforce re-reads and
    splits the CSV on the client before the upload, which no server can speed up."""
    sf = fake.client()

    def run() -> None:
        (result,) = sf.bulk2.Contact.update(csv_file=str(source), wait=0)
        assert result["numberRecordsFailed"] == 0, result
        sf.bulk2.Contact.get_successful_records(result["job_id"])

    return run


def bench_query(rows: int) -> None:
    fake, _ = fake_with(rows)
    sf = fake.client()
    pages: list[str] = []

    def run() -> None:
        pages.extend(sf.bulk2.Contact.query(QUERY, max_records=50_000, wait=0))
        for page in pages:
            for _ in csv.reader(io.StringIO(page)):
                pass

    ours = timed(run)
    text = "".join(pages)

    def floor_run() -> None:
        parsed = list(csv.reader(io.StringIO(text)))
        out = io.StringIO()
        csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(parsed)

    floor = min(timed(floor_run) for _ in range(2))
    report(f"Bulk 2.0 query, {rows:,} rows", rows, ours, floor)


def bench_collections(rows: int) -> None:
    fake, ids = fake_with(rows)
    sf = fake.client()

    def collections() -> None:
        for start in range(0, rows, 200):
            records = [
                {"attributes": {"type": "Contact"}, "id": rid, "HasOptedOutOfEmail": True}
                for rid in ids[start : start + 200]
            ]
            body = {"allOrNone": False, "records": records}
            sf.restful("composite/sobjects", method="PATCH", json=body)

    def singles() -> None:
        for rid in ids:
            sf.Contact.update(rid, {"HasOptedOutOfEmail": False})

    many, one = timed(collections), timed(singles)
    print(
        f"Collections, {rows:,} updates in {rows // 200} calls: {rows / many:,.0f} records/s; "
        f"single-record PATCH: {rows / one:,.0f} records/s ({one / many:.1f}x slower)"
    )


def report(label: str, rows: int, ours: float, floor: float) -> None:
    print(
        f"{label}: {rows / ours:,.0f} records/s ({ours:.2f} s); csv-module floor "
        f"{rows / floor:,.0f} records/s ({floor:.2f} s); ratio {ours / floor:.1f}x (target <= 3x)"
    )


def main(full: bool = False) -> None:
    bench_ingest(INGEST_ROWS)
    bench_ingest_jobs(INGEST_ROWS)
    bench_query(QUERY_ROWS)
    if full:
        bench_query(FULL_QUERY_ROWS)
    bench_collections(COLLECTION_ROWS)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true")
    main(parser.parse_args().full)
