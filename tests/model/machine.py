"""A hypothesis state machine: admins, Salesforce users, faults and the clock act at random on
one org and one engine; docs/behaviour.md's promises (tests.model.oracle) are checked after
every step and inside every nightly run.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from fake_salesforce.control_client import ControlError
from fake_salesforce.errors import ApiError
from fake_salesforce.faults import DROP_MODES
from sync_core.model import NightlyReport, Source, SyncField
from tests.model import oracle
from tests.model.awaiting import waits_for
from tests.model.delivery import Owed, Trouble
from tests.model.world import PACKAGE, Span, World

# Starts a day or two before a daylight-saving change in the US or the EU, and one far from any.
STARTS = (
    datetime(2026, 3, 7, 12, 0, tzinfo=UTC),
    datetime(2026, 3, 28, 12, 0, tzinfo=UTC),
    datetime(2026, 10, 31, 12, 0, tzinfo=UTC),
    datetime(2026, 6, 10, 12, 0, tzinfo=UTC),
)
ZONES = ("America/Los_Angeles", "Europe/Amsterdam", "UTC")
TIMES = ("20:00", "02:30", "01:30", "00:00", "23:59")  # 02:30 and 01:30 meet DST gaps/overlaps
SOURCES = [s for s in Source if s is not Source.SALESFORCE_SYNC]
FIELD_SETS = (
    frozenset({SyncField.EMAIL_OPT_OUT}),
    frozenset({SyncField.MARKETO_SALES_OPT_OUT}),
    frozenset({SyncField.EMAIL_OPT_OUT, SyncField.MARKETO_SALES_OPT_OUT}),
)
OBJECTS = ("Contact", "Lead")
MAX_PEOPLE = 4
MOSTLY, MOSTLY_NOT = st.sampled_from([True, True, False]), st.sampled_from([False, False, True])
LINKS = st.sampled_from([(), ("Contact",), ("Lead",), ("Contact", "Lead")])


@dataclass
class Tally:
    """How much a session of the machine did, printed by the tests."""

    examples: int = 0
    steps: int = 0
    nightly_runs: int = 0
    complete_runs: int = 0
    pushes: int = 0
    people_checked: int = 0  # (person, complete run) pairs the union rule was checked on
    delivered: int = 0  # captured unsubscribes seen arriving in Salesforce


TALLY = Tally()


@dataclass
class Records:
    """The Salesforce records made for one person, by object (the newest last)."""

    by_object: dict[str, list[str]] = field(default_factory=lambda: {"Contact": [], "Lead": []})


def id_form(record_id: str, fifteen: bool) -> str:
    """docs/behaviour.md 3.4: a person may give either form of an Id."""
    return record_id[:15] if fifteen and not waits_for("fifteen_character_ids") else record_id


class ContractMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.world: World | None = None
        self.people: list[int] = []
        self.records: dict[int, Records] = {}
        self.ledger = oracle.Ledger()
        self.owed = Owed()
        self.trouble: Trouble | None = None
        self.checked_seq = 0
        self.seen_usage: tuple[int, Any] | None = None
        TALLY.examples += 1

    # set-up ------------------------------------------------------------------------------

    @initialize(
        start=st.sampled_from(STARTS),
        sync_on=MOSTLY,
        zone=st.sampled_from(ZONES),
        people=st.lists(st.tuples(LINKS, st.booleans()), min_size=1, max_size=3),
    )
    def begin(
        self, start: datetime, sync_on: bool, zone: str, people: list[tuple[Any, bool]]
    ) -> None:
        self.world = World(start)
        self.trouble = Trouble(start)
        self.world.befores.append(self._before)
        self.world.hooks.append(self._after)
        self.world.service.update_settings(start, nightly_sync=sync_on, timezone=zone)
        for objects, opted_out in people:
            self.add_person(objects, opted_out, fifteen=False)
        self.world.start_service()

    @property
    def w(self) -> World:
        assert self.world is not None
        return self.world

    @property
    def t(self) -> Trouble:
        assert self.trouble is not None
        return self.trouble

    def teardown(self) -> None:
        if self.world is not None:
            self.world.close()

    # people ------------------------------------------------------------------------------

    @precondition(lambda self: len(self.people) < MAX_PEOPLE)
    @rule(
        objects=LINKS,
        opted_out=st.booleans(),
        fifteen=st.booleans(),
    )
    def add_person(self, objects: tuple[str, ...], opted_out: bool, fifteen: bool) -> None:
        n = len(self.people) + 1
        made = {o: self._new_record(o, n, opted_out) for o in objects}
        person = self.w.service.add_person(
            f"person{n}@example.com",
            contact_id=id_form(made["Contact"], fifteen) if "Contact" in made else None,
            lead_id=id_form(made["Lead"], fifteen) if "Lead" in made else None,
            now=self.w.now,
        )
        self.people.append(person.id)
        self.records[person.id] = Records({o: [made[o]] if o in made else [] for o in OBJECTS})
        self.w.notice()

    def _new_record(self, sobject: str, n: int, opted_out: bool) -> str:
        body: dict[str, Any] = {"LastName": f"Person{n}", "Email": f"person{n}@example.com"}
        if sobject == "Lead":
            body["Company"] = "Example"
        try:
            return str(self.w.org.create(sobject, {**body, "HasOptedOutOfEmail": opted_out}))
        except ApiError:  # the field is read-only for everyone now: made without it
            return str(self.w.org.create(sobject, body))

    def _pick(self, i: int) -> int:
        return self.people[i % len(self.people)]

    @precondition(lambda self: self.people)
    @rule(i=st.integers(0, MAX_PEOPLE - 1), source=st.sampled_from(SOURCES))
    def unsubscribe(self, i: int, source: Source) -> None:
        pid = self._pick(i)
        if self.w.service.unsubscribe(pid, source, self.w.now):
            self.ledger.captured(pid, self.w.now)
            self.owed.captured(pid, self.w.now)
        self.w.notice()

    @precondition(lambda self: self.people)
    @rule(i=st.integers(0, MAX_PEOPLE - 1))
    def admin_resubscribes(self, i: int) -> None:
        pid = self._pick(i)
        if self.w.service.resubscribe(pid, "admin@example.com", "asked again", self.w.now):
            self.ledger.resubscribed(pid, self.w.now)
            self.owed.cancelled(pid)
        self.w.notice()

    @precondition(lambda self: self.people)
    @rule(
        i=st.integers(0, MAX_PEOPLE - 1),
        sobject=st.sampled_from(OBJECTS),
        name=st.sampled_from(sorted(oracle.SYNC_FIELDS)),
        value=st.booleans(),
    )
    def salesforce_user_edits(self, i: int, sobject: str, name: str, value: bool) -> None:
        """A user checks or unchecks a box (refused on a converted Lead or a deleted record)."""
        mine = self.records[self._pick(i)].by_object[sobject]
        if mine:
            with contextlib.suppress(ApiError):
                self.w.org.update(sobject, mine[-1], {name: value})

    @precondition(lambda self: self.people)
    @rule(i=st.integers(0, MAX_PEOPLE - 1), sobject=st.sampled_from(OBJECTS), fifteen=st.booleans())
    def relink(self, i: int, sobject: str, fifteen: bool) -> None:
        """An admin links the person to a new record of its own."""
        pid = self._pick(i)
        rid = self._new_record(sobject, pid, False)
        self.records[pid].by_object[sobject].append(rid)
        key = "contact_id" if sobject == "Contact" else "lead_id"
        self.w.service.link(pid, now=self.w.now, **{key: id_form(rid, fifteen)})
        self.t.relinked[pid] = self.w.now
        self.w.notice()

    @precondition(lambda self: self.people)
    @rule(i=st.integers(0, MAX_PEOPLE - 1), map_package_field=st.booleans())
    def convert_lead(self, i: int, map_package_field: bool) -> None:
        leads = self.records[self._pick(i)].by_object["Lead"]
        if leads:
            try:
                made = self.w.control.convert_lead(leads[-1], map_package_field=map_package_field)
            except ControlError:
                return
            self.records[self._pick(i)].by_object["Contact"].append(made["contactId"])

    @precondition(lambda self: self.people)
    @rule(i=st.integers(0, MAX_PEOPLE - 1), sobject=st.sampled_from(OBJECTS), undo=st.booleans())
    def delete_or_undelete(self, i: int, sobject: str, undo: bool) -> None:
        pid = self._pick(i)
        mine = self.records[pid].by_object[sobject]
        if not mine:
            return
        try:
            if undo:
                self.w.control.undelete(sobject, mine[-1])
                self.t.undeleted[pid] = self.w.now
            else:
                self.w.org.delete(sobject, mine[-1])
        except (ApiError, ControlError):
            pass

    # the org's admin ---------------------------------------------------------------------

    @rule(name=st.sampled_from(sorted(oracle.SYNC_FIELDS)), read_only=MOSTLY_NOT)
    def field_access(self, name: str, read_only: bool) -> None:
        for sobject in OBJECTS:
            with contextlib.suppress(ControlError):  # the package field is not installed
                self.w.control.set_field_read_only(sobject, name, read_only)
        self._note_permanent_trouble()

    @rule(installed=MOSTLY)
    def package(self, installed: bool) -> None:
        if installed:
            self.w.control.install_package(PACKAGE)
        else:
            self.w.control.uninstall_package(PACKAGE)
        self._note_permanent_trouble()

    @rule(
        sync_on=st.booleans(),
        fields=st.sampled_from(FIELD_SETS),
        at=st.sampled_from(TIMES),
        zone=st.sampled_from(ZONES),
    )
    def settings(self, sync_on: bool, fields: frozenset[SyncField], at: str, zone: str) -> None:
        self.w.service.update_settings(
            self.w.now, nightly_sync=sync_on, sync_fields=fields, nightly_at=at, timezone=zone
        )
        self._note_permanent_trouble()
        self.w.notice()

    def _note_permanent_trouble(self) -> None:
        """A field a push writes is read-only or gone (docs/behaviour.md 3.2): parked."""
        settings = self.w.service.settings()
        pushed = (
            {settings.api_name(f) for f in settings.sync_fields}
            if settings.nightly_sync
            else {oracle.EMAIL_OPT_OUT}
        )
        org = self.w.org
        blocked = any(
            (spec := org.object_spec(o)) is None
            or (f := spec.field(name)) is None
            or not f.updateable
            for o in OBJECTS
            for name in pushed
        )
        self.t.permanent(blocked, self.w.now)

    # faults ------------------------------------------------------------------------------

    @rule(minutes=st.integers(1, 300))
    def outage(self, minutes: int) -> None:
        self.w.control.add_fault({"kind": "outage", "until": f"+{minutes}m"})
        self.t.transient(self.w.now + timedelta(minutes=minutes))

    @rule(count=st.integers(1, 4))
    def lock_errors(self, count: int) -> None:
        """Another process holds the records: the next writes fail (Salesforce locks on DML)."""
        spec = {"kind": "error", "code": "UNABLE_TO_LOCK_ROW", "count": count, "method": "PATCH"}
        self.w.control.add_fault(spec)

    @rule(count=st.integers(1, 3), mode=st.sampled_from(DROP_MODES))
    def connection_drops(self, count: int, mode: str) -> None:
        """Cut replies, resets, protocol and TLS errors (transient, docs/behaviour.md 8)."""
        self.w.control.add_fault({"kind": "drop", "mode": mode, "count": count})

    @rule()
    def session_expires(self) -> None:
        self.w.control.expire_sessions()

    @rule(short_of_headroom=st.integers(-2, 3), exhausted=st.booleans())
    def api_usage(self, short_of_headroom: int, exhausted: bool) -> None:
        """Other integrations spend the org's allocation: all of it, or up to the headroom."""
        limit = int(self.w.org.usage.limit)
        line = int(limit * (1 - self.w.service.settings().api_headroom))
        self.w.control.set_usage(used=limit if exhausted else line - short_of_headroom)
        if exhausted:
            self.t.transient(self._org_midnight())

    def _org_midnight(self) -> datetime:
        zone = ZoneInfo(self.w.org.timezone)
        day = self.w.now.astimezone(zone).date() + timedelta(days=1)
        return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)

    # time and the service ----------------------------------------------------------------

    @rule(minutes=st.integers(1, 600))
    def restart_service(self, minutes: int) -> None:
        self.w.stop_service()
        self.w.advance(self.w.now + timedelta(minutes=minutes))
        self.t.transient(self.w.now)
        self.w.start_service()

    @rule(minutes=st.sampled_from([1, 5, 20, 61, 180, 600, 1440]))
    def time_passes(self, minutes: int) -> None:
        self.w.advance(self.w.now + timedelta(minutes=minutes))

    @rule(after=st.integers(1, 150))
    def past_the_nightly_time(self, after: int) -> None:
        settings = self.w.service.settings()
        from sync_core.schedule import next_nightly

        slot = next_nightly(self.w.now, settings.nightly_at, settings.timezone)
        self.w.advance(slot + timedelta(minutes=after))

    # the oracle --------------------------------------------------------------------------

    def _snapshot(self) -> oracle.Snapshot:
        return oracle.snapshot(self.w.service, self.w.org, self.w.now)

    def _before(self, kind: str) -> tuple[oracle.Snapshot, int | None]:
        if kind == "push":
            return self._snapshot(), None
        self.ledger.nightly_times.append(self.w.now)
        return self._snapshot(), self._usage_seen()

    def _usage_seen(self) -> int | None:
        if self.seen_usage is None or waits_for("headroom_before_first_call"):
            return None
        used, day = self.seen_usage
        zone = ZoneInfo(self.w.org.timezone)
        return used if day == self.w.now.astimezone(zone).date() else None

    def _after(self, span: Span) -> None:
        org = self.w.org
        writes = oracle.engine_writes(org, span.low, span.high)
        oracle.check_writes_only_true(writes)
        calls = oracle.counted_calls(org, span.low, span.high)
        last = [e for e in org.journal.entries if span.low < e.seq <= span.high and e.counted]
        if last and not oracle.cut_replies(org, last[-1].seq - 1, last[-1].seq):
            zone = ZoneInfo(org.timezone)  # the engine saw the usage on that last reply
            self.seen_usage = (org.usage.used(self.w.now), self.w.now.astimezone(zone).date())
        if span.kind == "push":
            TALLY.pushes += 1 if calls else 0
            if not waits_for("resubscribe_cancels_push"):
                oracle.check_push_for_unsubscribed(span.before[0], writes)
            return
        TALLY.nightly_runs += 1
        before, seen = span.before
        spent = org.usage.used(self.w.now) - before.used
        unseen = oracle.cut_replies(org, span.low, span.high)
        oracle.check_headroom(before, calls, spent, unseen, seen)
        report = span.report
        assert isinstance(report, NightlyReport)
        if report.plan.problems:
            oracle.require(not writes, "3.2", f"a run with {report.plan.problems} wrote {writes}")
        if report.stopped is None and not report.plan.problems and report.mode is not None:
            TALLY.complete_runs += 1
            follow = not waits_for("conversion_read_by_nightly")
            oracle.check_no_write_in_agreement(before, writes, follow)
            TALLY.people_checked += sum(1 for v in before.people.values() if v.record)
            oracle.check_union(before, self._snapshot(), report, follow)

    @invariant()
    def promises_hold(self) -> None:
        if self.world is None:
            return
        TALLY.steps += 1
        high = self.w.journal_mark()
        oracle.check_writes_only_true(oracle.engine_writes(self.w.org, self.checked_seq, high))
        oracle.check_writes_recorded(self.w.service, self.w.org, self.checked_seq, high)
        for entry in self.w.org.journal.query(after_seq=self.checked_seq):
            if entry.faults and entry.seq <= high:  # a lock error or a drop: until its last hit
                self.t.transient(entry.time)
        self.checked_seq = high
        oracle.check_history(self.w.service, self.ledger)
        snap = self._snapshot()
        TALLY.delivered += self.owed.settle(snap)
        awaiting = self.w.service.store.people_awaiting_delivery()
        self.owed.check(snap, awaiting, self.t, self.w.now)
