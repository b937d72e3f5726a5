"""Aggregate queries: COUNT, COUNT_DISTINCT, MIN, MAX, SUM, AVG with or without GROUP BY, and
HAVING, answered as AggregateResult rows.

Unaliased aggregates are named expr0, expr1, ... in SELECT order; grouped fields keep their
field name (SOQL reference, "Using Aliases with GROUP BY" and "Aggregate Functions").
Text groups compare case-insensitively; groups come in value order unless ORDER BY says otherwise.
HAVING filters the groups after aggregation (SOQL reference, "HAVING").
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
from fake_salesforce.soql.having import compile_having
from fake_salesforce.soql.literals import Context
from fake_salesforce.soql.measures import Measure, measure
from fake_salesforce.soql.projection import Record
from fake_salesforce.table import Table

AGGREGATES = (nodes.CountField, nodes.Aggregate)


@dataclass
class Group:
    """One group: its grouped values as shown, its row count and each measure's state."""

    shown: tuple[Any, ...]
    found: list[Any] = field(default_factory=list)
    rows: int = 0


@dataclass
class Plan:
    """Grouping getters, output columns and the measures to compute per group."""

    query: nodes.Query
    catalog: Catalog
    spec: ObjectSpec
    table: Table
    keys: list[Getter] = field(default_factory=list)
    position: dict[tuple[str, ...], int] = field(default_factory=dict)
    columns: list[tuple[str, str, int]] = field(default_factory=list)  # (name, kind, index)
    measures: list[Measure] = field(default_factory=list)

    def key_index(self, path: nodes.FieldPath, message: str) -> int:
        """The GROUP BY position of `path`, or MALFORMED_QUERY with `message`."""
        found = resolve(self.catalog, self.spec, path, self.query.text).key
        if found not in self.position:
            raise malformed(self.query.text, path.pos, f"{message}: {path.text}")
        return self.position[found]

    def measure_index(self, function: str, path: nodes.FieldPath | None) -> int:
        """The index of `function(path)`, added when not yet computed."""
        wanted = measure(self.catalog, self.spec, self.table, function, path, self.query.text)
        for i, known in enumerate(self.measures):
            if known.key == wanted.key:
                return i
        self.measures.append(wanted)
        return len(self.measures) - 1

    def value(self, group: Group, index: int) -> Any:
        return self.measures[index].value(group.found[index], group.rows)


def is_aggregate(query: nodes.Query) -> bool:
    """Whether `query` answers AggregateResult rows."""
    if query.group_by or query.having:
        return True
    for item in query.select:
        if isinstance(item, AGGREGATES):
            return True
    return any(key.function is not None for key in query.order_by)


def aggregate(
    query: nodes.Query,
    catalog: Catalog,
    spec: ObjectSpec,
    table: Table,
    ids: list[str],
    ctx: Context,
) -> list[Record]:
    """The AggregateResult records of `query` over the matching `ids`, filtered, ordered, cut."""
    plan = _plan(query, catalog, spec, table)
    keep = compile_having(plan, query.having, ctx) if query.having is not None else None
    groups = _groups(plan, table, ids)
    kept = [g for g in groups if keep(g)] if keep is not None else groups
    ordered = _order(kept, plan)
    start = query.offset or 0
    ordered = ordered[start:] if query.limit is None else ordered[start : start + query.limit]
    return [_record(group, plan) for group in ordered]


