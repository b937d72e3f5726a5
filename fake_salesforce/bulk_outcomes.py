"""A Bulk ingest job's per-row outcomes, kept as columns.

A job of 100,000 rows mostly succeeds in one shape: row k wrote record `record_ids[k]` with the
cells it uploaded. Keeping those as the job's own columns (the record Ids and the uploaded cells
by field) costs nothing per row; an `Outcome` is built only when someone asks for one row. Rows
the per-record path answered (failures, and rows the fast path doubted) are kept as Outcomes.
Results files and the journal read the columns directly.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from fake_salesforce import bulk_csv
from fake_salesforce.save_results import Outcome

SKIP: Any = object()  # an empty cell: the row left that field as it was


class JobOutcomes:
    """Row k succeeded on `record_ids[k]` writing its non-SKIP cells (creating the record when
    `created`: an insert job's rows), unless `answered` holds row k's Outcome."""

    def __init__(
        self,
        record_ids: list[str | None] | None = None,
        names: Sequence[str] = (),
        uploaded: Sequence[list[Any]] = (),
        answered: dict[int, Outcome] | None = None,
        created: bool = False,
    ) -> None:
        self.record_ids = record_ids or []
        self.names = list(names)
        self.uploaded = list(uploaded)
        self.answered = answered or {}
        self.created = created

    @classmethod
    def of(cls, outcomes: Sequence[Outcome]) -> JobOutcomes:
        """Outcomes given row by row (the per-record path)."""
        return cls([None] * len(outcomes), answered=dict(enumerate(outcomes)))

    @classmethod
    def joined(cls, parts: Sequence[JobOutcomes]) -> JobOutcomes:
        """One job's outcomes from those of its slices, in upload order. The column slices of
        one job share their fields; a slice answered row by row has no columns, so its rows
        get SKIP cells (never read: their Outcomes answer for them)."""
        columned = [p for p in parts if p.names]
        names = columned[0].names if columned else []
        record_ids: list[str | None] = []
        uploaded: list[list[Any]] = [[] for _ in names]
        answered: dict[int, Outcome] = {}
        for part in parts:
            offset = len(record_ids)
            record_ids.extend(part.record_ids)
            cells = part.uploaded if part.names else [[SKIP] * len(part)] * len(names)
            for column, more in zip(uploaded, cells, strict=True):
                column.extend(more)
            answered.update({offset + k: o for k, o in part.answered.items()})
        created = any(p.created for p in columned)
        return cls(record_ids, names, uploaded, answered, created)

    def __len__(self) -> int:
        return len(self.record_ids)

    def __getitem__(self, k: int) -> Outcome:
        answered = self.answered.get(k)
        if answered is not None:
            return answered
        cells = [column[k] for column in self.uploaded]
        return Outcome(self.record_ids[k], None, self.created, dict(self._written(cells)))

    def __iter__(self) -> Iterator[Outcome]:
        return (self[k] for k in range(len(self)))

    def part(self, start: int, stop: int) -> JobOutcomes:
        """Rows [start, stop) as outcomes of their own (a Bulk 1.0 batch of a job's rows)."""
        answered = {k - start: o for k, o in self.answered.items() if start <= k < stop}
        columns = [column[start:stop] for column in self.uploaded]
        return JobOutcomes(self.record_ids[start:stop], self.names, columns, answered, self.created)

    def failed_count(self) -> int:
        return sum(1 for o in self.answered.values() if o.error is not None)

    def _written(self, cells: Sequence[Any]) -> tuple[tuple[str, Any], ...]:
        """A column row's (field, value) pairs, its empty cells left out."""
        return tuple((n, c) for n, c in zip(self.names, cells, strict=True) if c is not SKIP)

    def _rows_by_kind(self) -> Iterator[tuple[int, str | None, tuple[Any, ...] | None]]:
        """(row, record Id, cells) for column rows; (row, None, None) for answered ones."""
        by_row = zip(*self.uploaded, strict=True) if self.uploaded else [()] * len(self)
        for k, (rid, cells) in enumerate(zip(self.record_ids, by_row, strict=True)):
            yield k, rid, (cells if rid is not None and k not in self.answered else None)

    def journal_writes(self) -> Iterator[tuple[str, tuple[tuple[str, Any], ...]]]:
        """(record Id, fields written) of each successful row, in row order; the cells are
        CSV text, booleans or nulls, already as JSON has them."""
        for k, rid, cells in self._rows_by_kind():
            if cells is not None and rid is not None:
                yield rid, self._written(cells)
                continue
            outcome = self.answered[k]
            if outcome.error is None and outcome.record_id is not None:
                yield outcome.record_id, tuple((outcome.written or {}).items())

    def successful_rows(self, rows: Sequence[Sequence[str]]) -> list[list[str]]:
        """successfulResults rows: `sf__Id`, `sf__Created`, then the uploaded row."""
        created = "true" if self.created else "false"  # of the column rows
        if not self.answered:  # every row took the fast path
            pairs = zip(self.record_ids, rows, strict=False)  # an aborted job has fewer
            return [[rid or "", created, *row] for rid, row in pairs]
        out: list[list[str]] = []
        for k, row in enumerate(rows[: len(self)]):
            outcome = self.answered.get(k)
            if outcome is None:
                out.append([self.record_ids[k] or "", created, *row])
            elif outcome.error is None:
                answer = "true" if outcome.created else "false"
                out.append([outcome.record_id or "", answer, *row])
        return out

    def failed_rows(self, rows: Sequence[Sequence[str]]) -> list[list[str]]:
        """failedResults rows: `sf__Id`, `sf__Error`, then the uploaded row."""
        return [
            [outcome.record_id or "", bulk_csv.error_text(outcome.error), *rows[k]]
            for k, outcome in sorted(self.answered.items())
            if outcome.error is not None
        ]
