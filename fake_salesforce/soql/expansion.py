"""FIELDS(ALL), FIELDS(STANDARD) and FIELDS(CUSTOM) replaced by the field names they stand for.

SOQL and SOSL Reference, "SELECT" (FIELDS()): ALL is every field of the object, CUSTOM its
custom fields, STANDARD the rest, each as describe lists them for this org (package fields only
when installed; field-level security already applied by the catalog; read-only fields are still
readable). ALL and CUSTOM are unbounded and need `LIMIT n` with n at most 200; STANDARD does not.
A field named both explicitly and through FIELDS() is "duplicate field selected", as in
Salesforce. Parent-to-child subqueries take FIELDS() too, under their own LIMIT.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fake_salesforce.schema import FieldSpec, ObjectSpec
from fake_salesforce.soql import nodes
from fake_salesforce.soql.diagnostics import malformed

FIELDS_LIMIT = 200
Item = Any  # a SELECT item: nodes.SelectItem, or a subquery's FieldPath / FieldsFn
UNBOUNDED_MESSAGE = "The SOQL FIELDS function must have a LIMIT of at most 200"


def expand_fields(query: nodes.Query, spec: ObjectSpec) -> nodes.Query:
    """`query` with each FIELDS() item replaced by its fields, in describe order."""
    for item in query.select:
        if isinstance(item, nodes.FieldsFn):
            return replace(query, select=expand(query.select, query.limit, spec, query.text))
    return query


def expand(
    select: tuple[Item, ...], limit: int | None, spec: ObjectSpec, text: str
) -> tuple[Item, ...]:
    """A SELECT list (of a query or a parent-to-child subquery) with FIELDS() expanded."""
    groups = [item for item in select if isinstance(item, nodes.FieldsFn)]
    unbounded = next((g for g in groups if g.kind != "STANDARD"), None)
    if unbounded is not None and (limit is None or limit > FIELDS_LIMIT):
        raise malformed(text, unbounded.pos, UNBOUNDED_MESSAGE)
    out: list[Item] = []
    for item in select:
        if isinstance(item, nodes.FieldsFn):
            out += [nodes.FieldPath((f.name,), item.pos) for f in spec.fields if _in(f, item)]
        else:
            out.append(item)
    return tuple(out)


def _in(field: FieldSpec, group: nodes.FieldsFn) -> bool:
    return group.kind == "ALL" or field.custom == (group.kind == "CUSTOM")
