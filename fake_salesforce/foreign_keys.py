"""Parents named by an external Id instead of a record Id (a foreign key by external Id).

A write may set a lookup through its relationship name and one external-Id field of the parent:
`{"LastName": "Doe", "Account": {"Ext__c": "A-1"}}` in REST and composite bodies and Bulk JSON
or XML records, or a CSV column `Account.Ext__c` in Bulk ingest. Salesforce finds the live
parent whose field holds that value and stores its Id in the lookup (`AccountId`). Its errors:
no such parent, `INVALID_FIELD` "Foreign key external ID: v not found for field F in entity E";
several, `DUPLICATE_EXTERNAL_ID`; a field that is not an external Id, or more than one field,
`INVALID_FIELD` (REST API Developer Guide, "Insert or Update (Upsert) a Record Using an External
ID", its foreign-key example; Bulk API Developer Guide, "Relationship Fields in a Header Row").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fake_salesforce.errors import ApiError
from fake_salesforce.save_results import external_matches
from fake_salesforce.schema import FieldSpec, ObjectSpec
from fake_salesforce.values import coerce

if TYPE_CHECKING:
    from fake_salesforce.org import Org


@dataclass(frozen=True)
class ForeignKey:
    """A Bulk CSV column `Relationship.ExternalField`: the lookup it sets, through which field."""

    header: str
    reference: FieldSpec
    relationship: str
    external_field: str


def column(spec: ObjectSpec, header: str) -> ForeignKey | None:
    """The foreign key a `Relationship.Field` header names, or None when it names none."""
    relationship, dot, external = header.partition(".")
    if not dot or not external or "." in external:
        return None
    reference = spec.relationship(relationship)
    if reference is None:
        return None
    return ForeignKey(header, reference, reference.relationship_name or relationship, external)


def resolve(org: Org, spec: ObjectSpec, body: Mapping[str, Any]) -> Mapping[str, Any]:
    """`body` with every relationship object replaced by the parent's Id in its lookup field;
    the body itself when it names no parent that way (the common case costs one scan)."""
    if not any(isinstance(v, Mapping) for k, v in body.items() if k != "attributes"):
        return body
    resolved: dict[str, Any] = {}
    for key, value in body.items():
        reference = spec.relationship(key) if isinstance(value, Mapping) else None
        if reference is None or key == "attributes":
            resolved[key] = value
            continue
        resolved[reference.name] = parent_id(org, reference, value)
    return resolved


def parent_id(org: Org, reference: FieldSpec, given: Mapping[str, Any]) -> str | None:
    """The Id of the one live parent that `given` (`{"Ext__c": value}`, with an optional
    `attributes.type` for a lookup to several objects) names; None for a null value."""
    parent = org.require_spec(_parent_type(reference, given))
    keys = [k for k in given if k != "attributes"]
    if len(keys) != 1:
        raise ApiError(
            400,
            "INVALID_FIELD",
            f"More than 1 field provided in an external foreign key reference in entity: "
            f"{parent.name}",
            [],
        )
    field = parent.field(keys[0])
    if field is None or not field.external_id:
        raise ApiError(
            400,
            "INVALID_FIELD",
            f"Field name provided, {keys[0]} is not an External ID or indexed field for "
            f"{parent.name}",
            [],
        )
    value = given[keys[0]]
    if value is None or value == "":
        return None
    found = external_matches(org, parent, field.name, coerce(field, value))
    if not found:
        raise ApiError(
            400,
            "INVALID_FIELD",
            f"Foreign key external ID: {value} not found for field {field.name} in entity "
            f"{parent.name}",
            [],
        )
    if len(found) > 1:
        raise ApiError(
            400,
            "DUPLICATE_EXTERNAL_ID",
            f"{field.label}: more than one record found for external id field: "
            f"[{', '.join(found)}]",
            [reference.name],
        )
    return found[0]


def _parent_type(reference: FieldSpec, given: Mapping[str, Any]) -> str:
    attributes = given.get("attributes")
    named = attributes.get("type") if isinstance(attributes, Mapping) else None
    if isinstance(named, str):
        match = next((t for t in reference.reference_to if t.lower() == named.lower()), None)
        if match is None:
            raise ApiError(
                400,
                "INVALID_FIELD",
                f"{named} is not a valid type for the {reference.name} lookup",
                [reference.name],
            )
        return match
    return reference.reference_to[0]
