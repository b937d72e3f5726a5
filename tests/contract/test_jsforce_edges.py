"""jsforce 3, unmodified, on the edges its own test suite exercises against a real org: a
rolled-back collection upsert, Bulk loads of no records, an Account CSV with every standard
column, a Bulk 2.0 upsert on Id that creates, SOSL search, SOAP partner calls, and the
Streaming API's objects as records."""

from __future__ import annotations

from typing import Any

import pytest

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.server import FakeServer
from tests.contract.conftest import JSFORCE_CONNECT, RunNode

ACCOUNT_CSV = (
    "NAME,TYPE,INDUSTRY,SIC,SICDESC,JIGSAW,JIGSAWCOMPANYID,ACCOUNTSOURCE,OWNERSHIP,RATING\n"
    "Csv One,Customer - Direct,Energy,1234,Oil,,,,Public,Hot\n"
    "Csv Two,Customer - Channel,Biotechnology,,,,,,Private,\n"
)


def _env(fake: FakeSalesforce, served: FakeServer) -> dict[str, Any]:
    return {"url": served.url, "token": fake.token(), "csv": ACCOUNT_CSV}


@pytest.mark.node
def test_a_rolled_back_collection_upsert_still_says_each_record_would_be_created(
    run_node: RunNode, fake: FakeSalesforce, served: FakeServer
) -> None:
    script = (
        JSFORCE_CONNECT
        + """
    conn.version = "50.0";
    const records = [1, 2, 3].map((i) => ({ LastName: `Roll ${i}`, External_Id__c: `roll-${i}` }));
    records[1].OwnerId = "INVALID_OWNER";
    return await conn.sobject("Contact").upsert(records, "External_Id__c", { allOrNone: true });
    """
    )
    results = run_node(script, _env(fake, served))
    assert [(r["success"], r["created"]) for r in results] == [(False, True)] * 3
    codes = [[e["statusCode"] for e in r["errors"]] for r in results]
    assert codes == [
        ["ALL_OR_NONE_OPERATION_ROLLED_BACK"],
        ["MALFORMED_ID"],
        ["ALL_OR_NONE_OPERATION_ROLLED_BACK"],
    ]
    assert fake.org.table("Contact").rows == {}


@pytest.mark.node
def test_bulk_loads_of_no_records_fail_in_bulk_1_and_complete_empty_in_bulk_2(
    run_node: RunNode, fake: FakeSalesforce, served: FakeServer
) -> None:
    script = (
        JSFORCE_CONNECT
        + """
    let v1;
    try { await conn.bulk.load("Account", "update", []); } catch (e) { v1 = e.name; }
    const v2 = await conn.bulk2.loadAndWaitForResults({ object: "Account", operation: "delete",
                                                      input: [] });
    return { v1, v2: [v2.successfulResults, v2.failedResults, v2.unprocessedRecords] };
    """
    )
    out = run_node(script, _env(fake, served))
    assert out == {"v1": "ClientInputError", "v2": [[], [], []]}


@pytest.mark.node
def test_bulk_loads_an_account_csv_with_upper_case_standard_columns(
    run_node: RunNode, fake: FakeSalesforce, served: FakeServer
) -> None:
    script = (
        JSFORCE_CONNECT
        + """
    const v1 = await conn.bulk.load("Account", "insert", env.csv);
    const v2 = await conn.bulk2.loadAndWaitForResults({ object: "Account", operation: "insert",
                                                      input: env.csv });
    return { v1: v1.map((r) => r.success), v2: v2.successfulResults.length,
             failed: v2.failedResults };
    """
    )
    out = run_node(script, _env(fake, served))
    assert out == {"v1": [True, True], "v2": 2, "failed": []}
    loaded = fake.org.table("Account").rows.values()
    assert sorted(str(fake.org.table("Account").value(r, "SicDesc")) for r in loaded) == [
        "None",
        "None",
        "Oil",
        "Oil",
    ]


@pytest.mark.node
def test_a_bulk2_upsert_on_id_with_no_id_column_creates_every_row(
    run_node: RunNode, fake: FakeSalesforce, served: FakeServer
) -> None:
    script = (
        JSFORCE_CONNECT
        + """
    const res = await conn.bulk2.loadAndWaitForResults({ object: "Account", operation: "upsert",
      externalIdFieldName: "Id", columnDelimiter: "BACKQUOTE",
      input: "NAME`PHONE\\nTick One`415-555-0000\\nTick Two`\\n" });
    return res.successfulResults.map((r) => r.sf__Created);
    """
    )
    assert run_node(script, _env(fake, served)) == ["true", "true"]
    assert len(fake.org.table("Account").rows) == 2


