"""Bulk delete and hardDelete jobs: clean rows deleted in one pass, doubted rows per record."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from fake_salesforce import ids
from fake_salesforce.bulk_apply.cells import SlowRow
from fake_salesforce.bulk_apply.stamp import Stamp
from fake_salesforce.bulk_outcomes import JobOutcomes
from fake_salesforce.save_results import Outcome
from fake_salesforce.schema import FieldSpec, ObjectSpec

if TYPE_CHECKING:
    from fake_salesforce.org import Org


def delete_rows(
    org: Org, spec: ObjectSpec, fields: Sequence[FieldSpec], rows: list[list[str]], slow: SlowRow
) -> JobOutcomes | None:
    """The outcome of each delete (or hardDelete: the same soft delete) row, as per-record
    `Org.delete` gives it; None when this job cannot take the fast path (inside a transaction,
    an object that cannot be deleted, a header other than the one Id column, a parent whose
    delete acts on the records that look up to it: fake_salesforce.delete_rules)."""
    if org.in_transaction or not spec.deletable or [f.name for f in fields] != ["Id"]:
        return None
    if org.child_lookups.get(spec.name):  # its children are acted on, record by record
        return None
    return Deleter(org, spec, slow).run(rows)


class Deleter:
    """One job's deletes: each clean row's record marked deleted with the job's one timestamp
    (as `Org.delete` stamps it: not cut to milliseconds, no LastModifiedById), logged in
    `deleted_at`, sorted-index moves deferred."""

    def __init__(self, org: Org, spec: ObjectSpec, slow: SlowRow) -> None:
        self.org, self.spec, self.slow = org, spec, slow
        self.table = table = org.tables[spec.name]
        self.now = now = org.clock.now()
        self.stamp = Stamp(
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
