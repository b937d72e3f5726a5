"""The contract's promises, written from docs/behaviour.md alone, checked against what both
systems show: the store's public queries and the fake org's records and journal.

Nothing here asks the engine what it meant to do (no plan, no engine helpers): each check says
what a person watching both systems may expect, and fails with the rule it breaks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fake_salesforce.schema import MSO_FIELD
from sync_core.model import Kind, NightlyReport, Person, Source
from sync_core.service import SyncService

EMAIL_OPT_OUT = "HasOptedOutOfEmail"
API_NAMES = {"email_opt_out": EMAIL_OPT_OUT, "marketo_sales_opt_out": MSO_FIELD}
SYNC_FIELDS = frozenset(API_NAMES.values())
# docs/behaviour.md 4: transient failures back off to at most 15 minutes (jitter on top), parked
# pushes are tried again hourly; a push waits up to about a second to be grouped.
BACKOFF_CAP = timedelta(minutes=15)
SLOW_RETRY = timedelta(hours=1)
SLACK = timedelta(minutes=10)


class ContractBroken(AssertionError):
    """A promise of docs/behaviour.md did not hold; the message names the section."""


def require(held: bool, rule: str, what: str) -> None:
    if not held:
        raise ContractBroken(f"docs/behaviour.md {rule}: {what}")


@dataclass(frozen=True)
class View:
    """One person as both systems show it at an instant."""

    unsubscribed: bool
    broken: bool
    record: str | None  # the live record the contract writes for this person (18 characters)
    opted_out: frozenset[str]  # sync fields true on that record
    said: frozenset[str]  # sync fields true on any live record that speaks for the person
    converted: bool  # linked to a converted Lead


@dataclass(frozen=True)
class Snapshot:
    at: datetime
    people: Mapping[int, View]
    selected: frozenset[str]  # API names of the fields the settings select
    sync_on: bool
    used: int
    limit: int
    headroom: float


def _live(org: Any, sobject: str, record_id: str | None) -> dict[str, Any] | None:
    return None if not record_id else org.get(sobject, record_id)


def _true(record: Mapping[str, Any] | None) -> frozenset[str]:
    return frozenset(n for n in SYNC_FIELDS if record and record.get(n) is True)


def view_of(org: Any, person: Person) -> View:
    """docs/behaviour.md 7: the Contact is written when there is one, else the Lead; a converted
    Lead counts for nothing and its Contact takes its place. Both linked records speak for
    the person (5: "either side said so")."""
    contact = _live(org, "Contact", person.contact_id)
    lead = _live(org, "Lead", person.lead_id)
    converted = bool(lead and lead.get("IsConverted"))
    if converted and lead is not None:
        # The Contact it became speaks for the person only when it takes the Lead's place;
        # beside a Contact of the person's own, a converted Lead counts for nothing.
        lead = None if person.contact_id else _live(org, "Contact", lead.get("ConvertedContactId"))
    target = contact if person.contact_id else lead
    said = _true(contact) | _true(lead)
    record = None if target is None else str(target["Id"])
    return View(person.unsubscribed, person.link_broken, record, _true(target), said, converted)


def snapshot(service: SyncService, org: Any, now: datetime) -> Snapshot:
    settings = service.settings()
    people = {p.id: view_of(org, p) for p in service.people()}
    selected = frozenset(API_NAMES[str(f)] for f in settings.sync_fields)
    return Snapshot(
        now, people, selected, settings.nightly_sync,
        org.usage.used(now), org.usage.limit, settings.api_headroom,
    )  # fmt: skip


def engine_writes(org: Any, low: int, high: int) -> list[tuple[Any, str, dict[str, Any]]]:
    """(entry, record Id, fields) of every successful write the engine made in (low, high]."""
    found: list[tuple[Any, str, dict[str, Any]]] = []
    for entry in org.journal.entries:
        if low < entry.seq <= high and entry.status < 300:
            found.extend((entry, str(rid), dict(values)) for rid, values in entry.written)
    return found


def counted_calls(org: Any, low: int, high: int) -> int:
    return sum(1 for e in org.journal.entries if low < e.seq <= high and e.counted)


def _cut(entry: Any) -> bool:
    """A call answered on the server whose reply the client never received (a drop fault)."""
    return any(str(f).endswith(":drop") for f in entry.faults)


def cut_replies(org: Any, low: int, high: int) -> int:
    return sum(1 for e in org.journal.entries if low < e.seq <= high and _cut(e))


# after a nightly run ----------------------------------------------------------------------


def check_union(
    before: Snapshot, after: Snapshot, report: NightlyReport, follow_conversion: bool
) -> None:
    """docs/behaviour.md 5: after a complete run, a person is unsubscribed, and every selected
    field of its record is true, iff either side said so before the run."""
    failed = {d.record_id for d in report.errors if d.record_id}
    for pid, was in before.people.items():
        now = after.people.get(pid)
        if now is None or was.broken or was.record is None or was.record != now.record:
            continue
        if was.record in failed or (was.record[:15] in {r[:15] for r in failed}):
            continue
        if was.converted and not follow_conversion:
            continue
        said = was.unsubscribed or bool(was.said & before.selected)
        require(
            now.unsubscribed == said,
            "5 (union)",
            f"person {pid} unsubscribed={now.unsubscribed} after the run; before it Marketo "
            f"Sales said {was.unsubscribed}, its records had {sorted(was.said)}",
        )
        fields = now.opted_out & before.selected
        expected = before.selected if said else frozenset()
        require(
            fields == expected,
            "5 (union)",
            f"record {was.record} of person {pid} has {sorted(fields)} true after the run, "
            f"expected {sorted(expected)} (before: {sorted(was.opted_out)}, "
            f"unsubscribed {was.unsubscribed})",
        )


def check_no_write_in_agreement(
    before: Snapshot, writes: Iterable[tuple[Any, str, dict[str, Any]]], follow_conversion: bool
) -> None:
    """docs/behaviour.md 5: records already in agreement are not written; 7: a run writes only
    the record the contract names for a person."""
    for entry, rid, _values in writes:
        owners = [p for p, v in before.people.items() if v.record and v.record[:15] == rid[:15]]
        require(
            bool(owners),
            "7 (which record)",
            f"{entry.method} {entry.path} wrote {rid}, no person's record to write",
        )
        for pid in owners:
            was = before.people[pid]
            if was.converted and not follow_conversion:
                continue
            on = was.opted_out & before.selected
            agreed = (was.unsubscribed and on == before.selected) or (
                not was.unsubscribed and not was.said & before.selected
            )
            require(
                not agreed,
                "5 (no write in agreement)",
                f"the run wrote {rid} of person {pid}, already in agreement "
                f"(unsubscribed {was.unsubscribed}, true: {sorted(on)})",
            )


def check_headroom(before: Snapshot, calls: int, spent: int, unseen: int, seen: int | None) -> None:
    """docs/behaviour.md 8: a nightly run spends none of the headroom left for other integrations.

    `calls` are the requests it made, `spent` what they took from the allocation (a refused
    call takes nothing), `unseen` the calls whose reply was cut (the usage they spent never
    reached the engine); `seen` is the usage the engine last saw before the run (None leaves
    the first call unchecked)."""
    line = before.limit * (1 - before.headroom)
    if seen is not None and seen >= line:
        require(calls == 0, "8 (headroom)", f"the run made {calls} call(s) with usage {seen}")
    # After each call the engine has seen the usage it left; one call more is the most a
    # check-before-call allows once that is inside the headroom (the first, unseen, one).
    allowed = max(0, int(line - before.used)) + 1 + unseen
    require(
        spent <= allowed,
        "8 (headroom)",
        f"the run spent {spent} calls from usage {before.used}/{before.limit} "
        f"(headroom line {line:.0f})",
    )


def check_push_for_unsubscribed(
    before: Snapshot, writes: Iterable[tuple[Any, str, dict[str, Any]]]
) -> None:
    """docs/behaviour.md 4: what a push delivers is decided by the person's state at delivery; a
    resubscribed person's push is cancelled, never written."""
    for entry, rid, _values in writes:
        owners = [v for v in before.people.values() if v.record and v.record[:15] == rid[:15]]
        require(
            any(v.unsubscribed for v in owners),
            "4 (delivery decided at delivery)",
            f"{entry.method} {entry.path} pushed {rid}; nobody linked to it is unsubscribed",
        )


