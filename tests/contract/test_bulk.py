"""Bulk APIs through real clients: simple-salesforce bulk2 and bulk (three ways), jsforce bulk2."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.server import FakeServer
from tests.contract.conftest import RunNode, Target
from tests.contract.test_composite import LOGIN, node_env


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_simple_salesforce_bulk2_insert_update_upsert_delete_and_query(
    target: Target, tmp_path: Path
) -> None:
    sf = target.login()
    contacts = sf.bulk2.Contact
    source = tmp_path / "contacts.csv"
    source.write_text("LastName,Email\nAda,ada@example.com\n,missing@example.com\n")
    (inserted,) = contacts.insert(csv_file=str(source), wait=0)
    assert (inserted["numberRecordsProcessed"], inserted["numberRecordsFailed"]) == (2, 1)
    (failed,) = rows(contacts.get_failed_records(inserted["job_id"]))
    assert failed["sf__Error"].startswith("REQUIRED_FIELD_MISSING:")
    (made,) = rows(contacts.get_successful_records(inserted["job_id"]))
    rid = made["sf__Id"]
    assert rows(contacts.get_unprocessed_records(inserted["job_id"])) == []
    contacts.update(records=[{"Id": rid, "HasOptedOutOfEmail": "true"}], wait=0)
    assert target.org.get("Contact", rid)["HasOptedOutOfEmail"] is True
    (upserted,) = contacts.upsert(
        records=[{"External_Id__c": "X1", "LastName": "Ext"}],
        external_id_field="External_Id__c",
        wait=0,
    )
    assert upserted["numberRecordsFailed"] == 0
    pages = list(contacts.query("SELECT Id, LastName FROM Contact ORDER BY LastName", 1, wait=0))
    assert [rows(p)[0]["LastName"] for p in pages] == ["Ada", "Ext"]
    contacts.delete(records=[{"Id": rid}], wait=0)
    assert target.org.get("Contact", rid) is None


def test_simple_salesforce_bulk2_waits_through_jobs_that_take_several_polls(
    target: Target,
) -> None:
    target.org.bulk.settings.polls_to_complete = 3
    sf = target.login()
    (result,) = sf.bulk2.Contact.insert(records=[{"LastName": "Slow"}], wait=0)
    assert result["numberRecordsProcessed"] == 1
    polls = target.org.journal.query(method="GET", path=f"*/jobs/ingest/{result['job_id']}")
    assert len(polls) == 4  # three polls to complete, one to read the counts


def test_simple_salesforce_bulk_v1_insert_update_and_query(target: Target) -> None:
    sf = target.login()
    made = sf.bulk.Contact.insert([{"LastName": "V1", "Email": "v1@example.com"}])
    rid = made[0]["id"]
    assert sf.bulk.Contact.update([{"Id": rid, "Title": "T"}])[0]["success"] is True
    (record,) = sf.bulk.Contact.query("SELECT Id, Title FROM Contact")
    assert (record["Id"], record["Title"]) == (rid, "T")


@pytest.mark.node
def test_jsforce_bulk2_load_and_wait_for_results(
    run_node: RunNode, fake: FakeSalesforce, served: FakeServer
) -> None:
    script = LOGIN + """
    const res = await conn.bulk2.loadAndWaitForResults({
      object: "Contact", operation: "insert",
      input: [{ LastName: "J1", Email: "j1@example.com" }, { FirstName: "NoLast" }],
    });
    return res;
    """  # fmt: skip
    out = run_node(script, node_env(fake, served))
    (good,) = out["successfulResults"]
    (bad,) = out["failedResults"]
    assert good["LastName"] == "J1" and good["sf__Created"] == "true"
    assert fake.org.get("Contact", good["sf__Id"])["Email"] == "j1@example.com"
    assert bad["sf__Error"].startswith("REQUIRED_FIELD_MISSING:")
    assert out["unprocessedRecords"] == []


QUERY_SCRIPT = (
    LOGIN
    + """
    const stream = await conn.bulk2.query("SELECT Id, LastName FROM Contact ORDER BY LastName");
    return await new Promise((resolve, reject) => {
      const out = [];
      stream.on("record", (r) => out.push(r));
      stream.on("end", () => resolve(out));
      stream.on("error", reject);
    });
    """
)


@pytest.mark.node
def test_jsforce_bulk2_query_reads_a_one_page_result_ending_in_a_null_locator(
    run_node: RunNode, fake: FakeSalesforce, served: FakeServer
) -> None:
    for i in range(5):
        fake.org.create("Contact", {"LastName": f"Q{i}"})
    out = run_node(QUERY_SCRIPT, node_env(fake, served))
    assert [r["LastName"] for r in out] == ["Q0", "Q1", "Q2", "Q3", "Q4"]
    (page,) = fake.org.journal.query(method="GET", path="*/jobs/query/*/results")
    assert page.status == 200


@pytest.mark.node
def test_jsforce_bulk2_query_over_several_pages_fails_as_it_does_against_salesforce(
    run_node: RunNode, fake: FakeSalesforce, served: FakeServer
) -> None:
    """jsforce 3 pipes every page into one stream that the first page ends (jsforce#1546,
    #1693): a second page is 'write after end'. The fake pages the same way, so it shows."""
    for i in range(5):
        fake.org.create("Contact", {"LastName": f"Q{i}"})
    fake.org.bulk.settings.page_size = 2
    with pytest.raises(AssertionError, match="ERR_STREAM_WRITE_AFTER_END"):
        run_node(QUERY_SCRIPT, node_env(fake, served))
    pages = fake.org.journal.query(method="GET", path="*/jobs/query/*/results")
    assert len(pages) >= 2 and pages[0].status == 200
