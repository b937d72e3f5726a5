"""Aggregate queries: COUNT(field) with or without GROUP BY, answered as AggregateResult rows.

Unaliased aggregates are named expr0, expr1, ... in SELECT order; grouped fields keep their
field name (SOQL reference, "Using Aliases with GROUP BY" and "COUNT() and COUNT(fieldName)").
Text groups compare case-insensitively; groups come in value order unless ORDER BY says otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fake_salesforce import values
from fake_salesforce.schema import ObjectSpec
from fake_salesforce.soql import nodes
from fake_salesforce.soql.diagnostics import malformed
from fake_salesforce.soql.fields import Catalog, Getter, getter, resolve
from fake_salesforce.soql.projection import Record
from fake_salesforce.table import Table


@dataclass
class _Group:
    shown: tuple[Any, ...]
    counts: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _Plan:
    keys: list[Getter]
    columns: list[tuple[str, str, int]]  # (output name, "key" | "count", index)
    counters: list[Getter]


def aggregate(
    query: nodes.Query, catalog: Catalog, spec: ObjectSpec, table: Table, ids: list[str]
) -> list[Record]:
    """The AggregateResult records of `query` over the matching `ids`, ordered and cut."""
    plan = _plan(query, catalog, spec, table)
    groups: dict[tuple[Any, ...], _Group] = {}
    rows = table.rows
    for rid in ids:
        row = rows[rid]
        shown = tuple(get(row) for get in plan.keys)
        norm = tuple(v.lower() if isinstance(v, str) else v for v in shown)
        group = groups.get(norm)
        if group is None:
            group = groups[norm] = _Group(shown, [0] * len(plan.counters))
        for i, count in enumerate(plan.counters):
            if count(row) is not None:
                group.counts[i] += 1
    if not query.group_by and not groups:
        groups[()] = _Group((), [0] * len(plan.counters))
    ordered = _order(list(groups.values()), query, catalog, spec)
    start = query.offset or 0
    ordered = ordered[start:] if query.limit is None else ordered[start : start + query.limit]
    return [_record(group, plan) for group in ordered]


def _plan(query: nodes.Query, catalog: Catalog, spec: ObjectSpec, table: Table) -> _Plan:
    text = query.text
    resolved = [resolve(catalog, spec, path, text) for path in query.group_by]
    position = {r.key: i for i, r in enumerate(resolved)}
    columns: list[tuple[str, str, int]] = []
    counters: list[Getter] = []
    unnamed = 0
    for item in query.select:
        if isinstance(item, nodes.CountAll):
            raise malformed(text, item.pos, "COUNT() must be the only element in the SELECT list.")
        if isinstance(item, nodes.FieldPath):
            target = resolve(catalog, spec, item, text)
            if target.key not in position:
                raise malformed(text, item.pos, f"Field must be grouped or aggregated: {item.text}")
            columns.append((target.field.name, "key", position[target.key]))
            continue
        if isinstance(item, nodes.SubQuery):
            raise malformed(text, item.pos, "Nested queries are not supported in aggregate query")
        if item.alias is None:
            unnamed += 1
        columns.append((item.alias or f"expr{unnamed - 1}", "count", len(counters)))
        counters.append(getter(catalog, table, resolve(catalog, spec, item.path, text)))
    keys = [getter(catalog, table, r) for r in resolved]
    return _Plan(keys, columns, counters)


def _order(
    groups: list[_Group], query: nodes.Query, catalog: Catalog, spec: ObjectSpec
) -> list[_Group]:
    text = query.text
    position = {resolve(catalog, spec, p, text).key: i for i, p in enumerate(query.group_by)}
    keys = [(i, False, False) for i in range(len(query.group_by))][::-1]
    if query.order_by:
        keys = []
        for key in reversed(query.order_by):
            found = resolve(catalog, spec, key.path, text).key
            if found not in position:
                raise malformed(
                    text,
                    key.path.pos,
                    f"Ordered field must be grouped or aggregated: {key.path.text}",
                )
            keys.append((position[found], key.descending, key.nulls_last))
    for index, descending, nulls_last in keys:
        groups.sort(
            key=_sort_key(index, (1 if nulls_last else 0) ^ (1 if descending else 0)),
            reverse=descending,
        )
    return groups


def _sort_key(index: int, null_rank: int) -> Callable[[_Group], tuple[int, Any]]:
    def sort_key(group: _Group) -> tuple[int, Any]:
        value = group.shown[index]
        if value is None:
            return (null_rank, 0)
        return (1 - null_rank, value.lower() if isinstance(value, str) else value)

    return sort_key


def _record(group: _Group, plan: _Plan) -> Record:
    out: Record = {"attributes": {"type": "AggregateResult"}}
    for name, kind, index in plan.columns:
        out[name] = values.to_json(group.shown[index]) if kind == "key" else group.counts[index]
    return out
