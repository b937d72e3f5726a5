"""Where schemas come from: a Salesforce DX project, a Metadata API package, describe JSON.

SFDX source format: `objects/<Object>/<Object>.object-meta.xml` plus
`objects/<Object>/fields/<Field>.field-meta.xml` (Salesforce DX Developer Guide, "Salesforce
DX Project Structure and Source Format"). Metadata API format: `objects/<Object>.object`, a
CustomObject element with its `fields` inline (Metadata API Developer Guide, "CustomObject").
Standard objects carry only the custom fields added to them.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from fake_salesforce.schema_load.errors import SchemaError
from fake_salesforce.schema_load.model import ObjectSource, ValueSets
from fake_salesforce.schema_load.xmltree import read_xml, text

OBJECT_SUFFIX = ".object-meta.xml"
FIELD_SUFFIX = ".field-meta.xml"
VALUE_SET_SUFFIXES = (".globalValueSet-meta.xml", ".globalValueSet")


def sfdx_objects(objects_dir: Path) -> Iterator[ObjectSource]:
    """One ObjectSource per `objects/<Object>/` folder of a source-format project."""
    for folder in sorted(p for p in objects_dir.iterdir() if p.is_dir()):
        name = folder.name
        meta_path = folder / f"{name}{OBJECT_SUFFIX}"
        meta = _root(meta_path, "CustomObject") if meta_path.exists() else None
        fields = []
        field_dir = folder / "fields"
        if field_dir.is_dir():
            names = sorted(n for n in os.listdir(field_dir) if n.endswith(FIELD_SUFFIX))
            for path in [field_dir / n for n in names]:
                element = _root(path, "CustomField")
                field_name = path.name[: -len(FIELD_SUFFIX)]
                named = text(element, "fullName")
                if named is not None and named != field_name:
                    raise SchemaError(path, "<fullName>", f"{named!r} does not match the file name")
                fields.append((element, field_name, path))
        yield ObjectSource(name, meta, meta_path if meta is not None else folder, fields)


def mdapi_objects(objects_dir: Path) -> Iterator[ObjectSource]:
    """One ObjectSource per `objects/<Object>.object` file of a Metadata API package."""
    for path in sorted(objects_dir.glob("*.object")):
        yield mdapi_object(path)


def mdapi_object(path: Path) -> ObjectSource:
    root = _root(path, "CustomObject")
    fields = []
    for n, element in enumerate(root.findall("fields"), 1):
        field_name = text(element, "fullName")
        if field_name is None:
            raise SchemaError(path, f"<fields> #{n} <fullName>", "missing")
        fields.append((element, field_name, path))
    return ObjectSource(path.name[: -len(".object")], root, path, fields)


def value_sets(folder: Path) -> ValueSets:
    """Global value sets by name, from `globalValueSets/<Name>.globalValueSet-meta.xml` (SFDX)
    or `<Name>.globalValueSet` (Metadata API): active values in order, and the default."""
    found: ValueSets = {}
    for path in sorted(folder.iterdir()):
        suffix = next((x for x in VALUE_SET_SUFFIXES if path.name.endswith(x)), None)
        if suffix is None:
            continue
        root = _root(path, "GlobalValueSet")
        values: list[str] = []
        default = None
        for n, entry in enumerate(root.findall("customValue"), 1):
            value = text(entry, "fullName")
            if value is None:
                raise SchemaError(path, f"<customValue> #{n} <fullName>", "missing")
            if text(entry, "isActive", "true") == "false":
                continue
            values.append(value)
            if text(entry, "default") == "true":
                default = value
        found[path.name[: -len(suffix)]] = (tuple(values), default)
    return found


def _root(path: Path, expected: str) -> ET.Element:
    root = read_xml(path)
    if root.tag != expected:
        raise SchemaError(path, f"<{root.tag}>", f"expected a <{expected}> document")
    return root
