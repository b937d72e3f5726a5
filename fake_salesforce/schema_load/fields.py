"""A CustomField metadata element (Metadata API `CustomField`) as the describe FieldSpec.

Types map as describe reports them: Text -> string, Number -> double, Checkbox -> boolean,
MultiselectPicklist -> multipicklist, Lookup/MasterDetail -> reference, AutoNumber -> string
with autoNumber (Metadata API Developer Guide, "CustomField"; "Field Types" in the SOAP API
Developer Guide). Formula fields are calculated and read-only.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from fake_salesforce.schema import FieldSpec
from fake_salesforce.schema_load.errors import SchemaError
from fake_salesforce.schema_load.model import ValueSets
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
DELETE_CONSTRAINTS = ("SetNull", "Restrict", "Cascade")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_STRING = re.compile(r"""^(['"])(.*)\1$""", re.S)


def field_spec(
    element: ET.Element, name: str, path: Path, value_sets: ValueSets | None = None
) -> FieldSpec:
    """The FieldSpec of one CustomField element (errors name the file and the field).

    Properties are gathered in one mapping and the spec built once: a project of thousands
    of fields loads in a fraction of a second.
    """
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
    props: dict[str, Any] = {
        "name": name,
        "label": text(element, "label", name) or name,
        "type": ftype,
        "length": _length(element, default_length, path, where),
        "custom": name.endswith("__c"),
    }
    props["precision"], props["scale"] = _numeric(element, ftype, path, where)
    props |= _flags(element, ftype, kind)
    if ftype in ("picklist", "multipicklist"):
        props |= _picklist(element, path, where, value_sets or {})
    if ftype == "reference":
        props |= _reference(element, props, kind, path, where)
    if kind == "AutoNumber":
        props |= _auto_number(element)
    if text(element, "formula") is not None:
        props |= _formula(element, ftype)
    else:
        props |= _default(element, ftype)
    return FieldSpec(**props)


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


def _flags(element: ET.Element, ftype: str, kind: str) -> dict[str, Any]:
    external = flag(element, "externalId")
    unique = flag(element, "unique")
    required = flag(element, "required") or kind == "MasterDetail"
    long_text = kind in ("LongTextArea", "Html")
    return {
        "external_id": external,
        "unique": unique,
        "id_lookup": external or unique,
        "indexed": external or unique or ftype == "reference",
        "nillable": not required and ftype != "boolean",
        "filterable": not long_text,
        "sortable": not long_text and ftype != "multipicklist",
        "html": kind == "Html",
    }


def _picklist(element: ET.Element, path: Path, where: str, value_sets: ValueSets) -> dict[str, Any]:
    """Values from `valueSet/valueSetDefinition/value` (API 38+) or the older
    `picklist/picklistValues`; `restricted` / `restrictedPicklist` as given. A global value
    set (`valueSetName`) is always restricted, its values read from the project's
    globalValueSets; one the project does not hold leaves the picklist open."""
    value_set = element.find("valueSet")
    old = element.find("picklist")
    values: list[str] = []
    default: str | None = None
    restricted = False
    global_name = None if value_set is None else text(value_set, "valueSetName")
    if global_name is not None:
        if global_name not in value_sets:
            return {"picklist": (), "restricted_picklist": False}
        listed, default = value_sets[global_name]
        return {
            "picklist": listed,
            "restricted_picklist": True,
            "default": default,
            "defaulted_on_create": default is not None,
        }
    if value_set is not None:
        entries = value_set.findall("valueSetDefinition/value")
        restricted = flag(value_set, "restricted")
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
    return {
        "picklist": tuple(values),
        "restricted_picklist": restricted,
        "default": default,
        "defaulted_on_create": default is not None,
    }


def _reference(
    element: ET.Element, props: dict[str, Any], kind: str, path: Path, where: str
) -> dict[str, Any]:
    """The parent's name (`referenceTo`), this side's relationship name (`Account__r`) and
    the children's name on the parent (`relationshipName` + `__r`: `Widgets__r`)."""
    target = text(element, "referenceTo")
    if target is None:
        raise SchemaError(path, f"{where} <referenceTo>", "missing: a lookup names its parent")
    children = text(element, "relationshipName")
    if children is None:
        raise SchemaError(path, f"{where} <relationshipName>", "missing: the children's name")
    name: str = props["name"]
    own = name[:-3] + "__r" if name.endswith("__c") else name.removesuffix("Id")
    master = kind == "MasterDetail"
    constraint = "Cascade" if master else _delete_constraint(element, props, path, where)
    return {
        "reference_to": (target,),
        "relationship_name": own,
        "child_relationship": children + "__r" if props["custom"] else children,
        "cascade_delete": constraint == "Cascade",
        "delete_constraint": constraint,
        "updateable": not master or flag(element, "reparentableMasterDetail"),
    }


def _delete_constraint(element: ET.Element, props: dict[str, Any], path: Path, where: str) -> str:
    """A lookup's `deleteConstraint`: SetNull (the default: "Clear the value of this field"),
    Restrict or Cascade. A required lookup cannot be cleared, so it defaults to Restrict and
    refuses SetNull (Help, "Lookup Relationship Options"; Metadata API, "CustomField")."""
    required = not props["nillable"]
    given = text(element, "deleteConstraint")
    if given is None:
        return "Restrict" if required else "SetNull"
    if given not in DELETE_CONSTRAINTS:
        known = ", ".join(DELETE_CONSTRAINTS)
        raise SchemaError(path, f"{where} <deleteConstraint>", f"{given!r} is not one of {known}")
    if given == "SetNull" and required:
        raise SchemaError(
            path, f"{where} <deleteConstraint>", "SetNull cannot clear a required lookup"
        )
    return given


def _auto_number(element: ET.Element) -> dict[str, Any]:
    return {
        "auto_number": text(element, "displayFormat", "{0}") or "{0}",
        "createable": False,
        "updateable": False,
        "nillable": False,
        "defaulted_on_create": True,
        "id_lookup": True,
    }


def _formula(element: ET.Element, ftype: str) -> dict[str, Any]:
    """Formulas are not evaluated: a constant formula gives its constant, any other null."""
    formula = text(element, "formula") or ""
    return {
        "formula": formula,
        "calculated": True,
        "createable": False,
        "updateable": False,
        "default": _constant(formula, ftype),
        "nillable": ftype != "boolean",
        "defaulted_on_create": False,
    }


def _default(element: ET.Element, ftype: str) -> dict[str, Any]:
    """`defaultValue` is a formula: constants (a quoted string, a number, true/false) are
    applied on create; other expressions (TODAY(), $User.Id) are not evaluated: no default."""
    raw = text(element, "defaultValue")
    if ftype == "boolean":
        checked = (raw or "false").lower() == "true"
        return {"default": checked, "defaulted_on_create": True, "nillable": False}
    value = None if raw is None else _constant(raw, ftype)
    if value is None:
        return {}
    return {"default": value, "defaulted_on_create": True}


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
