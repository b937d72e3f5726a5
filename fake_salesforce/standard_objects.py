"""The built-in standard objects: Account, Contact, Lead, Opportunity, User, Organization (and the
setup objects of setup_objects.py: Profile, PushTopic, StreamingChannel), with
the fields a sync engine and a CRM test touch (Object Reference for Salesforce and Lightning
Platform, one page per object).
"""

from __future__ import annotations

from typing import Any

from fake_salesforce.schema import FieldSpec, ObjectSpec
from fake_salesforce.setup_objects import PROFILE, PUSH_TOPIC, STREAMING_CHANNEL
from fake_salesforce.standard_fields import (
    account_id_field,
    audit_fields,
    id_field,
    mso_field,
    owner_field,
    person_fields,
    read_only,
    viewed_fields,
)


def _picklist(name: str, label: str, values: tuple[str, ...], **kw: Any) -> FieldSpec:
    return FieldSpec(name, label, "picklist", 255, picklist=values, **kw)


INDUSTRIES = (
    "Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals", "Communications",
    "Construction", "Consulting", "Education", "Electronics", "Energy", "Engineering",
    "Entertainment", "Environmental", "Finance", "Food & Beverage", "Government", "Healthcare",
    "Hospitality", "Insurance", "Machinery", "Manufacturing", "Media", "Not For Profit", "Other",
    "Recreation", "Retail", "Shipping", "Technology", "Telecommunications", "Transportation",
    "Utilities",
)  # fmt: skip


def _contact_fields() -> tuple[FieldSpec, ...]:
    """Contact's address parts and other phones (Object Reference, "Contact"); the compound
    `MailingAddress`/`OtherAddress` are not modelled (docs/coverage.md)."""
    return (
        FieldSpec("MailingStreet", "Mailing Street", "textarea", 255),
        FieldSpec("MailingState", "Mailing State/Province", "string", 80),
        FieldSpec("MailingPostalCode", "Mailing Zip/Postal Code", "string", 20),
        FieldSpec("OtherStreet", "Other Street", "textarea", 255),
        FieldSpec("OtherCity", "Other City", "string", 40),
        FieldSpec("OtherState", "Other State/Province", "string", 80),
        FieldSpec("OtherPostalCode", "Other Zip/Postal Code", "string", 20),
        FieldSpec("OtherCountry", "Other Country", "string", 80),
        FieldSpec("Fax", "Business Fax", "phone", 40),
        FieldSpec("HomePhone", "Home Phone", "phone", 40),
        FieldSpec("OtherPhone", "Other Phone", "phone", 40),
        FieldSpec("AssistantName", "Assistant's Name", "string", 40),
        FieldSpec("AssistantPhone", "Asst. Phone", "phone", 40),
    )


def _lead_fields() -> tuple[FieldSpec, ...]:
    """Lead's address parts and company facts (Object Reference, "Lead"); the compound
    `Address` is not modelled (docs/coverage.md)."""
    return (
        FieldSpec("Street", "Street", "textarea", 255),
        FieldSpec("State", "State/Province", "string", 80),
        FieldSpec("PostalCode", "Zip/Postal Code", "string", 20),
        FieldSpec("Website", "Website", "url", 255),
        FieldSpec("Fax", "Fax", "phone", 40),
        FieldSpec("NumberOfEmployees", "Employees", "int"),
        FieldSpec("AnnualRevenue", "Annual Revenue", "currency"),
        _picklist("Rating", "Rating", ("Hot", "Warm", "Cold")),
    )


CONTACT = ObjectSpec(
    "Contact",
    "Contact",
    "Contacts",
    "003",
    (
        id_field(),
        account_id_field("Contacts"),
        *person_fields(),
        FieldSpec("Department", "Department", "string", 80),
        FieldSpec("Birthdate", "Birthdate", "date"),
        FieldSpec("MailingCity", "Mailing City", "string", 40),
        FieldSpec("MailingCountry", "Mailing Country", "string", 80),
        *_contact_fields(),
        owner_field(),
        *viewed_fields(),
        *audit_fields(),
        read_only("LastActivityDate", "Last Activity", "date"),
        mso_field(),
    ),
)

