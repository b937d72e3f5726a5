"""Every request an org answered: when, what, status, error code and the record Ids touched.

Tests and scenarios query it ("this Contact was written exactly once, with these fields") and
count it (`api_calls:` and `writes:` in scenario files). A journal may keep only its newest
`limit` entries (a served fake does, so a long-lived CI server stays flat); `dropped` counts the
older ones it let go, and sequence numbers keep counting across them.
"""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Fault rules that hit the request being answered in this thread, for its journal entry.
_FAULTS: ContextVar[tuple[str, ...]] = ContextVar("fake_salesforce_faults", default=())
# Where the entries recorded in this thread's request are also put (the console's recorder).
RECORDED: ContextVar[list[Entry] | None] = ContextVar("fake_salesforce_recorded", default=None)


def clear_fault_notes() -> None:
    """Start a request with no fault marks (called first thing for each request)."""
    _FAULTS.set(())


def note_fault(label: str) -> None:
    """Mark the entry of the request now being answered (a fault rule hit it)."""
    _FAULTS.set((*_FAULTS.get(), label))


Write = tuple[str, tuple[tuple[str, Any], ...]]  # (record Id, (field, JSON value) pairs)


class Deferred(Sequence[Any]):
    """A tuple made the first time it is read: a Bulk job's poll writes 100,000 records, and
    most journals are never asked which."""

    def __init__(self, make: Callable[[], Iterable[Any]]) -> None:
        self._make: Callable[[], Iterable[Any]] | None = make
        self._items: tuple[Any, ...] = ()

    def _all(self) -> tuple[Any, ...]:
        make = self._make
        if make is not None:
            self._items, self._make = tuple(make()), None
        return self._items

    def __len__(self) -> int:
        return len(self._all())

    def __getitem__(self, index: Any) -> Any:
        return self._all()[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return self._all() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._all())

    def __repr__(self) -> str:
        return repr(self._all())


@dataclass(frozen=True)
class Entry:
    """One answered request."""

    seq: int
    time: datetime
    method: str
    path: str
    org_id: str
    status: int
    error_code: str | None = None
    records: Sequence[str] = ()
    written: Sequence[Write] = ()
    counted: bool = True
    client: str | None = None
    faults: tuple[str, ...] = ()

    def fields_written(self, record_id: str) -> list[dict[str, Any]]:
        return [dict(values) for rid, values in self.written if rid == record_id]

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": self.time.isoformat(),
            "method": self.method,
            "path": self.path,
            "org": self.org_id,
            "status": self.status,
            "errorCode": self.error_code,
            "records": list(self.records),
            "written": [{"id": rid, "fields": dict(values)} for rid, values in self.written],
            "counted": self.counted,
            "client": self.client,
            "faults": list(self.faults),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Entry:
        """The entry `as_json` rendered (what the control API's journal answers)."""
        return cls(
            seq=int(data["seq"]),
            time=datetime.fromisoformat(data["time"]),
            method=data["method"],
            path=data["path"],
            org_id=data["org"],
            status=int(data["status"]),
            error_code=data.get("errorCode"),
            records=tuple(data.get("records", ())),
            written=tuple((w["id"], tuple(w["fields"].items())) for w in data.get("written", ())),
            counted=bool(data.get("counted", True)),
            client=data.get("client"),
            faults=tuple(data.get("faults", ())),
        )


