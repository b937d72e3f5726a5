"""Lead conversion as an admin does it in Salesforce (convertLead), with the standard mapping.

A Lead becomes a Contact (new, or merged into a given one) under an Account (new from Company,
or given). Standard mapping: name, title, phones, email and fax carry over, the Lead's address
becomes the Contact's mailing address; Email Opt Out too. Merging
fills the Contact's blank fields and never clears a checkbox that is set. The Marketo Sales
Opt Out package field carries over only when the admin mapped it (`map_package_field`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from fake_salesforce.org import Org
from fake_salesforce.schema import MSO_FIELD

CARRIED: tuple[str, ...] = (
    *("FirstName", "LastName", "Salutation", "Title", "Email", "Phone", "MobilePhone"),
    *("LeadSource", "Description", "HasOptedOutOfEmail", "HasOptedOutOfFax", "DoNotCall"),
)
# The Lead's field -> the Contact's, where the names differ (the standard lead field mapping).
RENAMED = {
    "Street": "MailingStreet", "City": "MailingCity", "State": "MailingState",
    "PostalCode": "MailingPostalCode", "Country": "MailingCountry", "Fax": "Fax",
}  # fmt: skip
CONVERTED_STATUS = "Closed - Converted"


@dataclass(frozen=True)
class Conversion:
    """The records a conversion produced or used (convertLead's LeadConvertResult)."""

    lead_id: str
    contact_id: str
    account_id: str

    def as_json(self) -> dict[str, Any]:
        return {"leadId": self.lead_id, "contactId": self.contact_id, "accountId": self.account_id}


def _carried(org: Org, lead: dict[str, Any], map_package_field: bool) -> dict[str, Any]:
    fields = [*CARRIED]
    contact = org.require_spec("Contact")
    if map_package_field and contact.field(MSO_FIELD) is not None:
        fields.append(MSO_FIELD)
    carried = {name: lead.get(name) for name in fields if contact.field(name) is not None}
    carried |= {mine: lead.get(theirs) for theirs, mine in RENAMED.items() if lead.get(theirs)}
    return carried


def _merged(existing: dict[str, Any], carried: dict[str, Any]) -> dict[str, Any]:
    """What an existing Contact takes from the Lead: blank fields, and checkboxes set to true."""
    changes: dict[str, Any] = {}
    for name, value in carried.items():
        current = existing.get(name)
        if isinstance(value, bool):
            if value and not current:
                changes[name] = True
        elif value not in (None, "") and current in (None, ""):
            changes[name] = value
    return changes


def convert_lead(
    org: Org,
    lead_id: str,
    contact_id: str | None = None,
    account_id: str | None = None,
    map_package_field: bool = False,
) -> Conversion:
    """Convert one Lead; all of it happens or none (an error leaves the org as it was)."""
    with org.lock, _as_admin(org), org.transaction():
        lead_spec = org.require_spec("Lead")
        rid = org.require_writable(lead_spec, lead_id)
        lead = org.get("Lead", rid) or {}
        carried = _carried(org, lead, map_package_field)
        if contact_id is not None:
            contact = org.require_writable(org.require_spec("Contact"), contact_id)
            existing = org.get("Contact", contact) or {}
            account = account_id or existing.get("AccountId")
            account = account or org.create("Account", {"Name": lead.get("Company")})
            changes = _merged(existing, carried)
            if not existing.get("AccountId"):
                changes["AccountId"] = account
            if changes:
                org.update("Contact", contact, changes)
        else:
            account = account_id or org.create("Account", {"Name": lead.get("Company")})
            contact = org.create("Contact", {**carried, "AccountId": account})
        _mark_converted(org, rid, contact, account)
        return Conversion(rid, contact, account)


@contextmanager
def _as_admin(org: Org) -> Iterator[None]:
    # An admin converts: the integration user's field-level security does not apply.
    locked, org.read_only = org.read_only, set()
    try:
        yield
    finally:
        org.read_only = locked


def _mark_converted(org: Org, lead_id: str, contact_id: str, account_id: str) -> None:
    now = org.clock.now()
    stamp = now.replace(microsecond=now.microsecond // 1000 * 1000)
    org.tables["Lead"].update(
        lead_id,
        {
            "IsConverted": True,
            "ConvertedDate": now.astimezone(ZoneInfo(org.timezone)).date(),
            "ConvertedContactId": contact_id,
            "ConvertedAccountId": account_id,
            "Status": CONVERTED_STATUS,
            "LastModifiedDate": stamp,
            "SystemModstamp": stamp,
            "LastModifiedById": org.user_id,
        },
    )
