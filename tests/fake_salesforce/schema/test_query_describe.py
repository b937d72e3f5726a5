"""SOQL and describe over a loaded schema: relationship names both ways, parent-to-child
subqueries, INCLUDES/EXCLUDES, and describe/describeGlobal shaped as for built-in objects."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest


def _widgets(sf: Any) -> tuple[str, str, list[str]]:
    acme = sf.Account.create({"Name": "Acme"})["id"]
    empty = sf.Account.create({"Name": "Empty"})["id"]
    made = [
        sf.Widget__c.create(
            {"Name": name, "Size__c": "S", "Account__c": acme, "Features__c": features}
        )["id"]
        for name, features in (("W1", "GPS;Wifi"), ("W2", "Bluetooth"), ("W3", "Wifi"))
    ]
    return acme, empty, made


def test_a_child_reads_its_parent_through_the_custom_relationship_name(sf: Any) -> None:
    _widgets(sf)
    rows = sf.query("SELECT Name, Account__r.Name FROM Widget__c ORDER BY Name")["records"]
    assert [(r["Name"], r["Account__r"]["Name"]) for r in rows] == [
        ("W1", "Acme"),
        ("W2", "Acme"),
        ("W3", "Acme"),
    ]


def test_a_subquery_nests_each_parents_children_and_null_without_any(sf: Any) -> None:
    acme, _, _ = _widgets(sf)
    sf.Contact.create({"LastName": "Doe", "AccountId": acme})
    soql = (
        "SELECT Name, (SELECT Name FROM Widgets__r WHERE Name != 'W2' ORDER BY Name DESC), "
        "(SELECT LastName FROM Contacts) FROM Account ORDER BY Name"
    )
    first, second = sf.query(soql)["records"]
    widgets = first["Widgets__r"]
    assert (widgets["totalSize"], widgets["done"]) == (2, True)
    assert [r["Name"] for r in widgets["records"]] == ["W3", "W1"]
    assert widgets["records"][0]["attributes"]["type"] == "Widget__c"
    assert [r["LastName"] for r in first["Contacts"]["records"]] == ["Doe"]
    assert second["Name"] == "Empty"
    assert second["Widgets__r"] is None and second["Contacts"] is None


def test_a_subquery_limit_cuts_each_parents_children(sf: Any) -> None:
    _widgets(sf)
    soql = "SELECT Id, (SELECT Name FROM Widgets__r ORDER BY Name LIMIT 1) FROM Account"
    records = sf.query(soql)["records"]
    assert [r["Widgets__r"]["records"][0]["Name"] for r in records if r["Widgets__r"]] == ["W1"]


def test_master_detail_children_and_custom_children_of_a_standard_object(sf: Any) -> None:
    _, _, (w1, _, _) = _widgets(sf)
    sf.Widget_Part__c.create({"Widget__c": w1, "Weight__c": 1.5})
    sf.Contact.create({"LastName": "Fan", "Favourite_Widget__c": w1})
    soql = (
        "SELECT Name, (SELECT Name, Weight__c FROM Parts__r), (SELECT LastName FROM Fans__r) "
        f"FROM Widget__c WHERE Id = '{w1}'"
    )
    (row,) = sf.query(soql)["records"]
    assert row["Parts__r"]["records"][0]["Name"] == "P-001"
    assert row["Fans__r"]["records"][0]["LastName"] == "Fan"


def test_an_unknown_child_relationship_is_invalid_type(sf: Any) -> None:
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.query("SELECT Id, (SELECT Id FROM Widgets) FROM Account")
    error = raised.value.content[0]  # type: ignore[index]
    assert error["errorCode"] == "INVALID_TYPE"
    assert "Didn't understand relationship 'Widgets'" in error["message"]


@pytest.mark.parametrize(
    ("condition", "names"),
    [
        ("Features__c INCLUDES ('Wifi')", ["W1", "W3"]),
        ("Features__c INCLUDES ('wifi;gps')", ["W1"]),
        ("Features__c INCLUDES ('GPS;Bluetooth', 'Bluetooth')", ["W2"]),
        ("Features__c EXCLUDES ('Wifi')", ["W2"]),
    ],
)
def test_includes_and_excludes_match_multi_select_values(
    sf: Any, condition: str, names: list[str]
) -> None:
    _widgets(sf)
    rows = sf.query(f"SELECT Name FROM Widget__c WHERE {condition} ORDER BY Name")["records"]
    assert [r["Name"] for r in rows] == names


def test_includes_on_another_field_type_is_an_invalid_filter_operator(sf: Any) -> None:
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.query("SELECT Id FROM Widget__c WHERE Tier__c INCLUDES ('Gold')")
    assert raised.value.content[0]["errorCode"] == "INVALID_QUERY_FILTER_OPERATOR"  # type: ignore[index]


def test_describe_global_lists_custom_objects_like_built_in_ones(sf: Any) -> None:
    entries = {e["name"]: e for e in sf.describe()["sobjects"]}
    widget, account = entries["Widget__c"], entries["Account"]
    assert widget["custom"] is True and account["custom"] is False
    assert set(widget) == set(account)
    assert widget["keyPrefix"].startswith("a") and widget["labelPlural"] == "Widgets"
    assert widget["urls"]["describe"] == "/services/data/v59.0/sobjects/Widget__c/describe"


def test_describe_shows_types_relationships_and_picklists_of_custom_fields(sf: Any) -> None:
    described = sf.Widget__c.describe()
    fields = {f["name"]: f for f in described["fields"]}
    account = fields["Account__c"]
    assert (account["type"], account["referenceTo"], account["relationshipName"]) == (
        "reference",
        ["Account"],
        "Account__r",
    )
    color = fields["Color__c"]
    assert color["restrictedPicklist"] is True
    assert [(v["value"], v["defaultValue"]) for v in color["picklistValues"]] == [
        ("Red", False),
        ("Green", True),
        ("Blue", False),
    ]
    assert fields["Features__c"]["type"] == "multipicklist"
    assert fields["Code__c"]["externalId"] and fields["Code__c"]["unique"]
    assert fields["Serial__c"]["autoNumber"] and not fields["Serial__c"]["createable"]
    assert fields["Kind__c"]["calculated"] and fields["Kind__c"]["calculatedFormula"] == '"Widget"'
    assert (fields["Price__c"]["precision"], fields["Price__c"]["scale"]) == (16, 2)
    assert fields["Quantity__c"]["defaultValueFormula"] == "1"
    assert set(fields["Account__c"]) == set(sf.Contact.describe()["fields"][0])


def test_describe_lists_child_relationships_of_standard_and_custom_parents(sf: Any) -> None:
    account = {
        (c["childSObject"], c["field"]): c for c in sf.Account.describe()["childRelationships"]
    }
    assert account[("Contact", "AccountId")]["relationshipName"] == "Contacts"
    assert account[("Widget__c", "Account__c")]["relationshipName"] == "Widgets__r"
    parts = {c["relationshipName"]: c for c in sf.Widget__c.describe()["childRelationships"]}
    assert parts["Parts__r"]["cascadeDelete"] is True
    assert parts["Fans__r"]["childSObject"] == "Contact"


def test_equals_on_a_multi_select_picklist_matches_the_same_values_in_any_order(sf: Any) -> None:
    _widgets(sf)
    rows = sf.query("SELECT Name FROM Widget__c WHERE Features__c = 'wifi;GPS'")["records"]
    assert [r["Name"] for r in rows] == ["W1"]
    rows = sf.query("SELECT Name FROM Widget__c WHERE Features__c != 'Wifi;GPS' ORDER BY Name")
    assert [r["Name"] for r in rows["records"]] == ["W2", "W3"]


def test_strings_in_a_subquery_are_not_shared_between_cached_statements(sf: Any) -> None:
    _widgets(sf)
    template = "SELECT Name, (SELECT Name FROM Widgets__r WHERE Name = '{}') FROM Account"
    for name in ("W1", "W2", "W3"):
        acme = next(r for r in sf.query(template.format(name))["records"] if r["Name"] == "Acme")
        assert [r["Name"] for r in acme["Widgets__r"]["records"]] == [name]


def test_a_subquery_inside_a_subquery_is_malformed_at_this_api_version(sf: Any) -> None:
    soql = "SELECT Id, (SELECT Id, (SELECT Id FROM Parts__r) FROM Widgets__r) FROM Account"
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.query(soql)
    assert raised.value.content[0]["errorCode"] == "MALFORMED_QUERY"  # type: ignore[index]
