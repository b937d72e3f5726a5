"""jsforce 3's Bulk APIs, unmodified: `conn.bulk` (Bulk 1.0 XML jobs with CSV batches), a
`Query#update` above the bulk threshold, and `conn.bulk2`."""

from __future__ import annotations

from typing import Any

import pytest

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.server import FakeServer
from tests.contract.conftest import JSFORCE_CONNECT, RunNode


def _env(fake: FakeSalesforce, served: FakeServer) -> dict[str, Any]:
    return {"url": served.url, "token": fake.token()}


@pytest.mark.node
def test_jsforce_bulk_load_reports_each_row_and_bulk_query_streams_records(
    run_node: RunNode, fake: FakeSalesforce, served: FakeServer
) -> None:
    script = (
        JSFORCE_CONNECT
        + """
    const loaded = await conn.bulk.load("Contact", "insert", [
      { LastName: "Bulk", Email: "b@example.com" }, { Email: "nameless@example.com" },
    ]);
    const records = await (await conn.bulk.query(
      "SELECT Id, LastName FROM Contact WHERE LastName = 'Bulk'")).toArray();
    return { loaded, records };
    """
    )
    out = run_node(script, _env(fake, served))
    made, failed = out["loaded"]
    assert made["success"] is True and made["created"] is True
    assert fake.org.get("Contact", made["id"])["Email"] == "b@example.com"
    assert failed["success"] is False
    assert failed["errors"][0].startswith("REQUIRED_FIELD_MISSING")
    assert out["records"] == [{"Id": made["id"], "LastName": "Bulk"}]


@pytest.mark.node
def test_jsforce_query_update_above_the_bulk_threshold_goes_through_bulk_v1(
    run_node: RunNode, fake: FakeSalesforce, served: FakeServer
) -> None:
    ids = [fake.org.create("Contact", {"LastName": "Many", "Title": "old"}) for _ in range(205)]
    script = (
        JSFORCE_CONNECT
        + """
    const results = await conn.sobject("Contact").find({ LastName: "Many" }, ["Id"])
      .update({ Title: "new" });
    return results.filter((r) => r.success).length;
    """
    )
    assert run_node(script, _env(fake, served)) == 205
    assert {fake.org.get("Contact", rid)["Title"] for rid in ids} == {"new"}
    assert len(fake.org.bulk_v1.jobs) == 1  # the Bulk 1.0 path, not Collections


@pytest.mark.node
def test_jsforce_bulk2_load_and_query(
    run_node: RunNode, fake: FakeSalesforce, served: FakeServer
) -> None:
    script = (
        JSFORCE_CONNECT
        + """
    const loaded = await conn.bulk2.loadAndWaitForResults({ object: "Contact",
      operation: "insert", input: [{ LastName: "Two", Email: "two@example.com" }] });
    const records = await (await conn.bulk2.query(
      "SELECT Id, Email FROM Contact WHERE LastName = 'Two'")).toArray();
    return { created: loaded.successfulResults.map((r) => r.sf__Id), records };
    """
    )
    out = run_node(script, _env(fake, served))
    (rid,) = out["created"]
    assert out["records"] == [{"Id": rid, "Email": "two@example.com"}]


@pytest.mark.node
def test_jsforce_query_destroy_above_the_bulk_threshold_goes_through_bulk_v1(
    run_node: RunNode, fake: FakeSalesforce, served: FakeServer
) -> None:
    ids = [fake.org.create("Contact", {"LastName": "Doomed"}) for _ in range(201)]
    kept = fake.org.create("Contact", {"LastName": "Kept"})
    script = (
        JSFORCE_CONNECT
        + """
    const results = await conn.sobject("Contact").find({ LastName: "Doomed" }).destroy();
    return results.filter((r) => r.success).length;
    """
    )
    assert run_node(script, _env(fake, served)) == 201
    assert all(fake.org.get("Contact", rid) is None for rid in ids)
    assert fake.org.get("Contact", kept) is not None
    (job,) = fake.org.bulk_v1.jobs.values()
    assert (job.operation, job.content_type) == ("delete", "CSV")
