"""Shared by the Bulk fast-path tests: two identical orgs, one job applied row by row (the
per-record path, as `bulk_jobs` runs it without a fast path) to one and through a fast path to
the other, and everything an org keeps compared: outcomes, rows, indexes, delete log, Ids."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from freezegun import freeze_time

from fake_salesforce import bulk_jobs, save_results
from fake_salesforce.bulk_outcomes import JobOutcomes
from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.lead_convert import convert_lead
from fake_salesforce.org import Org
from fake_salesforce.save_results import Outcome

START = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
# Microseconds below the millisecond: Org.create cuts them (audit_stamp), Org.delete keeps them.
LATER = datetime(2026, 5, 4, 13, 30, 15, 250123, tzinfo=UTC)

FastPath = Callable[..., JobOutcomes | None]
Row = Callable[[dict[str, str]], list[str]]


def seeded() -> tuple[Org, dict[str, str]]:
    org = Org()
    return org, seed(org)


def seed(org: Org) -> dict[str, str]:
    """Accounts, Contacts and Leads in known states; the same Ids in every new org."""
    ids = {"account": org.create("Account", {"Name": "Acme"})}
    ids["closed"] = org.create("Account", {"Name": "Closed"})
    org.delete("Account", ids["closed"])
    for name in ("alpha", "beta", "gamma", "gone", "delta"):
        ids[name] = org.create("Contact", {"LastName": name, "Email": f"{name}@example.com"})
    org.delete("Contact", ids["gone"])
    ids["missing"] = org.minter.mint("003")  # well-formed, never stored
    for name in ("lead", "converted"):
        ids[name] = org.create("Lead", {"LastName": name, "Company": "Acme"})
    convert_lead(org, ids["converted"])
    return ids


def job_for(org: Org, operation: str, sobject: str, header: list[str]) -> bulk_jobs.Job:
    return bulk_jobs.Job(
        "750000000000000AAA", operation, sobject, "59.0", org.user_id, START, header=header
    )


def row_by_row(
    org: Org,
    operation: str,
    sobject: str,
    header: list[str],
    rows: list[list[str]],
) -> list[Outcome]:
    """The reference: each row through bulk_jobs' per-record operation on its own."""
    spec = org.require_spec(sobject)
    job = job_for(org, operation, sobject, header)
    columns = bulk_jobs._columns(spec, job)
    assert not isinstance(columns, str), columns
    return [
        save_results.run_all(
            org, [bulk_jobs._operation(org, spec, job, columns, row)], all_or_none=False
        )[0]
        for row in rows
    ]


def fast(
    org: Org,
    operation: str,
    sobject: str,
    header: list[str],
    rows: list[list[str]],
    slow_rows: list[int],
) -> list[Outcome]:
    """The operation's fast path, noting (by identity) which rows it handed to the per-record
    path, in the order it handed them."""
    spec = org.require_spec(sobject)
    columns = bulk_jobs._columns(spec, job_for(org, operation, sobject, header))
    assert not isinstance(columns, str), columns

    def slow(row: list[str]) -> Outcome:
        slow_rows.append(next(k for k, r in enumerate(rows) if r is row))
        return row_by_row(org, operation, sobject, header, [row])[0]

    outcomes = bulk_jobs.FAST_PATHS[operation](org, spec, columns, rows, slow)
    assert outcomes is not None
    return list(outcomes)


def both_ways(
    operation: str,
    sobject: str,
    header: list[str],
    rows: list[Row],
) -> tuple[Org, Org, list[Outcome], list[Outcome], list[int]]:
    """Seed two identical orgs; apply the rows per record to one and fast to the other."""
    reference_org, ids = seeded()
    fast_org, same_ids = seeded()
    assert ids == same_ids
    cells = [make(ids) for make in rows]
    slow_rows: list[int] = []
    with freeze_time(LATER):
        expected = row_by_row(reference_org, operation, sobject, header, cells)
        got = fast(fast_org, operation, sobject, header, cells, slow_rows)
    return reference_org, fast_org, expected, got, slow_rows


def described(outcomes: list[Outcome]) -> list[tuple[Any, ...]]:
    return [
        (
            o.record_id,
            o.created,
            dict(o.written or {}),
            None
            if o.error is None
            else (o.error.status, o.error.error_code, o.error.message, o.error.fields),
        )
        for o in outcomes
    ]


def state(org: Org) -> dict[str, Any]:
    """All an org keeps of its records, in the orders it keeps them: rows (in insertion order),
    equality and sorted indexes, the delete log and the Id counters."""
    out: dict[str, Any] = {"minter": org.minter.state()}
    for name, table in org.tables.items():
        out[name] = {
            "rows": [(rid, table.as_dict(row)) for rid, row in table.rows.items()],
            "eq": {n: _eq_items(eq) for n, eq in table._eq.items()},
            "sorted": {n: list(index) for n, index in table.sorted_indexes().items()},
            "deleted": list(org.deleted_at[name].items()),
        }
    return out


def _eq_items(eq: dict[Any, str | set[str]]) -> list[tuple[Any, Any]]:
    return [(key, hit if isinstance(hit, str) else sorted(hit)) for key, hit in eq.items()]


def assert_same(
    reference: Org,
    fast_org: Org,
    expected: list[Outcome],
    got: list[Outcome],
) -> None:
    assert described(got) == described(expected)
    assert state(fast_org) == state(reference)


@contextmanager
def row_by_row_jobs() -> Iterator[None]:
    """Every Bulk 2.0 job takes the per-record path while inside."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bulk_jobs, "FAST_PATHS", {})
        yield


def both_wires(
    operation: str,
    sobject: str,
    make_csv: Callable[[dict[str, str]], str],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same job on the wire to two seeded fakes, row by row and as it runs: what each
    answered and journaled, and the two orgs' states."""
    answers = []
    for by_row in (True, False):
        with freeze_time(START):
            fake = FakeSalesforce()
            ids = seed(fake.org)
        with freeze_time(LATER):
            if by_row:
                with row_by_row_jobs():
                    answer = wire_job(fake, operation, sobject, make_csv(ids))
            else:
                answer = wire_job(fake, operation, sobject, make_csv(ids))
        answers.append({**answer, "state": state(fake.org)})
    return answers[0], answers[1]


def wire_job(fake: FakeSalesforce, operation: str, sobject: str, text: str) -> dict[str, Any]:
    """One ingest job on the wire: its info, results files and the journal's writes."""
    session = fake.session()
    session.headers["Authorization"] = f"Bearer {fake.token()}"
    jobs = f"{fake.instance_url}/services/data/v59.0/jobs/ingest"
    job = session.post(jobs, json={"object": sobject, "operation": operation}).json()["id"]
    upload = session.put(
        f"{jobs}/{job}/batches", data=text.encode(), headers={"Content-Type": "text/csv"}
    )
    assert upload.status_code == 201, upload.text
    session.patch(f"{jobs}/{job}", json={"state": "UploadComplete"}).raise_for_status()
    start = fake.org.journal.last_seq()
    info = session.get(f"{jobs}/{job}").json()
    (poll,) = fake.org.journal.query(after_seq=start)
    return {
        "counts": (info["numberRecordsProcessed"], info["numberRecordsFailed"]),
        "records": list(poll.records),
        "written": [(rid, dict(values)) for rid, values in poll.written],
        **{kind: session.get(f"{jobs}/{job}/{kind}").text for kind in RESULT_KINDS},
    }


RESULT_KINDS = ("successfulResults", "failedResults", "unprocessedrecords")
