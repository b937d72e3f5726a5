"""The Salesforce adapter: the engine's one gateway to an org, through simple-salesforce.

Logs in (password + token, OAuth JWT bearer, or token + instance URL), re-authenticates on
INVALID_SESSION_ID, counts API calls, reads Sforce-Limit-Info, and turns every failure into
the engine's error types through `failures.classify_exception`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceError
from simple_salesforce.format import format_soql

from sync_core import bulk
from sync_core.errors import (
    ReadTooLarge,
    SyncError,
)
from sync_core.model import (
    API_VERSION,
    FieldInfo,
    RecordWrite,
    SfRecord,
    SObject,
    SyncField,
    WriteOutcome,
)
from sync_core.salesforce.failures import classify, classify_exception, first_error

T = TypeVar("T")
IDS_PER_QUERY = 300  # keeps the GET query URL well under Salesforce's 16,384-character limit


class SalesforceAdapter:
    """Implements ports.SalesforceGateway over simple-salesforce."""

    def __init__(
        self,
        connect: Callable[[requests.Session], Salesforce],
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        bulk_poll_seconds: float = 2.0,
    ) -> None:
        self.session = session or requests.Session()
        self.session.hooks["response"].append(self._observe)
        self._connect = connect
        self.sleep = sleep
        self.bulk_poll_seconds = bulk_poll_seconds
        self._calls = 0
        self._usage: tuple[int, int] | None = None
        self.sf = self._login()

    # logging in ---------------------------------------------------------------------------

    @classmethod
    def logging_in(
        cls, login: Mapping[str, Any], *, version: str = API_VERSION, **kw: Any
    ) -> SalesforceAdapter:
        """An adapter that logs in (and logs in again) with simple-salesforce's `login` keywords."""

        def connect(session: requests.Session) -> Salesforce:
            return Salesforce(**login, session=session, version=version)

        return cls(connect, **kw)

    @classmethod
    def with_password(
        cls, username: str, password: str, security_token: str, *, domain: str = "login", **kw: Any
    ) -> SalesforceAdapter:
        """SOAP login with the security token (simple-salesforce's password flow)."""
        login = {"username": username, "password": password, "security_token": security_token}
        return cls.logging_in({**login, "domain": domain}, **kw)

    @classmethod
    def with_jwt(
        cls, username: str, consumer_key: str, key_file: str, *, domain: str = "login", **kw: Any
    ) -> SalesforceAdapter:
        """The OAuth JWT bearer flow with the connected app's key."""
        login = {"username": username, "consumer_key": consumer_key, "privatekey_file": key_file}
        return cls.logging_in({**login, "domain": domain}, **kw)

    @classmethod
    def with_token(cls, access_token: str, instance_url: str, **kw: Any) -> SalesforceAdapter:
        """A session already held: no login call."""
        return cls.logging_in({"session_id": access_token, "instance_url": instance_url}, **kw)

    def _login(self) -> Salesforce:
        try:
            return self._connect(self.session)
        except Exception as exc:  # every failure is classified; none is swallowed
            raise classify_exception(exc) from exc

    # bookkeeping --------------------------------------------------------------------------

    def _observe(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """Count REST/Bulk API calls and read Sforce-Limit-Info.

        Logins are not API calls, and neither is a request refused for an expired session
        (the org cannot charge a session it does not recognise).
        """
        path = urlsplit(response.url).path
        if path.startswith(("/services/data/", "/services/async/")) and response.status_code != 401:
            self._calls += 1
        header = response.headers.get("Sforce-Limit-Info")
        if header:
            usage = Salesforce.parse_api_usage(header).get("api-usage")
            if usage is not None:
                self._usage = (usage.used, usage.total)

    @property
    def calls(self) -> int:
        return self._calls

    def api_usage(self) -> tuple[int, int] | None:
        usage = getattr(self.sf, "api_usage", {}).get("api-usage")
        if self._usage is None and usage is not None:
            return (usage.used, usage.total)
        return self._usage

    def _run(self, action: Callable[[Salesforce], T]) -> T:
        """Run one API action; on an expired session log in again and retry once."""
        try:
            try:
                return action(self.sf)
            except SalesforceError as exc:
                if first_error(exc.content)[0] != "INVALID_SESSION_ID":
                    raise
                self.sf = self._login()
                return action(self.sf)
        except SyncError:
            raise
        except Exception as exc:
            raise classify_exception(exc) from exc

    # the gateway protocol -----------------------------------------------------------------

    def describe_fields(self, sobject: SObject) -> Mapping[str, FieldInfo]:
        described = self._run(lambda sf: getattr(sf, str(sobject)).describe())
        return {f["name"]: FieldInfo(f["name"], bool(f["updateable"])) for f in described["fields"]}

    def describe_all(self, sobjects: Sequence[SObject]) -> dict[SObject, Mapping[str, FieldInfo]]:
        """Every describe in one /composite call (up to 25 subrequests count as one call)."""

        def send(sf: Salesforce) -> Any:
            base = f"/services/data/v{sf.sf_version}/sobjects"
            requests_ = [
                {"method": "GET", "url": f"{base}/{o}/describe", "referenceId": str(o)}
                for o in sobjects
            ]
            body = {"allOrNone": False, "compositeRequest": requests_}
            return sf.restful("composite", method="POST", json=body)

        answers = {a["referenceId"]: a for a in self._run(send)["compositeResponse"]}
        described: dict[SObject, Mapping[str, FieldInfo]] = {}
        for sobject in sobjects:
            answer = answers[str(sobject)]
            if int(answer["httpStatusCode"]) >= 300:
                code, message = first_error(answer["body"])
                raise classify(int(answer["httpStatusCode"]), code or "UNKNOWN_EXCEPTION", message)
            fields = answer["body"]["fields"]
            described[sobject] = {
                f["name"]: FieldInfo(f["name"], bool(f["updateable"])) for f in fields
            }
        return described

    def update(
        self, writes: Sequence[RecordWrite], names: Mapping[SyncField, str]
    ) -> list[WriteOutcome]:
        """PATCH composite/sobjects, allOrNone false: one call for up to 200 mixed records."""
        if len(writes) > 200:
            raise ValueError("sObject Collections take at most 200 records per request")
        records = [
            {"attributes": {"type": str(w.sobject)}, "id": w.record_id}
            | {names[f]: True for f in sorted(w.fields)}
            for w in writes
        ]
        body = {"allOrNone": False, "records": records}
        results = self._run(lambda sf: sf.restful("composite/sobjects", method="PATCH", json=body))
        # Results come back in input order; per-record errors carry `statusCode`.
        return [_outcome(w.record_id, r) for w, r in zip(writes, results or [], strict=True)]

    def bulk_update(
        self, sobject: SObject, writes: Sequence[RecordWrite], names: Mapping[SyncField, str]
    ) -> list[WriteOutcome]:
        columns = sorted({names[f] for w in writes for f in w.fields})
        # Every row sets every column true: a field already true stays true, and no row
        # relies on empty-cell semantics.
        rows = [{"Id": w.record_id} | dict.fromkeys(columns, "true") for w in writes]
        failed = self._run(
            lambda sf: bulk.update_rows(
                self._bulk_client(sf, sobject), rows, self.sleep, self.bulk_poll_seconds
            )
        )
        by_prefix = {k[:15]: v for k, v in failed.items()}
        outcomes = []
        for write in writes:
            error = by_prefix.get(write.record_id[:15])
            if error is None:
                outcomes.append(WriteOutcome(write.record_id))
            else:
                code, message = bulk.split_error(error)
                failure = classify(None, code, message, write.record_id)  # about this record
                outcomes.append(WriteOutcome(write.record_id, failure))
        return outcomes

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
        """REST pages, or a Bulk 2.0 job when `bulk`, or when the first REST page says there
        are more than `bulk_over` rows (one page spent to learn the size)."""
        columns = [names[f] for f in sorted(fields)]
        # Since a watermark, a queryAll with IsDeleted: a deletion bumps SystemModstamp, so the
        # records deleted since come back in the same call (docs/behaviour.md 7).
        deleted = since is not None
        selected = [*(["IsDeleted"] if deleted else []), *_columns(sobject, columns)]
        select = format_soql("SELECT Id, {:literal} FROM {:literal}", ", ".join(selected), sobject)
        if since is None:
            # A converted Lead is read whatever it holds: its Contact is the person's record
            # from now on (docs/behaviour.md 7).
            wanted = [*columns, *(["IsConverted"] if sobject is SObject.LEAD else [])]
            opted = " OR ".join(format_soql("{:literal} = {}", c, True) for c in wanted)
            soql = f"{select} WHERE {opted}"
        else:
            soql = f"{select} WHERE " + format_soql(
                "SystemModstamp >= {}", since.replace(microsecond=0)
            )
        if bulk and give_up_over is None:
            rows = self._bulk_query(sobject, soql, deleted)
        else:
            threshold = 0 if bulk else bulk_over
            rows = self._rest_query(soql, sobject, threshold, give_up_over, deleted)
        return [_record(sobject, row, fields, names) for row in rows]

    def read_records(
        self,
        sobject: SObject,
        ids: Sequence[str],
        fields: frozenset[SyncField],
        names: Mapping[SyncField, str],
    ) -> list[SfRecord]:
        columns = ", ".join(_columns(sobject, [names[f] for f in sorted(fields)]))
        found: list[SfRecord] = []
        for start in range(0, len(ids), IDS_PER_QUERY):
            chunk = list(ids[start : start + IDS_PER_QUERY])
            soql = format_soql(
                "SELECT Id, {:literal} FROM {:literal} WHERE Id IN {}", columns, sobject, chunk
            )
            found += [_record(sobject, r, fields, names) for r in self._rest_query(soql)]
        return found

    def converted_contacts(self, lead_ids: Sequence[str]) -> Mapping[str, str | None]:
        result: dict[str, str | None] = {}
        for start in range(0, len(lead_ids), IDS_PER_QUERY):
            chunk = list(lead_ids[start : start + IDS_PER_QUERY])
            soql = format_soql("SELECT Id, ConvertedContactId FROM Lead WHERE Id IN {}", chunk)
            for row in self._rest_query(soql):
                result[_match(row["Id"], chunk)] = row.get("ConvertedContactId") or None
        return result

    # reading ------------------------------------------------------------------------------

    def _rest_query(
        self,
        soql: str,
        sobject: SObject | None = None,
        bulk_over: int | None = None,
        give_up_over: int | None = None,
        include_deleted: bool = False,
    ) -> list[dict[str, Any]]:
        """REST query pages of up to 2,000 rows, following nextRecordsUrl. The first page's
        totalSize decides: give up (ReadTooLarge), go on by Bulk 2.0, or page through.
        `include_deleted` asks /queryAll (and Bulk 2.0 `queryAll`): the recycle bin too."""
        page = self._run(lambda sf: sf.query(soql, include_deleted=include_deleted))
        if give_up_over is not None and int(page["totalSize"]) > give_up_over:
            raise ReadTooLarge(int(page["totalSize"]))
        large = bulk_over is not None and int(page["totalSize"]) > bulk_over
        if sobject is not None and large and not page["done"]:
            return self._bulk_query(sobject, soql, include_deleted)
        rows: list[dict[str, Any]] = list(page["records"])
        while not page["done"]:
            page = self._run(partial(_next_page, url=page["nextRecordsUrl"]))
            rows += page["records"]
        return rows

    def _bulk_query(
        self, sobject: SObject, soql: str, include_deleted: bool = False
    ) -> list[dict[str, Any]]:
        operation = "queryAll" if include_deleted else "query"
        return self._run(
            lambda sf: list(
                bulk.query_rows(
                    self._bulk_client(sf, sobject),
                    soql,
                    self.sleep,
                    self.bulk_poll_seconds,
                    operation,
                )
            )
        )

    def _bulk_client(self, sf: Salesforce, sobject: SObject) -> bulk.Bulk2Client:
        handler = getattr(sf.bulk2, str(sobject))
        return handler._client  # type: ignore[no-any-return]


def _next_page(sf: Salesforce, url: str) -> Any:
    return sf.query_more(url, identifier_is_url=True)


def _columns(sobject: SObject, fields: list[str]) -> list[str]:
    """The sync fields, and for Leads the conversion fields (docs/behaviour.md 7)."""
    if sobject is SObject.LEAD:
        return [*fields, "IsConverted", "ConvertedContactId"]
    return fields


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _record(
    sobject: SObject,
    row: Mapping[str, Any],
    fields: frozenset[SyncField],
    names: Mapping[SyncField, str],
) -> SfRecord:
    lowered = {k.lower(): v for k, v in row.items()}
    true = frozenset(f for f in fields if _truthy(lowered.get(names[f].lower())))
    converted = _truthy(lowered.get("isconverted"))
    contact = lowered.get("convertedcontactid") or None
    linked = str(contact) if contact else None
    deleted = _truthy(lowered.get("isdeleted"))
    return SfRecord(str(row["Id"]), sobject, true, converted, linked, deleted)


def _match(record_id: str, asked: Sequence[str]) -> str:
    """Answer with the Id as the caller spelled it (15 or 18 characters)."""
    for candidate in asked:
        if candidate[:15] == record_id[:15]:
            return candidate
    return record_id


def _outcome(record_id: str, result: Mapping[str, Any]) -> WriteOutcome:
    if result.get("success"):
        return WriteOutcome(record_id)
    errors = result.get("errors") or [{}]
    code = str(errors[0].get("statusCode") or errors[0].get("errorCode") or "UNKNOWN_EXCEPTION")
    message = str(errors[0].get("message", ""))
    return WriteOutcome(record_id, classify(None, code, message, record_id))
