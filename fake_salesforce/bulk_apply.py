"""Bulk ingest updates a job at a time: the header resolved once, one converter per column, rows
written straight into the table with one timestamp; a row the cheap checks doubt takes the
per-record path (`Org.update`), so results and errors are exactly the per-record ones.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sortedcontainers import SortedList

from fake_salesforce.errors import ApiError
from fake_salesforce.org import NAME_PARTS, Org
from fake_salesforce.save_results import Outcome
from fake_salesforce.schema import FieldSpec, ObjectSpec
from fake_salesforce.table import Table
from fake_salesforce.values import coerce

NULL_MARK = "#N/A"  # bulk_csv.NULL_MARK: clears the field
PLAIN_TEXT = frozenset({"string", "textarea", "picklist", "phone", "url"})
_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
REBUILD_SHARE = 4  # rebuild a sorted index when a job moves at least 1/4 of its entries


class _Doubt(Exception):
    """The cheap checks cannot vouch for this cell: the row takes the per-record path."""


Convert = Callable[[str], tuple[Any, Any]]  # cell text -> (value as uploaded, stored value)
SlowRow = Callable[[list[str]], Outcome]


@dataclass(frozen=True, slots=True)
class _Column:
    index: int
    name: str
    slot: int
    indexed: bool
    convert: Convert
    text_limit: int | None  # plain writable text: cells this long or shorter are kept as is
    checkbox: bool  # a writable checkbox: its words are stored as booleans


def _column(org: Org, table: Table, index: int, field: FieldSpec) -> _Column:
    writable = field.updateable and not field.calculated
    plain = writable and field.type in PLAIN_TEXT
    return _Column(
        index,
        field.name,
        table.slots[field.name],
        table.is_indexed(field.name),
        _converter(org, field),
        (field.length or 1 << 30) if plain else None,
        writable and field.type == "boolean",
    )


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection while a job allocates its rows and outcomes (acyclic, and with a
    large org in memory each full collection walks every stored row)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def update_rows(
    org: Org, spec: ObjectSpec, fields: Sequence[FieldSpec], rows: list[list[str]], slow: SlowRow
) -> list[Outcome] | None:
    """The Outcome of each update row, as per-record `Org.update` gives it; None when this
    job cannot take the fast path (inside a transaction, or a field named twice)."""
    names = [f.name for f in fields]
    if org._undo or len(set(names)) != len(names) or "Id" not in names:
        return None
    return _Updater(org, spec, fields, slow).run(rows)


class _Updater:
    """One job's update: column converters, audit stamp and deferred sorted-index moves."""

    def __init__(
        self, org: Org, spec: ObjectSpec, fields: Sequence[FieldSpec], slow: SlowRow
    ) -> None:
        self.org, self.spec, self.slow = org, spec, slow
        self.table = table = org.tables[spec.name]
        self.width = len(fields)
        self.id_index = next(i for i, f in enumerate(fields) if f.name == "Id")
        self.columns = [_column(org, table, i, f) for i, f in enumerate(fields) if f.name != "Id"]
        self.renames = any(f.name in NAME_PARTS for f in fields)
        self.audit = org._audit(org.clock.now(), created=False)
        sorted_indexes: dict[str, SortedList] = getattr(table, "_sorted", {})
        self.deferred = {n: sorted_indexes[n] for n in self.audit if n in sorted_indexes}
        self.moved: dict[str, dict[str, Any]] = {n: {} for n in self.deferred}
        stamps = [(n, table.slots[n], v) for n, v in self.audit.items() if n not in self.deferred]
        self.stamp_plain = [(slot, v) for n, slot, v in stamps if not table.is_indexed(n)]
        self.stamp_indexed = {n: v for n, _, v in stamps if table.is_indexed(n)}
        self.stamp_moved = [(table.slots[n], self.moved[n], self.audit[n]) for n in self.deferred]
        self.deleted = table.slots["IsDeleted"]
        self.converted = table.slots["IsConverted"] if spec.name == "Lead" else None

    def run(self, rows: list[list[str]]) -> list[Outcome]:
        outcomes = [self.row(row) for row in rows]
        self.flush()
        return outcomes

    def row(self, row: list[str]) -> Outcome:
        stored = self.table.rows.get(row[self.id_index]) if len(row) == self.width else None
        if (
            stored is None
            or stored[self.deleted]
            or (self.converted is not None and stored[self.converted])
        ):
            return self.fallback(row)
        written: dict[str, Any] = {}
        changes: list[tuple[_Column, Any]] = []
        value: Any
        try:
            for column in self.columns:
                text = row[column.index]
                if text == "":
                    continue
                limit = column.text_limit
                if limit is not None and len(text) <= limit and text != NULL_MARK:
                    written[column.name] = value = text
                elif column.checkbox and (value := _BOOLEANS.get(text.strip().lower())) is not None:
                    written[column.name] = value
                else:
                    written[column.name], value = column.convert(text)
                changes.append((column, value))
        except _Doubt:
            return self.fallback(row)
        rid = stored[0]
        self.write(rid, stored, changes)
        if self.renames and any(c.name in NAME_PARTS for c, _ in changes):
            self.org._refresh_name(self.table, rid)
        return Outcome(rid, written=written)

    def write(self, rid: str, stored: list[Any], changes: list[tuple[_Column, Any]]) -> None:
        for column, value in changes:
            if column.indexed:
                self.table.update(rid, {column.name: value})
            else:
                stored[column.slot] = value
        for slot, value in self.stamp_plain:
            stored[slot] = value
        for slot, moved, value in self.stamp_moved:
            moved.setdefault(rid, stored[slot])
            stored[slot] = value
        if self.stamp_indexed:
            self.table.update(rid, self.stamp_indexed)

    def fallback(self, row: list[str]) -> Outcome:
        self.flush()  # the per-record path reads and moves index entries itself
        return self.slow(row)

    def flush(self) -> None:
        """Move each deferred record's sorted-index entry from its old value to the stamp."""
        for name, moved in self.moved.items():
            if moved:
                _move_entries(self.deferred[name], moved, self.audit[name])
                moved.clear()


