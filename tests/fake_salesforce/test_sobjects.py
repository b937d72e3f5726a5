"""sObject writes in the org and through REST: clock stamps, upsert forms, lookups, rollback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

from fake_salesforce.errors import ApiError
from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.lead_convert import convert_lead

V = "https://fake.my.salesforce.com/services/data/v59.0"


def test_timestamps_come_from_the_frozen_clock_in_salesforce_format() -> None:
    with freeze_time(datetime(2026, 3, 2, 17, 0, 0, 123456, tzinfo=UTC)) as frozen:
        fake = FakeSalesforce()
        sf = fake.client()
        rid = sf.Contact.create({"LastName": "Stamp"})["id"]
        frozen.tick(timedelta(hours=2))
        sf.Contact.update(rid, {"Title": "CTO"})
        record = sf.Contact.get(rid)
    assert record["CreatedDate"] == "2026-03-02T17:00:00.123+0000"
    assert record["LastModifiedDate"] == "2026-03-02T19:00:00.123+0000"
    assert record["SystemModstamp"] == record["LastModifiedDate"]


def test_post_to_the_id_external_field_creates_a_record() -> None:
    fake = FakeSalesforce()
    answer = fake.session().post(
        f"{V}/sobjects/Contact/Id",
        json={"LastName": "ViaId"},
        headers={"Authorization": f"Bearer {fake.token()}"},
    )
    assert answer.status_code == 201 and answer.json()["created"] is True


def test_upsert_by_id_updates_the_record() -> None:
    fake = FakeSalesforce()
    sf = fake.client()
    rid = sf.Contact.create({"LastName": "A"})["id"]
    assert sf.Contact.upsert(f"Id/{rid}", {"LastName": "B"}) == 200
    assert sf.Contact.get(rid)["LastName"] == "B"


def test_upsert_with_update_only_does_not_create() -> None:
    fake = FakeSalesforce()
    answer = fake.session().patch(
        f"{V}/sobjects/Contact/External_Id__c/none?updateOnly=true",
        json={"LastName": "X"},
        headers={"Authorization": f"Bearer {fake.token()}"},
    )
    assert answer.status_code == 404
    assert len(fake.org.table("Contact")) == 0


def test_upsert_on_a_field_that_is_not_an_external_id_is_not_found() -> None:
    sf = FakeSalesforce().client()
    with pytest.raises(SalesforceResourceNotFound) as failure:
        sf.Contact.upsert("Title/CTO", {"LastName": "X"})
    assert "Provided external ID field does not exist" in failure.value.content[0]["message"]


def test_lookup_to_a_missing_record_is_invalid_cross_reference_key() -> None:
    fake = FakeSalesforce()
    sf = fake.client()
    account = sf.Account.create({"Name": "Acme"})["id"]
    assert sf.Contact.create({"LastName": "Ok", "AccountId": account[:15]})["success"]
    sf.Account.delete(account)
    with pytest.raises(SalesforceMalformedRequest) as failure:
        sf.Contact.create({"LastName": "Orphan", "AccountId": account})
    assert failure.value.content[0]["errorCode"] == "INVALID_CROSS_REFERENCE_KEY"


def test_lookup_to_the_wrong_object_type_is_refused() -> None:
    fake = FakeSalesforce()
    lead = fake.org.create("Lead", {"LastName": "L", "Company": "C"})
    with pytest.raises(ApiError) as failure:
        fake.org.create("Contact", {"LastName": "X", "AccountId": lead})
    assert failure.value.error_code == "FIELD_INTEGRITY_EXCEPTION"


def test_compound_name_follows_first_and_last_name() -> None:
    fake = FakeSalesforce()
    rid = fake.org.create("Contact", {"FirstName": "Ada", "LastName": "Lovelace"})
    fake.org.update("Contact", rid, {"FirstName": None})
    assert fake.org.get("Contact", rid)["Name"] == "Lovelace"  # type: ignore[index]


def test_delete_logs_the_record_and_undelete_restores_it() -> None:
    fake = FakeSalesforce()
    rid = fake.org.create("Contact", {"LastName": "Bin"})
    fake.org.delete("Contact", rid)
    assert [r for r, _ in fake.org.deleted_log("contact")] == [rid]
    assert fake.org.get("Contact", rid) is None
    fake.org.undelete("Contact", rid)
    assert fake.org.get("Contact", rid)["IsDeleted"] is False  # type: ignore[index]
    assert list(fake.org.deleted_log("Contact")) == []


def test_deleting_twice_is_entity_is_deleted() -> None:
    fake = FakeSalesforce()
    rid = fake.org.create("Contact", {"LastName": "Twice"})
    fake.org.delete("Contact", rid)
    with pytest.raises(ApiError) as failure:
        fake.org.delete("Contact", rid)
    assert (failure.value.status, failure.value.error_code) == (404, "ENTITY_IS_DELETED")


def test_well_formed_id_not_in_the_org_is_invalid_cross_reference_on_write() -> None:
    fake = FakeSalesforce()
    with pytest.raises(ApiError) as failure:
        fake.org.update("Contact", "0031a00000000ZZ", {"FirstName": "X"})
    assert (failure.value.status, failure.value.error_code) == (404, "INVALID_CROSS_REFERENCE_KEY")


def test_converted_lead_may_still_be_deleted() -> None:
    fake = FakeSalesforce()
    lead = fake.org.create("Lead", {"LastName": "L", "Company": "C"})
    contact = convert_lead(fake.org, lead).contact_id
    assert fake.org.get("Contact", contact)["LastName"] == "L"  # type: ignore[index]
    fake.org.delete("Lead", lead)
    assert fake.org.get("Lead", lead) is None


def test_converting_twice_is_cannot_update_converted_lead() -> None:
    fake = FakeSalesforce()
    lead = fake.org.create("Lead", {"LastName": "L", "Company": "C"})
    convert_lead(fake.org, lead)
    with pytest.raises(ApiError) as failure:
        convert_lead(fake.org, lead)
    assert failure.value.error_code == "CANNOT_UPDATE_CONVERTED_LEAD"


def test_a_failed_transaction_undoes_every_write_in_it() -> None:
    fake = FakeSalesforce()
    kept = fake.org.create("Contact", {"LastName": "Kept"})
    with pytest.raises(ApiError), fake.org.transaction():
        fake.org.create("Contact", {"LastName": "Gone"})
        fake.org.update("Contact", kept, {"Title": "Changed"})
        fake.org.create("Contact", {"FirstName": "No last name"})
    assert len(fake.org.table("Contact")) == 1
    assert fake.org.get("Contact", kept)["Title"] is None  # type: ignore[index]


def test_organization_cannot_be_updated() -> None:
    fake = FakeSalesforce()
    with pytest.raises(ApiError) as failure:
        fake.org.update("Organization", fake.org.org_id, {"Name": "Renamed"})
    assert failure.value.error_code == "INVALID_FIELD_FOR_INSERT_UPDATE"


def test_field_made_read_only_refuses_writes() -> None:
    fake = FakeSalesforce()
    rid = fake.org.create("Contact", {"LastName": "Locked"})
    fake.org.set_field_read_only("Contact", "HasOptedOutOfEmail")
    with pytest.raises(SalesforceMalformedRequest) as failure:
        fake.client().Contact.update(rid, {"HasOptedOutOfEmail": True})
    assert failure.value.content[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"


def test_a_rolled_back_rename_restores_the_compound_name() -> None:
    fake = FakeSalesforce()
    rid = fake.org.create("Contact", {"FirstName": "Ada", "LastName": "Lovelace"})
    with pytest.raises(ApiError), fake.org.transaction():
        fake.org.update("Contact", rid, {"FirstName": "Augusta"})
        fake.org.create("Contact", {"FirstName": "No last name"})
    record = fake.org.get("Contact", rid)
    assert record is not None
    assert (record["FirstName"], record["Name"]) == ("Ada", "Ada Lovelace")