LEAD = ObjectSpec(
    "Lead",
    "Lead",
    "Leads",
    "00Q",
    (
        id_field(),
        *person_fields(),
        FieldSpec("Company", "Company", "string", 255, nillable=False),
        FieldSpec(
            "Status",
            "Status",
            "picklist",
            255,
            nillable=False,
            default="Open - Not Contacted",
            defaulted_on_create=True,
            picklist=(
                "Open - Not Contacted",
                "Working - Contacted",
                "Closed - Converted",
                "Closed - Not Converted",
            ),
        ),
        _picklist("Industry", "Industry", INDUSTRIES),
        FieldSpec("City", "City", "string", 40),
        FieldSpec("Country", "Country", "string", 80),
        *_lead_fields(),
        read_only(
            "IsConverted",
            "Converted",
            "boolean",
            nillable=False,
            default=False,
            defaulted_on_create=True,
        ),
        read_only("ConvertedDate", "Converted Date", "date"),
        read_only(
            "ConvertedContactId",
            "Converted Contact ID",
            "reference",
            length=18,
            reference_to=("Contact",),
            relationship_name="ConvertedContact",
            indexed=True,
        ),
        read_only(
            "ConvertedAccountId",
            "Converted Account ID",
            "reference",
            length=18,
            reference_to=("Account",),
            relationship_name="ConvertedAccount",
            indexed=True,
        ),
        owner_field(),
        *viewed_fields(),
        *audit_fields(),
        mso_field(),
    ),
)


def _strings(*specs: tuple[str, str, int]) -> tuple[FieldSpec, ...]:
    return tuple(FieldSpec(name, label, "string", length) for name, label, length in specs)


def _account_fields() -> tuple[FieldSpec, ...]:
    """Account's other common standard fields (Object Reference, "Account")."""
    return (
        _picklist("Type", "Account Type", ACCOUNT_TYPES),
        FieldSpec(
            "ParentId",
            "Parent Account ID",
            "reference",
            18,
            reference_to=("Account",),
            relationship_name="Parent",
            child_relationship="ChildAccounts",
            indexed=True,  # lookups are indexed (Query Plan: "foreign keys")
            delete_constraint="SetNull",  # undelete restores it (Apex guide, "Undelete")
        ),
        FieldSpec("BillingStreet", "Billing Street", "textarea", 255),
        FieldSpec("ShippingStreet", "Shipping Street", "textarea", 255),
        *_strings(
            ("BillingState", "Billing State/Province", 80),
            ("BillingPostalCode", "Billing Zip/Postal Code", 20),
            ("ShippingCity", "Shipping City", 40),
            ("ShippingState", "Shipping State/Province", 80),
            ("ShippingPostalCode", "Shipping Zip/Postal Code", 20),
            ("ShippingCountry", "Shipping Country", 80),
            ("AccountNumber", "Account Number", 40),
            ("Site", "Account Site", 80),
            ("Sic", "SIC Code", 20),
            ("TickerSymbol", "Ticker Symbol", 20),
        ),
        FieldSpec("Fax", "Account Fax", "phone", 40),
        FieldSpec("NumberOfEmployees", "Employees", "int"),
        FieldSpec("AnnualRevenue", "Annual Revenue", "currency"),
        _picklist("Ownership", "Ownership", ("Public", "Private", "Subsidiary", "Other")),
        _picklist("Rating", "Account Rating", ("Hot", "Warm", "Cold")),
        _picklist("AccountSource", "Account Source", LEAD_SOURCES),
        FieldSpec("SicDesc", "SIC Description", "string", 80),
        FieldSpec("Jigsaw", "Data.com Key", "string", 20),
        read_only("JigsawCompanyId", "Jigsaw Company ID", "string", length=20),
        FieldSpec(
            "Description",
            "Account Description",
            "textarea",
            32000,
            filterable=False,
            sortable=False,
        ),
    )


ACCOUNT_TYPES = (
    "Prospect", "Customer - Direct", "Customer - Channel", "Channel Partner / Reseller",
    "Installation Partner", "Technology Partner", "Other",
)  # fmt: skip
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
STAGES = (
    "Prospecting", "Qualification", "Needs Analysis", "Value Proposition",
    "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote",
    "Negotiation/Review", "Closed Won", "Closed Lost",
)  # fmt: skip

ACCOUNT = ObjectSpec(
    "Account",
    "Account",
    "Accounts",
    "001",
    (
        id_field(),
        FieldSpec("Name", "Account Name", "string", 255, nillable=False),
        _picklist("Industry", "Industry", INDUSTRIES),
        FieldSpec("Website", "Website", "url", 255),
        FieldSpec("Phone", "Account Phone", "phone", 40),
        FieldSpec("BillingCity", "Billing City", "string", 40),
        FieldSpec("BillingCountry", "Billing Country", "string", 80),
        *_account_fields(),
        owner_field(),
        *viewed_fields(),
        *audit_fields(),
        read_only("LastActivityDate", "Last Activity", "date"),
    ),
)

