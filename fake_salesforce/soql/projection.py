"""The SELECT list as a record renderer: `attributes` first, then every field in the order asked.

Parent fields nest under the canonical relationship name, `"Account": {"attributes": ..., "Name":
...}` or `"Account": null` when the lookup is empty (salesforce-api.md §3.3 item 7).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fake_salesforce import values
from fake_salesforce.schema import ObjectSpec
from fake_salesforce.soql import nodes
from fake_salesforce.soql.diagnostics import malformed
from fake_salesforce.soql.fields import Catalog, Resolved, resolve
from fake_salesforce.table import Row, Table

Record = dict[str, Any]
RowRenderer = Callable[[Row], Record]
Renderer = Callable[[str], RowRenderer]
CONVERTED = frozenset({"datetime", "date"})


@dataclass
class _Level:
    """One object in the answer: its fields (by slot) and nested parents, in selection order."""

    spec: ObjectSpec
    table: Table
    entries: list[tuple[str, Any]] = field(default_factory=list)
    parents: dict[str, tuple[_Level, int]] = field(default_factory=dict)

    def add(self, catalog: Catalog, resolved: Resolved, depth: int) -> None:
        if depth == len(resolved.hops):
            spec = resolved.field
            if all(name != spec.name for name, _ in self.entries):
                convert = spec.type in CONVERTED
                self.entries.append((spec.name, (self.table.slots[spec.name], convert)))
            return
        hop = resolved.hops[depth]
        rel = hop.lookup.relationship_name or hop.lookup.name
        if rel not in self.parents:
            parent = _Level(hop.parent, catalog.table(hop.parent.name))
            self.parents[rel] = (parent, self.table.slots[hop.lookup.name])
            self.entries.append((rel, None))
        self.parents[rel][0].add(catalog, resolved, depth + 1)

    def compile(self, version: str) -> RowRenderer:
        """The row -> record function for one API version (URLs carry it)."""
        prefix = f"/services/data/v{version}/sobjects/{self.spec.name}/"
        build = _builder(self.spec.name, prefix, self.entries)
        converted = [(key, slot[0]) for key, slot in self.entries if slot and slot[1]]
        parents = [
            (key, lookup, level.table.rows, level.compile(version))
            for key, (level, lookup) in self.parents.items()
        ]
        if not converted and not parents:
            return build

        def render(row: Row) -> Record:
            out = build(row)
            for key, slot in converted:
                value = row[slot]
                if value is not None:
                    out[key] = values.to_json(value)
            for key, lookup, rows, parent_render in parents:
                ref = row[lookup]
                parent = rows.get(ref) if ref is not None else None
                out[key] = None if parent is None else parent_render(parent)
            return out

        return render


def _builder(name: str, prefix: str, entries: list[tuple[str, Any]]) -> RowRenderer:
    """A generated `row -> {"attributes": ..., field: row[slot], ...}` (one dict display).

    Generated like dataclasses' methods because it renders every row of every page: a display
    is several times faster than a loop. Only schema names (repr-quoted) and int slots go in.
    Parent keys get a None placeholder that `compile` overwrites, which keeps the key order.
    """
    items = ", ".join(
        f"{key!r}: {'None' if slot is None else f'row[{int(slot[0])}]'}" for key, slot in entries
    )
    source = (
        f"lambda row: {{'attributes': {{'type': {name!r}, 'url': {prefix!r} + row[0]}}, {items}}}"
    )
    build: RowRenderer = eval(source, {"__builtins__": {}})
    return build


def renderer(
    catalog: Catalog, spec: ObjectSpec, table: Table, paths: list[nodes.FieldPath], text: str
) -> Renderer:
    """The function api version -> (row -> record) for these selected paths."""
    root = _Level(spec, table)
    seen: set[tuple[str, ...]] = set()
    for path in paths:
        resolved = resolve(catalog, spec, path, text)
        if resolved.key in seen:
            raise malformed(text, path.pos, f"duplicate field selected: {path.text}")
        seen.add(resolved.key)
        root.add(catalog, resolved, 0)
    return root.compile
