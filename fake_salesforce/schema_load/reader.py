"""Find and read the metadata under a path: which format each file is in, and what it holds.

A folder is searched for `objects` folders (SFDX source or Metadata API format, or both) and
for describe JSON files; hidden folders and node_modules are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from fake_salesforce.schema_load.describe_json import load_describe
from fake_salesforce.schema_load.errors import SchemaError
from fake_salesforce.schema_load.model import ObjectSource, Schema, ValueSets
from fake_salesforce.schema_load.objects import custom_object, fields_of, is_custom, is_sobject
from fake_salesforce.schema_load.sources import (
    mdapi_object,
    mdapi_objects,
    sfdx_objects,
    value_sets,
)

SKIPPED_DIRS = frozenset({"node_modules", "__pycache__"})
METADATA_DIRS = frozenset({"objects", "globalValueSets"})
NOT_SCHEMA = frozenset({"sfdx-project.json", "package.json", "package-lock.json"})
EXPECTED = (
    "expected an SFDX project (objects/<Object>/<Object>.object-meta.xml), a Metadata API "
    "package (objects/<Object>.object) or describe JSON (*.json)"
)


def load(path: Path) -> Schema:
    """The schema under `path` (a folder, an `.object` file or a describe `.json` file)."""
    if not path.exists():
        raise SchemaError(path, None, "no such file or folder")
    if path.is_file():
        if path.suffix == ".json":
            return load_describe(path)
        if path.suffix == ".object":
            return build([mdapi_object(path)])
        raise SchemaError(path, None, f"not a schema file: {EXPECTED}")
    schema = Schema()
    found = False
    folders = list(_metadata_dirs(path))
    sets: ValueSets = {}
    for folder in (f for f in folders if f.name == "globalValueSets"):
        sets |= value_sets(folder)
    for objects_dir in (f for f in folders if f.name == "objects"):
        found = True
        schema.merge(build([*sfdx_objects(objects_dir), *mdapi_objects(objects_dir)], sets))
    for json_path in sorted(path.glob("*.json")):
        if json_path.name not in NOT_SCHEMA:
            found = True
            schema.merge(load_describe(json_path))
    if not found:
        raise SchemaError(path, None, f"no objects found: {EXPECTED}")
    return schema


def _metadata_dirs(root: Path) -> Iterator[Path]:
    """Every `objects` and `globalValueSets` folder at or under `root`."""
    if root.name in METADATA_DIRS:
        yield root
        return
    stack = [root]
    while stack:
        folder = stack.pop()
        for child in sorted(folder.iterdir(), reverse=True):
            if not child.is_dir() or child.name.startswith(".") or child.name in SKIPPED_DIRS:
                continue
            if child.name in METADATA_DIRS:
                yield child
            else:
                stack.append(child)


def build(sources: list[ObjectSource], sets: ValueSets | None = None) -> Schema:
    """Custom objects become new objects; on any other object, only the custom fields are
    taken (a project's files for a standard field customise what the org already has).
    Custom metadata types, platform events and the like are not sObjects here: skipped."""
    schema = Schema()
    for source in sources:
        if not is_sobject(source.name):
            continue
        custom = [entry for entry in source.fields if is_custom(entry[1])]
        if is_custom(source.name):
            if source.element is None:
                raise SchemaError(
                    source.path, f"object {source.name}", "no .object-meta.xml for it"
                )
            fields = fields_of(custom, sets or {})
            schema.objects[source.name] = custom_object(
                source.name, source.element, fields, source.path
            )
        else:
            schema.extensions.setdefault(source.name, []).extend(fields_of(custom, sets or {}))
        for _, name, path in source.fields:
            schema.origins[(source.name, name)] = str(path)
        schema.origins[(source.name, "")] = str(source.path)
    return schema
