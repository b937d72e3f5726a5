"""A loaded lookup's `deleteConstraint` decides what deleting its parent does: SetNull clears it
(undelete restores it), Restrict refuses the delete with DELETE_FAILED, Cascade deletes the
children too; describe says so on the field and on the parent's childRelationships."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from fake_salesforce.errors import ApiError
from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.schema_load import SchemaError, load
from tests.fake_salesforce.schema.project import SFDX, thing_project

LOOKUPS = {
    "Keeper__c": ("Account", "Kept_Things", "<deleteConstraint>Restrict</deleteConstraint>"),
    "Holder__c": ("Account", "Held_Things", "<deleteConstraint>Cascade</deleteConstraint>"),
    "Person__c": ("Contact", "Things", ""),  # no deleteConstraint: SetNull
}


@pytest.fixture
def fake(tmp_path: Path) -> FakeSalesforce:
    return FakeSalesforce(schema=[thing_project(tmp_path, LOOKUPS)])


def test_deleting_a_parent_with_restricting_children_fails_with_delete_failed(sf: Any) -> None:
    account = sf.Account.create({"Name": "Acme"})["id"]
    contact = sf.Contact.create({"LastName": "Kept", "AccountId": account})["id"]
    sf.Thing__c.create({"Name": "T1", "Keeper__c": account})
    sf.Thing__c.create({"Name": "T2", "Keeper__c": account})
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Account.delete(account)
    assert caught.value.status == 400
    assert caught.value.content == [
        {
            "errorCode": "DELETE_FAILED",
            "message": "Your attempt to delete Acme could not be completed because it is "
            "associated with the following things.: T1, T2\n",
            "fields": [],
        }
    ]
    assert sf.Account.get(account)["IsDeleted"] is False
    assert sf.Contact.get(contact)["AccountId"] == account  # nothing went with it


def test_a_parent_whose_restricting_children_are_gone_can_be_deleted(sf: Any) -> None:
    account = sf.Account.create({"Name": "Acme"})["id"]
    thing = sf.Thing__c.create({"Name": "T1", "Keeper__c": account})["id"]
    sf.Thing__c.delete(thing)
    assert sf.Account.delete(account) == 204


def test_a_restricted_delete_is_a_per_record_error_in_composite_and_bulk(sf: Any) -> None:
    kept, free = (sf.Account.create({"Name": n})["id"] for n in ("Kept", "Free"))
    sf.Thing__c.create({"Name": "T1", "Keeper__c": kept})
    result = sf.restful("composite/sobjects", method="DELETE", params={"ids": f"{kept},{free}"})
    assert [r["success"] for r in result] == [False, True]
    assert result[0]["errors"][0]["statusCode"] == "DELETE_FAILED"
    (job,) = sf.bulk2.Account.delete(records=[{"Id": kept}], wait=0)
    assert job["numberRecordsFailed"] == 1
    failed = sf.bulk2.Account.get_failed_records(job["job_id"])
    assert "DELETE_FAILED:Your attempt to delete Kept" in failed


def test_a_cascade_lookup_deletes_its_children_with_the_parent_and_brings_them_back(
    fake: FakeSalesforce, sf: Any
) -> None:
    account = sf.Account.create({"Name": "Acme"})["id"]
    thing = sf.Thing__c.create({"Name": "T1", "Holder__c": account})["id"]
    sf.Account.delete(account)
    assert sf.query("SELECT COUNT() FROM Thing__c")["totalSize"] == 0
    fake.org.undelete("Account", account)
    assert sf.Thing__c.get(thing)["Holder__c"] == account


def test_a_restricting_child_of_a_cascaded_record_stops_the_whole_delete(
    tmp_path: Path,
) -> None:
    lookups = {
        "Holder__c": LOOKUPS["Holder__c"],
        "Guard__c": ("Contact", "Guarded", "<deleteConstraint>Restrict</deleteConstraint>"),
    }
    sf = FakeSalesforce(schema=[thing_project(tmp_path, lookups)]).client()
    account = sf.Account.create({"Name": "Acme"})["id"]
    contact = sf.Contact.create({"LastName": "Held", "AccountId": account})["id"]
    sf.Thing__c.create({"Name": "T1", "Guard__c": contact})
    with pytest.raises(SalesforceMalformedRequest):
        sf.Account.delete(account)
    assert sf.Contact.get(contact)["IsDeleted"] is False


def test_a_set_null_lookup_is_cleared_by_the_parents_delete_and_restored_by_its_undelete(
    fake: FakeSalesforce, sf: Any
) -> None:
    contact = sf.Contact.create({"LastName": "Fan"})["id"]
    thing = sf.Thing__c.create({"Name": "T1", "Person__c": contact})["id"]
    modified = sf.Thing__c.get(thing)["LastModifiedDate"]
    sf.Contact.delete(contact)
    cleared = sf.Thing__c.get(thing)
    assert (cleared["Person__c"], cleared["LastModifiedDate"]) == (None, modified)
    fake.org.undelete("Contact", contact)
    assert sf.Thing__c.get(thing)["Person__c"] == contact


def test_describe_shows_each_lookups_delete_rule_on_the_field_and_the_parent(sf: Any) -> None:
    fields = {f["name"]: f for f in sf.Thing__c.describe()["fields"]}
    flags = {
        name: (fields[name]["cascadeDelete"], fields[name]["restrictedDelete"]) for name in LOOKUPS
    }
    assert flags == {
        "Keeper__c": (False, True),
        "Holder__c": (True, False),
        "Person__c": (False, False),
    }
    children = {r["relationshipName"]: r for r in sf.Account.describe()["childRelationships"]}
    assert children["Kept_Things__r"]["restrictedDelete"] is True
    assert children["Held_Things__r"]["cascadeDelete"] is True


def test_a_detail_deleted_with_its_master_cannot_be_undeleted_on_its_own() -> None:
    fake = FakeSalesforce(schema=[SFDX])
    sf = fake.client()
    widget = sf.Widget__c.create({"Name": "W", "Size__c": "S"})["id"]
    part = sf.Widget_Part__c.create({"Widget__c": widget})["id"]
    sf.Widget__c.delete(widget)
    with pytest.raises(ApiError) as caught:
        fake.org.undelete("Widget_Part__c", part)
    assert caught.value.error_code == "UNDELETE_FAILED"
    fake.org.undelete("Widget__c", widget)
    assert sf.Widget_Part__c.get(part)["Widget__c"] == widget


def test_a_required_lookup_defaults_to_restrict_and_refuses_set_null(tmp_path: Path) -> None:
    required = ("Account", "Things", "<required>true</required>")
    spec = load(thing_project(tmp_path / "a", {"Firm__c": required})).objects["Thing__c"]
    firm = spec.field("Firm__c")
    assert firm is not None and firm.delete_constraint == "Restrict"
    set_null = ("Account", "Things", "<required>true</required>"
                "<deleteConstraint>SetNull</deleteConstraint>")  # fmt: skip
    with pytest.raises(SchemaError, match=r"field Firm__c <deleteConstraint>: SetNull cannot"):
        load(thing_project(tmp_path / "b", {"Firm__c": set_null}))
    unknown = ("Account", "Things", "<deleteConstraint>Nothing</deleteConstraint>")
    with pytest.raises(SchemaError, match=r"'Nothing' is not one of SetNull, Restrict, Cascade"):
        load(thing_project(tmp_path / "c", {"Firm__c": unknown}))


def test_a_describe_snapshot_takes_delete_rules_from_the_field_and_the_parents_relationships(
    tmp_path: Path,
) -> None:
    def lookup(name: str, **flags: bool) -> dict[str, Any]:
        writable = {"createable": True, "updateable": True, "nillable": True}
        return {"name": name, "type": "reference", "referenceTo": ["Account"], **writable, **flags}

    thing = {
        "name": "Thing__c",
        "keyPrefix": "a0T",
        "custom": True,
        "fields": [lookup("Keeper__c", restrictedDelete=True), lookup("Holder__c")],
    }
    account = {
        "name": "Account",
        "fields": [],
        "childRelationships": [
            {"childSObject": "Thing__c", "field": "Holder__c", "cascadeDelete": True,
             "relationshipName": "Held_Things__r"},
        ],
    }  # fmt: skip
    (tmp_path / "describe.json").write_text(json.dumps([thing, account]))
    sf = FakeSalesforce(schema=[tmp_path / "describe.json"]).client()
    account_id = sf.Account.create({"Name": "Acme"})["id"]
    sf.Thing__c.create({"Holder__c": account_id})
    sf.Account.delete(account_id)
    assert sf.query("SELECT COUNT() FROM Thing__c")["totalSize"] == 0
    kept = sf.Account.create({"Name": "Kept"})["id"]
    sf.Thing__c.create({"Keeper__c": kept})
    with pytest.raises(SalesforceMalformedRequest):
        sf.Account.delete(kept)


def test_a_detail_deleted_before_its_master_is_hard_deleted_with_the_master() -> None:
    fake = FakeSalesforce(schema=[SFDX])
    sf = fake.client()
    widget = sf.Widget__c.create({"Name": "W", "Size__c": "S"})["id"]
    early, late = (sf.Widget_Part__c.create({"Widget__c": widget})["id"] for _ in range(2))
    sf.Widget_Part__c.delete(early)
    sf.Widget__c.delete(widget)
    soql = "SELECT Id FROM Widget_Part__c WHERE IsDeleted = true"
    assert [r["Id"] for r in sf.query_all(soql, include_deleted=True)["records"]] == [late]
    with pytest.raises(ApiError) as caught:
        fake.org.undelete("Widget_Part__c", early)
    assert caught.value.error_code == "INVALID_CROSS_REFERENCE_KEY"
    fake.org.undelete("Widget__c", widget)
    assert sf.query("SELECT Id FROM Widget_Part__c")["records"][0]["Id"] == late


def test_a_rolled_back_master_delete_leaves_its_binned_detail_in_the_bin() -> None:
    fake = FakeSalesforce(schema=[SFDX])
    sf = fake.client()
    widget = sf.Widget__c.create({"Name": "W", "Size__c": "S"})["id"]
    part = sf.Widget_Part__c.create({"Widget__c": widget})["id"]
    sf.Widget_Part__c.delete(part)
    missing = widget[:-3] + "zzz"
    params = {"ids": f"{widget},{missing}", "allOrNone": "true"}
    sf.restful("composite/sobjects", method="DELETE", params=params)
    fake.org.undelete("Widget_Part__c", part)
    assert sf.Widget_Part__c.get(part)["Widget__c"] == widget


def test_a_child_deleted_through_a_cascade_lookup_can_be_undeleted_on_its_own(
    fake: FakeSalesforce, sf: Any
) -> None:
    account = sf.Account.create({"Name": "Acme"})["id"]
    thing = sf.Thing__c.create({"Name": "T1", "Holder__c": account})["id"]
    sf.Account.delete(account)
    fake.org.undelete("Thing__c", thing)  # not a detail: it has no master to wait for
    assert sf.Thing__c.get(thing)["Name"] == "T1"
