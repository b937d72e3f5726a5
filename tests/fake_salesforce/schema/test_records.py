"""simple-salesforce on a custom object loaded from an SFDX project: CRUD, upsert, the org's
rules on picklists, unique and required fields, defaults, auto-numbers and formulas, Bulk 2.0."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from fake_salesforce.fixture import FakeSalesforce
from tests.fake_salesforce.schema.project import SFDX


def _error(raised: pytest.ExceptionInfo[SalesforceMalformedRequest]) -> dict[str, Any]:
    content: list[dict[str, Any]] = raised.value.content  # type: ignore[assignment]
    return content[0]


def test_a_custom_object_is_created_read_updated_and_deleted(sf: Any) -> None:
    account = sf.Account.create({"Name": "Acme"})["id"]
    made = sf.Widget__c.create(
        {"Name": "Sprocket", "Size__c": "L", "Account__c": account, "Price__c": 9.5}
    )
    widget = sf.Widget__c.get(made["id"])
    assert widget["attributes"]["type"] == "Widget__c"
    assert widget["Account__c"] == account and widget["Price__c"] == 9.5
    assert sf.Widget__c.update(made["id"], {"Tier__c": "Gold"}) == 204
    assert sf.Widget__c.get(made["id"])["Tier__c"] == "Gold"
    assert sf.Widget__c.delete(made["id"]) == 204
    assert sf.query("SELECT Id FROM Widget__c")["totalSize"] == 0


def test_custom_object_ids_carry_its_minted_key_prefix(fake: FakeSalesforce, sf: Any) -> None:
    prefix = fake.org.object_spec("Widget__c").key_prefix  # type: ignore[union-attr]
    made = sf.Widget__c.create({"Name": "W", "Size__c": "S"})
    assert made["id"].startswith(prefix) and prefix.startswith("a")
    again = FakeSalesforce(schema=[SFDX]).org.object_spec("Widget__c")
    assert again is not None and again.key_prefix == prefix


def test_defaults_auto_numbers_and_constant_formulas_fill_a_new_record(sf: Any) -> None:
    first = sf.Widget__c.get(sf.Widget__c.create({"Name": "A", "Size__c": "S"})["id"])
    second = sf.Widget__c.get(sf.Widget__c.create({"Name": "B", "Size__c": "S"})["id"])
    assert (first["Serial__c"], second["Serial__c"]) == ("W-0001", "W-0002")
    assert first["Color__c"] == "Green"  # the picklist's default value
    assert first["Quantity__c"] == 1 and first["Active__c"] is True
    assert first["Kind__c"] == "Widget"  # a constant formula
    assert first["Margin__c"] is None  # a formula the fake does not evaluate


def test_a_required_custom_field_missing_is_required_field_missing(sf: Any) -> None:
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.Widget__c.create({"Name": "No size"})
    assert _error(raised)["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert _error(raised)["fields"] == ["Size__c"]


def test_a_restricted_picklist_refuses_other_values_and_an_open_one_takes_them(sf: Any) -> None:
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.Widget__c.create({"Name": "W", "Size__c": "S", "Color__c": "Pink"})
    assert _error(raised) == {
        "errorCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        "message": "Color: bad value for restricted picklist field: Pink",
        "fields": ["Color__c"],
    }
    made = sf.Widget__c.create({"Name": "W", "Size__c": "S", "Tier__c": "Platinum"})
    assert sf.Widget__c.get(made["id"])["Tier__c"] == "Platinum"


def test_a_multi_select_picklist_stores_its_values_joined_and_checks_each(sf: Any) -> None:
    made = sf.Widget__c.create({"Name": "W", "Size__c": "S", "Features__c": "GPS;Wifi;GPS"})
    assert sf.Widget__c.get(made["id"])["Features__c"] == "GPS;Wifi"
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.Widget__c.update(made["id"], {"Features__c": "GPS;Radio"})
    assert _error(raised)["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert "Radio" in _error(raised)["message"]


def test_a_unique_external_id_refuses_a_second_record_with_duplicate_value(sf: Any) -> None:
    first = sf.Widget__c.create({"Name": "A", "Size__c": "S", "Code__c": "W-1"})["id"]
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.Widget__c.create({"Name": "B", "Size__c": "S", "Code__c": "w-1"})
    assert _error(raised) == {
        "errorCode": "DUPLICATE_VALUE",
        "message": f"duplicate value found: Code__c duplicates value on record with id: {first}",
        "fields": [],
    }
    other = sf.Widget__c.create({"Name": "B", "Size__c": "S", "Code__c": "W-2"})["id"]
    with pytest.raises(SalesforceMalformedRequest):
        sf.Widget__c.update(other, {"Code__c": "W-1"})
    assert sf.Widget__c.update(first, {"Code__c": "W-1"}) == 204  # its own value


def test_upsert_by_the_custom_external_id_creates_then_updates(sf: Any) -> None:
    created = sf.Widget__c.upsert("Code__c/W-9", {"Name": "Nine", "Size__c": "M"})
    assert created == 201
    updated = sf.Widget__c.upsert("Code__c/W-9", {"Name": "Nine again"})
    assert updated == 200  # an update by upsert answers 200 with created: false (API 46+)
    rows = sf.query("SELECT Name, Code__c FROM Widget__c")["records"]
    assert [(r["Name"], r["Code__c"]) for r in rows] == [("Nine again", "W-9")]


def test_a_lookup_to_another_object_type_is_refused(sf: Any) -> None:
    contact = sf.Contact.create({"LastName": "Not an account"})["id"]
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.Widget__c.create({"Name": "W", "Size__c": "S", "Account__c": contact})
    assert _error(raised)["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"


def test_a_custom_field_on_a_standard_object_is_written_and_checked(sf: Any) -> None:
    made = sf.Account.create({"Name": "Acme", "Region__c": "EMEA"})["id"]
    assert sf.Account.get(made)["Region__c"] == "EMEA"
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.Account.update(made, {"Region__c": "APAC"})
    assert _error(raised)["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"


def test_bulk_2_loads_and_upserts_widgets_with_the_same_rules(sf: Any) -> None:
    account = sf.Account.create({"Name": "Acme"})["id"]
    rows = [
        {"Name": f"W{n}", "Size__c": "S", "Code__c": f"B-{n}", "Account__c": account}
        for n in range(5)
    ]
    rows.append({"Name": "dup", "Size__c": "S", "Code__c": "B-0"})
    rows.append({"Name": "bad", "Size__c": "S", "Color__c": "Pink"})
    results = sf.bulk2.Widget__c.insert(records=rows, wait=0)
    assert results[0]["numberRecordsProcessed"] == 7
    assert results[0]["numberRecordsFailed"] == 2
    failed = sf.bulk2.Widget__c.get_failed_records(results[0]["job_id"])
    assert "DUPLICATE_VALUE" in failed and "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST" in failed
    serials = sf.query("SELECT Serial__c FROM Widget__c ORDER BY Serial__c")["records"]
    assert [r["Serial__c"] for r in serials] == [f"W-{n:04d}" for n in range(1, 6)]
    upserted = sf.bulk2.Widget__c.upsert(
        records=[
            {"Code__c": "B-1", "Tier__c": "Gold"},
            {"Code__c": "B-7", "Name": "New", "Size__c": "L"},
        ],
        external_id_field="Code__c",
        wait=0,
    )
    assert upserted[0]["numberRecordsFailed"] == 0
    gold = sf.query("SELECT Name FROM Widget__c WHERE Tier__c = 'Gold'")["records"]
    assert [r["Name"] for r in gold] == ["W1"]
    assert sf.query("SELECT COUNT() FROM Widget__c")["totalSize"] == 6


def test_deleting_a_master_deletes_its_details_and_undeleting_restores_them(
    fake: FakeSalesforce, sf: Any
) -> None:
    widget = sf.Widget__c.create({"Name": "W", "Size__c": "S"})["id"]
    parts = [sf.Widget_Part__c.create({"Widget__c": widget})["id"] for _ in range(2)]
    other = sf.Widget__c.create({"Name": "Other", "Size__c": "S"})["id"]
    kept = sf.Widget_Part__c.create({"Widget__c": other})["id"]
    sf.Widget__c.delete(widget)
    live = sf.query("SELECT Id FROM Widget_Part__c")["records"]
    assert [r["Id"] for r in live] == [kept]
    soql = "SELECT Id FROM Widget_Part__c WHERE IsDeleted = true"
    binned = sf.query_all(soql, include_deleted=True)["records"]
    assert sorted(r["Id"] for r in binned) == sorted(parts)
    fake.org.undelete("Widget__c", widget)
    assert sf.query("SELECT COUNT() FROM Widget_Part__c")["totalSize"] == 3


def test_a_bulk_delete_of_masters_takes_their_details_too(sf: Any) -> None:
    widgets = [sf.Widget__c.create({"Name": f"W{n}", "Size__c": "S"})["id"] for n in range(3)]
    for widget in widgets:
        sf.Widget_Part__c.create({"Widget__c": widget})
    (result,) = sf.bulk2.Widget__c.delete(records=[{"Id": w} for w in widgets[:2]], wait=0)
    assert result["numberRecordsFailed"] == 0
    assert sf.query("SELECT COUNT() FROM Widget_Part__c")["totalSize"] == 1
