"""sObject metadata: the fields, types and permissions that drive describe, validation and SOQL.

Field properties follow the describe format (developer.salesforce.com, "DescribeSObjectResult",
"Field"); the standard objects carry the fields a sync engine and a CRM test touch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

MARKETO_SALES_INSIGHT = "marketo_sales_insight"
MSO_FIELD = "mkto_si__Marketo_Sales_Opt_Out__c"

SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "string": "xsd:string",
    "email": "xsd:string",
    "phone": "xsd:string",
    "textarea": "xsd:string",
    "picklist": "xsd:string",
    "multipicklist": "xsd:string",
    "combobox": "xsd:string",
    "encryptedstring": "xsd:string",
    "url": "xsd:string",
    "datetime": "xsd:dateTime",
    "date": "xsd:date",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "int": "xsd:int",
    "long": "xsd:long",
    "time": "xsd:time",
}
TEXT_TYPES = frozenset(
    {
        "string",
        "email",
        "phone",
        "textarea",
        "picklist",
        "multipicklist",
        "combobox",
        "encryptedstring",
        "url",
        "id",
        "reference",
    }
)
NUMBER_TYPES = frozenset({"double", "currency", "percent", "int", "long"})


@dataclass(frozen=True)
class FieldSpec:
    """One field as describe reports it."""

    name: str
    label: str
    type: str
    length: int = 0
    createable: bool = True
    updateable: bool = True
    nillable: bool = True
    default: Any = None
    defaulted_on_create: bool = False
    custom: bool = False
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    external_id: bool = False
    id_lookup: bool = False
    unique: bool = False
    calculated: bool = False
    filterable: bool = True
    sortable: bool = True
    picklist: tuple[str, ...] = ()
    package: str | None = None
    indexed: bool = False
    restricted_picklist: bool = False
    child_relationship: str | None = None  # the parent's name for its children (Contacts)
    cascade_delete: bool = False  # describe's field-level flag (master-detail, Cascade lookups)
    # What deleting the parent does to this lookup (fake_salesforce.delete_rules): "SetNull",
    # "Restrict" or "Cascade"; None leaves it alone (parents that cannot be deleted).
    delete_constraint: str | None = None
    auto_number: str | None = None  # the display format, e.g. "W-{0000}"
    formula: str | None = None
    precision: int = 0
    scale: int = 0
    html: bool = False

    @property
    def soap_type(self) -> str:
        return SOAP_TYPES[self.type]

    @property
    def required_on_create(self) -> bool:
        return self.createable and not self.nillable and not self.defaulted_on_create

    @property
    def is_text(self) -> bool:
        return self.type in TEXT_TYPES

    @property
    def record_rule(self) -> bool:
        """True when a write to this field is checked against other records or the value list
        (unique values, auto-numbers, restricted and multi-select picklists)."""
        return bool(
            (self.unique and self.name != "Id")
            or self.auto_number
            or self.restricted_picklist
            or self.type == "multipicklist"
        )


@dataclass(frozen=True)
class ObjectSpec:
    """One sObject: its names, key prefix, permissions and every field it can ever have."""

    name: str
    label: str
    label_plural: str
    key_prefix: str
    fields: tuple[FieldSpec, ...]
    createable: bool = True
    updateable: bool = True
    deletable: bool = True
    undeletable: bool = True
    custom: bool = False
    _by_lower: Mapping[str, FieldSpec] = field(default_factory=dict, compare=False, repr=False)
    _relationships: Mapping[str, FieldSpec] = field(default_factory=dict, compare=False, repr=False)
    field_names: tuple[str, ...] = field(default=(), compare=False, repr=False)
    required_on_create: tuple[FieldSpec, ...] = field(default=(), compare=False, repr=False)
    record_rules: bool = field(default=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_lower", {f.name.lower(): f for f in self.fields})
        object.__setattr__(self, "field_names", tuple(f.name for f in self.fields))
        required = tuple(f for f in self.fields if f.required_on_create)
        object.__setattr__(self, "required_on_create", required)
        rels = {f.relationship_name.lower(): f for f in self.fields if f.relationship_name}
        object.__setattr__(self, "_relationships", rels)
        object.__setattr__(self, "record_rules", any(f.record_rule for f in self.fields))

    def field(self, name: str) -> FieldSpec | None:
        """The field named `name`, case-insensitively."""
        return self._by_lower.get(name.lower())

    def relationship(self, name: str) -> FieldSpec | None:
        """The lookup field whose relationship name is `name` (e.g. Account on Contact)."""
        return self._relationships.get(name.lower())

    def with_fields(self, fields: Iterable[FieldSpec]) -> ObjectSpec:
        return replace(self, fields=tuple(fields))


def _account_id(child_relationship: str) -> FieldSpec:
    """The `AccountId` lookup of an object that belongs to an Account (Account's
    `child_relationship` lists its records). Deleting an Account deletes its contacts and
    opportunities, and restoring it restores them (Help, "Delete Accounts"); describe shows
    `cascadeDelete` on Account's child relationship, not on the field itself."""
    return FieldSpec(
        "AccountId",
        "Account ID",
        "reference",
        18,
        reference_to=("Account",),
        relationship_name="Account",
        child_relationship=child_relationship,
        indexed=True,
        delete_constraint="Cascade",
    )


