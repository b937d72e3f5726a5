"""The Salesforce side of a run: the fake org in-process, reached as the sync core reaches it.

Users' edits go through the fake's REST API with a simple-salesforce client (so the org's rules
apply); what REST cannot do (undelete, lead conversion, packages, faults, the clock) goes to the
org object itself. The journal tells the sync core's calls and writes apart by sequence ranges.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import requests

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.generate import generate
from fake_salesforce.lead_convert import convert_lead
from fake_salesforce.schema import MSO_FIELD


class OrgError(Exception):
    """Salesforce refused a user's action; `code` is its errorCode."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Generated:
    """One generated record: its Id, type, email and whether it was created opted out."""

    id: str
    type: str
    email: str
    opted_out: bool


class SalesforceSide(Protocol):
    """What the runner needs from a Salesforce org, in-process or over HTTP."""

    username: str
    password: str
    security_token: str

    def session(self) -> requests.Session: ...

    def close(self) -> None: ...

    def set_clock(self, when: datetime) -> None: ...

    def create(self, sobject: str, fields: Mapping[str, Any]) -> str: ...

    def seed(self, sobject: str, fields: Mapping[str, Any]) -> str: ...

    def update(self, sobject: str, record_id: str, fields: Mapping[str, Any]) -> None: ...

    def delete(self, sobject: str, record_id: str) -> None: ...

    def undelete(self, sobject: str, record_id: str) -> None: ...

    def convert_lead(self, lead_id: str) -> str: ...

    def get(self, sobject: str, record_id: str) -> dict[str, Any] | None: ...

    def opt_outs(self, sobject: str) -> dict[str, dict[str, bool]]: ...

    def install_package(self, package: str) -> None: ...

    def uninstall_package(self, package: str) -> None: ...

    def set_field_read_only(self, sobject: str, field: str, read_only: bool) -> None: ...

    def add_fault(self, spec: Mapping[str, Any]) -> None: ...

    def clear_faults(self) -> None: ...

    def generate(
        self, sobject: str, count: int, opted_out: float, seed: int
    ) -> list[Generated]: ...

    def journal_mark(self) -> int: ...

    def api_calls(self, ranges: Iterable[tuple[int, int]]) -> int: ...

    def writes(self, record_id: str, ranges: Iterable[tuple[int, int]]) -> int: ...


SYNC_FIELDS = ("HasOptedOutOfEmail", MSO_FIELD)


class LocalOrg:
    """The fake org in this process: no socket, the journal read directly."""

    def __init__(
        self, packages: Iterable[str], api_limit: int | None, timezone: str, start: datetime
    ) -> None:
        self.fake = FakeSalesforce(
            packages=tuple(packages), api_limit=api_limit or 15000, timezone=timezone
        )
        self.org: Any = self.fake.org
        self.org.clock.restore(start)  # a fresh org is a new timeline: it starts with the story
        self.username = self.fake.username
        self.password = self.fake.password
        self.security_token = self.fake.security_token
        self._user: Any = None

    def session(self) -> requests.Session:
        return self.fake.session()

    def close(self) -> None:
        """Nothing to release: the org lives and dies with this object."""

    def set_clock(self, when: datetime) -> None:
        if when > self.org.clock.now():
            self.org.clock.set(when)

    def _client(self) -> Any:
        if self._user is None:
            self._user = self.fake.client()
        return self._user

    def create(self, sobject: str, fields: Mapping[str, Any]) -> str:
        return str(_call(lambda: self._client().restful(
            f"sobjects/{sobject}/", method="POST", json=dict(fields)))["id"])  # fmt: skip

    def seed(self, sobject: str, fields: Mapping[str, Any]) -> str:
        return str(_call(lambda: self.org.create(sobject, dict(fields))))

    def update(self, sobject: str, record_id: str, fields: Mapping[str, Any]) -> None:
        _call(lambda: getattr(self._client(), sobject).update(record_id, dict(fields)))

    def delete(self, sobject: str, record_id: str) -> None:
        _call(lambda: getattr(self._client(), sobject).delete(record_id))

    def undelete(self, sobject: str, record_id: str) -> None:
        _call(lambda: self.org.undelete(sobject, record_id))

    def convert_lead(self, lead_id: str) -> str:
        return str(_call(lambda: convert_lead(self.org, lead_id)).contact_id)

    def get(self, sobject: str, record_id: str) -> dict[str, Any] | None:
        record = self.org.get(sobject, record_id)
        return None if record is None else dict(record)

    def opt_outs(self, sobject: str) -> dict[str, dict[str, bool]]:
        """Every live record's sync fields, by Id (read straight from the org's table)."""
        table = self.org.table(sobject)
        spec = self.org.object_spec(sobject)
        names = [n for n in SYNC_FIELDS if spec.field(n) is not None]
        return {
            record_id: {n: bool(table.value(row, n)) for n in names}
            for record_id, row in table.rows.items()
            if not table.value(row, "IsDeleted")
        }

    def install_package(self, package: str) -> None:
        _call(lambda: self.org.install_package(package))

    def uninstall_package(self, package: str) -> None:
        _call(lambda: self.org.uninstall_package(package))

    def set_field_read_only(self, sobject: str, field: str, read_only: bool) -> None:
        _call(lambda: self.org.set_field_read_only(sobject, field, read_only))

    def add_fault(self, spec: Mapping[str, Any]) -> None:
        _call(lambda: self.org.faults.add(dict(spec), self.org.clock.now()))

    def clear_faults(self) -> None:
        self.org.faults.clear()

    def generate(self, sobject: str, count: int, opted_out: float, seed: int) -> list[Generated]:
        """The fake's own seeded generator: the same records in-process and over HTTP."""
        table = self.org.table(sobject)
        made = generate(self.org, sobject, count, opted_out=opted_out, seed=seed)
        return [
            Generated(rid, sobject, str(table.value(table.rows[rid], "Email")),
                      bool(table.value(table.rows[rid], "HasOptedOutOfEmail")))
            for rid in made
        ]  # fmt: skip

    def journal_mark(self) -> int:
        return int(self.org.journal.last_seq())

    def api_calls(self, ranges: Iterable[tuple[int, int]]) -> int:
        return sum(1 for e in self.org.journal.entries if e.counted and _within(e.seq, ranges))

    def writes(self, record_id: str, ranges: Iterable[tuple[int, int]]) -> int:
        spans = list(ranges)
        entries = self.org.journal.query(record=record_id)
        return sum(
            sum(1 for rid, _ in e.written if rid[:15] == record_id[:15])
            for e in entries
            if e.status < 300 and _within(e.seq, spans)
        )


def _within(seq: int, ranges: Iterable[tuple[int, int]]) -> bool:
    return any(low < seq <= high for low, high in ranges)


def _call(action: Any) -> Any:
    """Run a user's action; Salesforce's refusal becomes an OrgError with its code."""
    try:
        return action()
    except Exception as exc:  # simple-salesforce and the fake raise their own types
        code, message = _error_of(exc)
        if code is None:
            raise
        raise OrgError(code, message) from exc


def _error_of(exc: Exception) -> tuple[str | None, str]:
    content = getattr(exc, "content", None)
    if isinstance(content, list) and content and isinstance(content[0], Mapping):
        return str(content[0].get("errorCode")), str(content[0].get("message", ""))
    code = getattr(exc, "error_code", None)
    if code is not None:
        return str(code), str(getattr(exc, "message", exc))
    return None, str(exc)
