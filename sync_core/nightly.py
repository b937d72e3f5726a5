"""The nightly run: gather what both sides hold, plan the union, apply it, record it.

Reads the fewest Salesforce calls: a SystemModstamp watermark when that is safe, otherwise
(and at least every `full_reconcile_days`) a full read, by REST pages or Bulk API 2.0.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar

from sync_core.errors import ConvertedLeadError, RecordGoneError, SyncError, TransientError
from sync_core.model import (
    Code,
    Diagnostic,
    NightlyPlan,
    NightlyReport,
    Person,
    ReadMode,
    RecordWrite,
    RunKind,
    Settings,
    SfRecord,
    SObject,
    Source,
    WriteOutcome,
)
from sync_core.plan import (
    next_retry_delay,
    plan_nightly,
    plan_requirements,
    plan_write_calls,
    skip_reason,
    uses_bulk_write,
)
from sync_core.ports import SalesforceGateway, Sleep, Store
from sync_core.push import follow_conversion, writes_by_object, written

T = TypeVar("T")
WATERMARK = "nightly.watermark"
LAST_FULL = "nightly.last_full"
CLEAN = "nightly.clean"
SIGNATURE = "nightly.signature"
MARGIN = timedelta(minutes=10)  # SystemModstamp commits can lag the clock (sync-anchors 7b)
CALL_ATTEMPTS = 3
# Failures whose person is now skipped (broken link) leave nothing for the next run to redo.
SETTLED = frozenset({"ENTITY_IS_DELETED", "NOT_FOUND", "INVALID_CROSS_REFERENCE_KEY"})


class HeadroomReached(Exception):
    """The org's daily allocation is down to the reserved headroom: stop optional work."""


@dataclass
class _Outcome:
    written: int = 0
    left: int = 0
    stopped: str | None = None
    errors: list[Diagnostic] = field(default_factory=list)
    notes: list[Diagnostic] = field(default_factory=list)
    done: list[RecordWrite] = field(default_factory=list)


