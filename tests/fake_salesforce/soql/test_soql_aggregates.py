"""MIN, MAX, SUM, AVG and COUNT_DISTINCT, with or without GROUP BY, and HAVING, through
simple-salesforce on an org with a loaded schema: AggregateResult rows typed as Salesforce's."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from fake_salesforce.fixture import FakeSalesforce
from tests.fake_salesforce.schema.project import SFDX

AGG = {"type": "AggregateResult"}


@pytest.fixture
def fake() -> FakeSalesforce:
    return FakeSalesforce(schema=[SFDX])


@pytest.fixture
def widgets(sf: Any) -> None:
    rows = [
        ("W1", "Red", 2.0, 10.5, "2026-01-05"),
        ("W2", "red", 4.0, 20.0, "2026-02-01"),
        ("W3", "Blue", 3.0, None, "2025-12-24"),
        ("W4", None, None, 5.0, None),
    ]
    for name, color, quantity, price, ship in rows:
        sf.Widget__c.create(
            {
                "Name": name,
                "Size__c": "S",
                "Tier__c": color,
                "Quantity__c": quantity,
                "Price__c": price,
                "Ship_Date__c": ship,
            }
        )


def records(sf: Any, soql: str) -> list[dict[str, Any]]:
    return list(sf.query(soql)["records"])


def test_aggregates_over_all_rows_ignore_nulls_and_keep_salesforces_types(
    sf: Any, widgets: None
) -> None:
    soql = (
        "SELECT MIN(Quantity__c), MAX(Ship_Date__c), SUM(Price__c) total, AVG(Quantity__c), "
        "COUNT_DISTINCT(Tier__c), MIN(Name) FROM Widget__c"
    )
    assert records(sf, soql) == [
        {
            "attributes": AGG,
            "expr0": 2.0,
            "expr1": "2026-02-01",
            "total": 35.5,
            "expr2": 3.0,
            "expr3": 2,
            "expr4": "W1",
        }
    ]


def test_integer_sums_stay_integers_and_an_empty_set_gives_nulls(sf: Any) -> None:
    for n in (3, 4):
        sf.Account.create({"Name": f"A{n}", "NumberOfEmployees": n})
    soql = "SELECT SUM(NumberOfEmployees), MAX(NumberOfEmployees), AVG(NumberOfEmployees)"
    soql += " FROM Account"
    assert records(sf, soql) == [{"attributes": AGG, "expr0": 7, "expr1": 4, "expr2": 3.5}]
    none = "SELECT SUM(NumberOfEmployees), MIN(Name), COUNT(Id) FROM Account WHERE Name = 'x'"
    assert records(sf, none) == [{"attributes": AGG, "expr0": None, "expr1": None, "expr2": 0}]


def test_aggregates_per_group_with_aliases(sf: Any, widgets: None) -> None:
    soql = (
        "SELECT Tier__c, SUM(Quantity__c) qty, MAX(Price__c), COUNT(Id) FROM Widget__c "
        "GROUP BY Tier__c ORDER BY Tier__c"
    )
    assert [(r["Tier__c"], r["qty"], r["expr0"], r["expr1"]) for r in records(sf, soql)] == [
        (None, None, 5.0, 1),
        ("Blue", 3.0, None, 1),
        ("Red", 6.0, 20.0, 2),
    ]


def test_having_filters_groups_on_aggregates_not_selected_and_on_grouped_fields(
    sf: Any, widgets: None
) -> None:
    base = "SELECT Tier__c, COUNT(Id) FROM Widget__c GROUP BY Tier__c "
    assert [r["Tier__c"] for r in records(sf, base + "HAVING COUNT(Id) > 1")] == ["Red"]
    soql = base + "HAVING MAX(Ship_Date__c) < 2026-01-01 OR SUM(Quantity__c) >= 6"
    assert [r["Tier__c"] for r in records(sf, soql)] == ["Blue", "Red"]
    soql = base + "HAVING Tier__c LIKE 'b%' AND NOT COUNT(Id) = 2"
    assert [r["Tier__c"] for r in records(sf, soql)] == ["Blue"]
    soql = base + "HAVING Tier__c IN ('RED', null) ORDER BY Tier__c DESC NULLS LAST LIMIT 1"
    assert [r["Tier__c"] for r in records(sf, soql)] == ["Red"]


@pytest.mark.parametrize(
    ("soql", "code", "detail"),
    [
        (
            "SELECT SUM(Name) FROM Widget__c",
            "INVALID_FIELD",
            "field Name does not support aggregate operator SUM",
        ),
        (
            "SELECT AVG(Ship_Date__c) FROM Widget__c",
            "INVALID_FIELD",
            "field Ship_Date__c does not support aggregate operator AVG",
        ),
        (
            "SELECT MAX(Notes__c) FROM Widget__c",
            "INVALID_FIELD",
            "field Notes__c does not support aggregate operator MAX",
        ),
        (
            "SELECT COUNT_DISTINCT(Active__c) FROM Widget__c",
            "INVALID_FIELD",
            "field Active__c does not support aggregate operator COUNT_DISTINCT",
        ),
        (
            "SELECT Name, MAX(Price__c) FROM Widget__c",
            "MALFORMED_QUERY",
            "Field must be grouped or aggregated: Name",
        ),
        (
            "SELECT Tier__c FROM Widget__c GROUP BY Tier__c HAVING Name = 'W1'",
            "MALFORMED_QUERY",
            "Field must be grouped or aggregated: Name",
        ),
        (
            "SELECT Tier__c FROM Widget__c GROUP BY Tier__c HAVING COUNT(Id) > 'x'",
            "INVALID_FIELD",
            "value of filter criterion for field 'COUNT(Id)' must be of type integer and should "
            "not be enclosed in quotes",
        ),
        (
            "SELECT MEDIAN(Price__c) FROM Widget__c",
            "MALFORMED_QUERY",
            "unknown function: 'MEDIAN'",
        ),
        (
            "SELECT Id FROM Widget__c WHERE MAX(Price__c) > 1",
            "MALFORMED_QUERY",
            "Aggregate functions are not allowed in WHERE; filter them with HAVING",
        ),
    ],
)
def test_unaggregatable_fields_and_misplaced_terms_are_salesforces_errors(
    sf: Any, soql: str, code: str, detail: str
) -> None:
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query(soql)
    error = caught.value.content[0]
    assert (error["errorCode"], error["message"].splitlines()[-1]) == (code, detail)


def test_column_metadata_and_plans_answer_for_aggregates(sf: Any, widgets: None) -> None:
    soql = (
        "SELECT Tier__c, SUM(Quantity__c) qty, MAX(Ship_Date__c), COUNT_DISTINCT(Name) "
        "FROM Widget__c GROUP BY Tier__c HAVING COUNT(Id) > 1"
    )
    answer = sf.restful("query", params={"q": soql, "columns": "true"})
    columns = [
        (c["columnName"], c["displayName"], c["apexType"], c["aggregate"])
        for c in answer["columnMetadata"]
    ]
    assert columns == [
        ("Tier__c", "Tier__c", "String", False),
        ("qty", "SUM(Quantity__c)", "Double", True),
        ("expr0", "MAX(Ship_Date__c)", "Date", True),
        ("expr1", "COUNT_DISTINCT(Name)", "Integer", True),
    ]
    assert answer["groupBy"] is True
    plans = sf.restful("query", params={"explain": soql})["plans"]
    assert [p["leadingOperationType"] for p in plans] == ["TableScan"]


def test_statements_differing_only_in_having_strings_each_get_their_own(
    sf: Any, widgets: None
) -> None:
    soql = "SELECT Tier__c FROM Widget__c GROUP BY Tier__c HAVING Tier__c = '{}'"
    assert [r["Tier__c"] for r in records(sf, soql.format("Blue"))] == ["Blue"]
    assert [r["Tier__c"] for r in records(sf, soql.format("Red"))] == ["Red"]


def test_groups_can_be_ordered_by_an_aggregate_selected_or_not(sf: Any, widgets: None) -> None:
    soql = "SELECT Tier__c, COUNT(Id) n FROM Widget__c GROUP BY Tier__c ORDER BY COUNT(Id) DESC"
    soql += ", Tier__c"
    assert [(r["Tier__c"], r["n"]) for r in records(sf, soql)] == [
        ("Red", 2),
        (None, 1),
        ("Blue", 1),
    ]
    by_sum = "SELECT Tier__c FROM Widget__c GROUP BY Tier__c ORDER BY SUM(Quantity__c) NULLS LAST"
    assert [r["Tier__c"] for r in records(sf, by_sum)] == ["Blue", "Red", None]
    rows = "SELECT Tier__c FROM Widget__c GROUP BY Tier__c ORDER BY COUNT() DESC LIMIT 1"
    assert [r["Tier__c"] for r in records(sf, rows)] == ["Red"]


def test_ordering_plain_rows_by_an_aggregate_is_malformed(sf: Any, widgets: None) -> None:
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query("SELECT Name FROM Widget__c ORDER BY MAX(Price__c)")
    error = caught.value.content[0]
    assert error["errorCode"] == "MALFORMED_QUERY"
    assert error["message"].endswith("Field must be grouped or aggregated: Name")
