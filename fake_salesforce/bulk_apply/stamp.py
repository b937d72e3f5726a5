"""What one Bulk job writes alike into every record it touches, and the sorted-index moves
that go with it, made once for the job."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sortedcontainers import SortedList

from fake_salesforce.table import Table

REBUILD_SHARE = 4  # rebuild a sorted index when a job moves at least 1/4 of its entries


class Stamp:
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
                move_entries(self.deferred[name], moved, self.values[name])
                moved.clear()


def move_entries(index: SortedList, old: dict[str, Any], new: Any) -> None:
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
