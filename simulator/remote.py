"""The Salesforce side of a run over HTTP: a fresh org on a running `fake-salesforce serve`.

The engine and the users' edits reach it as any client would (simple-salesforce, every URL sent
to the server's origin); the clock, faults, packages, conversions and the journal go through
the fake's control API (`/_fake/...`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import requests
from simple_salesforce.api import Salesforce

from fake_salesforce.control_client import ControlClient, ControlError
from fake_salesforce.journal import Entry
from simulator.model import Scenario
from simulator.orgs import SYNC_FIELDS, Generated, OrgError, _call
from sync_core.connection import OrgAdapter

API_VERSION = "59.0"


class RemoteOrg:
    """One org, created for this run on the server at `base_url`, and deleted at the end."""

    def __init__(self, base_url: str, scenario: Scenario, token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        admin = ControlClient(self.base_url, token=token, session=self.session())
        username = f"simulate-{uuid.uuid4().hex[:12]}@example.com"
        made = admin.create_org(
            username, packages=sorted(scenario.packages), timezone=scenario.settings.timezone,
            apiLimit=scenario.api_limit or 15000,
        )  # fmt: skip
        self.control = admin.for_org(str(made["id"]))
        state = self.control.export()  # a fresh org is a new timeline: it starts with the story
        self.control.import_({**state, "clock": scenario.start.isoformat()})
        self.username = str(made["username"])
        self.password = str(made["password"])
        self.security_token = str(made["securityToken"])
        self._user: Any = None

    def close(self) -> None:
        self.control.delete_org(self.control.org or "")

    def session(self) -> requests.Session:
        """A session that sends simple-salesforce's https URLs to the server instead."""
        session = requests.Session()
        adapter = OrgAdapter(self.base_url, 60.0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session

    def set_clock(self, when: datetime) -> None:
        if when > self.control.now():
            self.control.set_clock(when)

    def _client(self) -> Any:
        if self._user is None:
            self._user = Salesforce(
                username=self.username, password=self.password,
                security_token=self.security_token, session=self.session(), version=API_VERSION,
            )  # fmt: skip
        return self._user

    def create(self, sobject: str, fields: Mapping[str, Any]) -> str:
        return str(_call(lambda: getattr(self._client(), sobject).create(dict(fields)))["id"])

    def seed(self, sobject: str, fields: Mapping[str, Any]) -> str:
        loaded = _control(lambda: self.control.load(
            {"records": [{"ref": "r", "type": sobject, **fields}]}))  # fmt: skip
        return str(loaded["refs"]["r"])

    def update(self, sobject: str, record_id: str, fields: Mapping[str, Any]) -> None:
        _call(lambda: getattr(self._client(), sobject).update(record_id, dict(fields)))

    def delete(self, sobject: str, record_id: str) -> None:
        _call(lambda: getattr(self._client(), sobject).delete(record_id))

    def undelete(self, sobject: str, record_id: str) -> None:
        _control(lambda: self.control.undelete(sobject, record_id))

    def convert_lead(self, lead_id: str) -> str:
        return str(_control(lambda: self.control.convert_lead(lead_id))["contactId"])

    def get(self, sobject: str, record_id: str) -> dict[str, Any] | None:
        try:
            record = self.control.record(sobject, record_id)
        except ControlError:
            return None
        return None if record.get("IsDeleted") else record

    def opt_outs(self, sobject: str) -> dict[str, dict[str, bool]]:
        """Every live record's sync fields, by Id, from one export of the org's state."""
        table = self.control.export()["tables"][sobject]
        columns = {name: i for i, name in enumerate(table["fields"])}
        names = [n for n in SYNC_FIELDS if n in columns and n in self._fields(sobject)]
        return {
            row[columns["Id"]]: {n: bool(row[columns[n]]) for n in names}
            for row in table["rows"]
            if not row[columns["IsDeleted"]]
        }

    def _fields(self, sobject: str) -> set[str]:
        packages = set(self.control.call("GET", "/packages")["packages"])
        installed = "marketo_sales_insight" in packages
        return {"HasOptedOutOfEmail"} | ({SYNC_FIELDS[1]} if installed else set())

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

    def generate(self, sobject: str, count: int, opted_out: float, seed: int) -> list[Generated]:
        batch = {"type": sobject, "count": count, "opted_out": opted_out, "seed": seed}
        made = _control(lambda: self.control.load({"generate": [batch]}))["generated"][0]["ids"]
        table = self.control.export()["tables"][sobject]
        columns = {name: i for i, name in enumerate(table["fields"])}
        rows = {row[columns["Id"]]: row for row in table["rows"]}
        return [
            Generated(rid, sobject, str(rows[rid][columns["Email"]]),
                      bool(rows[rid][columns["HasOptedOutOfEmail"]]))
            for rid in made
        ]  # fmt: skip

    def journal_mark(self) -> int:
        return self.control.journal.last_seq()

    def _entries(self, ranges: list[tuple[int, int]], record: str | None = None) -> list[Entry]:
        spans = [(low, high) for low, high in ranges if high > low]
        if not spans:
            return []
        after = min(low for low, _ in spans)
        found = self.control.journal.query(after_seq=after, record=record)
        return [e for e in found if any(low < e.seq <= high for low, high in spans)]

    def api_calls(self, ranges: Iterable[tuple[int, int]]) -> int:
        return sum(1 for e in self._entries(list(ranges)) if e.counted)

    def writes(self, record_id: str, ranges: Iterable[tuple[int, int]]) -> int:
        entries = self._entries(list(ranges), record=record_id)
        return sum(
            sum(1 for rid, _ in e.written if rid[:15] == record_id[:15])
            for e in entries
            if e.status < 300
        )


def _control(action: Any) -> Any:
    """A control call; the server's refusal becomes an OrgError with its code."""
    try:
        return action()
    except ControlError as exc:
        raise OrgError(exc.error, exc.message) from exc
