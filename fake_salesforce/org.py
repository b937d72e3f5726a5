"""The state of one Salesforce org: records per sObject, Ids, clock, packages, delete log, usage.

No Flask here: the routes parse requests and call these methods, which raise `ApiError` with
Salesforce's codes. Writes inside `transaction()` are undone together when it fails (allOrNone).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from fake_salesforce import delete_rules, foreign_keys, ids
from fake_salesforce.bulk_jobs import BulkStore
from fake_salesforce.bulk_v1_jobs import BatchJobs
from fake_salesforce.clock import OrgClock
from fake_salesforce.errors import ApiError
from fake_salesforce.faults import FaultSet
from fake_salesforce.history import TRACKED_FIELDS, FieldHistory
from fake_salesforce.journal import Journal
from fake_salesforce.record_rules import auto_numbers, check_unique
from fake_salesforce.sample_data import load_sample_data
from fake_salesforce.schema import PACKAGES, ObjectSpec, visible_spec
from fake_salesforce.setup_objects import SYSTEM_ADMINISTRATOR
from fake_salesforce.standard_objects import STANDARD_OBJECTS
from fake_salesforce.table import Table
from fake_salesforce.usage import ApiUsage
from fake_salesforce.write import NAME_PARTS, check_create, check_update, compound_name

ORG_WIDE_DEFAULTS = (
    *("DefaultAccountAccess", "DefaultContactAccess", "DefaultOpportunityAccess"),
    *("DefaultLeadAccess", "DefaultCaseAccess", "DefaultCalendarAccess"),
    *("DefaultPricebookAccess", "DefaultCampaignAccess"),
)


@dataclass
class Credentials:
    """How clients log in to this org (password + security token, or a connected app)."""

    username: str = "admin@example.com"
    password: str = "password"
    security_token: str = "TOKEN"
    consumer_key: str = "fake-consumer-key"
    consumer_secret: str = "fake-consumer-secret"
    jwt_public_key: str | None = None  # PEM; when set, JWT bearer assertions are verified


@dataclass
class OrgSettings:
    name: str = "Fake Org"
    timezone: str = "America/Los_Angeles"
    api_limit: int = 15000
    session_seconds: int = 7200
    packages: frozenset[str] = field(default_factory=frozenset)
    schema: tuple[str, ...] = ()  # paths of the user's own metadata (fake_salesforce.schema_load)
    sample_data: bool = False  # a new Developer Edition org's sample records (sample_data.py)


class Org:
    """One isolated org: its records, metadata view, clock, delete log and API usage."""

    def __init__(
        self,
        settings: OrgSettings | None = None,
        credentials: Credentials | None = None,
        pod: str = "8d",
    ) -> None:
        self.settings = settings or OrgSettings()
        self.credentials = credentials or Credentials()
        self.clock = OrgClock()
        self.lock = threading.RLock()
        self.minter = ids.IdMinter(pod)
        self.packages: set[str] = set(self.settings.packages)
        self.read_only: set[tuple[str, str]] = set()
        self._views: dict[tuple[str, frozenset[str], frozenset[str]], ObjectSpec] = {}
        self.tables: dict[str, Table] = {s.name: Table(s) for s in STANDARD_OBJECTS}
        self._by_lower = {name.lower(): name for name in self.tables}
        self.deleted_at: dict[str, dict[str, datetime]] = {name: {} for name in self.tables}
        self.cursors: dict[str, Any] = {}
        self.usage = ApiUsage(self.settings.api_limit, self.settings.timezone)
        self.journal = Journal()
        self.faults = FaultSet()
        self.bulk = BulkStore(self)  # Bulk API 2.0 jobs, settings and daily counts
        self.bulk_v1 = BatchJobs(self)  # Bulk API 1.0 jobs and batches
        self.history = FieldHistory()
        self._undo: list[list[tuple[str, Any]]] = []
        self.auto_numbers: dict[tuple[str, str], int] = {}
        self.child_lookups = delete_rules.child_lookups(STANDARD_OBJECTS)
        self.deletions = delete_rules.Deletions()
        if self.settings.schema:
            self._install_schema(self.settings.schema)
        now = self.clock.now()
        self.org_id = self.minter.mint("00D")
        profile = self._seed("Profile", {"Name": SYSTEM_ADMINISTRATOR, "UserType": "Standard"}, now)
        self.user_id = self._seed(
            "User",
            {
                "ProfileId": profile,
                "Username": self.credentials.username,
                "Email": self.credentials.username,
                "FirstName": "Integration",
                "LastName": "User",
                "IsActive": True,
            },
            now,
        )
        self._seed(
            "Organization",
            {
                "Name": self.settings.name,
                "IsSandbox": False,
                "OrganizationType": "Developer Edition",
                "InstanceName": "FAKE",
                "TimeZoneSidKey": self.settings.timezone,
                "DefaultLocaleSidKey": "en_US",
                "LanguageLocaleKey": "en_US",
                "FiscalYearStartMonth": 1,
                "UiSkin": "Theme3",
                **dict.fromkeys(ORG_WIDE_DEFAULTS, "Edit"),
            },
            now,
            record_id=self.org_id,
        )
        if self.settings.sample_data:
            load_sample_data(self)

    # -- metadata --------------------------------------------------------------------------
    @property
    def timezone(self) -> str:
        return self.settings.timezone

    def canonical(self, sobject: str) -> str | None:
        return self._by_lower.get(sobject.lower())

    def object_spec(self, sobject: str) -> ObjectSpec | None:
        """The object as this org shows it: package fields only when installed, FLS applied."""
        name = self.canonical(sobject)
        if name is None:
            return None
        packages = frozenset(self.packages)
        locked = frozenset(f for (obj, f) in self.read_only if obj == name)
        key = (name, packages, locked)
        spec = self._views.get(key)
        if spec is None:  # built once per view: every request asks for it
            spec = visible_spec(self.tables[name].spec, packages)
            if locked:
                spec = spec.with_fields(
                    replace(f, createable=False, updateable=False) if f.name in locked else f
                    for f in spec.fields
                )
            self._views[key] = spec
        return spec

    def load_schema(self, paths: Sequence[str]) -> None:
        """Add the user's own objects and fields (SFDX, Metadata API or describe JSON files);
        they stay across a reset, which loads the same files again."""
        self._install_schema(tuple(paths))
        self.settings.schema = (*self.settings.schema, *paths)

    def _install_schema(self, paths: Sequence[str]) -> None:
        from fake_salesforce import schema_load  # it imports table and schema, not org

        schema_load.install(self, schema_load.load_all(paths))

    def refresh_schema(self) -> None:
        """Forget the per-view specs after objects or fields were added; note which lookups
        an object's deletes act on (fake_salesforce.delete_rules)."""
        self._by_lower = {name.lower(): name for name in self.tables}
        self._views.clear()
        self.child_lookups = delete_rules.child_lookups(t.spec for t in self.tables.values())

    def require_spec(self, sobject: str) -> ObjectSpec:
        spec = self.object_spec(sobject)
        if spec is None:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        return spec

    def table(self, sobject: str) -> Table:
        return self.tables[self.canonical(sobject) or sobject]

    def object_names(self) -> list[str]:
        return list(self.tables)

    def install_package(self, package: str) -> None:
        if package not in PACKAGES:
            raise ApiError(400, "INVALID_TYPE", f"No such package: {package}")
        self.packages.add(package)

    def uninstall_package(self, package: str) -> None:
        self.packages.discard(package)

    def set_field_read_only(self, sobject: str, field_name: str, read_only: bool = True) -> None:
        spec = self.require_spec(sobject)
        target = spec.field(field_name)
        if target is None:
            raise ApiError(
                400,
                "INVALID_FIELD",
                f"No such column '{field_name}' on sobject of type {spec.name}",
                [field_name],
            )
        key = (spec.name, target.name)
        if read_only:
            self.read_only.add(key)
        else:
            self.read_only.discard(key)

    # -- records ---------------------------------------------------------------------------
    def _seed(
        self, sobject: str, values: dict[str, Any], now: datetime, record_id: str | None = None
    ) -> str:
        table = self.tables[sobject]
        record_id = record_id or self.minter.mint(table.spec.key_prefix)
        table.insert(record_id, {**self.audit_stamp(now, created=True), **values})
        self.refresh_name(table, record_id)
        return record_id

    def audit_stamp(self, now: datetime, created: bool) -> dict[str, Any]:
        """The audit fields a write at `now` sets (Salesforce keeps milliseconds)."""
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # Salesforce keeps ms
        stamp = {
            "LastModifiedDate": now,
            "SystemModstamp": now,
            "LastModifiedById": getattr(self, "user_id", None),
        }
        if created:
            stamp |= {"CreatedDate": now, "CreatedById": getattr(self, "user_id", None)}
        return stamp

    def create(self, sobject: str, body: Mapping[str, Any]) -> str:
        spec = self.require_spec(sobject)
        if not spec.createable:
            raise ApiError(400, "INVALID_TYPE", f"entity type {spec.name} does not support insert")
        values = check_create(spec, foreign_keys.resolve(self, spec, body))
        self._check_references(spec, values)
        table = self.tables[spec.name]
        now = self.clock.now()
        if spec.record_rules:
            check_unique(self, spec, values, None)
            values |= auto_numbers(self, spec, now)
        record_id = self.minter.mint(spec.key_prefix)
        if table.spec.field("OwnerId") is not None:
            values.setdefault("OwnerId", self.user_id)
        self.log_undo(("insert", (spec.name, record_id)))
        table.insert(record_id, {**self.audit_stamp(now, created=True), **values})
        self.refresh_name(table, record_id)
        return record_id

    def update(self, sobject: str, record_id: str, body: Mapping[str, Any]) -> None:
        spec = self.require_spec(sobject)
        rid = self.require_writable(spec, record_id)
        values = check_update(spec, foreign_keys.resolve(self, spec, body))
        self._check_references(spec, values)
        if spec.record_rules:
            check_unique(self, spec, values, rid)
        self.apply_changes(
            spec.name, rid, {**values, **self.audit_stamp(self.clock.now(), created=False)}
        )
        if any(part in values for part in NAME_PARTS):
            self.refresh_name(self.tables[spec.name], rid)

    def delete(self, sobject: str, record_id: str) -> None:
        """Into the recycle bin, with what the lookups to it say (delete_rules)."""
        spec = self.require_spec(sobject)
        if not spec.deletable:
            raise ApiError(400, "INVALID_TYPE", f"entity type {spec.name} does not support delete")
        rid = self.require_writable(spec, record_id, converted_ok=True)
        delete_rules.delete(self, spec.name, rid)

    def purge(self, sobject: str, record_ids: Iterable[str]) -> None:
        """Empty deleted records out of the recycle bin, as a Bulk `hardDelete` does (Bulk API
        guide: hard-deleted records "are not stored in the Recycle Bin"): queryAll no longer
        finds them and undelete cannot bring them back; the delete log (getDeleted) keeps them.
        The records deleted with them go too."""
        delete_rules.purge(self, self.require_spec(sobject).name, record_ids)

    def undelete(self, sobject: str, record_id: str) -> None:
        spec = self.require_spec(sobject)
        rid = ids.normalize(record_id)
        table = self.tables[spec.name]
        row = table.row(rid) if rid else None
        if row is None or rid is None:
            raise ApiError(404, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
        if not table.value(row, "IsDeleted"):
            raise ApiError(400, "UNDELETE_FAILED", "Entity is not in the recycle bin")
        delete_rules.undelete(self, spec.name, rid)

    def get(self, sobject: str, record_id: str) -> dict[str, Any] | None:
        """The live record as a dict of canonical field names (None when absent or deleted)."""
        spec = self.object_spec(sobject)
        rid = ids.normalize(record_id)
        if spec is None or rid is None:
            return None
        table = self.tables[spec.name]
        row = table.row(rid)
        if row is None or table.value(row, "IsDeleted"):
            return None
        return table.as_dict(row, spec.fields)

    def require_writable(self, spec: ObjectSpec, record_id: str, converted_ok: bool = False) -> str:
        """The canonical Id of a live, writable record, or Salesforce's error for it."""
        table = self.tables[spec.name]
        rid = record_id if record_id in table.rows else ids.normalize(record_id)
        if rid is None or not rid.startswith(spec.key_prefix):
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        row = table.row(rid)
        if row is None:
            raise ApiError(404, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
        if table.value(row, "IsDeleted"):
            raise ApiError(404, "ENTITY_IS_DELETED", "entity is deleted", [])
        if not converted_ok and spec.name == "Lead" and table.value(row, "IsConverted"):
            raise ApiError(
                400, "CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead", []
            )
        return rid

    def _check_references(self, spec: ObjectSpec, values: dict[str, Any]) -> None:
        for name, value in values.items():
            target = spec.field(name)
            if target is None or target.type != "reference" or value is None:
                continue
            parents = [self.tables[t] for t in target.reference_to if t in self.tables]
            owner = next((t for t in parents if value.startswith(t.spec.key_prefix)), None)
            if owner is None:
                raise ApiError(
                    400,
                    "FIELD_INTEGRITY_EXCEPTION",
                    f"{target.label}: id value of incorrect type: {value}",
                    [name],
                )
            row = owner.row(value)
            if row is None or owner.value(row, "IsDeleted"):
                raise ApiError(
                    400,
                    "INVALID_CROSS_REFERENCE_KEY",
                    f"{target.label}: invalid cross reference id",
                    [name],
                )

    def refresh_name(self, table: Table, record_id: str) -> None:
        """Contact, Lead and User names are compound fields computed from their parts."""
        name = table.spec.field("Name")
        if name is None or not name.calculated:
            return
        row = table.rows[record_id]
        full = compound_name([table.value(row, p) for p in NAME_PARTS if p in table.slots])
        if full != table.value(row, "Name"):
            # Through _apply, so a rolled-back transaction restores the old name too.
            self.apply_changes(table.spec.name, record_id, {"Name": full})

    def apply_changes(self, sobject: str, record_id: str, changes: dict[str, Any]) -> None:
        table = self.tables[sobject]
        row = table.rows[record_id]
        before = {name: table.value(row, name) for name in changes}
        table.update(record_id, changes)
        self.log_undo(("update", (sobject, record_id, before)))
        if not TRACKED_FIELDS.isdisjoint(changes):  # the opt-outs' field history
            noted = self.history.note(sobject, record_id, before, changes, self.clock.now())
            if noted:
                self.log_undo(("history", noted))

    # -- all-or-none -----------------------------------------------------------------------
    @property
    def in_transaction(self) -> bool:
        """True inside `transaction()`: every write must be logged so it can be undone."""
        return bool(self._undo)

    def log_undo(self, entry: tuple[str, Any]) -> None:
        if self._undo:
            self._undo[-1].append(entry)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Writes inside are undone together if the block raises."""
        self._undo.append([])
        try:
            yield
        except BaseException:
            self._rollback(self._undo.pop())
            raise
        else:
            done = self._undo.pop()
            if self._undo:
                self._undo[-1].extend(done)

    def _rollback(self, entries: list[tuple[str, Any]]) -> None:
        for kind, data in reversed(entries):
            if kind == "insert":
                sobject, rid = data
                self.tables[sobject].remove(rid)
            elif kind == "update":
                sobject, rid, before = data
                self.tables[sobject].update(rid, before)
            elif kind == "history":
                self.history.forget_last(data)
            elif kind == "undelete-log":
                sobject, rid = data
                self.deleted_at[sobject].pop(rid, None)
            elif kind == "call":  # a ledger change of delete_rules, undone by a callable
                data()

    def deleted_log(self, sobject: str) -> Iterator[tuple[str, datetime]]:
        name = self.canonical(sobject) or sobject
        return iter(self.deleted_at.get(name, {}).items())
