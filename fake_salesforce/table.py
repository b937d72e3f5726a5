"""The records of one sObject, stored compactly as rows, with the indexes Salesforce keeps.

Rows are lists in the order of the object's field slots (far smaller than a dict per record at
a million records). Equality indexes cover Id, Email, external Ids and lookups; sorted indexes
cover indexed datetimes such as SystemModstamp, so `=`, `IN` and range filters avoid a scan.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from sortedcontainers import SortedList

from fake_salesforce.schema import FieldSpec, ObjectSpec

Row = list[Any]


def index_key(value: Any) -> Any:
    """Text compares case-insensitively in SOQL and in index look-ups."""
    return value.lower() if isinstance(value, str) else value


class Table:
    """Rows of one sObject keyed by 18-character Id, with equality and range indexes."""

    def __init__(self, spec: ObjectSpec) -> None:
        self.spec = spec
        self.slots: dict[str, int] = {f.name: i for i, f in enumerate(spec.fields)}
        self.rows: dict[str, Row] = {}
        self._defaults: Row = [f.default for f in spec.fields]
        self._eq: dict[str, dict[Any, str | set[str]]] = {}
        self._sorted: dict[str, SortedList] = {}
        self._add_indexes(spec.fields)

    def _add_indexes(self, fields: Iterable[FieldSpec]) -> None:
        for f in fields:
            if f.name == "Id":
                continue
            if f.indexed or f.external_id or f.unique:
                if f.type in ("datetime", "date"):
                    self._sorted[f.name] = SortedList()
                else:
                    self._eq[f.name] = {}

    def add_fields(self, fields: list[FieldSpec]) -> None:
        """New fields at the end of every row, set to their defaults (a schema loaded later)."""
        first = len(self.spec.fields)
        self.spec = self.spec.with_fields((*self.spec.fields, *fields))
        self.slots.update({f.name: first + i for i, f in enumerate(fields)})
        added = [f.default for f in fields]
        self._defaults += added
        for row in self.rows.values():
            row += added
        self._add_indexes(fields)
        for f in fields:
            for rid, row in self.rows.items():
                self._index(f.name, rid, row[self.slots[f.name]])

    # -- reading -------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.rows)

    def __contains__(self, record_id: str) -> bool:
        return record_id in self.rows

    def live_count(self) -> int:
        """Records not in the recycle bin (every record of an object that has none)."""
        deleted = self.slots.get("IsDeleted")
        if deleted is None:
            return len(self.rows)
        return sum(1 for row in self.rows.values() if not row[deleted])

    def row(self, record_id: str) -> Row | None:
        return self.rows.get(record_id)

    def value(self, row: Row, name: str) -> Any:
        return row[self.slots[name]]

    def as_dict(self, row: Row, fields: Iterable[FieldSpec] | None = None) -> dict[str, Any]:
        chosen = self.spec.fields if fields is None else fields
        return {f.name: row[self.slots[f.name]] for f in chosen}

    def is_indexed(self, name: str) -> bool:
        return name == "Id" or name in self._eq or name in self._sorted

    def sorted_indexes(self) -> dict[str, SortedList]:
        """The range indexes by field name: (value, Id) pairs in value order."""
        return self._sorted

    def lookup(self, name: str, values: Iterable[Any]) -> set[str] | None:
        """Ids whose `name` equals one of `values` (None when the field has no index)."""
        if name == "Id":
            return {v for v in values if isinstance(v, str) and v in self.rows}
        if name in self._sorted:
            found: set[str] = set()
            index = self._sorted[name]
            for v in values:
                found.update(rid for _, rid in index.irange((v, ""), (v, "\uffff")))
            return found
        eq = self._eq.get(name)
        if eq is None:
            return None
        result: set[str] = set()
        for v in values:
            hit = eq.get(index_key(v))
            if isinstance(hit, str):
                result.add(hit)
            elif hit:
                result.update(hit)
        return result

    def range(
        self, name: str, low: Any, low_inclusive: bool, high: Any, high_inclusive: bool
    ) -> Iterator[str] | None:
        """Ids with `low <(=) value <(=) high` in value order; None when not range-indexed."""
        index = self._sorted.get(name)
        if index is None:
            return None
        lo = None if low is None else ((low, "") if low_inclusive else (low, "\uffff"))
        hi = None if high is None else ((high, "\uffff") if high_inclusive else (high, ""))
        return (rid for _, rid in index.irange(lo, hi))

    # -- writing -------------------------------------------------------------------------
    def insert(self, record_id: str, values: dict[str, Any]) -> Row:
        row = self.layout(values)
        row[0] = record_id
        self.rows[record_id] = row
        self._index_row(record_id, row)
        return row

    def layout(self, values: dict[str, Any]) -> Row:
        """A new row: the field defaults with `values` set (slot 0, the Id, is the caller's)."""
        row = list(self._defaults)
        for name, value in values.items():
            row[self.slots[name]] = value
        return row

    def insert_rows(self, rows: list[Row]) -> None:
        """Store and index new rows (laid out whole, each Id in slot 0) as `insert` would one
        at a time, but an index at a time: a Bulk insert job's clean rows."""
        self.rows.update(zip([row[0] for row in rows], rows, strict=True))
        for name, eq in self._eq.items():
            _index_many(eq, self.slots[name], rows)
        for name, index in self._sorted.items():
            slot = self.slots[name]
            index.update(
                [(row[slot], row[0]) for row in rows if isinstance(row[slot], datetime | date)]
            )

    def update(self, record_id: str, changes: dict[str, Any]) -> Row:
        row = self.rows[record_id]
        for name, value in changes.items():
            slot = self.slots[name]
            old = row[slot]
            if old == value and type(old) is type(value):
                continue
            self._unindex(name, record_id, old)
            row[slot] = value
            self._index(name, record_id, value)
        return row

    def remove(self, record_id: str) -> None:
        row = self.rows.pop(record_id)
        for name in list(self._eq) + list(self._sorted):
            self._unindex(name, record_id, row[self.slots[name]])

    def _index_row(self, record_id: str, row: Row) -> None:
        for name in self._eq:
            self._index(name, record_id, row[self.slots[name]])
        for name in self._sorted:
            self._index(name, record_id, row[self.slots[name]])

    def _index(self, name: str, record_id: str, value: Any) -> None:
        if value is None:
            return
        if name in self._sorted:
            if isinstance(value, datetime | date):
                self._sorted[name].add((value, record_id))
            return
        eq = self._eq.get(name)
        if eq is None:
            return
        _add_entry(eq, index_key(value), record_id)

    def _unindex(self, name: str, record_id: str, value: Any) -> None:
        if value is None:
            return
        if name in self._sorted:
            self._sorted[name].discard((value, record_id))
            return
        eq = self._eq.get(name)
        if eq is None:
            return
        key = index_key(value)
        hit = eq.get(key)
        if hit == record_id:
            del eq[key]
        elif isinstance(hit, set):
            hit.discard(record_id)
            if len(hit) == 1:
                eq[key] = next(iter(hit))


def _add_entry(eq: dict[Any, str | set[str]], key: Any, record_id: str) -> None:
    """One Id under `key`: a lone Id stays a string, several become a set."""
    hit = eq.get(key)
    if hit is None:
        eq[key] = record_id
    elif isinstance(hit, str):
        eq[key] = {hit, record_id}
    else:
        hit.add(record_id)


def _index_many(eq: dict[Any, str | set[str]], slot: int, rows: list[Row]) -> None:
    """`Table._index` of each row's value in `slot`, in row order (the same keys, Ids and sets);
    a value every row shares (an owner, an empty lookup) is added in one step."""
    values = [row[slot] for row in rows]
    if values and values.count(values[0]) == len(values):
        if values[0] is not None:
            _index_all(eq, index_key(values[0]), [row[0] for row in rows])
        return
    for value, row in zip(values, rows, strict=True):
        if value is None:
            continue
        _add_entry(eq, index_key(value), row[0])


def _index_all(eq: dict[Any, str | set[str]], key: Any, record_ids: list[str]) -> None:
    """`Table._index` of one key for each record, in order."""
    hit = eq.get(key)
    if hit is None:
        eq[key] = record_ids[0] if len(record_ids) == 1 else set(record_ids)
    elif isinstance(hit, str):
        eq[key] = {hit, *record_ids}
    else:
        hit.update(record_ids)
