"""The control API as Python methods over HTTP, for a served fake (`--server URL`) or in-process.

control = ControlClient("http://127.0.0.1:8787")          # or fake.control() in process
control.set_clock("2026-03-02T09:00:00Z"); control.add_fault({"kind": "outage", "until": "+2h"})
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import requests

from fake_salesforce.journal import Entry, check_written_once, writes_of
from fake_salesforce.transport import rewriting_session

TOKEN_HEADER = "X-Fake-Control-Token"


class ControlError(Exception):
    """The control API refused a call: `status`, `error` (a code) and `message`."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(f"{status} {error}: {message}")
        self.status, self.error, self.message = status, error, message


class ControlClient:
    """One org of a fake server (the default org unless `org` names one by Id or username)."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        org: str | None = None,
        session: requests.Session | None = None,
        timeout: float = 60.0,
        api_session: Callable[[], requests.Session] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token, self.org, self.timeout = token, org, timeout
        self.http = session or requests.Session()
        self._api_session = api_session

    def for_org(self, org: str) -> ControlClient:
        """The same server, addressing another org."""
        return ControlClient(
            self.base_url, token=self.token, org=org, session=self.http, timeout=self.timeout,
            api_session=self._api_session,
        )  # fmt: skip

    def api_session(self) -> requests.Session:
        """A fresh session for the server's Salesforce API, for simple-salesforce or the sync
        engine: their https URLs on any instance host reach this server (docs/salesforce-wire.md
        1.5); in process, the fake's own in-process session."""
        if self._api_session is not None:
            return self._api_session()
        return rewriting_session(self.base_url)

    def call(self, verb: str, route: str, body: Any = None, /, **params: Any) -> Any:
        headers = {TOKEN_HEADER: self.token} if self.token else {}
        if self.org:
            params.setdefault("org", self.org)
        query = {k: v for k, v in params.items() if v is not None}
        kwargs: dict[str, Any] = {"headers": headers, "params": query, "timeout": self.timeout}
        if isinstance(body, str | bytes):
            kwargs["data"] = body
            headers["Content-Type"] = "application/x-yaml"
        elif body is not None:
            kwargs["json"] = body
        response = self.http.request(verb, f"{self.base_url}/_fake{route}", **kwargs)
        if response.status_code >= 300:
            raise _error(response)
        return response.json() if response.content else None

    # -- orgs ---------------------------------------------------------------------------
    def orgs(self) -> list[dict[str, Any]]:
        return list(self.call("GET", "/orgs")["orgs"])

    def create_org(self, username: str, **settings: Any) -> dict[str, Any]:
        """A new isolated org; settings: password, securityToken, packages, apiLimit..."""
        return dict(self.call("POST", "/orgs", {"username": username, **settings}))

    def delete_org(self, org: str) -> None:
        self.call("DELETE", f"/orgs/{org}")

    # -- state --------------------------------------------------------------------------
    def reset(self) -> dict[str, Any]:
        return dict(self.call("POST", "/reset"))

    def load(self, section: Mapping[str, Any] | str) -> dict[str, Any]:
        """Load a `salesforce:` section (a mapping, or YAML/JSON text); Ids by ref come back."""
        return dict(
            self.call("POST", "/records", section if isinstance(section, str) else dict(section))
        )

    def export(self) -> dict[str, Any]:
        return dict(self.call("GET", "/state"))

    def import_(self, state: Mapping[str, Any]) -> dict[str, Any]:
        return dict(self.call("PUT", "/state", dict(state)))

    def columns(self, sobject: str, fields: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Some fields of every live record of `sobject`, by Id, read in one call; a field the
        object lacks in this org (its package not installed) is left out of each record."""
        data = self.call("GET", f"/records/{sobject}", fields=",".join(fields))
        names = data["fields"][1:]
        return {row[0]: dict(zip(names, row[1:], strict=True)) for row in data["records"]}

    def record(self, sobject: str, record_id: str) -> dict[str, Any]:
        """The stored record, deleted or not."""
        return dict(self.call("GET", f"/records/{sobject}/{record_id}"))

    def undelete(self, sobject: str, record_id: str) -> None:
        self.call("POST", f"/records/{sobject}/{record_id}/undelete")

    # -- the user's own schema ---------------------------------------------------------
    def load_schema(self, *paths: str) -> dict[str, Any]:
        """Load SFDX / Metadata API / describe JSON files, paths as the server sees them."""
        return dict(self.call("POST", "/schema", {"paths": [str(p) for p in paths]}))

    def schema(self) -> dict[str, Any]:
        """The loaded schema paths and every object with its key prefix."""
        return dict(self.call("GET", "/schema"))

    # -- packages and admin acts --------------------------------------------------------
    def install_package(self, package: str) -> None:
        self.call("PUT", f"/packages/{package}")

    def uninstall_package(self, package: str) -> None:
        self.call("DELETE", f"/packages/{package}")

    def convert_lead(
        self,
        lead_id: str,
        contact_id: str | None = None,
        account_id: str | None = None,
        map_package_field: bool = False,
    ) -> dict[str, str]:
        body = {"contactId": contact_id, "accountId": account_id}
        body = {k: v for k, v in body.items() if v is not None}
        return dict(self.call("POST", f"/leads/{lead_id}/convert",
                              {**body, "mapPackageField": map_package_field}))  # fmt: skip

    def set_field_read_only(self, sobject: str, field: str, read_only: bool = True) -> None:
        self.call("PUT", f"/field-security/{sobject}/{field}", {"readOnly": read_only})

    def expire_sessions(self) -> int:
        return int(self.call("POST", "/sessions/expire")["expired"])

    def set_usage(self, used: int | None = None, limit: int | None = None) -> dict[str, int]:
        body = {k: v for k, v in {"used": used, "limit": limit}.items() if v is not None}
        return dict(self.call("PUT", "/usage", body))

    # -- clock --------------------------------------------------------------------------
    def now(self) -> datetime:
        return datetime.fromisoformat(self.call("GET", "/clock")["now"])

    def set_clock(self, when: datetime | str) -> datetime:
        text = when.isoformat() if isinstance(when, datetime) else when
        return datetime.fromisoformat(self.call("PUT", "/clock", {"now": text})["now"])

    def advance(self, seconds: float | None = None, by: str | None = None) -> datetime:
        body = {"seconds": seconds} if seconds is not None else {"by": by}
        return datetime.fromisoformat(self.call("POST", "/clock/advance", body)["now"])

    # -- faults -------------------------------------------------------------------------
    def faults(self) -> list[dict[str, Any]]:
        return list(self.call("GET", "/faults")["faults"])

    def add_fault(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        return dict(self.call("POST", "/faults", dict(spec)))

    def remove_fault(self, rule_id: str) -> None:
        self.call("DELETE", f"/faults/{rule_id}")

    def clear_faults(self) -> None:
        self.call("DELETE", "/faults")

    # -- journal ------------------------------------------------------------------------
    @property
    def journal(self) -> RemoteJournal:
        return RemoteJournal(self)


class RemoteJournal:
    """The org's journal read over HTTP, with the in-process `Journal`'s helpers."""

    def __init__(self, control: ControlClient) -> None:
        self.control = control

    def query(self, **filters: Any) -> list[Entry]:
        params = {
            "method": filters.pop("method", None),
            "path": filters.pop("path", None),
            "record": filters.pop("record", None),
            "since": _iso(filters.pop("since", None)),
            "until": _iso(filters.pop("until", None)),
            "after": filters.pop("after_seq", None),
            "status": filters.pop("status", None),
            "client": filters.pop("client", None),
            "errorCode": filters.pop("error_code", None),
        }
        if filters:
            raise TypeError(f"unknown journal filter(s): {', '.join(sorted(filters))}")
        data = self.control.call("GET", "/journal", **params)
        return [Entry.from_json(e) for e in data["entries"]]

    @property
    def entries(self) -> list[Entry]:
        return self.query()

    def api_calls(self, after_seq: int = 0) -> int:
        return int(self.counts(after_seq)["api_calls"])

    def counts(self, after_seq: int = 0) -> dict[str, int]:
        data = self.control.call("GET", "/journal/counts", after=after_seq)
        return {"api_calls": int(data["api_calls"]), "writes": int(data["writes"])}

    def writes(self, record_id: str) -> list[dict[str, Any]]:
        return writes_of(self.query(record=record_id), record_id)

    def assert_written_once(self, record_id: str, fields: Mapping[str, Any]) -> None:
        check_written_once(self.writes(record_id), record_id, fields)

    def last_seq(self) -> int:
        return int(self.control.call("GET", "/journal/counts")["lastSeq"])

    def clear(self) -> None:
        self.control.call("DELETE", "/journal")


def _iso(value: datetime | str | None) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


def _error(response: requests.Response) -> ControlError:
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict) and "error" in data:
        return ControlError(response.status_code, str(data["error"]), str(data.get("message")))
    return ControlError(response.status_code, "HTTP_ERROR", response.text[:200])
