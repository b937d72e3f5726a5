"""Lead conversion as an admin's act: all or nothing, above the integration user's FLS."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time

from fake_salesforce.errors import ApiError
from fake_salesforce.lead_convert import convert_lead
from fake_salesforce.org import Org


def lead(org: Org, **fields: object) -> str:
    return org.create("Lead", {"LastName": "Roe", "Company": "Acme", **fields})


def test_conversion_ignores_the_integration_users_read_only_fields() -> None:
    org = Org()
    lead_id = lead(org, HasOptedOutOfEmail=True)
    org.set_field_read_only("Contact", "HasOptedOutOfEmail")
    result = convert_lead(org, lead_id)
    assert (org.get("Contact", result.contact_id) or {})["HasOptedOutOfEmail"] is True
    assert ("Contact", "HasOptedOutOfEmail") in org.read_only  # and the rule stays in force


def test_a_given_account_is_used_instead_of_one_made_from_company() -> None:
    org = Org()
    account = org.create("Account", {"Name": "Existing"})
    result = convert_lead(org, lead(org), account_id=account)
    assert result.account_id == account
    assert len(org.tables["Account"]) == 1


def test_a_failed_conversion_leaves_no_account_or_contact_behind() -> None:
    org = Org()
    lead_id = lead(org)
    missing_contact = "003" + org.org_id[3:5] + "9999999999"
    with pytest.raises(ApiError):
        convert_lead(org, lead_id, contact_id=missing_contact)
    assert len(org.tables["Account"]) == 0 and len(org.tables["Contact"]) == 0
    assert (org.get("Lead", lead_id) or {})["IsConverted"] is False


def test_a_converted_lead_cannot_be_converted_again() -> None:
    org = Org()
    lead_id = lead(org)
    convert_lead(org, lead_id)
    with pytest.raises(ApiError) as caught:
        convert_lead(org, lead_id)
    assert caught.value.error_code == "CANNOT_UPDATE_CONVERTED_LEAD"


def test_converted_date_is_the_day_in_the_orgs_time_zone() -> None:
    with freeze_time(datetime(2030, 3, 3, 5, 0, tzinfo=UTC)):  # 21:00 on the 2nd in Los Angeles
        org = Org()
        lead_id = lead(org)
        convert_lead(org, lead_id)
        assert (org.get("Lead", lead_id) or {})["ConvertedDate"] == date(2030, 3, 2)


def test_the_leads_address_becomes_the_contacts_mailing_address() -> None:
    org = Org()
    address = {"Street": "1 Market St", "City": "San Francisco", "State": "CA",
               "PostalCode": "94105", "Country": "USA", "Fax": "(415) 555-0100"}  # fmt: skip
    result = convert_lead(org, lead(org, **address))
    contact = org.get("Contact", result.contact_id) or {}
    mailing = {k: contact[k] for k in ("MailingStreet", "MailingCity", "MailingState",
                                       "MailingPostalCode", "MailingCountry", "Fax")}  # fmt: skip
    assert mailing == {"MailingStreet": "1 Market St", "MailingCity": "San Francisco",
                       "MailingState": "CA", "MailingPostalCode": "94105",
                       "MailingCountry": "USA", "Fax": "(415) 555-0100"}  # fmt: skip
