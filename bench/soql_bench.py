"""SOQL at scale: memory per record, index vs scan, and paging cost vs plain JSON, in one run.

    .venv/bin/python -m bench.soql_bench [--contacts 900000] [--leads 100000]

Rows go straight into the org's Tables (HTTP would dominate generation); names come from pools
drawn once from a seeded Faker, so a million records take seconds, not minutes.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from faker import Faker
from simple_salesforce import format_soql

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.org import Org
from fake_salesforce.soql import cursor
from fake_salesforce.soql.engine import execute

DRAIN = "SELECT Id, Email, HasOptedOutOfEmail FROM Contact WHERE HasOptedOutOfEmail = true"


def rss_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def pools(seed: int) -> dict[str, list[str]]:
    fake = Faker("en_US")
    Faker.seed(seed)
    return {
        "first": sorted({fake.first_name() for _ in range(3000)}),
        "last": sorted({fake.last_name() for _ in range(3000)}),
        "company": sorted({fake.company() for _ in range(2000)}),
        "domain": sorted({fake.domain_name() for _ in range(500)}),
        "title": sorted({fake.job() for _ in range(300)}),
    }


def populate(
    org: Org,
    sobject: str,
    count: int,
    words: dict[str, list[str]],
    rng: random.Random,
    start: datetime,
) -> None:
    """Insert `count` rows straight into the table, ~10% opted out, stamps over 20 days."""
    table = org.table(sobject)
    prefix = table.spec.key_prefix
    extra = {"Company": None, "Status": "Open - Not Contacted"} if sobject == "Lead" else {}
    owner = org.user_id
    for i in range(count):
        first, last = rng.choice(words["first"]), rng.choice(words["last"])
        stamp = start + timedelta(seconds=rng.randrange(20 * 86400))
        values: dict[str, Any] = {
            "FirstName": first,
            "LastName": last,
            "Name": f"{first} {last}",
            "Email": f"{first.lower()}.{last.lower()}{i}@{rng.choice(words['domain'])}",
            "Title": rng.choice(words["title"]),
            "HasOptedOutOfEmail": rng.random() < 0.1,
            "OwnerId": owner,
            "CreatedById": owner,
            "LastModifiedById": owner,
            "CreatedDate": stamp,
            "LastModifiedDate": stamp,
            "SystemModstamp": stamp,
        }
        if extra:
            values |= {**extra, "Company": rng.choice(words["company"])}
        table.insert(org.minter.mint(prefix), values)


def timed(call: Callable[[], Any], repeat: int) -> float:
    """Median seconds of `repeat` calls."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


AGGREGATES = (
    "SELECT Title, COUNT(Id) FROM Contact GROUP BY Title",
    "SELECT LastName, COUNT(Id) n, MAX(CreatedDate) FROM Contact GROUP BY LastName "
    "HAVING COUNT(Id) > 400 ORDER BY COUNT(Id) DESC",
    "SELECT Id FROM Lead WHERE ConvertedContactId IN (SELECT Id FROM Contact WHERE "
    "HasOptedOutOfEmail = true)",
)


def aggregates(org: Org) -> None:
    """Whole-table aggregate and semi-join queries: one pass over the rows each (no target)."""
    now = org.clock.now()
    for text in AGGREGATES:
        took = timed(lambda t=text: execute(t, org, now, org.timezone), 3)
        print(f"  {took * 1e3:8.1f} ms  {text}")


