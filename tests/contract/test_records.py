"""simple-salesforce, unmodified, describes and writes records: the answers a real org gives."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from simple_salesforce.exceptions import (
    SalesforceMalformedRequest,
    SalesforceMoreThanOneRecord,
    SalesforceResourceNotFound,
)

from fake_salesforce import ids
from fake_salesforce.lead_convert import convert_lead
from fake_salesforce.schema import MSO_FIELD
from tests.contract.conftest import Target

DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$")


def _is_18(value: str) -> bool:
    return len(value) == 18 and ids.normalize(value) == value


def test_global_describe_lists_the_standard_objects(target: Target) -> None:
    names = {s["name"]: s for s in target.direct().describe()["sobjects"]}
    assert {"Contact", "Lead", "Account", "Organization"} <= set(names)
    assert names["Contact"]["keyPrefix"] == "003"
    assert names["Organization"]["createable"] is False


def test_contact_describe_carries_the_opt_out_fields(target: Target) -> None:
    fields = {f["name"]: f for f in target.direct().Contact.describe()["fields"]}
    opt_out = fields["HasOptedOutOfEmail"]
    assert (opt_out["type"], opt_out["soapType"], opt_out["nillable"]) == (
        "boolean",
        "xsd:boolean",
        False,
    )
    assert opt_out["defaultValue"] is False and opt_out["defaultedOnCreate"] is True
    assert fields[MSO_FIELD]["custom"] is True
    assert fields["LastName"]["nillable"] is False and fields["LastName"]["length"] == 80
    assert fields["CreatedDate"]["createable"] is False


def test_package_field_does_not_exist_without_the_package(
    make_target: Callable[..., Target],
) -> None:
    target = make_target("http")
    sf = target.direct()
    assert MSO_FIELD not in {f["name"] for f in sf.Lead.describe()["fields"]}
    with pytest.raises(SalesforceMalformedRequest) as failure:
        sf.Lead.create({"LastName": "L", "Company": "C", MSO_FIELD: True})
    assert failure.value.content[0]["errorCode"] == "INVALID_FIELD"
    created = sf.Lead.create({"LastName": "L", "Company": "C"})["id"]
    assert MSO_FIELD not in sf.Lead.get(created)


def test_lead_describe_shows_conversion_fields_read_only(target: Target) -> None:
    fields = {f["name"]: f for f in target.direct().Lead.describe()["fields"]}
    assert fields["IsConverted"]["updateable"] is False
    assert fields["ConvertedContactId"]["referenceTo"] == ["Contact"]
    assert fields["Company"]["nillable"] is False


def test_create_answers_201_with_an_18_character_id(target: Target) -> None:
    answer = target.raw("POST", "/services/data/v59.0/sobjects/Contact/", json={"LastName": "A"})
    assert answer.status_code == 201
    body = answer.json()
    assert body["success"] is True and body["errors"] == []
    assert _is_18(body["id"]) and body["id"].startswith("003")


def test_read_returns_every_field_with_attributes_first(target: Target) -> None:
    sf = target.direct()
    rid = sf.Contact.create({"LastName": "Doe", "Email": "doe@example.com"})["id"]
    record = sf.Contact.get(rid)
    assert next(iter(record)) == "attributes"
    assert record["attributes"] == {
        "type": "Contact",
        "url": f"/services/data/v59.0/sobjects/Contact/{rid}",
    }
    assert record["Id"] == rid and record["Name"] == "Doe"
    assert record["HasOptedOutOfEmail"] is False and record[MSO_FIELD] is False
    assert record["FirstName"] is None
    assert DATETIME.match(record["CreatedDate"]) and DATETIME.match(record["SystemModstamp"])
    assert _is_18(record["OwnerId"])


def test_read_with_fields_returns_those_then_id(target: Target) -> None:
    sf = target.direct()
    rid = sf.Contact.create({"LastName": "Doe", "Email": "doe@example.com"})["id"]
    answer = target.raw("GET", f"/services/data/v59.0/sobjects/Contact/{rid}?fields=email,LastName")
    assert list(answer.json()) == ["attributes", "Email", "LastName", "Id"]


def test_fifteen_character_id_reads_the_same_record(target: Target) -> None:
    sf = target.direct()
    rid = sf.Contact.create({"LastName": "Short"})["id"]
    assert sf.Contact.get(rid[:15])["Id"] == rid


def test_update_answers_204_and_moves_last_modified(target: Target) -> None:
    sf = target.direct()
    rid = sf.Contact.create({"LastName": "Doe"})["id"]
    before = sf.Contact.get(rid)["LastModifiedDate"]
    target.org.clock.advance(timedelta(seconds=5))
    assert sf.Contact.update(rid, {"HasOptedOutOfEmail": True, "firstname": "Jo"}) == 204
    after = sf.Contact.get(rid)
    assert after["HasOptedOutOfEmail"] is True and after["FirstName"] == "Jo"
    assert after["Name"] == "Jo Doe"
    assert after["LastModifiedDate"] > before


def test_delete_answers_204_and_the_record_goes_to_the_recycle_bin(target: Target) -> None:
    sf = target.direct()
    rid = sf.Contact.create({"LastName": "Doe"})["id"]
    assert sf.Contact.delete(rid) == 204
    with pytest.raises(SalesforceResourceNotFound) as failure:
        sf.Contact.get(rid)
    assert failure.value.content[0]["errorCode"] == "NOT_FOUND"
    row = target.org.table("Contact").row(rid)
    assert row is not None and target.org.table("Contact").value(row, "IsDeleted") is True


def test_writing_a_deleted_record_is_entity_is_deleted(target: Target) -> None:
    sf = target.direct()
    rid = sf.Contact.create({"LastName": "Doe"})["id"]
    sf.Contact.delete(rid)
    with pytest.raises(SalesforceResourceNotFound) as failure:
        sf.Contact.update(rid, {"FirstName": "Again"})
    assert failure.value.content == [
        {"message": "entity is deleted", "errorCode": "ENTITY_IS_DELETED", "fields": []}
    ]


def test_upsert_by_external_id_creates_then_updates(target: Target) -> None:
    sf = target.direct()
    created = target.raw(
        "PATCH",
        "/services/data/v59.0/sobjects/Contact/External_Id__c/ext-1",
        json={"LastName": "A"},
    )
    assert created.status_code == 201 and created.json()["created"] is True
    updated = target.raw(
        "PATCH",
        "/services/data/v59.0/sobjects/Contact/External_Id__c/ext-1",
        json={"LastName": "B"},
    )
    assert updated.status_code == 200
    assert updated.json() == {
        "id": created.json()["id"],
        "success": True,
        "errors": [],
        "created": False,
    }
    assert sf.Contact.get_by_custom_id("External_Id__c", "ext-1")["LastName"] == "B"


def test_upsert_through_simple_salesforce_returns_its_status(target: Target) -> None:
    sf = target.direct()
    assert sf.Contact.upsert("External_Id__c/ext-2", {"LastName": "A"}) == 201
    assert sf.Contact.upsert("External_Id__c/ext-2", {"LastName": "B"}) == 200


def test_external_id_matching_several_records_is_300(target: Target) -> None:
    sf = target.direct()
    sf.Contact.create({"LastName": "A", "External_Id__c": "dup"})
    sf.Contact.create({"LastName": "B", "External_Id__c": "dup"})
    with pytest.raises(SalesforceMoreThanOneRecord) as failure:
        sf.Contact.upsert("External_Id__c/dup", {"LastName": "C"})
    assert len(failure.value.content) == 2
    with pytest.raises(SalesforceMoreThanOneRecord):
        sf.Contact.get_by_custom_id("External_Id__c", "dup")


def test_converted_lead_refuses_updates(target: Target) -> None:
    sf = target.direct()
    lead = sf.Lead.create({"LastName": "Lee", "Company": "Acme", "Email": "lee@example.com"})["id"]
    contact = convert_lead(target.org, lead).contact_id
    record = sf.Lead.get(lead)
    assert record["IsConverted"] is True and record["ConvertedContactId"] == contact
    with pytest.raises(SalesforceMalformedRequest) as failure:
        sf.Lead.update(lead, {"HasOptedOutOfEmail": True})
    assert failure.value.content == [
        {
            "message": "cannot reference converted lead",
            "errorCode": "CANNOT_UPDATE_CONVERTED_LEAD",
            "fields": [],
        }
    ]
    assert sf.Contact.get(contact)["Email"] == "lee@example.com"


def test_organization_is_readable_and_read_only(target: Target) -> None:
    sf = target.direct()
    org = sf.Organization.get(target.org.org_id)
    assert org["Id"] == target.org.org_id and org["Name"] == "Fake Org"
    with pytest.raises(SalesforceMalformedRequest) as failure:
        sf.Organization.create({"Name": "Mine"})
    assert failure.value.content[0]["errorCode"] == "INVALID_TYPE"


def test_object_and_field_names_are_case_insensitive_and_answered_canonically(
    target: Target,
) -> None:
    answer = target.raw(
        "POST", "/services/data/v59.0/sobjects/contact", json={"lastname": "Low", "EMAIL": "a@b.co"}
    )
    rid = answer.json()["id"]
    record = target.raw("GET", f"/services/data/v59.0/sobjects/CONTACT/{rid}").json()
    assert record["attributes"]["type"] == "Contact"
    assert (record["LastName"], record["Email"]) == ("Low", "a@b.co")


def test_api_usage_is_filled_from_sforce_limit_info(target: Target) -> None:
    sf = target.direct()
    sf.describe()
    usage = sf.api_usage["api-usage"]
    assert (usage.used, usage.total) == (target.org.usage.used(target.org.clock.now()), 15000)
    contacts = sf.Contact  # each attribute access builds a new SFType with its own usage
    contacts.create({"LastName": "Count"})
    assert contacts.api_usage["api-usage"].used == usage.used + 1
