"""FIELDS(ALL), FIELDS(STANDARD) and FIELDS(CUSTOM) replaced by the field names they stand for.

SOQL and SOSL Reference, "SELECT" (FIELDS()): ALL is every field of the object, CUSTOM its
custom fields, STANDARD the rest, each as describe lists them for this org (package fields only
when installed; field-level security already applied by the catalog; read-only fields are still
readable). ALL and CUSTOM are unbounded and need `LIMIT n` with n at most 200; STANDARD does not.
A field named both explicitly and through FIELDS() is "duplicate field selected", as in
Salesforce.
"""

from __future__ import annotations

from dataclasses import replace

from fake_salesforce.schema import FieldSpec, ObjectSpec
from fake_salesforce.soql import nodes
from fake_salesforce.soql.diagnostics import malformed

FIELDS_LIMIT = 200
UNBOUNDED_MESSAGE = "The SOQL FIELDS function must have a LIMIT of at most 200"


def expand_fields(query: nodes.Query, spec: ObjectSpec) -> nodes.Query:
    """`query` with each FIELDS() item replaced by its fields, in describe order."""
    groups = [item for item in query.select if isinstance(item, nodes.FieldsFn)]
    if not groups:
        return query
    unbounded = next((g for g in groups if g.kind != "STANDARD"), None)
    if unbounded is not None and (query.limit is None or query.limit > FIELDS_LIMIT):
        raise malformed(query.text, unbounded.pos, UNBOUNDED_MESSAGE)
    select: list[nodes.SelectItem] = []
    for item in query.select:
        if isinstance(item, nodes.FieldsFn):
            select += [nodes.FieldPath((f.name,), item.pos) for f in spec.fields if _in(f, item)]
        else:
            select.append(item)
    return replace(query, select=tuple(select))


def _in(field: FieldSpec, group: nodes.FieldsFn) -> bool:
    return group.kind == "ALL" or field.custom == (group.kind == "CUSTOM")
