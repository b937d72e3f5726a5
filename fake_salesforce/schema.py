"""sObject metadata: the fields, types and permissions that drive describe, validation and SOQL.

Field properties follow the describe format (developer.salesforce.com, "DescribeSObjectResult",
"Field"). The built-in objects are in standard_objects, made of standard_fields' builders.
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


PACKAGES: Mapping[str, str] = {MARKETO_SALES_INSIGHT: "mkto_si"}


def visible_spec(spec: ObjectSpec, packages: frozenset[str]) -> ObjectSpec:
    """The object as an org with these packages installed sees it (package fields exist or not)."""
    kept = [f for f in spec.fields if f.package is None or f.package in packages]
    return spec if len(kept) == len(spec.fields) else spec.with_fields(kept)