USER = ObjectSpec(
    "User",
    "User",
    "Users",
    "005",
    (
        id_field(),
        FieldSpec("Username", "Username", "string", 80, nillable=False, unique=True, indexed=True),
        FieldSpec("Email", "Email", "email", 128, nillable=False, indexed=True),
        FieldSpec("FirstName", "First Name", "string", 40),
        FieldSpec("LastName", "Last Name", "string", 80, nillable=False),
        read_only("Name", "Full Name", "string", length=121, calculated=True),
        FieldSpec(
            "IsActive", "Active", "boolean", nillable=False, default=True, defaulted_on_create=True
        ),
        read_only(
            "ProfileId",
            "Profile ID",
            "reference",
            length=18,
            reference_to=("Profile",),
            relationship_name="Profile",
            indexed=True,
        ),
        *viewed_fields(),
        *audit_fields(),
    ),
    createable=False,
    updateable=False,
    deletable=False,
    undeletable=False,
)


def _organization_fields() -> tuple[FieldSpec, ...]:
    """Organization's other standard fields (Object Reference, "Organization"): tools such as
    the Salesforce CLI query NamespacePrefix and TrialExpirationDate on every command."""
    texts = (
        ("NamespacePrefix", 15), ("Division", 80), ("Street", 255), ("City", 40),
        ("State", 80), ("PostalCode", 20), ("Country", 80), ("Phone", 40), ("Fax", 40),
        ("PrimaryContact", 80), ("ComplianceBccEmail", 80), ("SignupCountryIsoCode", 2),
    )  # fmt: skip
    picklists = (
        "DefaultLocaleSidKey", "LanguageLocaleKey", "UiSkin", "DefaultAccountAccess",
        "DefaultContactAccess", "DefaultOpportunityAccess", "DefaultLeadAccess",
        "DefaultCaseAccess", "DefaultCalendarAccess", "DefaultPricebookAccess",
        "DefaultCampaignAccess",
    )  # fmt: skip
    flags = ("ReceivesInfoEmails", "ReceivesAdminInfoEmails", "UsesStartDateAsFiscalYearName")
    return (
        *(read_only(name, name, "string", length=length) for name, length in texts),
        *(read_only(name, name, "picklist", length=40) for name in picklists),
        *(read_only(name, name, "boolean", nillable=False, default=False) for name in flags),
        read_only("IsReadOnly", "Is Read Only", "boolean", nillable=False, default=False),
        read_only("FiscalYearStartMonth", "Fiscal Year Starts In", "int"),
        read_only("TrialExpirationDate", "Trial Expiration Date", "datetime"),
    )


ORGANIZATION = ObjectSpec(
    "Organization",
    "Organization",
    "Organizations",
    "00D",
    (
        id_field(),
        read_only("Name", "Name", "string", length=80),
        read_only("IsSandbox", "Is Sandbox", "boolean", nillable=False, default=False),
        read_only("OrganizationType", "Edition", "picklist", length=40),
        read_only("InstanceName", "Instance Name", "string", length=5),
        read_only("TimeZoneSidKey", "Locale Time Zone", "picklist", length=40),
        *_organization_fields(),
        *audit_fields(),
    ),
    createable=False,
    updateable=False,
    deletable=False,
    undeletable=False,
)


OPPORTUNITY = ObjectSpec(
    "Opportunity",
    "Opportunity",
    "Opportunities",
    "006",
    (
        id_field(),
        account_id_field("Opportunities"),
        FieldSpec("Name", "Name", "string", 120, nillable=False),
        FieldSpec(
            "Description", "Description", "textarea", 32000, filterable=False, sortable=False
        ),
        _picklist("StageName", "Stage", STAGES, nillable=False),
        FieldSpec("Amount", "Amount", "currency"),
        FieldSpec("Probability", "Probability (%)", "percent"),
        FieldSpec("CloseDate", "Close Date", "date", nillable=False),
        _picklist(
            "Type",
            "Opportunity Type",
            (
                "Existing Customer - Upgrade",
                "Existing Customer - Replacement",
                "Existing Customer - Downgrade",
                "New Customer",
            ),
        ),
        FieldSpec("NextStep", "Next Step", "string", 255),
        _picklist("LeadSource", "Lead Source", LEAD_SOURCES),
        read_only("IsClosed", "Closed", "boolean", nillable=False, default=False),
        read_only("IsWon", "Won", "boolean", nillable=False, default=False),
        _picklist(
            "ForecastCategoryName",
            "Forecast Category",
            ("Omitted", "Pipeline", "Best Case", "Commit", "Closed"),
        ),
        owner_field(),
        *viewed_fields(),
        *audit_fields(),
    ),
)


STANDARD_OBJECTS: tuple[ObjectSpec, ...] = (
    ACCOUNT, CONTACT, LEAD, OPPORTUNITY, USER, ORGANIZATION, PROFILE, PUSH_TOPIC,
    STREAMING_CHANNEL,
)  # fmt: skip
