"""What `/query` tells about a statement without running it: column metadata and a query plan.

`GET /query?q=...&columns=true` (what the Salesforce CLI asks before `sf data query` prints a
table, plugin-data `retrieveColumns`): `columnMetadata` per SELECT item, with `joinColumns` for a
parent path (`Account.Name` is column `Account` joining `Name`) and `aggregate` for COUNT;
`entityName`, `groupBy`, `idSelected`, `keyPrefix`.

`GET /query?explain=...` (REST API Developer Guide, "Get Feedback on Query Performance"):
`plans`, cheapest first, each with `cardinality`, `fields`, `leadingOperationType` (`Index` or
`TableScan`), `notes`, `relativeCost`, `sobjectCardinality`, `sobjectType`. The fake offers an
Index plan exactly when its own engine would probe an index for the filter; its cost is the
share of the object's rows the probe returns. A TableScan costs 1.0 (no cheaper plan exists).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fake_salesforce.schema import FieldSpec, ObjectSpec
from fake_salesforce.soql import nodes
from fake_salesforce.soql.expansion import expand_fields
from fake_salesforce.soql.fields import Catalog, require_object, resolve
from fake_salesforce.soql.literals import Context
from fake_salesforce.soql.parser import parse
from fake_salesforce.soql.predicate import Compiler

APEX_TYPES = {
    "id": "Id",
    "reference": "Id",
    "string": "String",
    "textarea": "String",
    "email": "String",
    "phone": "String",
    "url": "String",
    "picklist": "String",
    "multipicklist": "String",
    "boolean": "Boolean",
    "int": "Integer",
    "double": "Double",
    "currency": "Double",
    "percent": "Double",
    "date": "Date",
    "datetime": "Datetime",
}
NUMBERS = frozenset({"int", "double", "currency", "percent"})
TEXT = frozenset({"string", "textarea", "email", "phone", "url", "picklist", "multipicklist"})


def columns(text: str, catalog: Catalog) -> dict[str, Any]:
    """The `columns=true` answer for `text` (parsed and bound, not run)."""
    query = parse(text)
    spec = require_object(catalog, query.sobject, text, query.sobject_pos)
    query = expand_fields(query, spec)
    out: list[dict[str, Any]] = []
    unnamed = 0
    for item in query.select:
        if isinstance(item, nodes.FieldPath):
            _add_path(out, catalog, spec, item, text)
        elif isinstance(item, nodes.CountField | nodes.Aggregate):
            name = item.alias or f"expr{unnamed}"
            unnamed += item.alias is None
            out.append(_aggregate(name, *_function(catalog, spec, item, text)))
        elif isinstance(item, nodes.CountAll):
            out.append(_aggregate("expr0", "COUNT()", "Integer"))
    ids = [c for c in out if c["columnName"] == "Id" and not c["joinColumns"]]
    return {
        "columnMetadata": out,
        "entityName": spec.name,
        "groupBy": bool(query.group_by),
        "idSelected": bool(ids),
        "keyPrefix": spec.key_prefix,
    }


def _add_path(
    out: list[dict[str, Any]], catalog: Catalog, spec: ObjectSpec, path: nodes.FieldPath, text: str
) -> None:
    resolved = resolve(catalog, spec, path, text)
    level = out
    display = ""
    for hop in resolved.hops:
        name = hop.lookup.relationship_name or hop.lookup.name
        display = f"{display}.{name}" if display else name
        found = next((c for c in level if c["columnName"] == name and c["joinColumns"]), None)
        if found is None:
            found = _column(name, display, hop.lookup, join=True)
            level.append(found)
        level = found["joinColumns"]
    field = resolved.field
    if all(c["columnName"] != field.name for c in level):
        shown = f"{display}.{field.name}" if display else field.name
        level.append(_column(field.name, shown, field))


def _column(name: str, display: str, field: FieldSpec, join: bool = False) -> dict[str, Any]:
    return {
        "aggregate": False,
        "apexType": None if join else APEX_TYPES.get(field.type, "String"),
        "booleanType": not join and field.type == "boolean",
        "columnName": name,
        "custom": field.custom,
        "displayName": display,
        "foreignKeyName": None,
        "insertable": field.createable,
        "joinColumns": [],
        "numberType": not join and field.type in NUMBERS,
        "textType": not join and field.type in TEXT,
        "updatable": field.updateable,
    }


def _function(
    catalog: Catalog, spec: ObjectSpec, item: nodes.CountField | nodes.Aggregate, text: str
) -> tuple[str, str]:
    """Display name and Apex type of an aggregate column: counts are Integer, SUM and AVG
    Double, MIN and MAX the aggregated field's type."""
    function = item.function if isinstance(item, nodes.Aggregate) else "COUNT"
    display = f"{function}({item.path.text})"
    if function in ("COUNT", "COUNT_DISTINCT"):
        return display, "Integer"
    if function in ("SUM", "AVG"):
        return display, "Double"
    field = resolve(catalog, spec, item.path, text).field
    return display, APEX_TYPES.get(field.type, "String")