def index_vs_scan(org: Org, rng: random.Random) -> None:
    table = org.table("Contact")
    ids = rng.sample(list(table.rows), 50)
    emails = [table.value(table.rows[i], "Email") for i in ids]
    now = org.clock.now()
    # Email compares case-insensitively (a closure per row when scanned); Id exactly (one C pass).
    for label, field, values in (("Email", "Email", emails), ("Id", "Id", ids)):
        texts = [
            format_soql(f"SELECT Id, Email FROM Contact WHERE {field} = {{}}", v) for v in values
        ]
        # Each indexed query runs first on its own text, never seen before (only its shape, the
        # text with string literals blanked, is parsed once and shared by all 50 values), then
        # again (its whole tree comes from the statement cache, as a repeated query's does).
        fast = statistics.median(
            timed(lambda t=t: execute(t, org, now, org.timezone), 1) for t in texts
        )
        again = statistics.median(
            timed(lambda t=t: execute(t, org, now, org.timezone), 1) for t in texts
        )
        first = texts[0]
        slow = timed(lambda t=first: execute(t, org, now, org.timezone, use_indexes=False), 3)
        assert (
            execute(first, org, now, org.timezone).ids
            == execute(first, org, now, org.timezone, use_indexes=False).ids
        )
        print(
            f"  {label} = value: index {fast * 1e6:8.1f} us, forced scan {slow * 1e3:8.1f} ms,"
            f" ratio {slow / fast:8.0f}x (target >= 1000x)\n"
            f"  {label} = value, repeated text (whole tree cached): index {again * 1e6:8.1f} us,"
            f" ratio {slow / again:8.0f}x"
        )


def drain(fake: FakeSalesforce) -> None:
    """query_all_iter over every page vs JSON encode+decode of the same pages, same run."""
    org = fake.org
    result = execute(DRAIN, org, org.clock.now(), org.timezone)
    pages = [
        {
            "totalSize": result.total_size,
            "done": False,
            "nextRecordsUrl": "/services/data/v59.0/query/01g8d0000000001AAA-2000",
            "records": result.records(start, start + cursor.DEFAULT_BATCH, "59.0"),
        }
        for start in range(0, len(result.ids), cursor.DEFAULT_BATCH)
    ]
    print(f"  draining {result.total_size} rows in {len(pages)} pages:")
    # simple-salesforce decodes with object_pairs_hook=OrderedDict unless told otherwise.
    for hook_name, hook in (("OrderedDict (default)", OrderedDict), ("dict", dict)):
        sf = fake.client(object_pairs_hook=hook)
        assert sum(1 for _ in sf.query_all_iter(DRAIN)) == result.total_size
        drained = timed(lambda c=sf: sum(1 for _ in c.query_all_iter(DRAIN)), 3)
        plain = timed(lambda: [json.loads(json.dumps(p, separators=(",", ":"))) for p in pages], 3)
        hooked = timed(
            lambda h=hook: [
                json.loads(json.dumps(p, separators=(",", ":")), object_pairs_hook=h) for p in pages
            ],
            3,
        )
        print(
            f"    client hook {hook_name}: query_all_iter {drained:.2f} s; / (encode + plain "
            f"decode {plain:.2f} s) = {drained / plain:.2f} (target <= 2); / (encode + decode "
            f"with the client's hook {hooked:.2f} s) = {drained / hooked:.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=900_000)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20260304)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    words = pools(args.seed)
    fake = FakeSalesforce()
    gc.collect()
    before = rss_bytes()
    started = time.perf_counter()
    start = datetime.now(UTC) - timedelta(days=20)
    gc.disable()  # generation allocates no cycles; the collector would only slow it down
    populate(fake.org, "Contact", args.contacts, words, rng, start)
    populate(fake.org, "Lead", args.leads, words, rng, start)
    gc.enable()
    gc.collect()
    # A server holding a seeded org keeps it for its lifetime: move it out of the collector's
    # sight, or every collection walks a million rows (gc.freeze, Python docs on gc).
    gc.freeze()
    total = args.contacts + args.leads
    grown = rss_bytes() - before
    print(
        f"org of {total:,} records ({args.contacts:,} Contacts, {args.leads:,} Leads) built in "
        f"{time.perf_counter() - started:.1f} s"
    )
    print(
        f"  memory: {grown / total:.0f} bytes per record, {rss_bytes() / 2**30:.2f} GiB "
        "resident for the whole process (target < 1.5 GB)"
    )
    index_vs_scan(fake.org, rng)
    aggregates(fake.org)
    drain(fake)


if __name__ == "__main__":
    main()