@dataclass
class Journal:
    """The org's request log, in order: everything, or the newest `limit` entries."""

    entries: list[Entry] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _seq: int = 0
    _limit: int | None = None

    @property
    def limit(self) -> int | None:
        return self._limit

    @limit.setter
    def limit(self, limit: int | None) -> None:
        """Keep at most `limit` entries (None: all); the oldest go first."""
        if limit is not None and limit < 1:
            raise ValueError(f"a journal keeps at least one entry (got {limit})")
        with self._lock:
            self._limit = limit
            self._trim()

    def _trim(self) -> None:
        if self._limit is not None and len(self.entries) > self._limit:
            del self.entries[: len(self.entries) - self._limit]

    @property
    def dropped(self) -> int:
        """How many entries were let go to stay within `limit` since the last clear."""
        return self._seq - len(self.entries)

    def record(self, **values: Any) -> Entry:
        values.setdefault("faults", _FAULTS.get())
        _FAULTS.set(())
        with self._lock:
            self._seq += 1
            entry = Entry(seq=self._seq, **values)
            self.entries.append(entry)
            self._trim()
        seen = RECORDED.get()
        if seen is not None:
            seen.append(entry)
        return entry

    def clear(self) -> None:
        with self._lock:
            self.entries.clear()
            self._seq = 0

    def query(
        self,
        method: str | None = None,
        path: str | None = None,
        record: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after_seq: int = 0,
        status: int | None = None,
        client: str | None = None,
        error_code: str | None = None,
    ) -> list[Entry]:
        """Entries matching every given filter (`path` is a glob)."""
        with self._lock:
            entries = list(self.entries)
        return select(
            entries,
            method=method,
            path=path,
            record=record,
            since=since,
            until=until,
            after_seq=after_seq,
            status=status,
            client=client,
            error_code=error_code,
        )

    def api_calls(self, after_seq: int = 0, client: str | None = None) -> int:
        return count_calls(self.query(after_seq=after_seq, client=client))

    def writes(self, record_id: str, client: str | None = None) -> list[dict[str, Any]]:
        """Every successful write of one record, as the fields each call set."""
        return writes_of(self.query(record=record_id, client=client), record_id)

    def assert_written_once(self, record_id: str, fields: Mapping[str, Any]) -> None:
        """Fail unless exactly one successful call wrote the record, setting these values."""
        check_written_once(self.writes(record_id), record_id, fields)

    def counts(self, after_seq: int = 0) -> dict[str, int]:
        """`api_calls` and `writes` (successful record writes) since `after_seq`."""
        return count_summary(self.query(after_seq=after_seq))

    def last_seq(self) -> int:
        return self._seq


def select(
    entries: Iterable[Entry],
    method: str | None = None,
    path: str | None = None,
    record: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after_seq: int = 0,
    status: int | None = None,
    client: str | None = None,
    error_code: str | None = None,
) -> list[Entry]:
    """Entries matching every given filter (`path` is a glob, `record` 15 or 18 characters)."""
    return [
        e
        for e in entries
        if e.seq > after_seq
        and (method is None or e.method == method.upper())
        and (path is None or fnmatch.fnmatchcase(e.path, path))
        and (record is None or record[:15] in {r[:15] for r in e.records})
        and (since is None or e.time >= since)
        and (until is None or e.time <= until)
        and (status is None or e.status == status)
        and (client is None or e.client == client)
        and (error_code is None or e.error_code == error_code)
    ]


def filters_from_query(args: Mapping[str, str]) -> dict[str, Any]:
    """`Journal.query` arguments from URL parameters (`after`, `errorCode`, ISO times)."""
    try:
        times = {k: datetime.fromisoformat(args[k]) for k in ("since", "until") if args.get(k)}
        numbers = {"after_seq": int(args.get("after", 0))}
        if args.get("status"):
            numbers["status"] = int(args["status"])
    except ValueError as exc:
        raise ValueError(f"journal filter: {exc}") from None
    plain = {k: args.get(k) for k in ("method", "path", "record", "client")}
    return {**plain, **times, **numbers, "error_code": args.get("errorCode")}


def count_calls(entries: Iterable[Entry]) -> int:
    return sum(1 for e in entries if e.counted)


def writes_of(entries: Iterable[Entry], record_id: str) -> list[dict[str, Any]]:
    """Every successful write of one record among `entries`, as the fields each call set."""
    found: list[dict[str, Any]] = []
    for entry in entries:
        if entry.status < 300:
            found.extend(entry.fields_written(_canonical(record_id, entry.written)))
    return found


def count_summary(entries: Sequence[Entry]) -> dict[str, int]:
    return {
        "api_calls": count_calls(entries),
        "writes": sum(len(e.written) for e in entries if e.status < 300),
    }


def check_written_once(
    writes: Sequence[Mapping[str, Any]], record_id: str, fields: Mapping[str, Any]
) -> None:
    if len(writes) != 1:
        raise AssertionError(
            f"{record_id} was written {len(writes)} times, expected once: {list(writes)}"
        )
    wrong = {k: (writes[0].get(k, "<not set>"), v) for k, v in fields.items()
             if writes[0].get(k, _MISSING) != v}  # fmt: skip
    if wrong:
        detail = ", ".join(
            f"{k}: wrote {got!r}, expected {want!r}" for k, (got, want) in wrong.items()
        )
        raise AssertionError(f"{record_id} was written once, but {detail}")


_MISSING = object()


def _canonical(record_id: str, written: Iterable[tuple[str, Any]]) -> str:
    return next((rid for rid, _ in written if rid[:15] == record_id[:15]), record_id)