def _move_entries(index: SortedList, old: dict[str, Any], new: Any) -> None:
    gone = {(value, rid) for rid, value in old.items() if value is not None}
    added = [(new, rid) for rid in old] if isinstance(new, datetime | date) else []
    if len(gone) * REBUILD_SHARE >= len(index):
        kept = [entry for entry in index if entry not in gone]
        index.clear()
        index.update(kept)
    else:
        for entry in gone:
            index.discard(entry)
    index.update(added)


# -- converters: cell text to (uploaded value, stored value), _Doubt when unsure -----------------
def _converter(org: Org, field: FieldSpec) -> Convert:
    if field.type == "boolean":
        return _boolean(field)
    if field.type in PLAIN_TEXT and not field.calculated:
        return _plain(field)
    if field.type == "reference":
        return _reference(org, field)
    return _general(field)


def _boolean(field: FieldSpec) -> Convert:
    def convert(text: str) -> tuple[Any, Any]:
        value = _BOOLEANS.get(text.strip().lower())
        if value is None or not field.updateable:
            raise _Doubt
        return value, value

    return convert


def _cleared(field: FieldSpec) -> tuple[Any, Any]:
    if not field.nillable:
        raise _Doubt
    return None, None


def _plain(field: FieldSpec) -> Convert:
    limit = field.length

    def convert(text: str) -> tuple[Any, Any]:
        if not field.updateable or (limit and len(text) > limit):
            raise _Doubt
        if text == NULL_MARK:
            return _cleared(field)
        return text, text

    return convert


def _general(field: FieldSpec) -> Convert:
    def convert(text: str) -> tuple[Any, Any]:
        if not field.updateable:
            raise _Doubt
        if text == NULL_MARK:
            return _cleared(field)
        try:
            value = coerce(field, text)
        except ApiError:
            raise _Doubt from None
        if value is None and not field.nillable:
            raise _Doubt
        return text, value

    return convert


def _reference(org: Org, field: FieldSpec) -> Convert:
    general = _general(field)
    parents = [org.tables[t] for t in field.reference_to if t in org.tables]

    def convert(text: str) -> tuple[Any, Any]:
        uploaded, value = general(text)
        if value is not None and not _live_parent(parents, value):
            raise _Doubt
        return uploaded, value

    return convert


def _live_parent(parents: list[Table], record_id: str) -> bool:
    owner = next((t for t in parents if record_id.startswith(t.spec.key_prefix)), None)
    row = owner.row(record_id) if owner is not None else None
    return row is not None and owner is not None and not owner.value(row, "IsDeleted")
