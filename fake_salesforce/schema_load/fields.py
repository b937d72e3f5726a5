"""A CustomField metadata element (Metadata API `CustomField`) as the describe FieldSpec.

Types map as describe reports them: Text -> string, Number -> double, Checkbox -> boolean,
MultiselectPicklist -> multipicklist, Lookup/MasterDetail -> reference, AutoNumber -> string
with autoNumber (Metadata API Developer Guide, "CustomField"; "Field Types" in the SOAP API
Developer Guide). Formula fields are calculated and read-only.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

from fake_salesforce.schema import FieldSpec
from fake_salesforce.schema_load.errors import SchemaError
from fake_salesforce.schema_load.xmltree import flag, text

# Metadata type -> (describe type, default length).
TYPES: dict[str, tuple[str, int]] = {
    "Text": ("string", 255),
    "TextArea": ("textarea", 255),
    "LongTextArea": ("textarea", 32768),
    "Html": ("textarea", 32768),
    "EncryptedText": ("encryptedstring", 175),
    "Email": ("email", 80),
    "Phone": ("phone", 40),
    "Url": ("url", 255),
    "Number": ("double", 0),
    "Currency": ("currency", 0),
    "Percent": ("percent", 0),
    "Checkbox": ("boolean", 0),
    "Date": ("date", 0),
    "DateTime": ("datetime", 0),
    "Time": ("time", 0),
    "Picklist": ("picklist", 255),
    "MultiselectPicklist": ("multipicklist", 4099),
    "Lookup": ("reference", 18),
    "MasterDetail": ("reference", 18),
    "AutoNumber": ("string", 30),
}
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_STRING = re.compile(r"""^(['"])(.*)\1$""", re.S)


def field_spec(element: ET.Element, name: str, sobject: str, path: Path) -> FieldSpec:
    """The FieldSpec of one CustomField element on `sobject` (errors name file and field)."""
    where = f"field {name}"
    if not _NAME.match(name):
        raise SchemaError(path, where, "not a valid field API name")
    kind = text(element, "type")
    if kind is None:
        raise SchemaError(path, f"{where} <type>", "missing: every custom field needs a type")
    if kind not in TYPES:
        known = ", ".join(sorted(TYPES))
        raise SchemaError(path, f"{where} <type>", f"unsupported type {kind!r} (known: {known})")
    ftype, default_length = TYPES[kind]
    label = text(element, "label", name) or name
    spec = FieldSpec(name, label, ftype, _length(element, default_length, path, where))
    precision, scale = _numeric(element, ftype, path, where)
    spec = replace(spec, custom=name.endswith("__c"), precision=precision, scale=scale)
    spec = _flags(element, spec, kind)
    if ftype in ("picklist", "multipicklist"):
        spec = _picklist(element, spec, path, where)
    if ftype == "reference":
        spec = _reference(element, spec, kind, sobject, path, where)
    if kind == "AutoNumber":
        spec = _auto_number(element, spec)
    if text(element, "formula") is not None:
        spec = _formula(element, spec)
    else:
        spec = _default(element, spec)
    return spec


def _length(element: ET.Element, default: int, path: Path, where: str) -> int:
    raw = text(element, "length")
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) == 0:
        raise SchemaError(path, f"{where} <length>", f"not a positive whole number: {raw!r}")
    return int(raw)


def _numeric(element: ET.Element, ftype: str, path: Path, where: str) -> tuple[int, int]:
    """(precision, scale) of a number, currency or percent field; (0, 0) for other types."""
    if ftype not in ("double", "currency", "percent"):
        return 0, 0
    out = []
    for tag, default in (("precision", 18), ("scale", 0)):
        raw = text(element, tag, str(default)) or str(default)
        if not raw.isdigit():
            raise SchemaError(path, f"{where} <{tag}>", f"not a whole number: {raw!r}")
        out.append(int(raw))
    return out[0], out[1]


def _flags(element: ET.Element, spec: FieldSpec, kind: str) -> FieldSpec:
    external = flag(element, "externalId")
    unique = flag(element, "unique")
    required = flag(element, "required") or kind == "MasterDetail"
    long_text = kind in ("LongTextArea", "Html")
    return replace(
        spec,
        external_id=external,
        unique=unique,
        id_lookup=external or unique,
        indexed=external or unique or spec.type == "reference",
        nillable=not required and spec.type != "boolean",
        filterable=not long_text,
        sortable=not long_text and spec.type != "multipicklist",
        html=kind == "Html",
    )


def _picklist(element: ET.Element, spec: FieldSpec, path: Path, where: str) -> FieldSpec:
    """Values from `valueSet/valueSetDefinition/value` (API 38+) or the older
    `picklist/picklistValues`; `restricted` / `restrictedPicklist` as given (global value
    sets, named by `valueSetName`, are always restricted but their values live elsewhere)."""
    value_set = element.find("valueSet")
    old = element.find("picklist")
    values: list[str] = []
    default: str | None = None
    restricted = False
    if value_set is not None:
        entries = value_set.findall("valueSetDefinition/value")
        restricted = flag(value_set, "restricted") and text(value_set, "valueSetName") is None
    elif old is not None:
        entries = old.findall("picklistValues")
        restricted = flag(old, "restrictedPicklist")
    else:
        raise SchemaError(path, f"{where} <valueSet>", "missing: a picklist needs its values")
    for n, entry in enumerate(entries, 1):
        value = text(entry, "fullName")
        if value is None:
            raise SchemaError(path, f"{where} <value> #{n} <fullName>", "missing")
        values.append(value)
        if flag(entry, "default"):
            default = value
    defaulted = default is not None
    return replace(
        spec,
        picklist=tuple(values),
        restricted_picklist=restricted,
        default=default,
        defaulted_on_create=defaulted or spec.defaulted_on_create,
    )


def _reference(
    element: ET.Element, spec: FieldSpec, kind: str, sobject: str, path: Path, where: str
) -> FieldSpec:
    target = text(element, "referenceTo")
    if target is None:
        raise SchemaError(path, f"{where} <referenceTo>", "missing: a lookup names its parent")
    children = text(element, "relationshipName")
    if children is None:
        raise SchemaError(path, f"{where} <relationshipName>", "missing: the children's name")
    own = spec.name[:-3] + "__r" if spec.name.endswith("__c") else spec.name.removesuffix("Id")
    master = kind == "MasterDetail"
    return replace(
        spec,
        reference_to=(target,),
        relationship_name=own,
        child_relationship=children + "__r" if spec.custom else children,
        cascade_delete=master or (text(element, "deleteConstraint") == "Cascade"),
        updateable=not master or flag(element, "reparentableMasterDetail"),
    )


def _auto_number(element: ET.Element, spec: FieldSpec) -> FieldSpec:
    fmt = text(element, "displayFormat", "{0}") or "{0}"
    return replace(
        spec,
        auto_number=fmt,
        createable=False,
        updateable=False,
        nillable=False,
        defaulted_on_create=True,
        id_lookup=True,
    )


def _formula(element: ET.Element, spec: FieldSpec) -> FieldSpec:
    """Formulas are not evaluated: a constant formula gives its constant, any other null."""
    formula = text(element, "formula") or ""
    constant = _constant(formula, spec.type)
    return replace(
        spec,
        formula=formula,
        calculated=True,
        createable=False,
        updateable=False,
        default=constant,
        nillable=spec.type != "boolean",
        defaulted_on_create=False,
    )


def _default(element: ET.Element, spec: FieldSpec) -> FieldSpec:
    """`defaultValue` is a formula: constants (a quoted string, a number, true/false) are
    applied on create; other expressions (TODAY(), $User.Id) are not evaluated: no default."""
    raw = text(element, "defaultValue")
    if spec.type == "boolean":
        value = (raw or "false").lower() == "true"
        return replace(spec, default=value, defaulted_on_create=True, nillable=False)
    if raw is None:
        return spec
    value = _constant(raw, spec.type)
    if value is None:
        return spec
    return replace(spec, default=value, defaulted_on_create=True)


def _constant(formula: str, ftype: str) -> Any:
    formula = formula.strip()
    string = _STRING.match(formula)
    if string:
        return string.group(2)
    if _NUMBER.match(formula) and ftype in ("double", "currency", "percent", "int"):
        return float(formula) if "." in formula else int(formula)
    if formula.lower() in ("true", "false") and ftype == "boolean":
        return formula.lower() == "true"
    return None