def _groups(plan: Plan, table: Table, ids: list[str]) -> list[Group]:
    groups: dict[tuple[Any, ...], Group] = {}
    rows = table.rows
    keys = plan.keys
    counts = [m.counts for m in plan.measures]
    counters = [(i, m.get) for i, m in enumerate(plan.measures) if m.counts and m.get]
    collectors = [(i, m.get) for i, m in enumerate(plan.measures) if not m.counts and m.get]
    for rid in ids:
        row = rows[rid]
        shown = tuple([get(row) for get in keys])
        norm = tuple([v.lower() if isinstance(v, str) else v for v in shown])
        group = groups.get(norm)
        if group is None:
            group = groups[norm] = Group(shown, _fresh(counts))
        group.rows += 1
        found = group.found
        for i, get in counters:
            if get(row) is not None:
                found[i] += 1
        for i, get in collectors:
            if (value := get(row)) is not None:
                found[i].append(value)
    if not plan.query.group_by and not groups:
        groups[()] = Group((), _fresh(counts))
    return list(groups.values())


def _fresh(counts: list[bool]) -> list[Any]:
    """A new group's measure states: a count for COUNT, a value list for the others."""
    return [0 if c else [] for c in counts]


def _plan(query: nodes.Query, catalog: Catalog, spec: ObjectSpec, table: Table) -> Plan:
    text = query.text
    plan = Plan(query, catalog, spec, table)
    resolved = [resolve(catalog, spec, path, text) for path in query.group_by]
    plan.position = {r.key: i for i, r in enumerate(resolved)}
    plan.keys = [getter(catalog, table, r) for r in resolved]
    unnamed = 0
    for item in query.select:
        if isinstance(item, nodes.CountAll):
            raise malformed(text, item.pos, "COUNT() must be the only element in the SELECT list.")
        if isinstance(item, nodes.FieldPath):
            index = plan.key_index(item, "Field must be grouped or aggregated")
            name = resolve(catalog, spec, item, text).field.name
            plan.columns.append((name, "key", index))
            continue
        if isinstance(item, nodes.SubQuery | nodes.FieldsFn):
            raise malformed(text, item.pos, "Nested queries are not supported in aggregate query")
        function = item.function if isinstance(item, nodes.Aggregate) else "COUNT"
        if item.alias is None:
            unnamed += 1
        index = plan.measure_index(function, item.path)
        plan.columns.append((item.alias or f"expr{unnamed - 1}", "measure", index))
    for key in query.order_by:  # measured while grouping, like the selected ones
        if key.function is not None:
            plan.measure_index(key.function, key.path)
    return plan


def _order(groups: list[Group], plan: Plan) -> list[Group]:
    """Groups in ORDER BY order (grouped fields or aggregates), else by grouped values."""
    query = plan.query
    keys: list[tuple[Callable[[Group], Any], bool, bool]] = [
        (_shown(i), False, False) for i in range(len(query.group_by))
    ][::-1]
    if query.order_by:
        keys = []
        for key in reversed(query.order_by):
            if key.function is not None:
                index = plan.measure_index(key.function, key.path)
                keys.append((_measured(plan, index), key.descending, key.nulls_last))
                continue
            index = plan.key_index(key.path, "Ordered field must be grouped or aggregated")
            keys.append((_shown(index), key.descending, key.nulls_last))
    for value, descending, nulls_last in keys:
        groups.sort(
            key=_sort_key(value, (1 if nulls_last else 0) ^ (1 if descending else 0)),
            reverse=descending,
        )
    return groups


def _shown(index: int) -> Callable[[Group], Any]:
    return lambda group: group.shown[index]


def _measured(plan: Plan, index: int) -> Callable[[Group], Any]:
    return lambda group: plan.value(group, index)


def _sort_key(value_of: Callable[[Group], Any], null_rank: int) -> Callable[[Group], Any]:
    def sort_key(group: Group) -> tuple[int, Any]:
        value = value_of(group)
        if value is None:
            return (null_rank, 0)
        return (1 - null_rank, value.lower() if isinstance(value, str) else value)

    return sort_key


def _record(group: Group, plan: Plan) -> Record:
    out: Record = {"attributes": {"type": "AggregateResult"}}
    for name, kind, index in plan.columns:
        if kind == "key":
            out[name] = values.to_json(group.shown[index])
        else:
            out[name] = values.to_json(plan.value(group, index))
    return out
