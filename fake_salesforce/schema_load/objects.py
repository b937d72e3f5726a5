"""Custom objects assembled as Salesforce makes them: the system fields every object has (Id,
Name, OwnerId unless a master-detail child, the audit fields) and the user's custom fields.

Key prefixes of custom objects are minted stably: `a` plus two base-62 characters from a hash
of the object's name, the next salted hash on a collision (real orgs give `a0X`-style prefixes
in creation order; a hash keeps a prefix the same across runs and load orders).
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from fake_salesforce.ids import encode_base62
from fake_salesforce.schema import FieldSpec, ObjectSpec
from fake_salesforce.schema_load.errors import SchemaError
from fake_salesforce.schema_load.fields import field_spec
from fake_salesforce.schema_load.model import ValueSets
from fake_salesforce.schema_load.xmltree import text
from fake_salesforce.standard_fields import audit_fields, id_field, owner_field

CUSTOM = re.compile(r"^[A-Za-z][A-Za-z0-9_]*__c$")
PREFIX_SLOTS = 62 * 62
# Not records a REST client writes like sObjects: custom metadata types, platform events, big
# and external objects, and the share, history, feed and change-event companions.
NOT_SOBJECTS = ("__mdt", "__e", "__b", "__x", "__Share", "__History", "__Feed", "__ChangeEvent")
# Key prefixes of standard objects an org has but the fake does not model field by field
# (SOAP API Developer Guide, "Standard Field Records": key prefixes).
STANDARD_PREFIXES = {
    "Opportunity": "006",
    "Case": "500",
    "Task": "00T",
    "Event": "00U",
    "Campaign": "701",
    "CampaignMember": "00v",
    "Product2": "01t",
    "Pricebook2": "01s",
    "OpportunityLineItem": "00k",
    "Order": "801",
    "Contract": "800",
    "Asset": "02i",
    "Quote": "0Q0",
    "Solution": "501",
}


def is_custom(name: str) -> bool:
    return name.endswith("__c")


def is_sobject(name: str) -> bool:
    return not name.endswith(NOT_SOBJECTS)


def bare_standard_object(name: str, fields: Iterable[FieldSpec], taken: set[str]) -> ObjectSpec:
    """A standard object the fake does not model: Id, OwnerId and the audit fields, plus the
    custom fields the project adds to it; its real key prefix when known."""
    prefix = STANDARD_PREFIXES.get(name)
    if prefix is None or prefix in taken:
        prefix = mint_prefix(name, taken)
    system = (id_field(), owner_field(), *audit_fields())
    return ObjectSpec(name, name, name + "s", prefix, (*system, *fields))


def custom_object(
    name: str, element: ET.Element, fields: Iterable[FieldSpec], path: Path
) -> ObjectSpec:
    """The ObjectSpec of a CustomObject element; its key prefix is minted when it is added."""
    if not CUSTOM.match(name):
        raise SchemaError(path, f"object {name}", "not a valid custom object API name")
    label = text(element, "label", name[:-3]) or name[:-3]
    plural = text(element, "pluralLabel", label + "s") or label + "s"
    custom = list(fields)
    detail = any(f.cascade_delete and not f.nillable for f in custom)
    owned = not detail and text(element, "sharingModel") != "ControlledByParent"
    system = [
        id_field(),
        _name_field(element, path),
        *([owner_field()] if owned else []),
        *audit_fields(),
    ]
    taken = {f.name.lower() for f in system}
    for f in custom:
        if f.name.lower() in taken:
            raise SchemaError(path, f"field {f.name}", "defined twice on the object")
        taken.add(f.name.lower())
    return ObjectSpec(name, label, plural, "", (*system, *custom), custom=True)


def _name_field(element: ET.Element, path: Path) -> FieldSpec:
    """The object's Name: required text (80), or an auto-number when `nameField` says so."""
    name_field = element.find("nameField")
    if name_field is None:
        return FieldSpec("Name", "Name", "string", 80, nillable=False, indexed=True)
    kind = text(name_field, "type", "Text")
    label = text(name_field, "label", "Name") or "Name"
    if kind == "AutoNumber":
        fmt = text(name_field, "displayFormat", "{0}") or "{0}"
        return FieldSpec(
            "Name",
            label,
            "string",
            80,
            createable=False,
            updateable=False,
            nillable=False,
            defaulted_on_create=True,
            auto_number=fmt,
            indexed=True,
        )
    if kind != "Text":
        raise SchemaError(path, "nameField <type>", f"must be Text or AutoNumber, not {kind!r}")
    return FieldSpec("Name", label, "string", 80, nillable=False, indexed=True)


def fields_of(
    elements: Iterable[tuple[ET.Element, str, Path]], value_sets: ValueSets
) -> list[FieldSpec]:
    """Each (CustomField element, field name, file) as a FieldSpec; picklists that name a
    global value set take its values."""
    return [field_spec(element, name, path, value_sets) for element, name, path in elements]


def mint_prefix(name: str, taken: set[str]) -> str:
    """A stable key prefix for custom object `name` that is not in `taken`."""
    for salt in range(PREFIX_SLOTS):
        seed = name.lower() if salt == 0 else f"{name.lower()}#{salt}"
        number = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")
        prefix = "a" + encode_base62(number % PREFIX_SLOTS, 2)
        if prefix not in taken and prefix != "a00":
            return prefix
    raise SchemaError(name, None, "no free key prefix is left for another custom object")


def with_prefix(spec: ObjectSpec, taken: set[str]) -> ObjectSpec:
    """`spec` with its key prefix minted, unless it came with one (a describe snapshot)."""
    if spec.key_prefix:
        return spec
    return replace(spec, key_prefix=mint_prefix(spec.name, taken))
