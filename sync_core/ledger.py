"""The store's record of what happened: runs, diagnostics and the engine's Salesforce writes.

Mixed into the SQL store. Together with the history it is the compliance trail: for any
person, when and why each opt-out changed on either side.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select, update

from sync_core.liveness import owner_dead, this_process
from sync_core.model import Diagnostic, RunKind, RunRecord, SalesforceWrite
from sync_core.tables import diagnostics, runs, salesforce_writes

CHUNK = 500  # ids per IN (...) list
RUNNING, DONE, INTERRUPTED = "running", "done", "interrupted"


class LedgerStore:
    """Runs, diagnostics and Salesforce writes; the SQL store provides `engine`."""

    engine: Engine

    def start_run(self, kind: RunKind, now: datetime) -> int:
        row = {
            "kind": str(kind),
            "started_at": now,
            "counts": "{}",
            "detail": "{}",
            "owner": this_process(),
            "heartbeat_at": now,
            "status": RUNNING,
        }
        with self.engine.begin() as conn:
            key = conn.execute(insert(runs).values(row)).inserted_primary_key
        assert key is not None
        return int(key[0])

    def finish_run(
        self, run_id: int, now: datetime, counts: Mapping[str, int], detail: Mapping[str, Any]
    ) -> None:
        """`now` is when the run ended, so finished_at - started_at is its duration."""
        values = {
            "finished_at": now,
            "heartbeat_at": now,
            "status": DONE,
            "counts": json.dumps(dict(counts), sort_keys=True),
            "detail": json.dumps(dict(detail), sort_keys=True, default=str),
        }
        with self.engine.begin() as conn:
            conn.execute(update(runs).where(runs.c.id == run_id).values(values))

    def beat_runs(self, now: datetime) -> None:
        """This process's unfinished runs are alive (sync_core.liveness)."""
        mine = (runs.c.owner == this_process(), runs.c.status == RUNNING)
        with self.engine.begin() as conn:
            conn.execute(update(runs).where(*mine).values(heartbeat_at=now))

    def close_interrupted(self, now: datetime, *, nightly_dead: bool = False) -> list[int]:
        """Close as `interrupted` every unfinished run whose process died; their ids.

        `nightly_dead`: the caller holds the nightly lock, so any other nightly run is dead.
        finished_at is the run's last heartbeat: when it was last known to be working.
        """
        query = select(runs.c.id, runs.c.kind, runs.c.owner, runs.c.heartbeat_at).where(
            runs.c.status == RUNNING
        )
        with self.engine.connect() as conn:
            open_runs = conn.execute(query).all()
        me = this_process()
        closed = []
        for run in open_runs:
            by_lock = nightly_dead and run.kind == str(RunKind.NIGHTLY) and run.owner != me
            dead = by_lock or owner_dead(run.owner, run.heartbeat_at, now)
            if dead and self._interrupt(run.id, now):
                closed.append(run.id)
        return closed

    def _interrupt(self, run_id: int, now: datetime) -> bool:
        detail = {"stopped": INTERRUPTED, "closed_at": now.isoformat(), "closed_by": this_process()}
        with self.engine.begin() as conn:
            last = conn.execute(
                select(runs.c.heartbeat_at, runs.c.started_at).where(runs.c.id == run_id)
            ).one()
            moved = conn.execute(
                update(runs)
                .where(runs.c.id == run_id, runs.c.status == RUNNING)
                .values(
                    status=INTERRUPTED,
                    finished_at=last.heartbeat_at or last.started_at,
                    detail=json.dumps(detail, sort_keys=True),
                )
            ).rowcount
        return bool(moved)

    def runs(self, kind: RunKind | None = None) -> list[RunRecord]:
        query = select(runs).order_by(runs.c.id)
        if kind is not None:
            query = query.where(runs.c.kind == str(kind))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            RunRecord(
                r.id,
                RunKind(r.kind),
                r.started_at,
                r.finished_at,
                json.loads(r.counts),
                json.loads(r.detail),
                r.status,
                r.owner,
            )
            for r in rows
        ]

    def add_salesforce_writes(self, entries: Iterable[SalesforceWrite]) -> None:
        rows = [
            {
                "person_id": e.person_id,
                "run_id": e.run_id,
                "at": e.at,
                "record_id": e.record_id,
                "fields": ",".join(e.fields),
                "origin": str(e.origin),
            }
            for e in entries
        ]
        if rows:
            with self.engine.begin() as conn:
                conn.execute(insert(salesforce_writes), rows)

    def salesforce_writes(self, person_id: int) -> list[SalesforceWrite]:
        table = salesforce_writes
        query = select(table).where(table.c.person_id == person_id).order_by(table.c.id)
        with self.engine.connect() as conn:
            return [
                SalesforceWrite(
                    r.person_id,
                    r.at,
                    r.record_id,
                    tuple(r.fields.split(",")),
                    RunKind(r.origin),
                    r.run_id,
                )
                for r in conn.execute(query)
            ]

    def add_diagnostics(self, entries: Iterable[Diagnostic]) -> None:
        rows = [
            {
                "run_id": e.run_id,
                "person_id": e.person_id,
                "at": e.at,
                "code": e.code,
                "message": e.message,
                "record_id": e.record_id,
            }
            for e in entries
        ]
        if rows:
            with self.engine.begin() as conn:
                conn.execute(insert(diagnostics), rows)

    def latest_codes(self, person_ids: Iterable[int]) -> dict[int, str]:
        """Each person's most recent diagnostic code (people without any are left out)."""
        unique = set(person_ids)
        if len(unique) > 4 * CHUNK:  # one pass over everyone beats many IN lists
            return {k: v for k, v in self._latest_codes(None).items() if k in unique}
        wanted = sorted(unique)
        codes: dict[int, str] = {}
        for start in range(0, len(wanted), CHUNK):
            codes.update(self._latest_codes(wanted[start : start + CHUNK]))
        return codes

    def _latest_codes(self, person_ids: list[int] | None) -> dict[int, str]:
        newest = select(func.max(diagnostics.c.id)).group_by(diagnostics.c.person_id)
        if person_ids is None:
            newest = newest.where(diagnostics.c.person_id.is_not(None))
        else:
            newest = newest.where(diagnostics.c.person_id.in_(person_ids))
        query = select(diagnostics.c.person_id, diagnostics.c.code).where(
            diagnostics.c.id.in_(newest)
        )
        with self.engine.connect() as conn:
            return {row[0]: row[1] for row in conn.execute(query).all()}

    def diagnostics(self, person_id: int | None = None) -> list[Diagnostic]:
        query = select(diagnostics).order_by(diagnostics.c.id)
        if person_id is not None:
            query = query.where(diagnostics.c.person_id == person_id)
        with self.engine.connect() as conn:
            return [
                Diagnostic(r.at, r.code, r.message, r.person_id, r.record_id, r.run_id)
                for r in conn.execute(query)
            ]
