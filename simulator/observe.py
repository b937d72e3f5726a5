"""What both systems hold for the scenario's named people and records, read fresh each time.

Snapshots before and after an event give its "what changed"; lane states feed the picture.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from simulator.orgs import SYNC_FIELDS, SalesforceSide
from simulator.results import Change, LaneState
from sync_core.model import Kind, Person
from sync_core.service import SyncService

Snapshot = dict[tuple[str, str], Any]


@dataclass
class Refs:
    """Scenario names for what the fake and the store minted."""

    records: dict[str, tuple[str, str]] = field(default_factory=dict)  # ref -> (type, Id)
    people: dict[str, int] = field(default_factory=dict)  # ref -> person id

    def record_ref(self, record_id: str | None) -> str | None:
        if record_id is None:
            return None
        for ref, (_, rid) in self.records.items():
            if rid[:15] == record_id[:15]:
                return ref
        return record_id

    def person_ref(self, person_id: int | None) -> str | None:
        return next((ref for ref, pid in self.people.items() if pid == person_id), None)


class Observer:
    def __init__(self, service: SyncService, side: SalesforceSide, refs: Refs) -> None:
        self.service = service
        self.side = side
        self.refs = refs

    def person(self, ref: str) -> Person:
        return self.service.person(self.refs.people[ref])

    def linked_refs(self, person: Person) -> list[str]:
        ids = (person.contact_id, person.lead_id)
        return [r for r in (self.refs.record_ref(i) for i in ids if i) if r is not None]

    def latest_source(self, ref: str) -> str | None:
        entries = [h for h in self.service.history(self.refs.people[ref])
                   if h.kind is Kind.UNSUBSCRIBE]  # fmt: skip
        return None if not entries or entries[-1].source is None else str(entries[-1].source)

    def record(self, ref: str) -> dict[str, Any] | None:
        sobject, record_id = self.refs.records[ref]
        return self.side.get(sobject, record_id)

    def record_fields(self, ref: str) -> dict[str, Any]:
        """The sync fields the record has (and whether it is gone), for timelines."""
        record = self.record(ref)
        if record is None:
            return {"state": "deleted"}
        values: dict[str, Any] = {n: record[n] for n in SYNC_FIELDS if n in record}
        if record.get("IsConverted"):
            values["IsConverted"] = True
        return values

    def snapshot(self) -> Snapshot:
        state: Snapshot = {}
        for ref in self.refs.people:
            person = self.person(ref)
            state[(ref, "unsubscribed")] = person.unsubscribed
            state[(ref, "salesforce")] = self.linked_refs(person)
            if person.link_broken:
                state[(ref, "link")] = "broken"
        for ref in self.refs.records:
            for name, value in self.record_fields(ref).items():
                state[(ref, name)] = value
        return state

    def lane(self, ref: str, at: datetime) -> LaneState:
        person = self.person(ref)
        target = person.target
        values: dict[str, bool | None] = {}
        if target is not None:
            record = self.side.get(target[0].value, target[1])
            if record is not None:
                values = {n: bool(record[n]) for n in SYNC_FIELDS if n in record}
        return LaneState(at, person.unsubscribed, values, target is not None and bool(values))


def changes(before: Mapping[tuple[str, str], Any], after: Snapshot) -> tuple[Change, ...]:
    keys = list(dict.fromkeys([*before, *after]))
    return tuple(
        Change(subject, what, before.get((subject, what)), after.get((subject, what)))
        for subject, what in keys
        if before.get((subject, what)) != after.get((subject, what))
    )