def check_writes_only_true(writes: Iterable[tuple[Any, str, dict[str, Any]]]) -> None:
    """docs/behaviour.md 4 and 5: the engine only ever writes true."""
    for entry, rid, values in writes:
        for name, value in values.items():
            if name in SYNC_FIELDS:
                require(
                    value is True,
                    "4/5 (never false)",
                    f"{entry.method} {entry.path} wrote {name}={value!r} on {rid}",
                )


# the trail --------------------------------------------------------------------------------


@dataclass
class Ledger:
    """What people did (not the engine): captures and admin resubscribes, by person."""

    captures: dict[int, list[datetime]] = field(default_factory=dict)
    resubscribes: dict[int, list[datetime]] = field(default_factory=dict)
    nightly_times: list[datetime] = field(default_factory=list)
    histories: dict[int, list[Any]] = field(default_factory=dict)

    def captured(self, pid: int, at: datetime) -> None:
        self.captures.setdefault(pid, []).append(at)

    def resubscribed(self, pid: int, at: datetime) -> None:
        self.resubscribes.setdefault(pid, []).append(at)


def check_history(service: SyncService, ledger: Ledger) -> None:
    """docs/behaviour.md 1 and 6: history is append-only, every entry has its author, the flag is
    the last entry's word, and the engine never resubscribes anyone."""
    for person in service.people():
        history = service.history(person.id)
        old = ledger.histories.get(person.id, [])
        require(
            history[: len(old)] == old,
            "1 (append-only history)",
            f"person {person.id}'s history changed: {old} -> {history}",
        )
        ledger.histories[person.id] = history
        resubs = [h for h in history if h.kind is Kind.RESUBSCRIBE]
        require(
            len(resubs) == len(ledger.resubscribes.get(person.id, [])),
            "6 (only an admin resubscribes)",
            f"person {person.id} has {len(resubs)} resubscribes, admins made "
            f"{len(ledger.resubscribes.get(person.id, []))}",
        )
        require(
            all(h.admin and h.reason for h in resubs),
            "6",
            f"a resubscribe without admin or reason: {resubs}",
        )
        _check_unsubscribes(person, history, ledger)


