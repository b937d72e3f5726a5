"""Nightly reconciliation and push-burst figures for sync_core against the in-process fake org.

    python bench/sync_core_bench.py            # small: 20,000 records
    python bench/sync_core_bench.py --full     # 1,000,000 records, 100,000 unsubscribed people

Prints API calls against the fewest a nightly run of the same data could make (see
`minimum_calls`), checks the result record by record, then a second run and a burst.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fake_salesforce.fixture import FakeSalesforce
from sync_core.model import SObject, Source
from sync_core.plan import BULK_INGEST_CALLS, BULK_RESULT_PAGE, REST_QUERY_PAGE
from sync_core.salesforce import SalesforceAdapter
from sync_core.service import SyncService

FIELD = "HasOptedOutOfEmail"
DESCRIBE = 1  # docs/behaviour.md 3.2 makes the describe check mandatory: one /composite call


@dataclass(frozen=True)
class Shape:
    records: int
    unsubscribed: int  # Marketo Sales unsubscribed people
    sf_only: int  # Salesforce opt-outs unknown to Marketo Sales
    ms_only: int  # Marketo Sales unsubscribes missing in Salesforce
    burst: int


SMALL = Shape(records=20_000, unsubscribed=2_000, sf_only=200, ms_only=400, burst=10_000)
FULL = Shape(records=1_000_000, unsubscribed=100_000, sf_only=10_000, ms_only=20_000, burst=10_000)


def _now() -> datetime:
    return datetime.now(UTC)


def build(shape: Shape, seed: int) -> tuple[FakeSalesforce, SyncService, dict[str, Any]]:
    """An org where 60% of records are Contacts, and one linked person per record."""
    rng = random.Random(seed)
    fake = FakeSalesforce(api_limit=10_000_000)
    order = list(range(shape.records))
    rng.shuffle(order)
    unsub = set(order[: shape.unsubscribed])
    ms_only = set(order[: shape.ms_only])
    sf_only = set(order[shape.unsubscribed : shape.unsubscribed + shape.sf_only])
    ids: list[tuple[SObject, str]] = []
    for i in range(shape.records):
        opted = (i in unsub and i not in ms_only) or i in sf_only
        sobject = SObject.CONTACT if i % 5 < 3 else SObject.LEAD
        body: dict[str, Any] = {"LastName": f"R{i}", FIELD: opted}
        if sobject is SObject.LEAD:
            body["Company"] = "Acme"
        ids.append((sobject, fake.org.create(str(sobject), body)))
    adapter = SalesforceAdapter.with_password(
        fake.username, fake.password, fake.security_token, session=fake.session(), sleep=_no_wait
    )
    service = SyncService.open("sqlite:///:memory:", adapter, sleep=_no_wait)
    now = _now()
    service.update_settings(now, nightly_sync=True)
    rows = []
    for i, (sobject, rid) in enumerate(ids):
        key = "contact_id" if sobject is SObject.CONTACT else "lead_id"
        rows.append({"email": f"p{i}@example.com", key: rid, "unsubscribed": i in unsub})
    service.store.add_people(rows, now)  # type: ignore[attr-defined]
    truth = {"ids": ids, "unsub": unsub, "sf": (unsub - ms_only) | sf_only}
    return fake, service, truth


def _no_wait(seconds: float) -> None:
    """The fake finishes Bulk jobs at once; a wait would mean a poll the minimum omits."""


def minimum_calls(truth: dict[str, Any]) -> int:
    """The fewest calls a nightly run can make on this data: per object, the cheaper of
    reading the opted-out records by REST query pages (2,000 rows) or one Bulk 2.0 query job
    (create, one poll, result pages); for the pushes, the cheapest mix of sObject Collections
    (200 records a call, both types together) and one Bulk 2.0 ingest job per type. The fake
    finishes jobs at once, so one poll per job. No describe: see DESCRIBE."""
    ids = truth["ids"]
    total = 0
    pushes = {SObject.CONTACT: 0, SObject.LEAD: 0}
    for sobject in SObject:
        opted = sum(1 for i in truth["sf"] if ids[i][0] is sobject)
        rest = max(1, math.ceil(opted / REST_QUERY_PAGE))
        bulk = 2 + max(1, math.ceil(opted / BULK_RESULT_PAGE))
        total += min(rest, bulk)
        pushes[sobject] = sum(1 for i in truth["unsub"] - truth["sf"] if ids[i][0] is sobject)
    c, lead = pushes[SObject.CONTACT], pushes[SObject.LEAD]
    options = [
        math.ceil((c + lead) / 200),
        BULK_INGEST_CALLS * (c > 0) + math.ceil(lead / 200),
        BULK_INGEST_CALLS * (lead > 0) + math.ceil(c / 200),
        BULK_INGEST_CALLS * ((c > 0) + (lead > 0)),
    ]
    return total + min(options)


def verify(fake: FakeSalesforce, service: SyncService, truth: dict[str, Any]) -> int:
    """Record by record: unsubscribed in Marketo Sales and opted out in Salesforce iff either
    side said so before the run. Returns the number of disagreements."""
    wrong = 0
    should = truth["unsub"] | truth["sf"]
    people = {p.contact_id or p.lead_id: p for p in service.people()}
    for i, (sobject, rid) in enumerate(truth["ids"]):
        record = fake.org.get(str(sobject), rid)
        expected = i in should
        if record is None or bool(record[FIELD]) != expected:
            wrong += 1
        if people[rid].unsubscribed != expected:
            wrong += 1
    return wrong


def burst(fake: FakeSalesforce, service: SyncService, count: int) -> tuple[int, int, float]:
    now = _now()
    people = []
    for i in range(count):
        rid = fake.org.create("Contact", {"LastName": f"B{i}"})
        people.append(service.add_person(f"b{i}@example.com", contact_id=rid, now=now).id)
    for person in people:
        service.unsubscribe(person, Source.BULK, now)
    started = time.perf_counter()
    report = service.push_due(now + timedelta(seconds=1))
    return report.delivered, report.calls, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="1,000,000 records (minutes)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    shape = FULL if args.full else SMALL
    started = time.perf_counter()
    fake, service, truth = build(shape, args.seed)
    print(f"built {shape.records:,} records, {len(truth['unsub']):,} unsubscribed people "
          f"in {time.perf_counter() - started:.1f}s")  # fmt: skip
    floor = minimum_calls(truth)
    started = time.perf_counter()
    first = service.run_nightly(_now())
    elapsed = time.perf_counter() - started
    wrong = verify(fake, service, truth)
    print(f"nightly 1 ({first.mode}): {first.calls} calls; section 7 floor {floor} "
          f"(ratio {first.calls / floor:.2f}), with the mandatory describe {floor + DESCRIBE} "
          f"(ratio {first.calls / (floor + DESCRIBE):.2f}, target <= 1.10); "
          f"writes {first.writes_done:,}, pulls {first.unsubscribed:,}; {elapsed:.1f}s; "
          f"disagreements {wrong}")  # fmt: skip
    second = service.run_nightly(_now() + timedelta(seconds=1))
    print(f"nightly 2 ({second.mode}): {second.calls} calls, writes {second.writes_done} "
          f"(target 0), pulls {second.unsubscribed}")  # fmt: skip
    delivered, calls, seconds = burst(fake, service, shape.burst)
    bound = math.ceil(shape.burst / 200) + 5
    print(f"burst: {delivered:,} unsubscribes in {calls} calls (bound {bound}); {seconds:.1f}s")
    ok = (
        first.calls <= 1.1 * (floor + DESCRIBE)
        and wrong == 0
        and second.writes_done == 0
        and delivered == shape.burst
        and calls <= bound
    )
    print("OK" if ok else "MISSED A TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
