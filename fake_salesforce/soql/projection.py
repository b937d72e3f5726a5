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
Renderer = Callable[[Row, str], Record]
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

    def render(self, row: Row, version: str) -> Record:
        name = self.spec.name
        out: Record = {
            "attributes": {
                "type": name,
                "url": f"/services/data/v{version}/sobjects/{name}/{row[0]}",
            }
        }
        for key, slot in self.entries:
            if slot is None:
                level, lookup = self.parents[key]
                ref = row[lookup]
                parent = level.table.rows.get(ref) if ref is not None else None
                out[key] = None if parent is None else level.render(parent, version)
                continue
            value = row[slot[0]]
            out[key] = values.to_json(value) if slot[1] and value is not None else value
        return out


def renderer(
    catalog: Catalog, spec: ObjectSpec, table: Table, paths: list[nodes.FieldPath], text: str
) -> Renderer:
    """The function (row, api version) -> record for these selected paths."""
    root = _Level(spec, table)
    seen: set[tuple[str, ...]] = set()
    for path in paths:
        resolved = resolve(catalog, spec, path, text)
        if resolved.key in seen:
            raise malformed(text, path.pos, f"duplicate field selected: {path.text}")
        seen.add(resolved.key)
        root.add(catalog, resolved, 0)
    return root.render