def _aggregate(name: str, display: str, apex_type: str) -> dict[str, Any]:
    return {
        "aggregate": True,
        "apexType": apex_type,
        "booleanType": apex_type == "Boolean",
        "columnName": name,
        "custom": False,
        "displayName": display,
        "foreignKeyName": None,
        "insertable": False,
        "joinColumns": [],
        "numberType": apex_type in ("Integer", "Double"),
        "textType": apex_type == "String",
        "updatable": False,
    }


def explain(text: str, catalog: Catalog, now: datetime, zone: str) -> dict[str, Any]:
    """The `explain=` answer: an Index plan when the engine would probe, then a TableScan."""
    query = parse(text)
    spec = require_object(catalog, query.sobject, text, query.sobject_pos)
    expand_fields(query, spec)  # FIELDS(ALL) without LIMIT is as malformed here as in a query
    table = catalog.table(spec.name)
    deleted = table.slots["IsDeleted"]
    live = sum(1 for row in table.rows.values() if not row[deleted])
    filtered = _filter_fields(query.where, catalog, spec, text)
    indexed = [name for name in filtered if table.is_indexed(name)]
    plans = []
    if query.where is not None:
        compiled = Compiler(catalog, spec, table, Context(text, now, zone)).condition(query.where)
        found = compiled.probe() if compiled.probe is not None else None
        if found is not None:
            hits = sum(1 for rid in found if rid in table.rows and not table.rows[rid][deleted])
            plans.append(_plan(spec, "Index", hits, live, indexed, hits / max(live, 1)))
    unindexed = [name for name in filtered if name not in indexed]
    notes = (
        [
            {
                "description": "Not considering filter for optimization because unindexed",
                "fields": unindexed,
                "tableEnumOrId": spec.name,
            }
        ]
        if unindexed
        else []
    )
    plans.append(_plan(spec, "TableScan", live, live, [], 1.0, notes))
    return {"plans": plans}


def _plan(
    spec: ObjectSpec,
    kind: str,
    cardinality: int,
    total: int,
    fields: list[str],
    cost: float,
    notes: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "cardinality": cardinality,
        "fields": fields,
        "leadingOperationType": kind,
        "notes": notes or [],
        "relativeCost": round(cost, 6),
        "sobjectCardinality": total,
        "sobjectType": spec.name,
    }


def _filter_fields(
    where: nodes.Condition | None, catalog: Catalog, spec: ObjectSpec, text: str
) -> list[str]:
    """Direct fields the WHERE clause filters on, in order of appearance, each once."""
    names: list[str] = []

    def walk(node: nodes.Condition) -> None:
        if isinstance(node, nodes.And | nodes.Or):
            for child in node.items:
                walk(child)
        elif isinstance(node, nodes.Not):
            walk(node.item)
        elif isinstance(node, nodes.AggregateTest):
            return
        else:
            resolved = resolve(catalog, spec, node.path, text)
            if resolved.is_direct and resolved.field.name not in names:
                names.append(resolved.field.name)

    if where is not None:
        walk(where)
    return names