def _check_unsubscribes(person: Person, history: list[Any], ledger: Ledger) -> None:
    captured = [h for h in history if h.kind is Kind.UNSUBSCRIBE]
    by_people = [h for h in captured if h.source is not Source.SALESFORCE_SYNC]
    require(
        len(by_people) == len(ledger.captures.get(person.id, [])),
        "1 (history explains every change)",
        f"person {person.id}: {len(by_people)} captured unsubscribes in history, "
        f"{len(ledger.captures.get(person.id, []))} made",
    )
    for entry in captured:
        if entry.source is Source.SALESFORCE_SYNC:
            require(
                entry.at in ledger.nightly_times,
                "5 (salesforce_sync only from a nightly run)",
                f"person {person.id} unsubscribed by salesforce_sync at {entry.at}, no run then",
            )
    last = history[-1].kind is Kind.UNSUBSCRIBE if history else False
    require(
        person.unsubscribed == last,
        "1 (history explains every change)",
        f"person {person.id} unsubscribed={person.unsubscribed}, history ends {history[-1:]}",
    )


def check_writes_recorded(service: SyncService, org: Any, low: int, high: int) -> None:
    """docs/behaviour.md 8: every run records what it wrote; each engine write to a record shows
    in some person's trail."""
    trail = {w.record_id[:15] for p in service.people() for w in service.salesforce_writes(p.id)}
    for entry, rid, _values in engine_writes(org, low, high):
        if _cut(entry):
            continue  # the reply never came: the engine cannot know it wrote (its retry will)
        require(
            rid[:15] in trail,
            "8 (every write recorded)",
            f"{entry.method} {entry.path} wrote {rid}; no person's trail shows it",
        )