@pytest.mark.node
def test_jsforce_search_finds_bulk_loaded_accounts_by_a_word_of_their_name(
    run_node: RunNode, fake: FakeSalesforce, served: FakeServer
) -> None:
    script = (
        JSFORCE_CONNECT
        + """
    await conn.bulk.load("Account", "insert",
      [1, 2, 3].map((i) => ({ Name: `Bulk Account 1733 #${i}` })).concat([{ Name: "Other" }]));
    const { searchRecords } = await conn.search(
      'FIND {"1733"} IN NAME FIELDS RETURNING Account(Id, Name)');
    return searchRecords.map((r) => r.Name).sort();
    """
    )
    assert run_node(script, _env(fake, served)) == [f"Bulk Account 1733 #{i}" for i in (1, 2, 3)]


@pytest.mark.node
def test_jsforce_soap_undelete_restores_deleted_records_and_reports_the_others(
    run_node: RunNode, fake: FakeSalesforce, served: FakeServer
) -> None:
    gone = fake.org.create("Contact", {"LastName": "Gone"})
    fake.org.delete("Contact", gone)
    live = fake.org.create("Contact", {"LastName": "Live"})
    script = (
        JSFORCE_CONNECT
        + """
    const res = await conn.soap.undelete([env.gone, "not an id", env.live]);
    return res.map((r) => [r.success, r.id, r.errors.map((e) => e.statusCode)]);
    """
    )
    out = run_node(script, {**_env(fake, served), "gone": gone, "live": live})
    assert out == [
        [True, gone, []],
        [False, None, ["MALFORMED_ID"]],
        [False, None, ["UNDELETE_FAILED"]],
    ]
    assert fake.org.get("Contact", gone) is not None


@pytest.mark.node
def test_jsforce_soap_describe_tabs_lists_the_sales_app_and_its_tabs(
    run_node: RunNode, fake: FakeSalesforce, served: FakeServer
) -> None:
    script = (
        JSFORCE_CONNECT
        + """
    const apps = await conn.soap.describeTabs();
    return apps.map((a) => [a.label, a.selected, a.tabs.map((t) => [t.name, t.custom,
      t.icons.length])]);
    """
    )
    ((label, selected, tabs),) = run_node(script, _env(fake, served))
    assert (label, selected) == ("Sales", True)
    assert ["standard-Account", False, 5] in tabs and len(tabs) == 4


@pytest.mark.node
def test_jsforce_soap_calls_need_a_live_session_and_a_served_operation(
    run_node: RunNode, fake: FakeSalesforce, served: FakeServer
) -> None:
    script = """
    const bad = new jsforce.Connection({ instanceUrl: env.url, accessToken: "nope" });
    const conn = new jsforce.Connection({ instanceUrl: env.url, accessToken: env.token });
    const out = {};
    try { await bad.soap.getUserInfo(); } catch (e) { out.session = e.name; }
    try { await conn.soap.emptyRecycleBin(["003000000000000AAA"]); }
    catch (e) { out.op = e.message; }
    out.user = (await conn.soap.getUserInfo()).userId;
    return out;
    """
    out = run_node(script, _env(fake, served))
    assert out["session"] == "sf:INVALID_SESSION_ID"
    assert "No operation available for request" in out["op"]
    assert out["user"] == fake.org.user_id


@pytest.mark.node
def test_streaming_objects_are_records_jsforce_can_create_find_and_destroy(
    run_node: RunNode, fake: FakeSalesforce, served: FakeServer
) -> None:
    script = (
        JSFORCE_CONNECT
        + """
    const topic = await conn.sobject("PushTopic").create({ Name: "Topic-1",
      Query: "SELECT Id, Name FROM Account", ApiVersion: "54.0", NotifyForFields: "Referenced" });
    await conn.sobject("StreamingChannel").create({ Name: "/u/JSforceTestChannel" });
    const gone = await conn.sobject("StreamingChannel").find({ Name: "/u/JSforceTestChannel" })
      .destroy();
    const found = await conn.sobject("PushTopic").findOne({ Id: topic.id }, "*");
    return { gone: gone.map((r) => r.success), active: found.IsActive,
             create: found.NotifyForOperationCreate };
    """
    )
    out = run_node(script, _env(fake, served))
    assert out == {"gone": [True], "active": True, "create": True}
