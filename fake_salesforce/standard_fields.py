"""The standard fields the built-in objects share, and loaded schemas reuse: the Id, the audit
fields, the owner, the person fields of Contact and Lead, Account's child lookups.

Properties as describe reports them on a Developer Edition org (Object Reference for Salesforce
and Lightning Platform, "System Fields", "Contact", "Lead").
"""

from __future__ import annotations

from typing import Any

from fake_salesforce.schema import MARKETO_SALES_INSIGHT, MSO_FIELD, FieldSpec


def account_id_field(child_relationship: str) -> FieldSpec:
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


def id_field() -> FieldSpec:
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


def read_only(name: str, label: str, ftype: str, **kw: Any) -> FieldSpec:
    return FieldSpec(name, label, ftype, createable=False, updateable=False, **kw)


def audit_fields() -> tuple[FieldSpec, ...]:
    user = ("User",)
    return (
        read_only(
            "IsDeleted",
            "Deleted",
            "boolean",
            nillable=False,
            default=False,
            defaulted_on_create=True,
        ),
        read_only(
            "CreatedDate", "Created Date", "datetime", nillable=False, defaulted_on_create=True
        ),
        read_only(
            "CreatedById",
            "Created By ID",
            "reference",
            length=18,
            nillable=False,
            reference_to=user,
            relationship_name="CreatedBy",
            defaulted_on_create=True,
        ),
        read_only(
            "LastModifiedDate",
            "Last Modified Date",
            "datetime",
            nillable=False,
            defaulted_on_create=True,
        ),
        read_only(
            "LastModifiedById",
            "Last Modified By ID",
            "reference",
            length=18,
            nillable=False,
            reference_to=user,
            relationship_name="LastModifiedBy",
            defaulted_on_create=True,
        ),
        read_only(
            "SystemModstamp",
            "System Modstamp",
            "datetime",
            nillable=False,
            defaulted_on_create=True,
            indexed=True,
        ),
    )


def viewed_fields() -> tuple[FieldSpec, ...]:
    """When the user last viewed or referenced the record (SOQL `FOR VIEW`, `FOR REFERENCE`)."""
    return (
        read_only("LastViewedDate", "Last Viewed Date", "datetime"),
        read_only("LastReferencedDate", "Last Referenced Date", "datetime"),
    )


def owner_field() -> FieldSpec:
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


def opt_out_field() -> FieldSpec:
    return FieldSpec(
        "HasOptedOutOfEmail",
        "Email Opt Out",
        "boolean",
        nillable=False,
        default=False,
        defaulted_on_create=True,
    )


def mso_field() -> FieldSpec:
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


def person_fields() -> tuple[FieldSpec, ...]:
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
        read_only("Name", "Full Name", "string", length=121, calculated=True),
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
        opt_out_field(),
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
