"""The standard objects and fields tools read: Organization as the Salesforce CLI queries it,
Account's common fields, Opportunity."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from fake_salesforce.fixture import FakeSalesforce


def test_the_organization_answers_the_fields_the_cli_queries_on_every_command(sf: Any) -> None:
    # @salesforce/core org.js: the query `sf` runs to learn about the org
    (row,) = sf.query(
        "SELECT Name, InstanceName, IsSandbox, TrialExpirationDate, NamespacePrefix, "
        "OrganizationType FROM Organization"
    )["records"]
    assert row["NamespacePrefix"] is None and row["TrialExpirationDate"] is None
    assert row["IsSandbox"] is False and row["OrganizationType"] == "Developer Edition"


def test_the_organization_has_the_rest_of_its_standard_set(sf: Any) -> None:
    (row,) = sf.query(
        "SELECT DefaultLocaleSidKey, LanguageLocaleKey, FiscalYearStartMonth, "
        "DefaultAccountAccess, ReceivesInfoEmails, IsReadOnly, Country FROM Organization"
    )["records"]
    assert row["DefaultLocaleSidKey"] == "en_US" and row["FiscalYearStartMonth"] == 1
    assert row["DefaultAccountAccess"] == "Edit" and row["ReceivesInfoEmails"] is False
    assert row["IsReadOnly"] is False and row["Country"] is None


def test_an_account_takes_its_common_standard_fields(fake: FakeSalesforce, sf: Any) -> None:
    parent = sf.Account.create({"Name": "Parent"})["id"]
    made = sf.Account.create(
        {
            "Name": "Child",
            "Type": "Customer - Direct",
            "NumberOfEmployees": 250,
            "AnnualRevenue": 1.5e6,
            "BillingState": "CA",
            "ShippingCity": "Oakland",
            "ParentId": parent,
        }
    )["id"]
    (row,) = sf.query(
        f"SELECT Type, NumberOfEmployees, BillingState, Parent.Name FROM Account "
        f"WHERE Id = '{made}'"
    )["records"]
    assert row["Type"] == "Customer - Direct" and row["NumberOfEmployees"] == 250
    assert row["BillingState"] == "CA" and row["Parent"]["Name"] == "Parent"


def test_an_account_has_the_data_com_and_activity_fields_a_full_export_carries(sf: Any) -> None:
    made = sf.Account.create({"Name": "Exported", "SicDesc": "Oil", "Jigsaw": "k-1"})["id"]
    (row,) = sf.query(
        "SELECT SicDesc, Jigsaw, JigsawCompanyId, LastActivityDate FROM Account "
        "ORDER BY LastActivityDate DESC"
    )["records"]
    assert (row["SicDesc"], row["Jigsaw"], row["JigsawCompanyId"]) == ("Oil", "k-1", None)
    with pytest.raises(SalesforceMalformedRequest) as read_only:
        sf.Account.update(made, {"JigsawCompanyId": "c-1"})
    assert read_only.value.content[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"


def test_account_industry_offers_the_standard_values(sf: Any) -> None:
    field = next(f for f in sf.Account.describe()["fields"] if f["name"] == "Industry")
    values = [v["value"] for v in field["picklistValues"]]
    assert len(values) == 32 and {"Biotechnology", "Energy", "Not For Profit"} <= set(values)


def test_an_opportunity_needs_name_stage_and_close_date_and_hangs_off_an_account(
    fake: FakeSalesforce, sf: Any
) -> None:
    account = sf.Account.create({"Name": "Buyer"})["id"]
    with pytest.raises(SalesforceMalformedRequest) as missing:
        sf.Opportunity.create({"Name": "No stage"})
    assert missing.value.content[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    made = sf.Opportunity.create(
        {
            "Name": "Deal",
            "StageName": "Prospecting",
            "CloseDate": "2026-12-31",
            "Amount": 1000,
            "AccountId": account,
        }
    )["id"]
    assert made.startswith("006")
    (row,) = sf.query(f"SELECT Name, Account.Name, IsClosed FROM Opportunity WHERE Id = '{made}'")[
        "records"
    ]
    assert row["Account"]["Name"] == "Buyer" and row["IsClosed"] is False
    assert sf.Opportunity.describe()["keyPrefix"] == "006"


def test_an_accounts_opportunities_and_child_accounts_are_its_child_relationships(
    sf: Any,
) -> None:
    parent = sf.Account.create({"Name": "Parent"})["id"]
    sf.Account.create({"Name": "Child", "ParentId": parent})
    sf.Opportunity.create(
        {"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2026-12-31", "AccountId": parent}
    )
    (row,) = sf.query(
        "SELECT Name, (SELECT Name FROM Opportunities), (SELECT Name FROM ChildAccounts) "
        f"FROM Account WHERE Id = '{parent}'"
    )["records"]
    assert [r["Name"] for r in row["Opportunities"]["records"]] == ["Deal"]
    assert [r["Name"] for r in row["ChildAccounts"]["records"]] == ["Child"]
    names = {c["relationshipName"] for c in sf.Account.describe()["childRelationships"]}
    assert {"Contacts", "Opportunities", "ChildAccounts"} <= names


def test_contact_and_lead_take_every_part_of_their_addresses() -> None:
    sf = FakeSalesforce().client()
    contact = {"LastName": "Doe", "MailingStreet": "1 Main St", "MailingState": "CA",
               "MailingPostalCode": "94105", "OtherCity": "Oakland", "HomePhone": "555-0100",
               "AssistantName": "Sam"}  # fmt: skip
    made = sf.Contact.create(contact)["id"]
    assert {k: sf.Contact.get(made)[k] for k in contact} == contact
    lead = {"LastName": "Roe", "Company": "Acme", "Street": "2 Main St", "State": "NY",
            "PostalCode": "10001", "Website": "https://acme.example", "Rating": "Hot",
            "NumberOfEmployees": 40}  # fmt: skip
    made = sf.Lead.create(lead)["id"]
    assert {k: sf.Lead.get(made)[k] for k in lead} == lead


def test_the_integration_user_has_the_system_administrator_profile_which_the_api_only_reads() -> (
    None
):
    sf = FakeSalesforce().client()
    (user,) = sf.query("SELECT Profile.Name, Username FROM User")["records"]
    assert user["Profile"]["Name"] == "System Administrator"
    found = sf.query(
        "SELECT Name FROM Profile WHERE Id IN (SELECT ProfileId FROM User WHERE Username = "
        "'admin@example.com')"
    )
    assert [r["Name"] for r in found["records"]] == ["System Administrator"]
    with pytest.raises(SalesforceMalformedRequest):
        sf.Profile.create({"Name": "Custom"})
