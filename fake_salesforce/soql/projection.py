"""The SELECT list as a record renderer: `attributes` first, then every field in the order asked.

Parent fields nest under the canonical relationship name, `"Account": {"attributes": ..., "Name":
...}` or `"Account": null` when the lookup is empty (docs/salesforce-wire.md 3.2 item 7).
Records come as dicts, or straight as JSON text for query pages (what json.dumps would write,
made faster).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii
from typing import TYPE_CHECKING, Any

from fake_salesforce import values
from fake_salesforce.schema import ObjectSpec
from fake_salesforce.soql import nodes
from fake_salesforce.soql.diagnostics import malformed
from fake_salesforce.soql.fields import Catalog, Resolved, resolve
from fake_salesforce.table import Row, Table

if TYPE_CHECKING:
    from fake_salesforce.soql.children import ChildQuery

Record = dict[str, Any]
RowRenderer = Callable[[Row], Record]
RowEncoder = Callable[[Row], str]
CONVERTED = frozenset({"datetime", "date"})
NUMBERS = frozenset({"double", "currency", "percent", "int"})


@dataclass
class Projection:
    """One object in the answer: its fields (by slot) and nested parents, in selection order."""

    spec: ObjectSpec
    table: Table
    entries: list[tuple[str, Any]] = field(default_factory=list)
    parents: dict[str, tuple[Projection, int]] = field(default_factory=dict)
    children: dict[str, ChildQuery] = field(default_factory=dict)

    def add_child(self, child: ChildQuery) -> None:
        """A subquery's result under its relationship name, at its place in the SELECT list."""
        self.children[child.key] = child
        self.entries.append((child.key, None))

    def add(self, catalog: Catalog, resolved: Resolved, depth: int) -> None:
        if depth == len(resolved.hops):
            spec = resolved.field
            if all(name != spec.name for name, _ in self.entries):
                self.entries.append((spec.name, (self.table.slots[spec.name], spec.type)))
            return
        hop = resolved.hops[depth]
        rel = hop.lookup.relationship_name or hop.lookup.name
        if rel not in self.parents:
            parent = Projection(hop.parent, catalog.table(hop.parent.name))
            self.parents[rel] = (parent, self.table.slots[hop.lookup.name])
            self.entries.append((rel, None))
        self.parents[rel][0].add(catalog, resolved, depth + 1)

    def compile(self, version: str) -> RowRenderer:
        """The row -> record function for one API version (URLs carry it)."""
        prefix = f"/services/data/v{version}/sobjects/{self.spec.name}/"
        build = _builder(self.spec.name, prefix, self.entries)
        converted = [(key, slot[0]) for key, slot in self.entries if slot and slot[1] in CONVERTED]
        parents = [
            (key, lookup, level.table.rows, level.compile(version))
            for key, (level, lookup) in self.parents.items()
        ]
        children = list(self.children.items())
        if not converted and not parents and not children:
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
            for key, child in children:
                out[key] = child.render(row, version)
            return out

        return render

    def columns(self, prefix: str = "") -> list[str]:
        """Flat column names in selection order, parents dotted (`Account.Name`), as Bulk CSV."""
        out: list[str] = []
        for key, slot in self.entries:
            if key in self.children:
                continue
            if slot is None:
                out += self.parents[key][0].columns(f"{prefix}{key}.")
            else:
                out.append(prefix + key)
        return out

    def flat(self, row: Row | None) -> list[Any]:
        """Raw stored values for `columns()` (None under an empty lookup), for Bulk results."""
        out: list[Any] = []
        for key, slot in self.entries:
            if key in self.children:
                continue
            if slot is None:
                level, lookup = self.parents[key]
                ref = row[lookup] if row is not None else None
                out += level.flat(level.table.rows.get(ref) if ref is not None else None)
            else:
                out.append(row[slot[0]] if row is not None else None)
        return out

    def compile_json(self, version: str) -> RowEncoder:
        """The row -> JSON object text function, equal to json.dumps of `compile`'s record."""
        prefix = f"/services/data/v{version}/sobjects/{self.spec.name}/"
        scope: dict[str, Any] = {
            "__builtins__": {},
            "str": str,
            "E": encode_basestring_ascii,
            "D": json.dumps,
            "J": values.to_json,
            "PREFIX": prefix,
        }
        head = '{"attributes":{"type":' + json.dumps(self.spec.name) + ',"url":'
        pieces = [repr(head), "E(PREFIX + row[0])", repr("}")]
        for n, (key, slot) in enumerate(self.entries):
            pieces.append(repr("," + json.dumps(key) + ":"))
            if key in self.children:
                scope[f"C{n}"] = self.children[key].render_json
                pieces.append(f"C{n}(row, {version!r})")
            elif slot is None:
                level, lookup = self.parents[key]
                scope[f"G{n}"], scope[f"P{n}"] = level.table.rows.get, level.compile_json(version)
                pieces.append(f"('null' if (p := G{n}(row[{int(lookup)}])) is None else P{n}(p))")
            else:
                pieces.append(_value_source(int(slot[0]), slot[1]))
        pieces.append(repr("}"))
        encode: RowEncoder = eval("lambda row: " + " + ".join(pieces), scope)
        return encode


def _value_source(slot: int, ftype: str) -> str:
    """Source of one field's JSON text, as json.dumps (ensure_ascii) writes it."""
    if ftype == "boolean":
        return f"('true' if row[{slot}] is True else 'false' if row[{slot}] is False else 'null')"
    if ftype in CONVERTED:
        return f"('null' if (v := row[{slot}]) is None else E(J(v)))"
    if ftype in NUMBERS:
        return f"('null' if (v := row[{slot}]) is None else D(v))"
    return f"('null' if (v := row[{slot}]) is None else E(v) if v.__class__ is str else D(v))"


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
) -> Projection:
    """The projection of these selected paths (duplicates are MALFORMED_QUERY)."""
    root = Projection(spec, table)
    seen: set[tuple[str, ...]] = set()
    for path in paths:
        resolved = resolve(catalog, spec, path, text)
        if resolved.key in seen:
            raise malformed(text, path.pos, f"duplicate field selected: {path.text}")
        seen.add(resolved.key)
        root.add(catalog, resolved, 0)
    return root
