"""Field paths resolved against an org's schema, and fast getters over row slots.

`Account.Owner.Name` on Contact follows lookups by relationship name; each hop reads the parent
row from its table by Id, so a getter is a closure chain with no per-row dict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Protocol

from fake_salesforce.schema import FieldSpec, ObjectSpec
from fake_salesforce.soql import nodes
from fake_salesforce.soql.diagnostics import no_such_column, no_such_relationship, no_such_type
from fake_salesforce.table import Row, Table

Getter = Callable[[Row], Any]


class Catalog(Protocol):
    """What the engine needs of an org: its objects as it sees them, and their tables."""

    def object_spec(self, sobject: str) -> ObjectSpec | None: ...

    def table(self, sobject: str) -> Table: ...

    def object_names(self) -> Iterable[str]: ...


@dataclass(frozen=True)
class Hop:
    """One lookup followed: the lookup field, its relationship name, and the parent object."""

    lookup: FieldSpec
    parent: ObjectSpec


@dataclass(frozen=True)
class Resolved:
    """A field path bound to the schema: the hops from the base object and the final field."""

    hops: tuple[Hop, ...]
    field: FieldSpec
    owner: ObjectSpec

    @property
    def is_direct(self) -> bool:
        return not self.hops

    @property
    def key(self) -> tuple[str, ...]:
        """Canonical names, used to merge duplicates: ('Account', 'Name')."""
        rels = tuple(h.lookup.relationship_name or h.lookup.name for h in self.hops)
        return (*rels, self.field.name)


def require_object(catalog: Catalog, name: str, text: str, pos: int) -> ObjectSpec:
    spec = catalog.object_spec(name)
    if spec is None:
        raise no_such_type(text, pos, name)
    return spec


def child_relationship(
    catalog: Catalog, parent: ObjectSpec, name: str
) -> tuple[ObjectSpec, FieldSpec] | None:
    """The child object and its lookup field behind relationship `name` of `parent`
    (`Contacts` on Account: Contact.AccountId), case-insensitively."""
    wanted = name.lower()
    for child_name in catalog.object_names():
        child = catalog.object_spec(child_name)
        for f in child.fields if child is not None else ():
            rel = f.child_relationship
            if rel is not None and rel.lower() == wanted and parent.name in f.reference_to:
                return child, f  # type: ignore[return-value]
    return None


def resolve(catalog: Catalog, base: ObjectSpec, path: nodes.FieldPath, text: str) -> Resolved:
    """Bind `path` on `base`, or raise Salesforce's INVALID_FIELD for the first unknown part."""
    spec = base
    hops: list[Hop] = []
    parts = path.parts
    # A leading object name is allowed: `Contact.Email` on Contact means `Email`.
    if (
        len(parts) > 1
        and parts[0].lower() == base.name.lower()
        and base.relationship(parts[0]) is None
    ):
        parts = parts[1:]
    for part in parts[:-1]:
        lookup = spec.relationship(part)
        parent = catalog.object_spec(lookup.reference_to[0]) if lookup else None
        if lookup is None or parent is None:
            raise no_such_relationship(text, path.pos, part)
        hops.append(Hop(lookup, parent))
        spec = parent
    found = spec.field(parts[-1])
    if found is None:
        name = path.text if not hops else parts[-1]
        raise no_such_column(text, path.pos, name, spec.name)
    return Resolved(tuple(hops), found, spec)


def getter(catalog: Catalog, base: Table, resolved: Resolved) -> Getter:
    """A function row -> value for the path (None when a lookup on the way is empty)."""
    if resolved.is_direct:
        return itemgetter(base.slots[resolved.field.name])
    steps: list[tuple[int, dict[str, Row]]] = []
    table = base
    for hop in resolved.hops:
        parent = catalog.table(hop.parent.name)
        steps.append((table.slots[hop.lookup.name], parent.rows))
        table = parent
    last = table.slots[resolved.field.name]
    if len(steps) == 1:
        slot, rows = steps[0]

        def one_hop(row: Row) -> Any:
            parent_row = rows.get(row[slot]) if row[slot] is not None else None
            return None if parent_row is None else parent_row[last]

        return one_hop

    def many_hops(row: Row) -> Any:
        current: Row | None = row
        for slot, rows in steps:
            ref = current[slot] if current is not None else None
            current = rows.get(ref) if ref is not None else None
        return None if current is None else current[last]

    return many_hops