@dataclass
class NightlyRun:
    store: Store
    gateway: SalesforceGateway
    sleep: Sleep
    rng: random.Random = field(default_factory=random.Random)
    _done: list[RecordWrite] = field(default_factory=list)

    def run(self, now: datetime, *, dry_run: bool = False, full: bool = False) -> NightlyReport:
        settings = self.store.settings()
        calls = self.gateway.calls
        run_id = None if dry_run else self.store.start_run(RunKind.NIGHTLY, now)
        report = NightlyReport(started_at=now, dry_run=dry_run, mode=None, plan=NightlyPlan())
        try:
            report = self._run(report, settings, now, full)
        except SyncError as exc:
            error = Diagnostic(now, exc.code, exc.message, record_id=exc.record_id, run_id=run_id)
            report = _with(report, errors=(*report.errors, error), stopped=exc.code)
        except HeadroomReached as exc:
            report = _with(report, stopped=Code.API_HEADROOM, left=int(str(exc) or 0))
        report = _with(report, calls=self.gateway.calls - calls, run_id=run_id)
        if run_id is not None:
            self._record(report, settings, now, run_id)
        return report

    def _run(
        self, report: NightlyReport, settings: Settings, now: datetime, full: bool
    ) -> NightlyReport:
        if not settings.nightly_sync:
            return _with(report, stopped=Code.NIGHTLY_OFF)
        self._check_headroom(settings, 2)
        described = {o: self._call(settings, self.gateway.describe_fields, o) for o in SObject}
        problems = plan_requirements(settings, described)
        if problems:
            return _with(report, plan=NightlyPlan(problems=problems))
        mode = ReadMode.FULL if full else self._mode(settings, now)
        report = _with(report, mode=mode)
        records, people = self._gather(mode, settings, now)
        plan = plan_nightly(people, records, settings, described)
        report = _with(report, plan=plan, reads=len(records))
        if report.dry_run:
            return _with(report, estimated_write_calls=plan_write_calls(plan.writes, settings))
        for unsubscribe in plan.unsubscribes:
            self.store.record_unsubscribe(
                unsubscribe.person_id, Source.SALESFORCE_SYNC, now, None, touch=False
            )
        report = _with(report, unsubscribed=len(plan.unsubscribes))
        outcome = self._apply(plan.writes, settings, now)
        for sobject in SObject:
            count = sum(1 for w in outcome.done if w.sobject is sobject)
            self.store.set_state(f"nightly.written.{sobject}", str(count))
        self._done = outcome.done
        return _with(
            report,
            writes_done=outcome.written,
            left=outcome.left,
            stopped=outcome.stopped,
            errors=tuple(outcome.errors),
            notes=tuple(outcome.notes),
        )

    # reading ------------------------------------------------------------------------------

    def _mode(self, settings: Settings, now: datetime) -> ReadMode:
        """Incremental only when the last run left both sides converged under these settings."""
        state = {k: self.store.get_state(k) for k in (WATERMARK, LAST_FULL, CLEAN, SIGNATURE)}
        if None in state.values() or state[CLEAN] != "1":
            return ReadMode.FULL
        if state[SIGNATURE] != _signature(settings):
            return ReadMode.FULL
        last_full = datetime.fromisoformat(str(state[LAST_FULL]))
        if now - last_full >= timedelta(days=settings.full_reconcile_days):
            return ReadMode.FULL
        return ReadMode.INCREMENTAL

    def _gather(
        self, mode: ReadMode, settings: Settings, now: datetime
    ) -> tuple[dict[str, SfRecord], list[Person]]:
        everyone = self.store.people()
        revived, found = self._revive(settings, everyone, now)
        if revived:
            everyone = self.store.people()
        if mode is ReadMode.FULL:
            return {**found, **self._read_full(settings, everyone)}, everyone
        watermark = datetime.fromisoformat(str(self.store.get_state(WATERMARK)))
        records: dict[str, SfRecord] = dict(found)
        for sobject in SObject:
            hint = int(self.store.get_state(f"nightly.written.{sobject}") or 0)
            bulk = hint > settings.bulk_read_threshold
            rows = self._read(settings, sobject, since=watermark - MARGIN, bulk=bulk)
            records.update((r.id, r) for r in rows)
        # Local changes come from our own clock: no margin needed; the run's own are untouched.
        changed = {p.id for p in self.store.people_changed_since(watermark)} | revived
        touched = [p for p in everyone if p.id in changed]
        records.update(self._read_ids(settings, touched, records.keys()))
        relevant = [
            p
            for p in everyone
            if p.id in changed or records.keys() & set(p.record_ids) or skip_reason(p)
        ]
        return records, relevant

    def _revive(
        self, settings: Settings, everyone: list[Person], now: datetime
    ) -> tuple[set[int], dict[str, SfRecord]]:
        """A broken link whose record is back (undeleted) is mended; its parked pushes resume."""
        broken = [p for p in everyone if p.link_broken and p.record_ids]
        if not broken:
            return set(), {}
        found = self._read_ids(settings, broken, set())
        revived: set[int] = set()
        for person in broken:
            target = person.contact_id or person.lead_id
            if target in found:
                self.store.set_link(person.id, person.contact_id, person.lead_id, now, touch=False)
                self.store.requeue_parked(now, person.id)
                revived.add(person.id)
        return revived, found

    def _read_ids(
        self, settings: Settings, people: Sequence[Person], known: Collection[str]
    ) -> dict[str, SfRecord]:
        """The linked records of `people` not already in `known`, read by Id."""
        records: dict[str, SfRecord] = {}
        for sobject in SObject:
            ids = sorted({i for p in people for i in _ids_of(p, sobject)} - set(known))
            if ids:
                self._check_headroom(settings, 1)
                read = partial(
                    self.gateway.read_records, sobject, ids, settings.sync_fields, settings.names()
                )
                records.update((r.id, r) for r in self._call(settings, read))
        return records

    def _read_full(self, settings: Settings, everyone: list[Person]) -> dict[str, SfRecord]:
        records: dict[str, SfRecord] = {}
        for sobject in SObject:
            hint_key = f"nightly.size.{sobject}"
            local = sum(1 for p in everyone if p.unsubscribed and _ids_of(p, sobject))
            hint = max(local, int(self.store.get_state(hint_key) or 0))
            rows = self._read(settings, sobject, bulk=hint > settings.bulk_read_threshold)
            self.store.set_state(hint_key, str(len(rows)))
            records.update((r.id, r) for r in rows)
        return records

    def _read(
        self,
        settings: Settings,
        sobject: SObject,
        *,
        since: datetime | None = None,
        bulk: bool = False,
    ) -> list[SfRecord]:
        self._check_headroom(settings, 3 if bulk else 1)
        return self._call(
            settings,
            lambda: self.gateway.read_opted_out(
                sobject,
                settings.sync_fields,
                settings.names(),
                since=since,
                bulk=bulk,
                bulk_over=settings.bulk_read_threshold,
            ),
        )

    # writing ------------------------------------------------------------------------------

    def _apply(self, writes: Sequence[RecordWrite], settings: Settings, now: datetime) -> _Outcome:
        outcome = _Outcome(left=len(writes))
        try:
            converted = self._write(writes, settings, now, outcome)
            if converted:
                follow = self._follow(converted, settings, now, outcome)
                outcome.left += len(follow)
                self._write(follow, settings, now, outcome)
        except HeadroomReached:
            outcome.stopped = Code.API_HEADROOM
        except SyncError as exc:
            outcome.stopped = exc.code
            outcome.errors.append(Diagnostic(now, exc.code, exc.message, record_id=exc.record_id))
        return outcome

    def _write(
        self, writes: Sequence[RecordWrite], settings: Settings, now: datetime, outcome: _Outcome
    ) -> list[RecordWrite]:
        converted: list[RecordWrite] = []
        names = settings.names()
        rest: list[RecordWrite] = []
        batches: list[tuple[Callable[[], list[WriteOutcome]], list[RecordWrite]]] = []
        for sobject, group in writes_by_object(writes).items():
            if uses_bulk_write(len(group), settings):
                batches.append((partial(self.gateway.bulk_update, sobject, group, names), group))
            else:
                rest.extend(group)
        size = settings.collection_size
        for start in range(0, len(rest), size):
            chunk = rest[start : start + size]
            batches.append((partial(self.gateway.update, chunk, names), chunk))
        for send, group in batches:
            self._check_headroom(settings, 5 if len(group) > size else 1)
            results = {o.record_id: o.error for o in self._call(settings, send)}
            outcome.left -= len(group)
            for write in group:
                error = results.get(write.record_id)
                if error is None:
                    outcome.written += 1
                    outcome.done.append(write)
                elif isinstance(error, ConvertedLeadError):
                    converted.append(write)
                else:
                    self._fail(write, error, now, outcome)
        return converted

    def _fail(self, write: RecordWrite, error: Exception, now: datetime, outcome: _Outcome) -> None:
        code = error.code if isinstance(error, SyncError) else type(error).__name__
        message = error.message if isinstance(error, SyncError) else str(error)
        for person_id in write.person_ids:
            outcome.errors.append(Diagnostic(now, code, message, person_id, write.record_id))
            if isinstance(error, RecordGoneError):
                person = self.store.person(person_id)
                self.store.set_link(
                    person.id, person.contact_id, person.lead_id, now, broken=True, touch=False
                )

    def _follow(
        self, writes: list[RecordWrite], settings: Settings, now: datetime, outcome: _Outcome
    ) -> list[RecordWrite]:
        """Converted Leads: read ConvertedContactId once for all, relink, write the Contacts."""
        self._check_headroom(settings, 1)
        lead_ids = [w.record_id for w in writes]
        contacts = self._call(settings, self.gateway.converted_contacts, lead_ids)
        follow: list[RecordWrite] = []
        for write in writes:
            contact_id = contacts.get(write.record_id)
            for person_id in write.person_ids:
                note = follow_conversion(
                    self.store, person_id, write.record_id, contact_id, now, touch=False
                )
                outcome.notes.append(note)
            if contact_id is not None:
                follow.append(
                    RecordWrite(SObject.CONTACT, contact_id, write.fields, write.person_ids)
                )
        return follow

    # plumbing -----------------------------------------------------------------------------

    def _call(self, settings: Settings, fn: Callable[..., T], *args: object) -> T:
        """Retry transient failures a few times with backoff (the injected sleep), then raise."""
        for attempt in range(1, CALL_ATTEMPTS + 1):
            try:
                return fn(*args)
            except TransientError:
                if attempt == CALL_ATTEMPTS:
                    raise
                delay = next_retry_delay(attempt, settings, self.rng.random())
                self.sleep(delay.total_seconds())
        raise AssertionError("unreachable")

    def _check_headroom(self, settings: Settings, upcoming: int) -> None:
        usage = self.gateway.api_usage()
        if usage is None:
            return
        used, allocation = usage
        if allocation and allocation - used - upcoming < settings.api_headroom * allocation:
            raise HeadroomReached()

    def _record(
        self, report: NightlyReport, settings: Settings, now: datetime, run_id: int
    ) -> None:
        diagnostics = [
            Diagnostic(now, p.code, p.message, record_id=None, run_id=run_id)
            for p in report.plan.problems
        ]
        diagnostics += [
            Diagnostic(d.at, d.code, d.message, d.person_id, d.record_id, run_id)
            for d in (*report.errors, *report.notes)
        ]
        diagnostics += self._new_skip_notes(report, now, run_id)
        if report.stopped and report.stopped != Code.NIGHTLY_OFF:
            message = f"nightly run stopped ({report.stopped}); {report.left} writes left"
            diagnostics.append(Diagnostic(now, report.stopped, message, run_id=run_id))
        self.store.add_diagnostics(diagnostics)
        trail = [e for w in self._done for e in written(w, settings, now, RunKind.NIGHTLY, run_id)]
        self.store.add_salesforce_writes(trail)
        self.store.finish_run(run_id, now, _counts(report), _detail(report))
        self._save_state(report, settings, now)

    def _new_skip_notes(
        self, report: NightlyReport, now: datetime, run_id: int
    ) -> list[Diagnostic]:
        """A skipped person is reported once per reason, not every night."""
        notes = []
        for skip in report.plan.skips:
            previous = self.store.diagnostics(skip.person_id)
            if previous and previous[-1].code == skip.code:
                continue
            notes.append(Diagnostic(now, skip.code, skip.message, skip.person_id, run_id=run_id))
        return notes

    def _save_state(self, report: NightlyReport, settings: Settings, now: datetime) -> None:
        """Only a run that left nothing unsettled may be followed by an incremental one."""
        settled = all(e.code in SETTLED for e in report.errors)
        clean = settled and report.stopped is None and report.mode is not None
        self.store.set_state(CLEAN, "1" if clean else "0")
        if not clean:
            return
        self.store.set_state(WATERMARK, now.isoformat())
        if report.mode is ReadMode.FULL:
            self.store.set_state(LAST_FULL, now.isoformat())
            self.store.set_state(SIGNATURE, _signature(settings))


