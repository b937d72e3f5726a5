"""The nightly run: gather what both sides hold, plan the union, apply it, record it.

Reads the fewest Salesforce calls: a SystemModstamp watermark when that is safe, otherwise
(and at least every `full_reconcile_days`) a full read, by REST pages or Bulk API 2.0.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial

from sync_core.errors import ConvertedLeadError, RecordGoneError, SyncError
from sync_core.gather import (
    CLEAN,
    LAST_FULL,
    SIGNATURE,
    WATERMARK,
    HeadroomReached,
    Reader,
    signature,
)
from sync_core.model import (
    Code,
    Diagnostic,
    NightlyPlan,
    NightlyReport,
    Person,
    ReadMode,
    RecordWrite,
    Relink,
    RunKind,
    Settings,
    SfRecord,
    SObject,
    Source,
    WriteOutcome,
)
from sync_core.plan import (
    plan_conversions,
    plan_nightly,
    plan_requirements,
    plan_write_calls,
    uses_bulk_write,
)
from sync_core.ports import Clock
from sync_core.push import follow_conversion, update_in_shape, writes_by_object, written
from sync_core.usage import remember_usage

log = logging.getLogger(__name__)

WRITING = "writing to Salesforce"
UNSUBSCRIBING = "unsubscribing in Marketo Sales"


@dataclass
class _Outcome:
    written: int = 0
    left: int = 0
    total: int = 0
    stopped: str | None = None
    errors: list[Diagnostic] = field(default_factory=list)
    notes: list[Diagnostic] = field(default_factory=list)
    done: list[RecordWrite] = field(default_factory=list)
    unsettled: int = 0  # errors that leave something for the next run to redo


@dataclass
class NightlyRun(Reader):
    """gather -> plan -> apply -> record."""

    clock: Clock | None = None  # measures the run's duration; `now` anchors it
    _done: list[RecordWrite] = field(default_factory=list)
    _unsettled: int = 0

    def run(self, now: datetime, *, dry_run: bool = False, full: bool = False) -> NightlyReport:
        self._unsettled = 0
        settings = self.store.settings()
        began = self.clock() if self.clock else now
        calls = self._calls_at_start = self.gateway.calls
        self._now = now
        report = NightlyReport(started_at=now, dry_run=dry_run, mode=None, plan=NightlyPlan())
        if not settings.nightly_sync:
            # docs/behaviour.md 3.1: with the setting off the nightly sync does not run, so an
            # admin's "sync now" starts no run (the report says why).
            return _with(report, stopped=Code.NIGHTLY_OFF)
        run_id = None if dry_run else self.store.start_run(RunKind.NIGHTLY, now)
        try:
            report = self._run(report, settings, now, full)
        except SyncError as exc:
            error = Diagnostic(now, exc.code, exc.message, record_id=exc.record_id, run_id=run_id)
            report = _with(report, errors=(*report.errors, error), stopped=exc.code)
        except HeadroomReached as exc:
            report = _with(report, stopped=Code.API_HEADROOM, left=int(str(exc) or 0))
        report = _with(report, calls=self.gateway.calls - calls, run_id=run_id)
        if report.calls:
            remember_usage(self.store, self.gateway, now)
        if run_id is not None:
            self._record(report, settings, now, run_id, began)
        return report

    def _run(
        self, report: NightlyReport, settings: Settings, now: datetime, full: bool
    ) -> NightlyReport:
        self._check_headroom(settings, 1)
        described = self._call(settings, self.gateway.describe_all, list(SObject))
        problems = plan_requirements(settings, described)
        if problems:
            return _with(report, plan=NightlyPlan(problems=problems))
        mode = ReadMode.FULL if full else self._mode(settings, now)
        report = _with(report, mode=mode)
        mode, records, people = self._gather(mode, settings, now)
        people, records, gone = self._set_aside_deleted(people, records, now, report.dry_run)
        report = _with(report, mode=mode, errors=(*report.errors, *gone))
        people, records, relinked = self._conversions(people, records, mode, settings, now, report)
        report = _with(report, notes=tuple(relinked))
        plan = plan_nightly(people, records, settings, described)
        report = _with(report, plan=plan, reads=len(records))
        if report.dry_run:
            return _with(report, estimated_write_calls=plan_write_calls(plan.writes, settings))
        for done, unsubscribe in enumerate(plan.unsubscribes):
            if done % 500 == 0:
                self.progress(UNSUBSCRIBING, done, len(plan.unsubscribes))
            self.store.record_unsubscribe(
                unsubscribe.person_id, Source.SALESFORCE_SYNC, now, None, touch=False
            )
        report = _with(report, unsubscribed=len(plan.unsubscribes))
        outcome = self._apply(plan.writes, settings, now)
        for sobject in SObject:
            count = sum(1 for w in outcome.done if w.sobject is sobject)
            self.store.set_state(f"nightly.written.{sobject}", str(count))
        self._done = outcome.done
        self._unsettled = outcome.unsettled
        self._settle_pushes(people, records, outcome.done, settings, now)
        return _with(
            report,
            writes_done=outcome.written,
            left=outcome.left,
            stopped=outcome.stopped,
            errors=(*report.errors, *outcome.errors),
            notes=(*report.notes, *outcome.notes),
        )

    def _settle_pushes(
        self,
        people: Sequence[Person],
        records: Mapping[str, SfRecord],
        done: Sequence[RecordWrite],
        settings: Settings,
        now: datetime,
    ) -> None:
        """Pushes still waiting (or parked) for people whose record now holds every selected
        field are redundant: the run has delivered what they would have."""
        awaiting = self.store.people_awaiting_delivery()
        if not awaiting:
            return
        written = {w.record_id for w in done}
        converged = []
        for person in people:
            if person.id not in awaiting:
                continue
            target = person.target
            if target is None:
                continue
            record = records.get(target[1])
            held = record is not None and settings.sync_fields <= record.opted_out
            if held or target[1] in written:
                converged.append(person.id)
        self.store.settle_items(converged, now)

    def _conversions(
        self,
        people: list[Person],
        records: dict[str, SfRecord],
        mode: ReadMode,
        settings: Settings,
        now: datetime,
        report: NightlyReport,
    ) -> tuple[list[Person], dict[str, SfRecord], list[Diagnostic]]:
        """docs/behaviour.md 7: a Lead read as converted counts for nothing; its person is relinked
        to the Contact (noted in diagnostics), which is then the record for both directions.
        A dry run relinks in memory only."""
        relinks, live = plan_conversions(people, records)
        if not relinks:
            return people, live, []
        notes: list[Diagnostic] = []
        moved: dict[int, Person] = {}
        for relink in relinks:
            if report.dry_run:
                moved[relink.person_id] = _relinked(people, relink)
                continue
            note = follow_conversion(
                self.store, relink.person_id, relink.lead_id, relink.contact_id, now, touch=False
            )
            notes.append(note)
            moved[relink.person_id] = self.store.person(relink.person_id)
        wanted = sorted({r.contact_id for r in relinks if r.contact_id} - set(live))
        if wanted and mode is ReadMode.INCREMENTAL:  # a full read has every opted-out Contact
            self._check_headroom(settings, 1)
            read = partial(
                self.gateway.read_records,
                SObject.CONTACT,
                wanted,
                settings.sync_fields,
                settings.names(),
            )
            live.update((r.id, r) for r in self._call(settings, read))
        return [moved.get(p.id, p) for p in people], live, notes

    # writing ------------------------------------------------------------------------------

    def _apply(self, writes: Sequence[RecordWrite], settings: Settings, now: datetime) -> _Outcome:
        outcome = _Outcome(left=len(writes), total=len(writes))
        self.progress(WRITING, 0, outcome.total)
        try:
            converted = self._write(writes, settings, now, outcome)
            if converted:
                follow = self._follow(converted, settings, now, outcome)
                outcome.left += len(follow)
                outcome.total += len(follow)
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
            batches.append((partial(update_in_shape, self.gateway, chunk, names), chunk))
        for send, group in batches:
            self._check_headroom(settings, 5 if len(group) > size else 1)
            results = {o.record_id: o.error for o in self._call(settings, send)}
            outcome.left -= len(group)
            self.progress(WRITING, outcome.total - outcome.left, outcome.total)
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
        """A record gone (RecordGoneError) breaks its people's links: they are skipped from now
        on (docs/behaviour.md 7), so the failure is settled. Any other failure is not."""
        code = error.code if isinstance(error, SyncError) else type(error).__name__
        message = error.message if isinstance(error, SyncError) else str(error)
        for person_id in write.person_ids:
            outcome.errors.append(Diagnostic(now, code, message, person_id, write.record_id))
            if not isinstance(error, RecordGoneError):
                outcome.unsettled += 1
                continue
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

    def _record(
        self, report: NightlyReport, settings: Settings, now: datetime, run_id: int, began: datetime
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
        if report.stopped:
            message = f"nightly run stopped ({report.stopped}); {report.left} writes left"
            diagnostics.append(Diagnostic(now, report.stopped, message, run_id=run_id))
        self.store.add_diagnostics(diagnostics)
        trail = [e for w in self._done for e in written(w, settings, now, RunKind.NIGHTLY, run_id)]
        self.store.add_salesforce_writes(trail)
        finished = now + (self.clock() - began if self.clock else timedelta(0))
        self.store.finish_run(run_id, finished, _counts(report), _detail(report))
        log.info("nightly run %s (%s): %s", run_id, report.mode, _counts(report))
        self._save_state(report, settings, now)

    def _new_skip_notes(
        self, report: NightlyReport, now: datetime, run_id: int
    ) -> list[Diagnostic]:
        """A skipped person is reported once per reason, not every night."""
        notes = []
        latest = self.store.latest_codes(s.person_id for s in report.plan.skips)
        for skip in report.plan.skips:
            if latest.get(skip.person_id) == skip.code:
                continue
            notes.append(Diagnostic(now, skip.code, skip.message, skip.person_id, run_id=run_id))
        return notes

    def _save_state(self, report: NightlyReport, settings: Settings, now: datetime) -> None:
        """Only a run that left nothing unsettled may be followed by an incremental one: it
        stopped nowhere and every record it failed to write is gone (see `_fail`)."""
        clean = not self._unsettled and report.stopped is None and report.mode is not None
        self.store.set_state(CLEAN, "1" if clean else "0")
        if not clean:
            return
        self.store.set_state(WATERMARK, now.isoformat())
        if report.mode is ReadMode.FULL:
            self.store.set_state(LAST_FULL, now.isoformat())
            self.store.set_state(SIGNATURE, signature(settings))


def _relinked(people: Sequence[Person], relink: Relink) -> Person:
    """The person as `follow_conversion` would leave it (for a dry run, which stores nothing)."""
    person = next(p for p in people if p.id == relink.person_id)
    if relink.contact_id is None:
        return replace(person, link_broken=True)
    return replace(person, contact_id=relink.contact_id)


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
        "errors": [d.as_detail() for d in report.errors],
    }
