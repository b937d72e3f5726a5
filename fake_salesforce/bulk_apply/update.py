"""Bulk update jobs: clean rows written a column at a time, doubted rows per record."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from fake_salesforce import ids
from fake_salesforce.bulk_apply.cells import (
    Column,
    Doubt,
    SlowRow,
    by_short_id,
    cell,
    column_cells,
    job_column,
)
from fake_salesforce.bulk_apply.stamp import Stamp
from fake_salesforce.bulk_outcomes import SKIP, JobOutcomes
from fake_salesforce.history import TRACKED_FIELDS, TRACKED_OBJECTS
from fake_salesforce.save_results import Outcome
from fake_salesforce.schema import FieldSpec, ObjectSpec
from fake_salesforce.write import NAME_PARTS

if TYPE_CHECKING:
    from fake_salesforce.org import Org


def update_rows(
    org: Org, spec: ObjectSpec, fields: Sequence[FieldSpec], rows: list[list[str]], slow: SlowRow
) -> JobOutcomes | None:
    """The outcome of each update row, as per-record `Org.update` gives it; None when this
    job cannot take the fast path (inside a transaction, or a field named twice)."""
    names = [f.name for f in fields]
    if (
        org.in_transaction
        or spec.record_rules
        or len(set(names)) != len(names)
        or "Id" not in names
    ):
        return None
    return Updater(org, spec, fields, slow).run(rows)


class Updater:
    """One job's update: column converters, audit stamp and deferred sorted-index moves."""

    def __init__(
        self, org: Org, spec: ObjectSpec, fields: Sequence[FieldSpec], slow: SlowRow
    ) -> None:
        self.org, self.spec, self.slow = org, spec, slow
        self.table = table = org.tables[spec.name]
        self.width = len(fields)
        self.id_index = next(i for i, f in enumerate(fields) if f.name == "Id")
        self.columns = [
            job_column(org, table, i, f, f.updateable)
            for i, f in enumerate(fields)
            if f.name != "Id"
        ]
        self.renames = any(f.name in NAME_PARTS for f in fields)
        self.now = org.clock.now()
        self.stamp = Stamp(table, org.audit_stamp(self.now, created=False))
        self.deleted = table.slots["IsDeleted"]
        self.converted = table.slots["IsConverted"] if spec.name == "Lead" else None

    def run(self, rows: list[list[str]]) -> JobOutcomes:
        targets = self.targets(rows)
        cells = [column_cells(column, rows, targets) for column in self.columns]
        if self.slow_rows_meet_fast_ones(rows, targets):
            return self.by_row(rows)
        return self.by_column(rows, targets, cells)

    def targets(self, rows: list[list[str]]) -> list[list[Any] | None]:
        """The stored row each upload row updates; None where the row needs the per-record
        path (unknown or other object's Id, deleted record, converted Lead, short row)."""
        found, width, at, deleted = self.table.rows.get, self.width, self.id_index, self.deleted
        stored = [found(row[at]) if len(row) == width else None for row in rows]
        if None in stored:  # 15-character Ids: a second look only at the rows not yet found
            stored = [
                t if t is not None or len(row) != width else by_short_id(found, row[at])
                for t, row in zip(stored, rows, strict=True)
            ]
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
        self, column: Column, values: list[Any], live: list[int], targets: list[Any]
    ) -> None:
        slot, name, table = column.slot, column.name, self.table
        tracked = self.tracked(column)  # decided once a column, not once a cell
        for k in live:
            value = values[k]
            if value is SKIP:
                continue
            if tracked and targets[k][slot] != value:
                self.track(targets[k], column, value)
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
        changes: list[tuple[Column, Any]] = []
        for column in self.columns:
            text = row[column.index]
            if text == "":
                continue
            try:
                written[column.name], value = cell(column, text)
            except Doubt:
                return self.fallback(row)
            changes.append((column, value))
        rid = stored[0]
        self.write(rid, stored, changes)
        if self.renames and any(c.name in NAME_PARTS for c, _ in changes):
            self.org.refresh_name(self.table, rid)
        return Outcome(rid, written=written)

    def write(self, rid: str, stored: list[Any], changes: list[tuple[Column, Any]]) -> None:
        for column, value in changes:
            self.track(stored, column, value)
            if column.indexed:
                self.table.update(rid, {column.name: value})
            else:
                stored[column.slot] = value
        self.stamp.rows([stored])

    def tracked(self, column: Column) -> bool:
        """Whether writes to `column` go into the field history (fake_salesforce.history)."""
        return column.name in TRACKED_FIELDS and self.table.spec.name in TRACKED_OBJECTS

    def track(self, stored: list[Any], column: Column, value: Any) -> None:
        """Field history of the opt-out fields (fake_salesforce.history) for a Bulk write."""
        if self.tracked(column):
            before, after = {column.name: stored[column.slot]}, {column.name: value}
            self.org.history.note(self.table.spec.name, stored[0], before, after, self.now)

    def fallback(self, row: list[str]) -> Outcome:
        self.stamp.flush()  # the per-record path reads and moves index entries itself
        return self.slow(row)