def _ids_of(person: Person, sobject: SObject) -> tuple[str, ...]:
    found = person.contact_id if sobject is SObject.CONTACT else person.lead_id
    return (found,) if found else ()


def _signature(settings: Settings) -> str:
    return ",".join([*sorted(settings.sync_fields), settings.package_field])


def _with(report: NightlyReport, **changes: object) -> NightlyReport:
    return replace(report, **changes)  # type: ignore[arg-type]


def _counts(report: NightlyReport) -> dict[str, int]:
    return {
        "reads": report.reads,
        "writes": report.writes_done,
        "planned_writes": len(report.plan.writes),
        "unsubscribed": report.unsubscribed,
        "skipped": len(report.plan.skips),
        "errors": len(report.errors),
        "calls": report.calls,
        "left": report.left,
    }


def _detail(report: NightlyReport) -> dict[str, object]:
    skips: dict[str, int] = {}
    for skip in report.plan.skips:
        skips[skip.code] = skips.get(skip.code, 0) + 1
    return {
        "mode": str(report.mode) if report.mode else None,
        "stopped": report.stopped,
        "skips": skips,
        "problems": [p.message for p in report.plan.problems],
        "errors": [
            {"person": d.person_id, "record": d.record_id, "code": d.code, "message": d.message}
            for d in report.errors
        ],
    }