def _id() -> FieldSpec:
    return FieldSpec(
        "Id",
        "Record ID",
        "id",
        18,
        createable=False,
        updateable=False,
        nillable=False,
        id_lookup=True,
        indexed=True,
        unique=True,
    )


def _ro(name: str, label: str, ftype: str, **kw: Any) -> FieldSpec:
    return FieldSpec(name, label, ftype, createable=False, updateable=False, **kw)


def _audit() -> tuple[FieldSpec, ...]:
    user = ("User",)
    return (
        _ro(
            "IsDeleted",
            "Deleted",
            "boolean",
            nillable=False,
            default=False,
            defaulted_on_create=True,
        ),
        _ro("CreatedDate", "Created Date", "datetime", nillable=False, defaulted_on_create=True),
        _ro(
            "CreatedById",
            "Created By ID",
            "reference",
            length=18,
            nillable=False,
            reference_to=user,
            relationship_name="CreatedBy",
            defaulted_on_create=True,
        ),
        _ro(
            "LastModifiedDate",
            "Last Modified Date",
            "datetime",
            nillable=False,
            defaulted_on_create=True,
        ),
        _ro(
            "LastModifiedById",
            "Last Modified By ID",
            "reference",
            length=18,
            nillable=False,
            reference_to=user,
            relationship_name="LastModifiedBy",
            defaulted_on_create=True,
        ),
        _ro(
            "SystemModstamp",
            "System Modstamp",
            "datetime",
            nillable=False,
            defaulted_on_create=True,
            indexed=True,
        ),
    )


def _viewed() -> tuple[FieldSpec, ...]:
    """When the user last viewed or referenced the record (SOQL `FOR VIEW`, `FOR REFERENCE`)."""
    return (
        _ro("LastViewedDate", "Last Viewed Date", "datetime"),
        _ro("LastReferencedDate", "Last Referenced Date", "datetime"),
    )


def _owner() -> FieldSpec:
    return FieldSpec(
        "OwnerId",
        "Owner ID",
        "reference",
        18,
        nillable=False,
        defaulted_on_create=True,
        reference_to=("User",),
        relationship_name="Owner",
        indexed=True,
    )


def _opt_out() -> FieldSpec:
    return FieldSpec(
        "HasOptedOutOfEmail",
        "Email Opt Out",
        "boolean",
        nillable=False,
        default=False,
        defaulted_on_create=True,
    )


def _mso() -> FieldSpec:
    return FieldSpec(
        MSO_FIELD,
        "Marketo Sales Opt Out",
        "boolean",
        nillable=False,
        default=False,
        defaulted_on_create=True,
        custom=True,
        package=MARKETO_SALES_INSIGHT,
    )


def _person_fields() -> tuple[FieldSpec, ...]:
    return (
        FieldSpec(
            "External_Id__c",
            "External Id",
            "string",
            255,
            custom=True,
            external_id=True,
            id_lookup=True,
            indexed=True,
        ),
        FieldSpec("FirstName", "First Name", "string", 40),
        FieldSpec("LastName", "Last Name", "string", 80, nillable=False),
        _ro("Name", "Full Name", "string", length=121, calculated=True),
        FieldSpec(
            "Salutation",
            "Salutation",
            "picklist",
            40,
            picklist=("Mr.", "Ms.", "Mrs.", "Dr.", "Prof."),
        ),
        FieldSpec("Title", "Title", "string", 128),
        FieldSpec("Email", "Email", "email", 80, indexed=True, id_lookup=True),
        FieldSpec("Phone", "Phone", "phone", 40),
        FieldSpec("MobilePhone", "Mobile Phone", "phone", 40),
        _opt_out(),
        FieldSpec(
            "HasOptedOutOfFax",
            "Fax Opt Out",
            "boolean",
            nillable=False,
            default=False,
            defaulted_on_create=True,
        ),
        FieldSpec(
            "DoNotCall",
            "Do Not Call",
            "boolean",
            nillable=False,
            default=False,
            defaulted_on_create=True,
        ),
        FieldSpec(
            "LeadSource",
            "Lead Source",
            "picklist",
            255,
            picklist=("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"),
        ),
        FieldSpec(
            "Description", "Description", "textarea", 32000, filterable=False, sortable=False
        ),
        FieldSpec("EmailBouncedReason", "Email Bounced Reason", "string", 255),
        FieldSpec("EmailBouncedDate", "Email Bounced Date", "datetime"),
    )


CONTACT = ObjectSpec(
    "Contact",
    "Contact",
    "Contacts",
    "003",
    (
        _id(),
        _account_id("Contacts"),
        *_person_fields(),
        FieldSpec("Department", "Department", "string", 80),
        FieldSpec("Birthdate", "Birthdate", "date"),
        FieldSpec("MailingCity", "Mailing City", "string", 40),
        FieldSpec("MailingCountry", "Mailing Country", "string", 80),
        _owner(),
        *_viewed(),
        *_audit(),
        _ro("LastActivityDate", "Last Activity", "date"),
        _mso(),
    ),
)

