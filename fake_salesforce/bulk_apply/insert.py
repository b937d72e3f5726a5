"""Bulk insert jobs: clean rows laid out, stored and indexed a run at a time, each doubted row
per record at its place, so Ids are minted in upload order."""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from fake_salesforce.bulk_apply.cells import SlowRow, column_cells, job_column
from fake_salesforce.bulk_outcomes import SKIP, JobOutcomes
from fake_salesforce.save_results import Outcome
from fake_salesforce.schema import FieldSpec, ObjectSpec
from fake_salesforce.write import NAME_PARTS, compound_name

if TYPE_CHECKING:
    from fake_salesforce.org import Org


def insert_rows(
    org: Org, spec: ObjectSpec, fields: Sequence[FieldSpec], rows: list[list[str]], slow: SlowRow
) -> JobOutcomes | None:
    """The outcome of each insert row, as per-record `Org.create` gives it, Ids minted in the
    same order; None when this job cannot take the fast path (inside a transaction, an object
    that cannot be created, a field named twice, a required field missing from the header, a
    lookup to the job's own object: a row could name a record an earlier row creates)."""
    names = {f.name for f in fields}
    if org.in_transaction or spec.record_rules or not spec.createable or len(names) != len(fields):
        return None
    if any(f.name not in names for f in spec.required_on_create):
        return None
    if any(spec.name in f.reference_to for f in fields):
        return None
    return Inserter(org, spec, fields, slow).run(rows)


class Inserter:
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
        self.columns = [job_column(org, table, i, f, f.createable) for i, f in enumerate(fields)]
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
        cells = [column_cells(column, rows, targets) for column in self.columns]
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
    """The compound Name as `Org.refresh_name` computes it (`compound_name`)."""
    name, *parts = slots
    parts_of = itemgetter(*parts) if len(parts) > 1 else lambda row: [row[s] for s in parts]
    for row in made:
        row[name] = compound_name(parts_of(row))
