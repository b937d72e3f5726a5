"""FIELDS(ALL | STANDARD | CUSTOM) in the SELECT list, through simple-salesforce, on an org with a
loaded schema: expanded to the fields describe lists, with Salesforce's LIMIT rule."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.schema import MARKETO_SALES_INSIGHT, MSO_FIELD
from tests.fake_salesforce.schema.project import SFDX


@pytest.fixture
def fake() -> FakeSalesforce:
    return FakeSalesforce(schema=[SFDX])


def described(sf: Any, sobject: str) -> list[tuple[str, bool]]:
    return [(f["name"], f["custom"]) for f in getattr(sf, sobject).describe()["fields"]]


def selected(record: dict[str, Any]) -> list[str]:
    return [key for key in record if key != "attributes"]


def test_fields_all_selects_every_described_field_in_describe_order(sf: Any) -> None:
    sf.Widget__c.create({"Name": "W1", "Size__c": "S", "Price__c": 9.5})
    record = sf.query("SELECT FIELDS(ALL) FROM Widget__c LIMIT 200")["records"][0]
    assert selected(record) == [name for name, _ in described(sf, "Widget__c")]
    assert (record["Name"], record["Price__c"]) == ("W1", 9.5)


def test_fields_standard_and_custom_split_the_fields_and_mix_with_named_fields(sf: Any) -> None:
    sf.Account.create({"Name": "Acme", "Region__c": "EMEA"})
    fields = described(sf, "Account")
    standard = sf.query("SELECT FIELDS(STANDARD) FROM Account")["records"][0]
    assert selected(standard) == [name for name, custom in fields if not custom]
    soql = "SELECT Name, FIELDS(CUSTOM) FROM Account LIMIT 10"
    custom = sf.query(soql)["records"][0]
    assert selected(custom) == ["Name"] + [name for name, custom in fields if custom]
    assert custom["Region__c"] == "EMEA"


def test_package_fields_appear_once_installed_and_read_only_fields_stay_readable(
    fake: FakeSalesforce, sf: Any
) -> None:
    sf.Contact.create({"LastName": "Doe"})
    soql = "SELECT FIELDS(CUSTOM) FROM Contact LIMIT 1"
    assert MSO_FIELD not in sf.query(soql)["records"][0]
    fake.org.install_package(MARKETO_SALES_INSIGHT)
    fake.org.set_field_read_only("Contact", "Favourite_Widget__c")
    record = sf.query(soql)["records"][0]
    assert record[MSO_FIELD] is False
    assert "Favourite_Widget__c" in record


@pytest.mark.parametrize(
    "soql",
    [
        "SELECT FIELDS(ALL) FROM Account",
        "SELECT FIELDS(CUSTOM) FROM Account LIMIT 201",
        "SELECT Id, FIELDS(ALL) FROM Account LIMIT 500",
    ],
)
def test_unbounded_fields_need_a_limit_of_at_most_200(sf: Any, soql: str) -> None:
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query(soql)
    error = caught.value.content[0]
    assert error["errorCode"] == "MALFORMED_QUERY"
    assert error["message"].endswith("The SOQL FIELDS function must have a LIMIT of at most 200")


@pytest.mark.parametrize(
    ("soql", "detail"),
    [
        ("SELECT Id, FIELDS(STANDARD) FROM Account", "duplicate field selected: Id"),
        ("SELECT FIELDS(EVERYTHING) FROM Account", "unexpected token: 'EVERYTHING'"),
        ("SELECT FIELDS(ALL) f FROM Account LIMIT 1", "unexpected token: 'f'"),
    ],
)
def test_a_field_named_twice_or_an_unknown_group_is_malformed(
    sf: Any, soql: str, detail: str
) -> None:
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query(soql)
    error = caught.value.content[0]
    assert (error["errorCode"], error["message"].splitlines()[-1]) == ("MALFORMED_QUERY", detail)


def test_column_metadata_and_query_plans_answer_for_fields_functions(sf: Any) -> None:
    soql = "SELECT FIELDS(ALL) FROM Widget__c LIMIT 200"
    columns = sf.restful("query", params={"q": soql, "columns": "true"})["columnMetadata"]
    assert [c["columnName"] for c in columns] == [n for n, _ in described(sf, "Widget__c")]
    plans = sf.restful("query", params={"explain": soql})["plans"]
    assert [p["leadingOperationType"] for p in plans] == ["TableScan"]
    with pytest.raises(SalesforceMalformedRequest):
        sf.restful("query", params={"explain": "SELECT FIELDS(ALL) FROM Widget__c"})


def test_bulk_queries_expand_fields_and_keep_the_limit_rule(sf: Any) -> None:
    sf.Widget__c.create({"Name": "W1", "Size__c": "S"})
    csv = "".join(sf.bulk2.Widget__c.query("SELECT FIELDS(STANDARD) FROM Widget__c", wait=0.01))
    header = csv.splitlines()[0].replace('"', "").split(",")
    assert header == [name for name, custom in described(sf, "Widget__c") if not custom]
    with pytest.raises(SalesforceMalformedRequest) as caught:
        list(sf.bulk2.Widget__c.query("SELECT FIELDS(ALL) FROM Widget__c"))
    assert caught.value.content[0]["errorCode"] == "MALFORMED_QUERY"


def test_a_parent_to_child_subquery_takes_fields_under_its_own_limit(sf: Any) -> None:
    acme = sf.Account.create({"Name": "Acme"})["id"]
    sf.Widget__c.create({"Name": "W1", "Size__c": "S", "Account__c": acme})
    soql = "SELECT Name, (SELECT FIELDS(CUSTOM) FROM Widgets__r LIMIT 5) FROM Account"
    (record,) = sf.query(soql)["records"]
    child = record["Widgets__r"]["records"][0]
    assert selected(child) == [name for name, custom in described(sf, "Widget__c") if custom]
    assert child["Account__c"] == acme
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query("SELECT Name, (SELECT FIELDS(ALL) FROM Widgets__r) FROM Account LIMIT 5")
    assert caught.value.content[0]["message"].endswith(
        "The SOQL FIELDS function must have a LIMIT of at most 200"
    )