LEAD = ObjectSpec(
    "Lead",
    "Lead",
    "Leads",
    "00Q",
    (
        _id(),
        *_person_fields(),
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
        FieldSpec(
            "Industry",
            "Industry",
            "picklist",
            255,
            picklist=("Technology", "Finance", "Healthcare", "Retail", "Other"),
        ),
        FieldSpec("City", "City", "string", 40),
        FieldSpec("Country", "Country", "string", 80),
        _ro(
            "IsConverted",
            "Converted",
            "boolean",
            nillable=False,
            default=False,
            defaulted_on_create=True,
        ),
        _ro("ConvertedDate", "Converted Date", "date"),
        _ro(
            "ConvertedContactId",
            "Converted Contact ID",
            "reference",
            length=18,
            reference_to=("Contact",),
            relationship_name="ConvertedContact",
            indexed=True,
        ),
        _ro(
            "ConvertedAccountId",
            "Converted Account ID",
            "reference",
            length=18,
            reference_to=("Account",),
            relationship_name="ConvertedAccount",
            indexed=True,
        ),
        _owner(),
        *_viewed(),
        *_audit(),
        _mso(),
    ),
)


def _picklist(name: str, label: str, values: tuple[str, ...], **kw: Any) -> FieldSpec:
    return FieldSpec(name, label, "picklist", 255, picklist=values, **kw)


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
        _id(),
        FieldSpec("Name", "Account Name", "string", 255, nillable=False),
        FieldSpec(
            "Industry",
            "Industry",
            "picklist",
            255,
            picklist=("Technology", "Finance", "Healthcare", "Retail", "Other"),
        ),
        FieldSpec("Website", "Website", "url", 255),
        FieldSpec("Phone", "Account Phone", "phone", 40),
        FieldSpec("BillingCity", "Billing City", "string", 40),
        FieldSpec("BillingCountry", "Billing Country", "string", 80),
        *_account_fields(),
        _owner(),
        *_viewed(),
        *_audit(),
    ),
)

USER = ObjectSpec(
    "User",
    "User",
    "Users",
    "005",
    (
        _id(),
        FieldSpec("Username", "Username", "string", 80, nillable=False, unique=True, indexed=True),
        FieldSpec("Email", "Email", "email", 128, nillable=False, indexed=True),
        FieldSpec("FirstName", "First Name", "string", 40),
        FieldSpec("LastName", "Last Name", "string", 80, nillable=False),
        _ro("Name", "Full Name", "string", length=121, calculated=True),
        FieldSpec(
            "IsActive", "Active", "boolean", nillable=False, default=True, defaulted_on_create=True
        ),
        *_viewed(),
        *_audit(),
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
        *(_ro(name, name, "string", length=length) for name, length in texts),
        *(_ro(name, name, "picklist", length=40) for name in picklists),
        *(_ro(name, name, "boolean", nillable=False, default=False) for name in flags),
        _ro("IsReadOnly", "Is Read Only", "boolean", nillable=False, default=False),
        _ro("FiscalYearStartMonth", "Fiscal Year Starts In", "int"),
        _ro("TrialExpirationDate", "Trial Expiration Date", "datetime"),
    )


ORGANIZATION = ObjectSpec(
    "Organization",
    "Organization",
    "Organizations",
    "00D",
    (
        _id(),
        _ro("Name", "Name", "string", length=80),
        _ro("IsSandbox", "Is Sandbox", "boolean", nillable=False, default=False),
        _ro("OrganizationType", "Edition", "picklist", length=40),
        _ro("InstanceName", "Instance Name", "string", length=5),
        _ro("TimeZoneSidKey", "Locale Time Zone", "picklist", length=40),
        *_organization_fields(),
        *_audit(),
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
        _id(),
        _account_id("Opportunities"),
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
        _ro("IsClosed", "Closed", "boolean", nillable=False, default=False),
        _ro("IsWon", "Won", "boolean", nillable=False, default=False),
        _picklist(
            "ForecastCategoryName",
            "Forecast Category",
            ("Omitted", "Pipeline", "Best Case", "Commit", "Closed"),
        ),
        _owner(),
        *_viewed(),
        *_audit(),
    ),
)

STANDARD_OBJECTS: tuple[ObjectSpec, ...] = (
    ACCOUNT, CONTACT, LEAD, OPPORTUNITY, USER, ORGANIZATION,
)  # fmt: skip
PACKAGES: Mapping[str, str] = {MARKETO_SALES_INSIGHT: "mkto_si"}


def visible_spec(spec: ObjectSpec, packages: frozenset[str]) -> ObjectSpec:
    """The object as an org with these packages installed sees it (package fields exist or not)."""
    kept = [f for f in spec.fields if f.package is None or f.package in packages]
    return spec if len(kept) == len(spec.fields) else spec.with_fields(kept)
