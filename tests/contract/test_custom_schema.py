"""jsforce 3 from npm, unmodified, against an org whose schema comes from an SFDX project: describe,
CRUD, upsert by a custom external Id, a subquery, INCLUDES, and a Bulk 2.0 load."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.server import FakeServer
from tests.contract.conftest import NodeScriptError, RunNode
from tests.contract.test_composite import LOGIN, node_env
from tests.fake_salesforce.schema.project import SFDX


@pytest.fixture
def fake() -> FakeSalesforce:
    return FakeSalesforce(schema=[SFDX], instance_url=None)


@pytest.fixture
def served(fake: FakeSalesforce) -> Iterator[FakeServer]:
    with FakeServer(fake.app, threads=4) as server:
        yield server


@pytest.mark.node
def test_jsforce_describes_and_writes_a_custom_object(
    run_node: RunNode, fake: FakeSalesforce, served: FakeServer
) -> None:
    script = LOGIN + """
    const meta = await conn.sobject("Widget__c").describe();
    const account = await conn.sobject("Account").create({ Name: "Acme" });
    const widgets = conn.sobject("Widget__c");
    const made = await widgets.create({
      Name: "W1", Size__c: "S", Account__c: account.id, Features__c: "GPS;Wifi", Code__c: "J-1",
    });
    await widgets.update({ Id: made.id, Tier__c: "Gold" });
    const upserted = await widgets.upsert({ Code__c: "J-2", Name: "W2", Size__c: "M" }, "Code__c");
    const read = await widgets.retrieve(made.id);
    const nested = await conn.query(
      "SELECT Name, (SELECT Name, Serial__c FROM Widgets__r ORDER BY Name) FROM Account"
    );
    const gps = await conn.query("SELECT Name FROM Widget__c WHERE Features__c INCLUDES ('GPS')");
    const removed = await widgets.destroy(upserted.id);
    return { meta, made, upserted, read, nested, gps, removed };
    """  # fmt: skip
    out = run_node(script, node_env(fake, served))
    fields = {f["name"]: f for f in out["meta"]["fields"]}
    assert out["meta"]["custom"] is True
    assert fields["Account__c"]["relationshipName"] == "Account__r"
    assert fields["Color__c"]["restrictedPicklist"] is True
    assert out["read"]["Tier__c"] == "Gold" and out["read"]["Serial__c"] == "W-0001"
    assert out["read"]["Color__c"] == "Green" and out["read"]["Features__c"] == "GPS;Wifi"
    assert out["upserted"]["success"] is True and out["upserted"]["created"] is True
    (acme,) = out["nested"]["records"]
    assert [r["Name"] for r in acme["Widgets__r"]["records"]] == ["W1"]
    assert [r["Name"] for r in out["gps"]["records"]] == ["W1"]
    assert out["removed"]["success"] is True
    assert fake.org.get("Widget__c", out["upserted"]["id"]) is None


@pytest.mark.node
def test_jsforce_sees_the_orgs_rules_on_a_custom_object(
    run_node: RunNode, fake: FakeSalesforce, served: FakeServer
) -> None:
    fake.org.create("Widget__c", {"Name": "First", "Size__c": "S", "Code__c": "DUP"})
    script = LOGIN + """
    await conn.sobject("Widget__c").create({ Name: "Again", Size__c: "S", Code__c: "dup" });
    """  # fmt: skip
    with pytest.raises(NodeScriptError) as raised:
        run_node(script, node_env(fake, served))
    assert raised.value.error_code == "DUPLICATE_VALUE"


@pytest.mark.node
def test_jsforce_bulk2_loads_a_custom_object_with_per_row_failures(
    run_node: RunNode, fake: FakeSalesforce, served: FakeServer
) -> None:
    script = LOGIN + """
    return await conn.bulk2.loadAndWaitForResults({
      object: "Widget__c", operation: "insert",
      input: [
        { Name: "B1", Size__c: "S", Color__c: "Red", Features__c: "Wifi" },
        { Name: "B2", Size__c: "S", Color__c: "Pink" },
        { Name: "B3" },
      ],
    });
    """  # fmt: skip
    out = run_node(script, node_env(fake, served))
    (good,) = out["successfulResults"]
    assert good["Name"] == "B1" and good["sf__Created"] == "true"
    stored = fake.org.get("Widget__c", good["sf__Id"])
    assert stored is not None and stored["Serial__c"] == "W-0001"
    errors = sorted(r["sf__Error"].split(":")[0] for r in out["failedResults"])
    assert errors == ["INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "REQUIRED_FIELD_MISSING"]
