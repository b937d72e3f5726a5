"""The Salesforce side of a run: a fresh org on a fake, reached only through the fake's public API.

One implementation for both places a fake can be: in this process (`FakeSalesforce`, no
socket) or served by `fake-salesforce serve` (`simulate --server URL`). Users' edits go through
the org's REST API with simple-salesforce, so the org's rules apply; what REST cannot do
(undelete, lead conversion, packages, field security, faults, the clock, reading the journal)
goes through the control API (`ControlClient`, docs/fixture.md). The journal's sequence
numbers tell the sync core's calls and writes apart from the users'.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests
from simple_salesforce.api import Salesforce

from fake_salesforce.control_client import ControlClient, ControlError
from fake_salesforce.fixture import FakeSalesforce
from sync_core.model import DEFAULT_PACKAGE_FIELD

API_VERSION = "59.0"
SYNC_FIELDS = ("HasOptedOutOfEmail", DEFAULT_PACKAGE_FIELD)


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


@dataclass(frozen=True)
class OrgSetup:
    """What the fresh org starts with: packages, API limit, time zone and the story's start."""

    packages: tuple[str, ...]
    api_limit: int | None
    timezone: str
    start: datetime


class SalesforceSide:
    """One org created for this run on a fake (in process or served), deleted at the end."""

    def __init__(self, admin: ControlClient, setup: OrgSetup) -> None:
        username = f"simulate-{uuid.uuid4().hex[:12]}@example.com"
        made = _control(lambda: admin.create_org(
            username, packages=sorted(setup.packages), timezone=setup.timezone,
            apiLimit=setup.api_limit or 15000,
        ))  # fmt: skip
        self.control = admin.for_org(str(made["id"]))
        state = self.control.export()  # a fresh org is a new timeline: it starts with the story
        self.control.import_({**state, "clock": setup.start.isoformat()})
        self.clock = setup.start
        self.username = str(made["username"])
        self.password = str(made["password"])
        self.security_token = str(made["securityToken"])
        self.seen_seq = 0  # the journal's sequence only grows: counting starts past it
        self._user: Any = None

    def close(self) -> None:
        self.control.delete_org(self.control.org or "")

    def session(self) -> requests.Session:
        """A session for the org's Salesforce API, as simple-salesforce and the engine use it."""
        return self.control.api_session()

    def set_clock(self, when: datetime) -> None:
        """The org's clock follows the run's, forward only. The org may have moved it past
        `when` itself (a latency fault spends the org's time): then it stays where it is."""
        if when <= self.clock:
            return
        try:
            self.clock = self.control.set_clock(when)
        except ControlError as exc:
            if exc.error != "CLOCK_BACKWARDS":
                raise
            self.clock = self.control.now()

    def _client(self) -> Any:
        if self._user is None:
            self._user = Salesforce(
                username=self.username, password=self.password,
                security_token=self.security_token, session=self.session(), version=API_VERSION,
            )  # fmt: skip
        return self._user

    # a Salesforce user's edits, through the REST API -------------------------------------

    def create(self, sobject: str, fields: Mapping[str, Any]) -> str:
        return str(_call(lambda: getattr(self._client(), sobject).create(dict(fields)))["id"])

    def update(self, sobject: str, record_id: str, fields: Mapping[str, Any]) -> None:
        _call(lambda: getattr(self._client(), sobject).update(record_id, dict(fields)))

    def delete(self, sobject: str, record_id: str) -> None:
        _call(lambda: getattr(self._client(), sobject).delete(record_id))

    # what REST cannot do, through the control API ----------------------------------------

    def seed(self, sobject: str, fields: Mapping[str, Any]) -> str:
        """A record that exists before the story starts (no API usage, no journal write)."""
        loaded = _control(lambda: self.control.load(
            {"records": [{"ref": "r", "type": sobject, **fields}]}))  # fmt: skip
        return str(loaded["refs"]["r"])

    def generate(self, sobject: str, count: int, opted_out: float, seed: int) -> list[Generated]:
        """The fake's own seeded generator: one call makes them, one reads their emails."""
        batch = {"type": sobject, "count": count, "opted_out": opted_out, "seed": seed}
        made = _control(lambda: self.control.load({"generate": [batch]}))["generated"][0]["ids"]
        rows = self.control.columns(sobject, ("Email", "HasOptedOutOfEmail"))
        return [
            Generated(rid, sobject, str(rows[rid]["Email"]), bool(rows[rid]["HasOptedOutOfEmail"]))
            for rid in made
        ]

    def undelete(self, sobject: str, record_id: str) -> None:
        _control(lambda: self.control.undelete(sobject, record_id))

    def convert_lead(self, lead_id: str) -> str:
        return str(_control(lambda: self.control.convert_lead(lead_id))["contactId"])

    def install_package(self, package: str) -> None:
        _control(lambda: self.control.install_package(package))

    def uninstall_package(self, package: str) -> None:
        _control(lambda: self.control.uninstall_package(package))

    def set_field_read_only(self, sobject: str, field: str, read_only: bool) -> None:
        _control(lambda: self.control.set_field_read_only(sobject, field, read_only))

    def add_fault(self, spec: Mapping[str, Any]) -> None:
        _control(lambda: self.control.add_fault(spec))

    def clear_faults(self) -> None:
        self.control.clear_faults()

    # reading the org -----------------------------------------------------------------------

    def get(self, sobject: str, record_id: str) -> dict[str, Any] | None:
        """The live record, or None once deleted (or never made)."""
        try:
            record = self.control.record(sobject, record_id)
        except ControlError:
            return None
        return None if record.get("IsDeleted") else record

    def opt_outs(self, sobject: str) -> dict[str, dict[str, bool]]:
        """Every live record's sync fields (those the org has now), by Id, in one call."""
        rows = self.control.columns(sobject, SYNC_FIELDS)
        return {rid: {n: bool(v) for n, v in values.items()} for rid, values in rows.items()}

    def journal_mark(self) -> int:
        """The journal's last sequence number: what happens next is numbered above it."""
        counts = self.control.call("GET", "/journal/counts", after=self.seen_seq)
        self.seen_seq = int(counts["lastSeq"])
        return self.seen_seq

    def api_calls(self, ranges: Iterable[tuple[int, int]]) -> int:
        return sum(1 for e in self._entries(list(ranges)) if e.counted)

    def writes(self, record_id: str, ranges: Iterable[tuple[int, int]]) -> int:
        entries = self._entries(list(ranges), record=record_id)
        return sum(
            sum(1 for rid, _ in e.written if rid[:15] == record_id[:15])
            for e in entries
            if e.status < 300
        )

    def _entries(self, ranges: list[tuple[int, int]], record: str | None = None) -> list[Any]:
        spans = [(low, high) for low, high in ranges if high > low]
        if not spans:
            return []
        after = min(low for low, _ in spans)
        found = self.control.journal.query(after_seq=after, record=record)
        return [e for e in found if any(low < e.seq <= high for low, high in spans)]


def open_org(setup: OrgSetup, server: str | None = None) -> SalesforceSide:
    """A fresh org in a fake of this process, or on the `fake-salesforce serve` at `server`."""
    admin = FakeSalesforce().control() if server is None else ControlClient(server)
    return SalesforceSide(admin, setup)


def _call(action: Callable[[], Any]) -> Any:
    """Run a user's action; Salesforce's refusal becomes an OrgError with its code."""
    try:
        return action()
    except Exception as exc:  # simple-salesforce raises its own types
        code, message = _error_of(exc)
        if code is None:
            raise
        raise OrgError(code, message) from exc


def _error_of(exc: Exception) -> tuple[str | None, str]:
    content = getattr(exc, "content", None)
    if isinstance(content, list) and content and isinstance(content[0], Mapping):
        return str(content[0].get("errorCode")), str(content[0].get("message", ""))
    return None, str(exc)


def _control(action: Callable[[], Any]) -> Any:
    """A control call; the fake's refusal becomes an OrgError with its code."""
    try:
        return action()
    except ControlError as exc:
        raise OrgError(exc.error, exc.message) from exc
