"""Describe JSON, as `sf sobject describe --json` (`{"status": 0, "result": {...}}`) or
`GET /sobjects/<Object>/describe` writes it, back into an ObjectSpec.

Field properties map one to one onto FieldSpec (DescribeSObjectResult, "Field"). Compound
fields (address, location) are left out, their component fields are loaded; so are base64
and anyType fields, which the fake cannot store. childRelationships name the children's
relationship where the child object is loaded too, and say what deleting the parent does to
them: Account's `Contacts` relationship has `cascadeDelete` while Contact.AccountId does not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fake_salesforce.schema import SOAP_TYPES, FieldSpec, ObjectSpec
from fake_salesforce.schema_load.errors import SchemaError
from fake_salesforce.schema_load.model import Schema
from fake_salesforce.standard_fields import audit_fields, id_field

SKIPPED_TYPES = frozenset({"address", "location", "base64", "anyType", "complexvalue"})
MAX_BYTES = 50_000_000


def load_describe(path: Path) -> Schema:
    """Every describe result in the file: one object, a list, or the CLI's envelope."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SchemaError(path, None, f"the file is larger than {MAX_BYTES} bytes")
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SchemaError(path, None, f"cannot read the file ({exc.strerror})") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise SchemaError(path, None, f"not JSON ({exc})") from None
    if isinstance(data, dict) and "result" in data:
        data = data["result"]
    results = data if isinstance(data, list) else [data]
    schema = Schema()
    for n, result in enumerate(results):
        where = f"result #{n + 1}" if isinstance(data, list) else "result"
        spec = object_spec(result, path, where)
        schema.objects[spec.name] = spec
        for child in result.get("childRelationships") or []:
            if not isinstance(child, dict):
                continue
            key = (str(child.get("childSObject")), str(child.get("field")))
            if child.get("relationshipName"):
                schema.child_names[key] = str(child["relationshipName"])
            if child.get("restrictedDelete") or child.get("cascadeDelete"):
                rule = "Restrict" if child.get("restrictedDelete") else "Cascade"
                schema.child_rules[key] = rule
    return schema


def object_spec(result: Any, path: Path, where: str) -> ObjectSpec:
    if not isinstance(result, dict) or not isinstance(result.get("fields"), list):
        raise SchemaError(path, where, "not a describe result (no `fields` list)")
    name = result.get("name")
    if not isinstance(name, str) or not name:
        raise SchemaError(path, f"{where} name", "missing")
    fields = [
        field_spec(f, path, f"{name} fields[{n}]")
        for n, f in enumerate(result["fields"])
        if not (isinstance(f, dict) and f.get("type") in SKIPPED_TYPES)
    ]
    present = {f.name for f in fields}
    fields += [f for f in (id_field(), *audit_fields()) if f.name not in present]
    fields.sort(key=lambda f: f.name != "Id")  # the Id takes slot 0
    prefix = result.get("keyPrefix") or ""
    return ObjectSpec(
        name,
        str(result.get("label") or name),
        str(result.get("labelPlural") or name),
        str(prefix),
        tuple(fields),
        createable=bool(result.get("createable", True)),
        updateable=bool(result.get("updateable", True)),
        deletable=bool(result.get("deletable", True)),
        undeletable=bool(result.get("undeletable", True)),
        custom=bool(result.get("custom", False)),
    )


def field_spec(data: Any, path: Path, where: str) -> FieldSpec:
    """One describe field as a FieldSpec; a property of the wrong kind names the field."""
    try:
        return _field_spec(data, path, where)
    except (TypeError, ValueError, KeyError) as exc:
        raise SchemaError(path, where, f"a property has the wrong kind of value ({exc})") from None


def _delete_constraint(data: dict[str, Any]) -> str:
    """What deleting the parent does, from the field's `restrictedDelete`/`cascadeDelete`
    (a parent's childRelationships may say more: see `load_describe`)."""
    if data.get("restrictedDelete"):
        return "Restrict"
    return "Cascade" if data.get("cascadeDelete") else "SetNull"


def _field_spec(data: Any, path: Path, where: str) -> FieldSpec:
    if not isinstance(data, dict):
        raise SchemaError(path, where, "not a field object")
    name, ftype = data.get("name"), data.get("type")
    if not isinstance(name, str) or not name:
        raise SchemaError(path, f"{where} name", "missing")
    if ftype not in SOAP_TYPES:
        raise SchemaError(path, f"{where} ({name}) type", f"unsupported type {ftype!r}")
    picklist = [
        v for v in data.get("picklistValues") or [] if isinstance(v, dict) and v.get("active")
    ]
    default = data.get("defaultValue")
    if default is None:
        default = next((v["value"] for v in picklist if v.get("defaultValue")), None)
    return FieldSpec(
        name,
        str(data.get("label") or name),
        str(ftype),
        int(data.get("length") or 0),
        createable=bool(data.get("createable")),
        updateable=bool(data.get("updateable")),
        nillable=bool(data.get("nillable", True)),
        default=default,
        defaulted_on_create=bool(data.get("defaultedOnCreate")),
        custom=bool(data.get("custom")),
        reference_to=tuple(str(t) for t in data.get("referenceTo") or ()),
        relationship_name=data.get("relationshipName") or None,
        external_id=bool(data.get("externalId")),
        id_lookup=bool(data.get("idLookup")),
        unique=bool(data.get("unique")),
        calculated=bool(data.get("calculated")),
        filterable=bool(data.get("filterable", True)),
        sortable=bool(data.get("sortable", True)),
        picklist=tuple(str(v["value"]) for v in picklist),
        indexed=bool(data.get("externalId") or data.get("unique") or ftype == "reference"),
        restricted_picklist=bool(data.get("restrictedPicklist")),
        cascade_delete=bool(data.get("cascadeDelete")),
        delete_constraint=_delete_constraint(data) if ftype == "reference" else None,
        auto_number="{0}" if data.get("autoNumber") else None,
        formula=data.get("calculatedFormula") or None,
        precision=int(data.get("precision") or 0),
        scale=int(data.get("scale") or 0),
        html=bool(data.get("htmlFormatted")),
    )
