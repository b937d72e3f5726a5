"""Record bodies checked like Salesforce does: names, permissions, types, lengths, required."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from fake_salesforce.errors import ApiError
from fake_salesforce.schema import MARKETO_SALES_INSIGHT, visible_spec
from fake_salesforce.standard_objects import CONTACT, LEAD
from fake_salesforce.values import coerce, format_bulk_datetime, format_datetime, parse_datetime
from fake_salesforce.write import check_create, check_update

CONTACT_MSI = visible_spec(CONTACT, frozenset({MARKETO_SALES_INSIGHT}))


def _refusal(call: Any, *args: Any) -> ApiError:
    with pytest.raises(ApiError) as failure:
        call(*args)
    return failure.value


def test_body_keys_resolve_case_insensitively_to_canonical_names() -> None:
    values = check_create(CONTACT, {"lastname": "Doe", "EMAIL": "doe@example.com"})
    assert values == {"LastName": "Doe", "Email": "doe@example.com"}


def test_attributes_key_is_ignored() -> None:
    body = {"attributes": {"type": "Contact"}, "LastName": "Doe"}
    assert check_create(CONTACT, body) == {"LastName": "Doe"}


def test_unknown_field_is_invalid_field_with_its_name() -> None:
    error = _refusal(check_create, CONTACT, {"LastName": "D", "Nope__c": 1})
    assert (error.status, error.error_code, error.fields) == (400, "INVALID_FIELD", ["Nope__c"])


def test_id_in_a_create_body_is_refused() -> None:
    error = _refusal(check_create, CONTACT, {"LastName": "D", "Id": "003000000000000AAA"})
    assert error.message == "The Id field should not be specified in the sobject data."


def test_id_in_an_update_body_is_ignored() -> None:
    assert check_update(CONTACT, {"Id": "003000000000000AAA", "FirstName": "F"}) == {
        "FirstName": "F"
    }


def test_read_only_fields_are_named_together() -> None:
    error = _refusal(check_update, LEAD, {"IsConverted": True, "CreatedDate": "2024-01-01"})
    assert error.error_code == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert error.fields == ["IsConverted", "CreatedDate"]
    assert error.message.startswith("Unable to create/update fields: IsConverted, CreatedDate.")


@pytest.mark.parametrize(
    ("spec", "body", "missing"),
    [
        (CONTACT, {}, ["LastName"]),
        (CONTACT, {"LastName": ""}, ["LastName"]),
        (LEAD, {"Email": "a@b.co"}, ["LastName", "Company"]),
    ],
)
def test_required_fields_missing_on_create(spec: Any, body: Any, missing: list[str]) -> None:
    error = _refusal(check_create, spec, body)
    assert (error.error_code, error.fields) == ("REQUIRED_FIELD_MISSING", missing)


def test_clearing_a_required_field_on_update_is_required_field_missing() -> None:
    error = _refusal(check_update, CONTACT, {"LastName": None})
    assert (error.error_code, error.fields) == ("REQUIRED_FIELD_MISSING", ["LastName"])


def test_checkbox_set_to_null_is_refused_with_its_label() -> None:
    error = _refusal(check_update, CONTACT_MSI, {"mkto_si__marketo_sales_opt_out__c": None})
    assert error.error_code == "INVALID_TYPE_ON_FIELD_IN_RECORD"
    assert error.message == "Marketo Sales Opt Out: value not of required type: "
    assert error.fields == ["mkto_si__Marketo_Sales_Opt_Out__c"]


@pytest.mark.parametrize("value", ["true", 1, 0, [], {}])
def test_checkbox_takes_only_json_booleans(value: Any) -> None:
    error = _refusal(coerce, CONTACT.field("HasOptedOutOfEmail"), value)
    assert error.error_code == "JSON_PARSER_ERROR"


def test_text_over_its_length_is_string_too_long() -> None:
    error = _refusal(coerce, CONTACT.field("FirstName"), "x" * 41)
    assert error.error_code == "STRING_TOO_LONG"
    assert error.message.endswith("(max length=40)")


def test_text_at_its_length_is_accepted() -> None:
    assert coerce(CONTACT.field("FirstName"), "x" * 40) == "x" * 40  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["plain", "a@b", "a b@example.com", "@example.com", "a@.com"])
def test_bad_email_is_invalid_email_address(value: str) -> None:
    error = _refusal(coerce, CONTACT.field("Email"), value)
    assert (error.error_code, error.fields) == ("INVALID_EMAIL_ADDRESS", ["Email"])


@pytest.mark.parametrize("value", ["a@b.co", "first.last+tag@example.co.uk", "O'Neil@ex-ample.com"])
def test_ordinary_email_addresses_are_accepted(value: str) -> None:
    assert coerce(CONTACT.field("Email"), value) == value  # type: ignore[arg-type]


def test_empty_string_is_stored_as_null() -> None:
    assert coerce(CONTACT.field("Title"), "") is None  # type: ignore[arg-type]


def test_lookup_with_a_malformed_id_is_malformed_id() -> None:
    error = _refusal(coerce, CONTACT.field("AccountId"), "001xyz")
    assert (error.error_code, error.fields) == ("MALFORMED_ID", ["AccountId"])


def test_lookup_given_fifteen_characters_is_stored_as_eighteen() -> None:
    assert coerce(CONTACT.field("AccountId"), "001D000000IqhSL") == "001D000000IqhSLIAZ"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-01T12:30:00Z",
        "2024-03-01T12:30:00.000Z",
        "2024-03-01T12:30:00+00:00",
        "2024-03-01T12:30:00.000+0000",
        "2024-03-01T13:30:00+01:00",
        "2024-03-01T04:30:00.000-0800",
    ],
)
def test_datetime_input_accepts_salesforce_iso_forms(text: str) -> None:
    assert coerce(CONTACT.field("EmailBouncedDate"), text) == datetime(  # type: ignore[arg-type]
        2024, 3, 1, 12, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "text", ["2024-03-01", "2024-13-01T00:00:00Z", "yesterday", "2024-03-01T12:30:00:"]
)
def test_malformed_datetime_is_json_parser_error(text: str) -> None:
    assert (
        _refusal(coerce, CONTACT.field("EmailBouncedDate"), text).error_code == "JSON_PARSER_ERROR"
    )


def test_date_input_is_a_plain_date() -> None:
    assert coerce(CONTACT.field("Birthdate"), "1990-02-28") == date(1990, 2, 28)  # type: ignore[arg-type]
    assert (
        _refusal(coerce, CONTACT.field("Birthdate"), "1990-02-30").error_code == "JSON_PARSER_ERROR"
    )


def test_datetimes_render_with_milliseconds_and_plus_0000() -> None:
    moment = datetime(2024, 1, 2, 3, 4, 5, 678_901, tzinfo=UTC)
    assert format_datetime(moment) == "2024-01-02T03:04:05.678+0000"
    assert format_bulk_datetime(moment) == "2024-01-02T03:04:05.678Z"
    assert parse_datetime(format_datetime(moment)) == moment.replace(microsecond=678_000)
