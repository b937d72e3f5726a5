"""Bulk ingest updates, deletes and inserts a job at a time: the header resolved once, one
converter per column, rows written straight into the table with one timestamp; a row the cheap
checks doubt takes the per-record path (`Org.update`, `Org.delete`, `Org.create`), so results
and errors are exactly the per-record ones.

A job is applied a column at a time (each column's cells converted in one pass, then written),
and its outcomes kept as columns too (bulk_outcomes). Only when a doubted row names a record a
clean row also writes does the order of the two matter: such an update job goes a row at a
time, and a delete job deletes that record per record by every row naming it. An insert job
runs each doubted row at its place between runs of clean rows, so Ids are minted in upload
order.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sortedcontainers import SortedList

from fake_salesforce import ids
from fake_salesforce.bulk_outcomes import SKIP, JobOutcomes
from fake_salesforce.errors import ApiError
from fake_salesforce.org import NAME_PARTS, Org
from fake_salesforce.save_results import Outcome
from fake_salesforce.schema import FieldSpec, ObjectSpec
from fake_salesforce.table import Table
from fake_salesforce.values import coerce, is_valid_email

NULL_MARK = "#N/A"  # bulk_csv.NULL_MARK: clears the field
PLAIN_TEXT = frozenset({"string", "textarea", "picklist", "phone", "url"})
_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
# Checkbox cells as clients write them, looked up without strip() and lower().
_CHECKBOX_WORDS = (
    _BOOLEANS | {w.upper(): v for w, v in _BOOLEANS.items()} | {"True": True, "False": False}
)
_CHECKBOX_CELLS: dict[str, Any] = {**_CHECKBOX_WORDS, "": SKIP}
EMAIL_LIMIT = 80  # values.is_valid_email: no address is longer
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
    email_limit: int | None  # a writable email field: valid addresses this long are kept as is


def _column(org: Org, table: Table, index: int, field: FieldSpec, allowed: bool) -> _Column:
    """A column of a job whose operation may write the field when `allowed` (updateable for
    an update, createable for an insert)."""
    writable = allowed and not field.calculated
    plain = writable and field.type in PLAIN_TEXT
    return _Column(
        index,
        field.name,
        table.slots[field.name],
        table.is_indexed(field.name),
        _converter(org, field, allowed),
        (field.length or 1 << 30) if plain else None,
        writable and field.type == "boolean",
        min(field.length or EMAIL_LIMIT, EMAIL_LIMIT)
        if writable and field.type == "email"
        else None,
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
) -> JobOutcomes | None:
    """The outcome of each update row, as per-record `Org.update` gives it; None when this
    job cannot take the fast path (inside a transaction, or a field named twice)."""
    names = [f.name for f in fields]
    if org.in_transaction or len(set(names)) != len(names) or "Id" not in names:
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
        self.columns = [
            _column(org, table, i, f, f.updateable) for i, f in enumerate(fields) if f.name != "Id"
        ]
        self.renames = any(f.name in NAME_PARTS for f in fields)
        self.stamp = _Stamp(table, org.audit_stamp(org.clock.now(), created=False))
        self.deleted = table.slots["IsDeleted"]
        self.converted = table.slots["IsConverted"] if spec.name == "Lead" else None

    def run(self, rows: list[list[str]]) -> JobOutcomes:
        targets = self.targets(rows)
        cells = [_column_cells(column, rows, targets) for column in self.columns]
        if self.slow_rows_meet_fast_ones(rows, targets):
            return self.by_row(rows)
        return self.by_column(rows, targets, cells)

    def targets(self, rows: list[list[str]]) -> list[list[Any] | None]:
        """The stored row each upload row updates; None where the row needs the per-record
        path (unknown, 15-character or other object's Id, deleted record, converted Lead,
        short row)."""
        found, width, at, deleted = self.table.rows.get, self.width, self.id_index, self.deleted
        stored = [found(row[at]) if len(row) == width else None for row in rows]
        targets = [None if t is None or t[deleted] else t for t in stored]
        if self.converted is not None:
            converted = self.converted
            targets = [None if t is None or t[converted] else t for t in targets]
        return targets

    def slow_rows_meet_fast_ones(
        self, rows: list[list[str]], targets: list[list[Any] | None]
    ) -> bool:
        """True when a row for the per-record path names a record a fast row writes: then
        the order of the two matters and the job goes a row at a time."""
        if None not in targets:
            return False
        slow_ids = [
            ids.normalize(row[self.id_index])
            for row, target in zip(rows, targets, strict=True)
            if target is None and len(row) > self.id_index
        ]
        if not any(slow_ids):
            return False
        fast_ids = {t[0] for t in targets if t is not None}
        return any(rid in fast_ids for rid in slow_ids)

    # -- a column at a time ---------------------------------------------------------------------
    def by_column(
        self,
        rows: list[list[str]],
        targets: list[list[Any] | None],
        cells: list[tuple[list[Any], list[Any]]],
    ) -> JobOutcomes:
        """Write the rows no cell doubted a column at a time (a record named twice ends with
        its last row's values, as row by row), then give each doubted row to the per-record
        path in upload order."""
        live = [k for k, target in enumerate(targets) if target is not None]
        for column, (_, values) in zip(self.columns, cells, strict=True):
            self.write_column(column, values, live, targets)
        if self.renames:
            self.refresh_names(cells, live, targets)
        self.stamp.rows([t for t in targets if t is not None])
        self.stamp.flush()
        answered = {k: self.slow(rows[k]) for k, target in enumerate(targets) if target is None}
        return JobOutcomes(
            [t[0] if t is not None else None for t in targets],
            [column.name for column in self.columns],
            [uploaded for uploaded, _ in cells],
            answered,
        )

    def write_column(
        self, column: _Column, values: list[Any], live: list[int], targets: list[Any]
    ) -> None:
        slot, name, table = column.slot, column.name, self.table
        for k in live:
            value = values[k]
            if value is SKIP:
                continue
            if column.indexed:
                table.update(targets[k][0], {name: value})
            else:
                targets[k][slot] = value

    def refresh_names(
        self, cells: list[tuple[list[Any], list[Any]]], live: list[int], targets: list[Any]
    ) -> None:
        pairs = zip(self.columns, cells, strict=True)
        parts = [values for column, (_, values) in pairs if column.name in NAME_PARTS]
        for k in live:
            if any(values[k] is not SKIP for values in parts):
                self.org.refresh_name(self.table, targets[k][0])

    # -- a row at a time ------------------------------------------------------------------------
    def by_row(self, rows: list[list[str]]) -> JobOutcomes:
        outcomes = [self.row(row) for row in rows]
        self.stamp.flush()
        return JobOutcomes.of(outcomes)

    def row(self, row: list[str]) -> Outcome:
        (stored,) = self.targets([row])
        if stored is None:
            return self.fallback(row)
        written: dict[str, Any] = {}
        changes: list[tuple[_Column, Any]] = []
        for column in self.columns:
            text = row[column.index]
            if text == "":
                continue
            try:
                written[column.name], value = _cell(column, text)
            except _Doubt:
                return self.fallback(row)
            changes.append((column, value))
        rid = stored[0]
        self.write(rid, stored, changes)
        if self.renames and any(c.name in NAME_PARTS for c, _ in changes):
            self.org.refresh_name(self.table, rid)
        return Outcome(rid, written=written)

    def write(self, rid: str, stored: list[Any], changes: list[tuple[_Column, Any]]) -> None:
        for column, value in changes:
            if column.indexed:
                self.table.update(rid, {column.name: value})
            else:
                stored[column.slot] = value
        self.stamp.rows([stored])

    def fallback(self, row: list[str]) -> Outcome:
        self.stamp.flush()  # the per-record path reads and moves index entries itself
        return self.slow(row)


class _Stamp:
    """Values one job writes alike into every record it touches (audit fields, IsDeleted):
    plain slots set directly, equality-indexed fields through the table, and sorted-index
    moves deferred to `flush` (one merge for the job rather than two bisections a record)."""

    def __init__(self, table: Table, values: dict[str, Any]) -> None:
        self.table, self.values = table, values
        sorted_indexes = table.sorted_indexes()
        self.deferred = {n: sorted_indexes[n] for n in values if n in sorted_indexes}
        self.moved: dict[str, dict[str, Any]] = {n: {} for n in self.deferred}
        direct = [(n, table.slots[n], v) for n, v in values.items() if n not in self.deferred]
        self.plain = [(slot, v) for n, slot, v in direct if not table.is_indexed(n)]
        self.indexed = {n: v for n, _, v in direct if table.is_indexed(n)}
        self.moves = [(table.slots[n], self.moved[n], values[n]) for n in self.deferred]

    def rows(self, stored_rows: list[list[Any]]) -> None:
        for slot, value in self.plain:
            for stored in stored_rows:
                stored[slot] = value
        for slot, moved, value in self.moves:
            for stored in stored_rows:
                moved.setdefault(stored[0], stored[slot])
                stored[slot] = value
        if self.indexed:
            for stored in stored_rows:
                self.table.update(stored[0], self.indexed)

    def flush(self) -> None:
        """Move each deferred record's sorted-index entry from its old value to the stamp."""
        for name, moved in self.moved.items():
            if moved:
                _move_entries(self.deferred[name], moved, self.values[name])
                moved.clear()


def _cell(column: _Column, text: str) -> tuple[Any, Any]:
    """(uploaded, stored) for one non-empty cell; _Doubt when the cheap checks can't vouch."""
    limit = column.text_limit
    if limit is not None and len(text) <= limit and text != NULL_MARK:
        return text, text
    if column.checkbox and (value := _CHECKBOX_WORDS.get(text)) is not None:
        return value, value
    return column.convert(text)


def _column_cells(
    column: _Column, rows: list[list[str]], targets: list[Any]
) -> tuple[list[Any], list[Any]]:
    """A column's (uploaded, stored) values for every row, SKIP for empty cells; a row with
    a doubted cell loses its target (it will take the per-record path)."""
    index = column.index
    if None in targets:
        pairs = zip(rows, targets, strict=True)
        texts = [row[index] if target is not None else "" for row, target in pairs]
    else:
        texts = [row[index] for row in rows]
    quick = _quick_cells(column, texts)
    if quick is not None:
        return quick, quick
    uploaded: list[Any] = [SKIP] * len(rows)
    values: list[Any] = [SKIP] * len(rows)
    for k, row in enumerate(rows):
        if targets[k] is None:
            continue
        text = row[index]
        if text == "":
            continue
        try:
            uploaded[k], values[k] = _cell(column, text)
        except _Doubt:
            targets[k] = None
    return uploaded, values


def _quick_cells(column: _Column, texts: list[str]) -> list[Any] | None:
    """The column's values when every cell is one the cheap checks keep as uploaded (text
    within its length, a checkbox word, a valid address), a pass over the column at C speed;
    None when any cell needs a closer look."""
    if column.checkbox:
        values = list(map(_CHECKBOX_CELLS.get, texts))
        return values if None not in values else None
    limit = column.text_limit or column.email_limit
    if limit is None or NULL_MARK in texts or max(map(len, texts), default=0) > limit:
        return None
    if column.email_limit is not None and not all(map(is_valid_email, filter(None, texts))):
        return None
    return [text or SKIP for text in texts] if "" in texts else texts


def _move_entries(index: SortedList, old: dict[str, Any], new: Any) -> None:
    """Each record of `old` has one entry, (its old value, Id), when that value is indexed;
    move them all to (new, Id)."""
    added = [(new, rid) for rid in sorted(old)] if isinstance(new, datetime | date) else []
    if len(old) * REBUILD_SHARE >= len(index):
        kept = [entry for entry in index if entry[1] not in old]
        index.clear()
        index.update(kept + added)  # two sorted runs: one cheap merge
        return
    for rid, value in old.items():
        if value is not None:
            index.discard((value, rid))
    index.update(added)


# -- deletes ------------------------------------------------------------------------------------
def delete_rows(
    org: Org, spec: ObjectSpec, fields: Sequence[FieldSpec], rows: list[list[str]], slow: SlowRow
) -> JobOutcomes | None:
    """The outcome of each delete (or hardDelete: the same soft delete) row, as per-record
    `Org.delete` gives it; None when this job cannot take the fast path (inside a transaction,
    an object that cannot be deleted, a header other than the one Id column)."""
    if org.in_transaction or not spec.deletable or [f.name for f in fields] != ["Id"]:
        return None
    return _Deleter(org, spec, slow).run(rows)


class _Deleter:
    """One job's deletes: each clean row's record marked deleted with the job's one timestamp
    (as `Org.delete` stamps it: not cut to milliseconds, no LastModifiedById), logged in
    `deleted_at`, sorted-index moves deferred."""

    def __init__(self, org: Org, spec: ObjectSpec, slow: SlowRow) -> None:
        self.org, self.spec, self.slow = org, spec, slow
        self.table = table = org.tables[spec.name]
        self.now = now = org.clock.now()
        self.stamp = _Stamp(
            table, {"IsDeleted": True, "SystemModstamp": now, "LastModifiedDate": now}
        )

    def run(self, rows: list[list[str]]) -> JobOutcomes:
        targets = self.targets(rows)
        self.share_out(rows, targets)
        live = [t for t in targets if t is not None]
        self.stamp.rows(live)
        self.stamp.flush()
        log = self.org.deleted_at[self.spec.name]
        log.update(dict.fromkeys([t[0] for t in live], self.now))
        answered = {k: self.slow(rows[k]) for k, target in enumerate(targets) if target is None}
        if any(o.error is None for o in answered.values()):
            _log_in_row_order(log, targets, answered)
        return JobOutcomes(
            [t[0] if t is not None else None for t in targets],
            ["IsDeleted"],
            [[True] * len(rows)],
            answered,
        )

    def targets(self, rows: list[list[str]]) -> list[list[Any] | None]:
        """The stored row each upload row deletes; None where the row needs the per-record
        path (short or long row, no Id, malformed, 15-character or other object's Id, unknown
        or already deleted record)."""
        found, prefix = self.table.rows.get, self.spec.key_prefix
        deleted = self.table.slots["IsDeleted"]
        return [
            t
            if len(row) == 1
            and (t := found(row[0])) is not None
            and not t[deleted]
            and row[0].startswith(prefix)
            else None
            for row in rows
        ]

    def share_out(self, rows: list[list[str]], targets: list[list[Any] | None]) -> None:
        """A record named by more than one row (in any spelling) is deleted per record by every
        row naming it, in upload order: the first succeeds, the others find it deleted."""
        clean = [t[0] for t in targets if t is not None]
        unique = set(clean)
        shared: set[str] = set()
        if len(unique) != len(clean):
            shared = {rid for rid, times in Counter(clean).items() if times > 1}
        if len(clean) != len(rows):
            doubted = [row for row, t in zip(rows, targets, strict=True) if t is None]
            named = {ids.normalize(row[0]) for row in doubted if len(row) == 1}
            shared |= unique.intersection(named)
        if shared:
            for k, target in enumerate(targets):
                if target is not None and target[0] in shared:
                    targets[k] = None


def _log_in_row_order(
    log: dict[str, datetime], targets: list[list[Any] | None], answered: dict[int, Outcome]
) -> None:
    """The job's deletes moved to the end of the delete log in upload order, as row by row
    logs them (the per-record path logged its rows after the column rows)."""
    for k, target in enumerate(targets):
        if target is not None:
            rid = target[0]
        else:
            outcome = answered[k]
            if outcome.error is not None or outcome.record_id is None:
                continue
            rid = outcome.record_id
        log[rid] = log.pop(rid)


# -- inserts ------------------------------------------------------------------------------------
def insert_rows(
    org: Org, spec: ObjectSpec, fields: Sequence[FieldSpec], rows: list[list[str]], slow: SlowRow
) -> JobOutcomes | None:
    """The outcome of each insert row, as per-record `Org.create` gives it, Ids minted in the
    same order; None when this job cannot take the fast path (inside a transaction, an object
    that cannot be created, a field named twice, a required field missing from the header, a
    lookup to the job's own object: a row could name a record an earlier row creates)."""
    names = {f.name for f in fields}
    if org.in_transaction or not spec.createable or len(names) != len(fields):
        return None
    if any(f.name not in names for f in spec.required_on_create):
        return None
    if any(spec.name in f.reference_to for f in fields):
        return None
    return _Inserter(org, spec, fields, slow).run(rows)


class _Inserter:
    """One job's inserts: rows laid out from one template (defaults, the job's audit stamp,
    the default owner), the uploaded cells written a column at a time, stored and indexed a
    run of clean rows at a time. Between runs, each doubted row takes the per-record path at
    its place in the upload, so Ids are minted, and rows stored, in upload order."""

    def __init__(
        self, org: Org, spec: ObjectSpec, fields: Sequence[FieldSpec], slow: SlowRow
    ) -> None:
        self.org, self.spec, self.slow = org, spec, slow
        self.table = table = org.tables[spec.name]
        self.width = len(fields)
        self.columns = [_column(org, table, i, f, f.createable) for i, f in enumerate(fields)]
        required = {f.name for f in spec.required_on_create}
        self.required = [k for k, c in enumerate(self.columns) if c.name in required]
        stamp = org.audit_stamp(org.clock.now(), created=True)
        if table.spec.field("OwnerId") is not None:
            stamp["OwnerId"] = org.user_id  # Org.create's default: an owner cell replaces it
        self.template = table.layout(stamp)
        name = table.spec.field("Name")
        self.naming = name is not None and name.calculated
        self.name_slots = [table.slots[n] for n in ("Name", *NAME_PARTS) if n in table.slots]

    def run(self, rows: list[list[str]]) -> JobOutcomes:
        targets: list[Any] = [True if len(row) == self.width else None for row in rows]
        cells = [_column_cells(column, rows, targets) for column in self.columns]
        for k in self.required:  # an empty required cell: REQUIRED_FIELD_MISSING per record
            values = cells[k][1]
            if SKIP in values:
                for n, value in enumerate(values):
                    if value is SKIP:
                        targets[n] = None
        record_ids: list[str | None] = [None] * len(rows)
        answered: dict[int, Outcome] = {}
        start = 0
        for k in [k for k, target in enumerate(targets) if target is None]:
            self.create(start, k, cells, record_ids)
            answered[k] = self.slow(rows[k])
            start = k + 1
        self.create(start, len(rows), cells, record_ids)
        uploaded = [column_uploaded for column_uploaded, _ in cells]
        names = [column.name for column in self.columns]
        return JobOutcomes(record_ids, names, uploaded, answered, created=True)

    def create(
        self,
        start: int,
        stop: int,
        cells: list[tuple[list[Any], list[Any]]],
        record_ids: list[str | None],
    ) -> None:
        """Rows start..stop-1, all clean: Ids minted in order, rows laid out, stored, indexed."""
        if start >= stop:
            return
        minted = self.org.minter.mint_many(self.spec.key_prefix, stop - start)
        record_ids[start:stop] = minted
        tail = self.template[1:]
        made = [[rid, *tail] for rid in minted]
        for column, (_, values) in zip(self.columns, cells, strict=True):
            _write_cells(made, column.slot, values[start:stop])
        if self.naming:
            _name_rows(made, self.name_slots)
        self.table.insert_rows(made)


def _write_cells(made: list[list[Any]], slot: int, values: list[Any]) -> None:
    """Each row's value into its slot, SKIP (an empty cell) leaving the template's."""
    if SKIP not in values:
        for row, value in zip(made, values, strict=True):
            row[slot] = value
        return
    for row, value in zip(made, values, strict=True):
        if value is not SKIP:
            row[slot] = value


def _name_rows(made: list[list[Any]], slots: list[int]) -> None:
    """The compound Name as `Org.refresh_name` computes it: the parts present, space-joined."""
    name, *parts = slots
    if len(parts) != 2:
        for row in made:
            row[name] = " ".join([p for p in (row[slot] for slot in parts) if p]) or None
        return
    first, last = parts
    for row in made:  # the join above, for two parts
        given, family = row[first], row[last]
        row[name] = f"{given} {family}" if given and family else (given or family or None)


# -- converters: cell text to (uploaded value, stored value), _Doubt when unsure -----------------
def _converter(org: Org, field: FieldSpec, allowed: bool) -> Convert:
    """Cells of a field the job may write when `allowed` (else every cell is doubted)."""
    if field.type == "boolean":
        return _boolean(field, allowed)
    if field.type in PLAIN_TEXT and not field.calculated:
        return _plain(field, allowed)
    if field.type == "reference":
        return _reference(org, field, allowed)
    return _general(field, allowed)


def _boolean(field: FieldSpec, allowed: bool) -> Convert:
    def convert(text: str) -> tuple[Any, Any]:
        value = _BOOLEANS.get(text.strip().lower())
        if value is None or not allowed:
            raise _Doubt
        return value, value

    return convert


def _cleared(field: FieldSpec) -> tuple[Any, Any]:
    if not field.nillable:
        raise _Doubt
    return None, None


def _plain(field: FieldSpec, allowed: bool) -> Convert:
    limit = field.length

    def convert(text: str) -> tuple[Any, Any]:
        if not allowed or (limit and len(text) > limit):
            raise _Doubt
        if text == NULL_MARK:
            return _cleared(field)
        return text, text

    return convert


def _general(field: FieldSpec, allowed: bool) -> Convert:
    def convert(text: str) -> tuple[Any, Any]:
        if not allowed:
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


def _reference(org: Org, field: FieldSpec, allowed: bool) -> Convert:
    general = _general(field, allowed)
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
