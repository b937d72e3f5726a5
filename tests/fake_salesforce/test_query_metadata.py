"""`/query?columns=true` (what `sf data query` asks first) and `/query?explain=` query plans."""

from __future__ import annotations

from typing import Any

from fake_salesforce.fixture import FakeSalesforce

QUERY = "/services/data/v59.0/query"


def get(fake: FakeSalesforce, **params: str) -> Any:
    headers = {"Authorization": f"Bearer {fake.token()}"}
    return fake.session().get(f"{fake.instance_url}{QUERY}", params=params, headers=headers)


def test_columns_describe_each_select_item_with_parents_as_join_columns(
    fake: FakeSalesforce,
) -> None:
    fake.org.create("Contact", {"LastName": "Row"})  # the metadata does not depend on rows
    answer = get(fake, q="SELECT Id, Email, Account.Name FROM Contact", columns="true")
    assert answer.status_code == 200
    out = answer.json()
    assert out["entityName"] == "Contact" and out["keyPrefix"] == "003"
    assert out["idSelected"] is True and out["groupBy"] is False
    names = [c["columnName"] for c in out["columnMetadata"]]
    assert names == ["Id", "Email", "Account"]
    id_column, email, parent = out["columnMetadata"]
    assert id_column["apexType"] == "Id" and id_column["insertable"] is False
    assert email["textType"] is True and email["joinColumns"] == []
    (name,) = parent["joinColumns"]
    assert name["columnName"] == "Name" and name["displayName"] == "Account.Name"


def test_columns_name_unaliased_counts_expr0(fake: FakeSalesforce) -> None:
    out = get(fake, q="SELECT LastName, COUNT(Id) FROM Contact GROUP BY LastName", columns="true")
    last, count = out.json()["columnMetadata"]
    assert out.json()["groupBy"] is True and out.json()["idSelected"] is False
    assert count["aggregate"] is True and count["columnName"] == "expr0"
    assert count["displayName"] == "COUNT(Id)" and last["aggregate"] is False


def test_columns_of_a_bad_query_are_its_query_error(fake: FakeSalesforce) -> None:
    answer = get(fake, q="SELECT Nope FROM Contact", columns="true")
    assert answer.status_code == 400 and answer.json()[0]["errorCode"] == "INVALID_FIELD"


def test_explain_offers_an_index_plan_when_the_engine_would_probe_one(
    fake: FakeSalesforce,
) -> None:
    for k in range(4):
        fake.org.create("Contact", {"LastName": f"L{k}", "Email": f"p{k}@example.com"})
    plans = get(fake, explain="SELECT Id FROM Contact WHERE Email = 'p1@example.com'").json()
    index, scan = plans["plans"]
    assert index == {
        "cardinality": 1,
        "fields": ["Email"],
        "leadingOperationType": "Index",
        "notes": [],
        "relativeCost": 0.25,
        "sobjectCardinality": 4,
        "sobjectType": "Contact",
    }
    assert scan["leadingOperationType"] == "TableScan" and scan["cardinality"] == 4


def test_explain_of_an_unindexed_filter_is_a_table_scan_with_a_note(fake: FakeSalesforce) -> None:
    fake.org.create("Contact", {"LastName": "Only"})
    (scan,) = get(fake, explain="SELECT Id FROM Contact WHERE LastName = 'Only'").json()["plans"]
    assert scan["leadingOperationType"] == "TableScan" and scan["relativeCost"] == 1.0
    assert scan["notes"] == [
        {
            "description": "Not considering filter for optimization because unindexed",
            "fields": ["LastName"],
            "tableEnumOrId": "Contact",
        }
    ]
