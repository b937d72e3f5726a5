"""A loaded schema added to an org: new tables, new fields on existing ones, key prefixes minted,
lookups checked against the objects the org then has, child relationship names both ways."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from fake_salesforce.schema import FieldSpec, ObjectSpec
from fake_salesforce.schema_load.errors import SchemaError
from fake_salesforce.schema_load.model import Schema
from fake_salesforce.schema_load.objects import bare_standard_object, with_prefix
from fake_salesforce.table import Table

if TYPE_CHECKING:
    from fake_salesforce.org import Org


def install(org: Org, schema: Schema) -> None:
    """Add `schema` to `org`; nothing changes when it raises SchemaError."""
    with org.lock:
        new, extra = _plan(org, schema)
        names = {n.lower(): n for n in org.tables} | {s.name.lower(): s.name for s in new}
        new = [s.with_fields(_bound(s.name, s.fields, names, schema)) for s in new]
        extra = {obj: _bound(obj, fields, names, schema) for obj, fields in extra.items()}
        for spec in new:
            org.tables[spec.name] = Table(spec)
            org.deleted_at[spec.name] = {}
        for obj, fields in extra.items():
            if fields:
                org.tables[obj].add_fields(fields)
        org.refresh_schema()


def _plan(org: Org, schema: Schema) -> tuple[list[ObjectSpec], dict[str, list[FieldSpec]]]:
    """New objects (prefixes minted in name order) and the fields each existing object gains."""
    taken = {t.spec.key_prefix for t in org.tables.values()}
    extra: dict[str, list[FieldSpec]] = {}
    new: list[ObjectSpec] = []
    for name, fields in schema.extensions.items():
        existing = org.canonical(name)
        if existing is None:  # a standard object the fake does not model: a bare one
            bare = bare_standard_object(name, fields, taken)
            taken.add(bare.key_prefix)
            new.append(bare)
            continue
        extra.setdefault(existing, []).extend(fields)
    for name in sorted(schema.objects):
        spec = schema.objects[name]
        existing = org.canonical(name)
        if existing is not None:
            extra.setdefault(existing, []).extend(spec.fields)
            continue
        if spec.key_prefix in taken:
            origin = schema.origins.get((name, ""), name)
            raise SchemaError(origin, f"object {name} keyPrefix", f"{spec.key_prefix} is taken")
        spec = with_prefix(spec, taken)
        taken.add(spec.key_prefix)
        new.append(spec)
    for obj, fields in extra.items():
        have = {f.name.lower() for f in org.tables[obj].spec.fields}
        kept = {f.name.lower(): f for f in fields if f.name.lower() not in have}
        extra[obj] = list(kept.values())
    return new, extra


def _bound(
    obj: str, fields: Iterable[FieldSpec], names: dict[str, str], schema: Schema
) -> list[FieldSpec]:
    """`obj`'s fields with lookups pointed at canonical object names (a file's unknown target
    is an error, a describe snapshot's is dropped) and the child relationship names and
    delete rules a snapshot's parent gives."""
    bound = []
    for f in fields:
        if f.reference_to:
            f = _bound_reference(obj, f, names, schema)
        child = schema.child_names.get((obj, f.name))
        if child and f.child_relationship is None:
            f = replace(f, child_relationship=child)
        rule = schema.child_rules.get((obj, f.name))
        if rule and f.reference_to:
            f = replace(f, delete_constraint=rule)
        bound.append(f)
    return bound


def _bound_reference(obj: str, f: FieldSpec, names: dict[str, str], schema: Schema) -> FieldSpec:
    known = tuple(names[t.lower()] for t in f.reference_to if t.lower() in names)
    origin = schema.origins.get((obj, f.name))
    if origin is not None and len(known) < len(f.reference_to):
        missing = [t for t in f.reference_to if t.lower() not in names]
        raise SchemaError(
            origin, f"field {f.name} <referenceTo>", f"no object {', '.join(missing)} is loaded"
        )
    if not known:  # a snapshot's lookup to objects not loaded: no relationship to follow
        return replace(f, reference_to=(), relationship_name=None, child_relationship=None)
    return replace(f, reference_to=known)
