"""sObject Collections, /composite and /composite/batch against the fake (simple-salesforce)."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from fake_salesforce.fixture import FakeSalesforce

V = "/services/data/v59.0"


def contact(**fields: Any) -> dict[str, Any]:
    return {"attributes": {"type": "Contact"}, **fields}


def calls(fake: FakeSalesforce) -> int:
    return fake.org.usage.used(fake.org.clock.now())


def test_collection_create_answers_each_record_in_request_order_with_status_codes(sf: Any) -> None:
    body = {
        "allOrNone": False,
        "records": [
            contact(LastName="Ada", Email="ada@example.com"),
            contact(FirstName="NoLast"),
            {"attributes": {"type": "Account"}, "Name": "Acme"},
        ],
    }
    first, second, third = sf.restful("composite/sobjects", method="POST", json=body)
    assert first["success"] is True and first["id"].startswith("003") and first["errors"] == []
    assert second == {
        "success": False,
        "errors": [
            {
                "statusCode": "REQUIRED_FIELD_MISSING",
                "message": "Required fields are missing: [LastName]",
                "fields": ["LastName"],
            }
        ],
    }
    assert third["success"] is True and third["id"].startswith("001")


def test_all_or_none_update_rolls_back_the_valid_records(fake: FakeSalesforce, sf: Any) -> None:
    kept = fake.org.create("Contact", {"LastName": "Before"})
    body = {
        "allOrNone": True,
        "records": [
            contact(id=kept, LastName="After"),
            contact(id=kept, Email="not an email"),
        ],
    }
    first, second = sf.restful("composite/sobjects", method="PATCH", json=body)
    assert first["id"] == kept and first["success"] is False
    assert first["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert second["errors"][0]["statusCode"] == "INVALID_EMAIL_ADDRESS"
    assert fake.org.get("Contact", kept)["LastName"] == "Before"


def test_all_or_none_create_leaves_no_record_behind(fake: FakeSalesforce, sf: Any) -> None:
    body = {"allOrNone": True, "records": [contact(LastName="A"), contact(FirstName="x")]}
    first, _ = sf.restful("composite/sobjects", method="POST", json=body)
    assert "id" not in first and first["success"] is False
    assert len(fake.org.table("Contact")) == 0


def test_more_than_200_records_is_exceeded_id_limit(sf: Any) -> None:
    body = {"records": [contact(LastName=f"n{i}") for i in range(201)]}
    with pytest.raises(SalesforceMalformedRequest) as failure:
        sf.restful("composite/sobjects", method="POST", json=body)
    assert failure.value.content[0]["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_more_than_ten_chunks_of_mixed_types_is_refused(sf: Any) -> None:
    account = {"attributes": {"type": "Account"}, "Name": "Acme"}
    records = [contact(LastName="c") if i % 2 else account for i in range(11)]
    with pytest.raises(SalesforceMalformedRequest):
        sf.restful("composite/sobjects", method="POST", json={"records": records})
    ten = records[:10]
    results = sf.restful("composite/sobjects", method="POST", json={"records": ten})
    assert all(r["success"] for r in results)


def test_upsert_by_external_id_creates_then_updates_and_says_which(
    fake: FakeSalesforce, sf: Any
) -> None:
    body = {"records": [contact(External_Id__c="X-1", LastName="One")]}
    (created,) = sf.restful("composite/sobjects/Contact/External_Id__c", method="PATCH", json=body)
    body = {"records": [contact(External_Id__c="X-1", LastName="Two")]}
    (updated,) = sf.restful("composite/sobjects/Contact/External_Id__c", method="PATCH", json=body)
    assert created["created"] is True and updated["created"] is False
    assert created["id"] == updated["id"]
    assert fake.org.get("Contact", created["id"])["LastName"] == "Two"


def test_upsert_by_email_id_lookup_updates_the_matching_contact(
    fake: FakeSalesforce, sf: Any
) -> None:
    rid = fake.org.create("Contact", {"LastName": "Doe", "Email": "doe@example.com"})
    body = {"records": [contact(Email="DOE@example.com", HasOptedOutOfEmail=True)]}
    (result,) = sf.restful("composite/sobjects/Contact/Email", method="PATCH", json=body)
    assert result == {"id": rid, "success": True, "errors": [], "created": False}
    assert fake.org.get("Contact", rid)["HasOptedOutOfEmail"] is True


def test_delete_and_retrieve_collections(fake: FakeSalesforce, sf: Any) -> None:
    a = fake.org.create("Contact", {"LastName": "A", "Email": "a@example.com"})
    b = fake.org.create("Contact", {"LastName": "B"})
    missing = "003000000000000AAA"
    got = sf.restful(
        "composite/sobjects/Contact", params={"ids": f"{a},{missing}", "fields": "Email"}
    )
    assert got[0]["Email"] == "a@example.com" and got[0]["attributes"]["type"] == "Contact"
    assert got[1] is None
    posted = sf.restful(
        "composite/sobjects/Contact", method="POST", json={"ids": [b], "fields": ["LastName"]}
    )
    assert posted[0]["LastName"] == "B"
    deleted = sf.restful("composite/sobjects", method="DELETE", params={"ids": f"{a},{b}"})
    assert [r["success"] for r in deleted] == [True, True]
    assert fake.org.get("Contact", a) is None


def test_retrieving_more_than_2000_ids_is_refused(sf: Any) -> None:
    body = {"ids": ["003000000000000AAA"] * 2001, "fields": ["Id"]}
    with pytest.raises(SalesforceMalformedRequest) as failure:
        sf.restful("composite/sobjects/Contact", method="POST", json=body)
    assert failure.value.content[0]["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_composite_substitutes_references_to_earlier_answers(fake: FakeSalesforce, sf: Any) -> None:
    body = {
        "compositeRequest": [
            {"method": "POST", "url": f"{V}/sobjects/Account", "referenceId": "acct",
             "body": {"Name": "Acme"}},
            {"method": "POST", "url": f"{V}/sobjects/Contact", "referenceId": "newContact",
             "body": {"LastName": "Ref", "AccountId": "@{acct.id}"}},
            {"method": "GET", "referenceId": "q1",
             "url": f"{V}/query?q=SELECT+Id+FROM+Contact+WHERE+AccountId='@{{acct.id}}'"},
            {"method": "PATCH", "url": f"{V}/sobjects/Contact/@{{q1.records[0].Id}}",
             "referenceId": "upd", "body": {"Title": "Boss"}},
        ]
    }  # fmt: skip
    answers = sf.restful("composite", method="POST", json=body)["compositeResponse"]
    assert [a["httpStatusCode"] for a in answers] == [201, 201, 200, 204]
    contact_id = answers[1]["body"]["id"]
    assert answers[1]["httpHeaders"]["Location"] == f"{V}/sobjects/Contact/{contact_id}"
    record = fake.org.get("Contact", contact_id)
    assert record["AccountId"] == answers[0]["body"]["id"] and record["Title"] == "Boss"


def test_composite_all_or_none_rolls_back_and_halts_the_others(
    fake: FakeSalesforce, sf: Any
) -> None:
    body = {
        "allOrNone": True,
        "compositeRequest": [
            {"method": "POST", "url": f"{V}/sobjects/Contact", "referenceId": "ok",
             "body": {"LastName": "Kept?"}},
            {"method": "POST", "url": f"{V}/sobjects/Contact", "referenceId": "bad",
             "body": {"FirstName": "NoLast"}},
            {"method": "GET", "url": f"{V}/sobjects/Contact/@{{ok.id}}", "referenceId": "later"},
        ],
    }  # fmt: skip
    answers = sf.restful("composite", method="POST", json=body)["compositeResponse"]
    codes = [a["body"][0]["errorCode"] for a in answers]
    assert codes == ["PROCESSING_HALTED", "REQUIRED_FIELD_MISSING", "PROCESSING_HALTED"]
    assert [a["httpStatusCode"] for a in answers] == [400, 400, 400]
    assert len(fake.org.table("Contact")) == 0


def test_composite_without_all_or_none_skips_only_what_depends_on_a_failure(
    fake: FakeSalesforce, sf: Any
) -> None:
    body = {
        "compositeRequest": [
            {"method": "POST", "url": f"{V}/sobjects/Contact", "referenceId": "bad",
             "body": {"FirstName": "NoLast"}},
            {"method": "GET", "url": f"{V}/sobjects/Contact/@{{bad.id}}", "referenceId": "dep"},
            {"method": "POST", "url": f"{V}/sobjects/Contact", "referenceId": "free",
             "body": {"LastName": "Free"}},
        ]
    }  # fmt: skip
    answers = sf.restful("composite", method="POST", json=body)["compositeResponse"]
    assert answers[1]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert answers[2]["httpStatusCode"] == 201
    assert len(fake.org.table("Contact")) == 1


def test_a_composite_is_one_api_call_and_one_journal_entry(fake: FakeSalesforce, sf: Any) -> None:
    before, entries = calls(fake), len(fake.org.journal.entries)
    requests = [
        {"method": "POST", "url": f"{V}/sobjects/Contact", "referenceId": f"c{i}",
         "body": {"LastName": f"N{i}"}}
        for i in range(25)
    ]  # fmt: skip
    sf.restful("composite", method="POST", json={"compositeRequest": requests})
    assert calls(fake) == before + 1
    (entry,) = fake.org.journal.entries[entries:]
    assert len(entry.written) == 25


def test_more_than_25_subrequests_are_refused(sf: Any) -> None:
    requests = [{"method": "GET", "url": f"{V}/limits", "referenceId": f"r{i}"} for i in range(26)]
    with pytest.raises(SalesforceMalformedRequest):
        sf.restful("composite", method="POST", json={"compositeRequest": requests})


def test_a_subrequest_may_not_set_authorization(sf: Any) -> None:
    body = {
        "compositeRequest": [
            {"method": "GET", "url": f"{V}/query?q=SELECT+Id+FROM+Contact", "referenceId": "q",
             "httpHeaders": {"Authorization": "Bearer other"}}
        ]
    }  # fmt: skip
    (answer,) = sf.restful("composite", method="POST", json=body)["compositeResponse"]
    assert answer["httpStatusCode"] == 400


def test_batch_halt_on_error_answers_412_for_the_rest(fake: FakeSalesforce, sf: Any) -> None:
    rid = fake.org.create("Contact", {"LastName": "A"})
    body = {
        "haltOnError": True,
        "batchRequests": [
            {"method": "GET", "url": f"v59.0/sobjects/Contact/{rid}?fields=LastName"},
            {"method": "PATCH", "url": f"v59.0/sobjects/Contact/{rid}", "richInput": {"Nope": 1}},
            {"method": "PATCH", "url": f"v59.0/sobjects/Contact/{rid}",
             "richInput": {"Title": "X"}},
        ],
    }  # fmt: skip
    answer = sf.restful("composite/batch", method="POST", json=body)
    assert answer["hasErrors"] is True
    assert [r["statusCode"] for r in answer["results"]] == [200, 400, 412]
    assert answer["results"][2]["result"][0]["errorCode"] == "BATCH_PROCESSING_HALTED"
    assert fake.org.get("Contact", rid)["Title"] is None
    body["haltOnError"] = False
    answer = sf.restful("composite/batch", method="POST", json=body)
    assert [r["statusCode"] for r in answer["results"]] == [200, 400, 204]
