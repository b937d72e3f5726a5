"""An in-memory Salesforce behind the gateway protocol, for service tests without HTTP.

It keeps the rules the engine relies on: writes bump SystemModstamp, deleted and converted
records refuse writes with Salesforce's codes, and every call is counted.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sync_core.errors import ConvertedLeadError, ReadTooLarge, RecordGoneError, SyncError
from sync_core.ids import to18
from sync_core.model import (
    DEFAULT_PACKAGE_FIELD,
    EMAIL_OPT_OUT_FIELD,
    FieldInfo,
    RecordWrite,
    SfRecord,
    SObject,
    SyncField,
    WriteOutcome,
)

PREFIX = {SObject.CONTACT: "003", SObject.LEAD: "00Q"}


@dataclass
class MemRecord:
    sobject: SObject
    values: dict[str, bool]
    modstamp: datetime
    deleted: bool = False
    converted_contact: str | None = None


@dataclass
class MemoryOrg:
    clock: Callable[[], datetime] = lambda: datetime(2026, 1, 1, tzinfo=UTC)
    package: bool = True
    updateable: dict[str, bool] = field(default_factory=dict)
    records: dict[str, MemRecord] = field(default_factory=dict)
    call_log: list[str] = field(default_factory=list)
    faults: list[SyncError] = field(default_factory=list)
    record_faults: dict[str, list[SyncError]] = field(default_factory=dict)
    allocation: int = 15_000
    used_before: int = 0
    written: list[tuple[str, frozenset[str]]] = field(default_factory=list)

    # the org's own side --------------------------------------------------------------------

    def create(self, sobject: SObject, **values: bool) -> str:
        record_id = to18(f"{PREFIX[sobject]}{len(self.records) + 1:012d}")
        base = {EMAIL_OPT_OUT_FIELD: False, DEFAULT_PACKAGE_FIELD: False}
        self.records[record_id] = MemRecord(sobject, {**base, **values}, self.clock())
        return record_id

    def edit(self, record_id: str, **values: bool) -> None:
        record = self.records[record_id]
        record.values.update(values)
        record.modstamp = self.clock()

    def convert(self, lead_id: str) -> str:
        contact = self.create(SObject.CONTACT, **self.records[lead_id].values)
        self.records[lead_id].converted_contact = contact
        self.records[lead_id].modstamp = self.clock()
        return contact

    def delete(self, record_id: str, deleted: bool = True) -> None:
        """To the recycle bin (or back): like Salesforce, this bumps SystemModstamp."""
        self.records[record_id].deleted = deleted
        self.records[record_id].modstamp = self.clock()

    def value(self, record_id: str, name: str = EMAIL_OPT_OUT_FIELD) -> bool:
        return self.records[record_id].values[name]

    # the gateway protocol ------------------------------------------------------------------

    @property
    def calls(self) -> int:
        return len(self.call_log)

    def api_usage(self) -> tuple[int, int] | None:
        return (self.used_before + self.calls, self.allocation)

    def _call(self, name: str) -> None:
        self.call_log.append(name)
        if self.faults:
            raise self.faults.pop(0)

    def describe_fields(self, sobject: SObject) -> Mapping[str, FieldInfo]:
        self._call(f"describe {sobject}")
        names = [EMAIL_OPT_OUT_FIELD] + ([DEFAULT_PACKAGE_FIELD] if self.package else [])
        return {n: FieldInfo(n, self.updateable.get(n, True)) for n in names}

    def describe_all(self, sobjects: Sequence[SObject]) -> dict[SObject, Mapping[str, FieldInfo]]:
        self._call("describe " + " ".join(str(o) for o in sobjects))
        names = [EMAIL_OPT_OUT_FIELD] + ([DEFAULT_PACKAGE_FIELD] if self.package else [])
        fields = {n: FieldInfo(n, self.updateable.get(n, True)) for n in names}
        return dict.fromkeys(sobjects, fields)

    def update(
        self, writes: Sequence[RecordWrite], names: Mapping[SyncField, str]
    ) -> list[WriteOutcome]:
        assert len(writes) <= 200
        self._call(f"update {len(writes)}")
        return [self._write(w, names) for w in writes]

    def bulk_update(
        self, sobject: SObject, writes: Sequence[RecordWrite], names: Mapping[SyncField, str]
    ) -> list[WriteOutcome]:
        for step in ("create", "upload", "close", "poll", "results"):
            self._call(f"bulk {step} {sobject}")
        return [self._write(w, names) for w in writes]

    def _write(self, write: RecordWrite, names: Mapping[SyncField, str]) -> WriteOutcome:
        rid = write.record_id
        queued = self.record_faults.get(rid)
        if queued:
            return WriteOutcome(rid, queued.pop(0))
        record = self.records.get(rid)
        if record is None:
            gone = RecordGoneError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
            return WriteOutcome(rid, gone)
        if record.deleted:
            return WriteOutcome(rid, RecordGoneError("ENTITY_IS_DELETED", "entity is deleted"))
        if record.converted_contact:
            error = ConvertedLeadError(
                "CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead"
            )
            return WriteOutcome(rid, error)
        for sync_field in write.fields:
            record.values[names[sync_field]] = True
        record.modstamp = self.clock()
        self.written.append((rid, frozenset(names[f] for f in write.fields)))
        return WriteOutcome(rid)

    def _snapshot(
        self,
        rid: str,
        record: MemRecord,
        fields: frozenset[SyncField],
        names: Mapping[SyncField, str],
    ) -> SfRecord:
        true = frozenset(f for f in fields if record.values.get(names[f], False))
        contact = record.converted_contact
        return SfRecord(rid, record.sobject, true, contact is not None, contact, record.deleted)

    def read_opted_out(
        self,
        sobject: SObject,
        fields: frozenset[SyncField],
        names: Mapping[SyncField, str],
        *,
        since: datetime | None = None,
        bulk: bool = False,
        bulk_over: int | None = None,
        give_up_over: int | None = None,
    ) -> list[SfRecord]:
        # The watermark read is a queryAll: records deleted since come back, marked deleted.
        rows = [
            self._snapshot(rid, r, fields, names)
            for rid, r in self.records.items()
            if r.sobject is sobject and (since is not None or not r.deleted)
        ]
        if since is not None:
            rows = [r for r in rows if self.records[r.id].modstamp >= since]
        else:
            rows = [r for r in rows if r.opted_out or r.converted]
        if give_up_over is not None:
            self._call(f"read {sobject} rest first page")
            if len(rows) > give_up_over:
                raise ReadTooLarge(len(rows))
            if len(rows) <= 2000:
                return rows
            bulk = bulk or (bulk_over is not None and len(rows) > bulk_over)
            if bulk:
                for _ in range(3):
                    self._call(f"read {sobject} bulk since={since is not None}")
                return rows
            for _ in range(math.ceil(len(rows) / 2000) - 1):
                self._call(f"read {sobject} rest since={since is not None}")
            return rows
        if not bulk and bulk_over is not None and len(rows) > max(bulk_over, 2000):
            self._call(f"read {sobject} rest first page")
            bulk = True
        pages = 3 if bulk else max(1, math.ceil(len(rows) / 2000))
        for _ in range(pages):
            self._call(f"read {sobject} {'bulk' if bulk else 'rest'} since={since is not None}")
        return rows

    def read_records(
        self,
        sobject: SObject,
        ids: Sequence[str],
        fields: frozenset[SyncField],
        names: Mapping[SyncField, str],
    ) -> list[SfRecord]:
        for _ in range(max(1, math.ceil(len(ids) / 300))):
            self._call(f"read ids {sobject}")
        found = [(i, self.records.get(i)) for i in ids]
        return [
            self._snapshot(i, r, fields, names)
            for i, r in found
            if r is not None and not r.deleted and r.sobject is sobject
        ]

    def converted_contacts(self, lead_ids: Sequence[str]) -> Mapping[str, str | None]:
        self._call("converted")
        return {i: self.records[i].converted_contact for i in lead_ids if i in self.records}
