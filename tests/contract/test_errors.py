"""Every error a real org gives surfaces as the simple-salesforce exception a real org produces."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce.exceptions import (
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceResourceNotFound,
)

from fake_salesforce import ids
from tests.contract.conftest import Target

V = "/services/data/v59.0"


def _error(failure: pytest.ExceptionInfo[Any]) -> dict[str, Any]:
    content = failure.value.content
    assert isinstance(content, list) and len(content) == 1
    error: dict[str, Any] = content[0]
    return error


@pytest.mark.parametrize(
    ("sobject", "body", "missing"),
    [
        ("Contact", {"FirstName": "No last name"}, ["LastName"]),
        ("Lead", {"FirstName": "Neither"}, ["LastName", "Company"]),
        ("Lead", {"LastName": "Only"}, ["Company"]),
    ],
)
def test_missing_required_fields_are_required_field_missing(
    target: Target, sobject: str, body: dict[str, Any], missing: list[str]
) -> None:
    with pytest.raises(SalesforceMalformedRequest) as failure:
        getattr(target.direct(), sobject).create(body)
    error = _error(failure)
    assert error["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert error["fields"] == missing
    assert error["message"] == f"Required fields are missing: [{', '.join(missing)}]"


def test_unknown_field_is_invalid_field(target: Target) -> None:
    with pytest.raises(SalesforceMalformedRequest) as failure:
        target.direct().Contact.create({"LastName": "X", "Shoe_Size__c": 44})
    assert _error(failure) == {
        "message": "No such column 'Shoe_Size__c' on sobject of type Contact",
        "errorCode": "INVALID_FIELD",
        "fields": ["Shoe_Size__c"],
    }


@pytest.mark.parametrize("field", ["CreatedDate", "Name", "IsDeleted", "SystemModstamp"])
def test_read_only_field_is_invalid_field_for_insert_update(target: Target, field: str) -> None:
    sf = target.direct()
    value = False if field == "IsDeleted" else "2024-01-01T00:00:00.000+0000"
    with pytest.raises(SalesforceMalformedRequest) as failure:
        sf.Contact.create({"LastName": "X", field: value})
    assert _error(failure)["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert _error(failure)["fields"] == [field]


def test_lead_is_converted_cannot_be_written(target: Target) -> None:
    sf = target.direct()
    lead = sf.Lead.create({"LastName": "L", "Company": "C"})["id"]
    with pytest.raises(SalesforceMalformedRequest) as failure:
        sf.Lead.update(lead, {"IsConverted": True})
    assert _error(failure)["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"


def test_too_long_text_is_string_too_long(target: Target) -> None:
    with pytest.raises(SalesforceMalformedRequest) as failure:
        target.direct().Contact.create({"LastName": "x" * 81})
    error = _error(failure)
    assert error["errorCode"] == "STRING_TOO_LONG"
    assert error["fields"] == ["LastName"]
    assert "(max length=80)" in error["message"]


def test_bad_email_is_invalid_email_address(target: Target) -> None:
    with pytest.raises(SalesforceMalformedRequest) as failure:
        target.direct().Contact.create({"LastName": "X", "Email": "not-an-address"})
    assert _error(failure)["errorCode"] == "INVALID_EMAIL_ADDRESS"
    assert _error(failure)["fields"] == ["Email"]


def test_id_with_a_wrong_case_safe_suffix_is_malformed_id(target: Target) -> None:
    sf = target.direct()
    rid = sf.Contact.create({"LastName": "X"})["id"]
    broken = rid[:15] + ("AAB" if rid[15:] != "AAB" else "AAC")
    with pytest.raises(SalesforceMalformedRequest) as failure:
        sf.Contact.update(broken, {"FirstName": "Y"})
    assert _error(failure)["errorCode"] == "MALFORMED_ID"


def test_malformed_lookup_in_a_body_is_malformed_id(target: Target) -> None:
    with pytest.raises(SalesforceMalformedRequest) as failure:
        target.direct().Contact.create({"LastName": "X", "AccountId": "001notanid"})
    assert _error(failure)["errorCode"] == "MALFORMED_ID"
    assert _error(failure)["fields"] == ["AccountId"]


@pytest.mark.parametrize(
    ("record_id", "message"),
    [
        (ids.to18("0031a00000000ZZ"), "The requested resource does not exist"),
        (ids.to18("00Q1a0000000001"), "The requested resource does not exist"),
        ("notAnId", "Provided external ID field does not exist or is not accessible: notAnId"),
    ],
)
def test_absent_or_foreign_or_non_id_is_not_found(
    target: Target, record_id: str, message: str
) -> None:
    with pytest.raises(SalesforceResourceNotFound) as failure:
        target.direct().Contact.get(record_id)
    assert _error(failure) == {"message": message, "errorCode": "NOT_FOUND"}


def test_unknown_sobject_is_not_found(target: Target) -> None:
    with pytest.raises(SalesforceResourceNotFound):
        target.direct().Widget__c.describe()


def test_inserting_a_read_only_object_is_invalid_type(target: Target) -> None:
    with pytest.raises(SalesforceMalformedRequest) as failure:
        target.direct().User.create({"LastName": "X", "Username": "x@example.com"})
    assert _error(failure)["errorCode"] == "INVALID_TYPE"


def test_body_that_is_not_an_object_is_json_parser_error(target: Target) -> None:
    with pytest.raises(SalesforceMalformedRequest) as failure:
        target.direct().Contact.create([{"LastName": "X"}])  # type: ignore[arg-type]
    assert _error(failure)["errorCode"] == "JSON_PARSER_ERROR"


def test_string_for_a_checkbox_is_json_parser_error(target: Target) -> None:
    with pytest.raises(SalesforceMalformedRequest) as failure:
        target.direct().Contact.create({"LastName": "X", "HasOptedOutOfEmail": "true"})
    assert _error(failure)["errorCode"] == "JSON_PARSER_ERROR"


def test_null_for_a_checkbox_is_refused_and_it_stays_false(target: Target) -> None:
    sf = target.direct()
    rid = sf.Contact.create({"LastName": "X"})["id"]
    with pytest.raises(SalesforceMalformedRequest) as failure:
        sf.Contact.update(rid, {"HasOptedOutOfEmail": None})
    assert _error(failure) == {
        "message": "Email Opt Out: value not of required type: ",
        "errorCode": "INVALID_TYPE_ON_FIELD_IN_RECORD",
        "fields": ["HasOptedOutOfEmail"],
    }
    assert sf.Contact.get(rid)["HasOptedOutOfEmail"] is False


def test_malformed_json_is_json_parser_error(target: Target) -> None:
    answer = target.raw(
        "POST",
        f"{V}/sobjects/Contact/",
        data=b'{"LastName": ',
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.json()[0]["errorCode"] == "JSON_PARSER_ERROR"


def test_invalid_utf8_is_json_parser_error(target: Target) -> None:
    answer = target.raw("POST", f"{V}/sobjects/Contact/", data=b'{"LastName": "\xff\xfe"}')
    assert answer.status_code == 400
    assert answer.json()[0]["errorCode"] == "JSON_PARSER_ERROR"


def test_empty_body_is_json_parser_error(target: Target) -> None:
    answer = target.raw("POST", f"{V}/sobjects/Contact/", data=b"")
    assert answer.status_code == 400
    assert answer.json()[0]["errorCode"] == "JSON_PARSER_ERROR"


def test_unknown_route_is_a_salesforce_not_found(target: Target) -> None:
    answer = target.raw("GET", f"{V}/no/such/resource")
    assert answer.status_code == 404
    assert answer.json() == [
        {"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}
    ]


def test_unknown_route_outside_the_api_is_still_json(target: Target) -> None:
    answer = target.raw("GET", "/favicon.ico", token=None)
    assert answer.status_code == 404
    assert answer.json()[0]["errorCode"] == "NOT_FOUND"


def test_wrong_method_is_405_with_a_salesforce_error(target: Target) -> None:
    answer = target.raw("PUT", f"{V}/sobjects/Contact/describe", json={})
    assert answer.status_code == 405
    assert answer.json()[0]["errorCode"] == "METHOD_NOT_ALLOWED"
    for method in ("DELETE", "POST", "PATCH"):
        with pytest.raises(SalesforceGeneralError) as failure:
            target.direct().restful("sobjects/Contact/describe", method=method, json={})
        assert failure.value.status == 405


def test_body_over_the_size_limit_is_413_not_a_crash(target: Target) -> None:
    target.fake.app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    answer = target.raw(
        "POST", f"{V}/sobjects/Contact/", json={"LastName": "X", "Description": "y" * 100_000}
    )
    assert answer.status_code == 413
    assert answer.json()[0]["errorCode"] == "REQUEST_ENTITY_TOO_LARGE"


def test_errors_carry_sforce_limit_info_too(target: Target) -> None:
    answer = target.raw("POST", f"{V}/sobjects/Contact/", json={"Nope": 1})
    assert answer.status_code == 400
    assert answer.headers["Sforce-Limit-Info"].startswith("api-usage=")
