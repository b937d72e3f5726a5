"""The engine's vocabulary: people, history, settings, Salesforce snapshots, plans and reports."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_PACKAGE_FIELD = "mkto_si__Marketo_Sales_Opt_Out__c"
EMAIL_OPT_OUT_FIELD = "HasOptedOutOfEmail"
API_VERSION = "59.0"  # the REST API version the engine speaks unless configured otherwise


class Source(StrEnum):
    CLICKED_LINK = "clicked_link"
    MANUAL = "manual"
    BULK = "bulk"
    BOUNCE = "bounce"
    IMPORT = "import"
    SALESFORCE_SYNC = "salesforce_sync"


class Kind(StrEnum):
    UNSUBSCRIBE = "unsubscribe"
    RESUBSCRIBE = "resubscribe"


class SyncField(StrEnum):
    EMAIL_OPT_OUT = "email_opt_out"
    MARKETO_SALES_OPT_OUT = "marketo_sales_opt_out"


class SObject(StrEnum):
    CONTACT = "Contact"
    LEAD = "Lead"


class RunKind(StrEnum):
    PUSH = "push"
    NIGHTLY = "nightly"


class ReadMode(StrEnum):
    FULL = "full"
    INCREMENTAL = "incremental"


class Code(StrEnum):
    """Diagnostic codes the engine itself produces (Salesforce's own codes pass through)."""

    NO_SALESFORCE_ID = "NO_SALESFORCE_ID"
    LINK_BROKEN = "LINK_BROKEN"
    LINK_MENDED = "LINK_MENDED"
    LEAD_CONVERTED = "LEAD_CONVERTED"
    MISSING_FIELD = "MISSING_FIELD"
    READ_ONLY_FIELD = "READ_ONLY_FIELD"
    NIGHTLY_OFF = "NIGHTLY_OFF"
    API_HEADROOM = "API_HEADROOM"


_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_API_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,79}$")
DAY = 86_400.0
# name: (type, lowest, highest, why the bounds). Floats must also be finite.
_RANGES: dict[str, tuple[type, float, float, str]] = {
    "backoff_base_seconds": (float, 0.001, 3600.0, "seconds"),
    "backoff_cap_seconds": (float, 0.001, DAY, "seconds"),
    "push_window_seconds": (float, 0.0, 3600.0, "seconds"),
    "collection_size": (int, 1, 200, "records (sObject Collections limit)"),
    "bulk_read_threshold": (int, 1, 100_000_000, "records"),
    "bulk_write_threshold": (int, 1, 100_000_000, "records"),
    "api_headroom": (float, 0.0, 0.99, "(a fraction of the daily allocation)"),
    "full_reconcile_days": (int, 1, 365, "days"),
    "lease_seconds": (float, 1.0, DAY, "seconds"),
    "parked_retry_seconds": (float, 1.0, DAY, "seconds"),
}


def _check_setting(name: str, value: object) -> None:
    """One setting's type (bool is not a number, a string is not a bool) and range."""
    if name == "nightly_sync":
        if not isinstance(value, bool):
            raise ValueError(f"nightly_sync must be true or false, got {value!r}")
        return
    if name in ("nightly_at", "timezone", "package_field"):
        if not isinstance(value, str):
            raise ValueError(f"{name} must be a string, got {value!r}")
        return
    if name not in _RANGES:
        return
    kind, low, high, unit = _RANGES[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if kind is int and not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g} {unit}, got {value!r}")


@dataclass(frozen=True)
class Settings:
    """docs/behaviour.md section 2, plus the engine's knobs (all in one place)."""

    nightly_sync: bool = False
    sync_fields: frozenset[SyncField] = frozenset({SyncField.EMAIL_OPT_OUT})
    nightly_at: str = "20:00"
    timezone: str = "America/Los_Angeles"
    package_field: str = DEFAULT_PACKAGE_FIELD
    backoff_base_seconds: float = 2.0
    backoff_cap_seconds: float = 900.0
    parked_retry_seconds: float = 3600.0
    push_window_seconds: float = 1.0
    collection_size: int = 200
    bulk_read_threshold: int = 10_000
    bulk_write_threshold: int = 2_000
    api_headroom: float = 0.10
    full_reconcile_days: int = 7
    lease_seconds: float = 300.0

    def __post_init__(self) -> None:
        """Every setting's type and range, checked here and only here (one-line errors)."""
        for name, value in self.__dict__.items():
            _check_setting(name, value)
        try:
            fields = frozenset(SyncField(f) for f in self.sync_fields)
        except (TypeError, ValueError):
            choices = ", ".join(sorted(str(f) for f in SyncField))
            raise ValueError(f"sync_fields must list some of {choices}") from None
        object.__setattr__(self, "sync_fields", fields)
        if not fields:
            raise ValueError("sync_fields must name at least one field")
        if not _TIME.match(self.nightly_at):
            raise ValueError(f"nightly_at must be HH:MM, got {self.nightly_at!r}")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.timezone!r}") from exc
        if not _API_NAME.match(self.package_field):
            raise ValueError(f"package_field must be a field API name, got {self.package_field!r}")
        if self.backoff_cap_seconds < self.backoff_base_seconds:
            raise ValueError("backoff_cap_seconds must be at least backoff_base_seconds")

    @property
    def push_fields(self) -> frozenset[SyncField]:
        """With the nightly sync off a push still writes HasOptedOutOfEmail (rule 4)."""
        return self.sync_fields if self.nightly_sync else frozenset({SyncField.EMAIL_OPT_OUT})

    def api_name(self, sync_field: SyncField) -> str:
        if sync_field is SyncField.EMAIL_OPT_OUT:
            return EMAIL_OPT_OUT_FIELD
        return self.package_field

    def names(self) -> dict[SyncField, str]:
        return {f: self.api_name(f) for f in SyncField}

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in self.__dataclass_fields__}
        data["sync_fields"] = sorted(str(f) for f in self.sync_fields)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        if "sync_fields" in known:
            known["sync_fields"] = frozenset(SyncField(f) for f in known["sync_fields"])
        return cls(**known)


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    contact_id: str | None = None
    lead_id: str | None = None
    unsubscribed: bool = False
    link_broken: bool = False

    @property
    def target(self) -> tuple[SObject, str] | None:
        """The record a write goes to: the Contact when linked to both (section 7)."""
        if self.link_broken:
            return None
        if self.contact_id:
            return SObject.CONTACT, self.contact_id
        if self.lead_id:
            return SObject.LEAD, self.lead_id
        return None

    @property
    def record_ids(self) -> tuple[str, ...]:
        contact, lead = self.contact_id, self.lead_id
        if contact:
            return (contact, lead) if lead else (contact,)
        return (lead,) if lead else ()


@dataclass(frozen=True)
class HistoryEntry:
    person_id: int
    at: datetime
    kind: Kind
    source: Source | None = None
    admin: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class SalesforceWrite:
    """The engine set `fields` true on a record for a person (the Salesforce half of the trail)."""

    person_id: int
    at: datetime
    record_id: str
    fields: tuple[str, ...]
    origin: RunKind
    run_id: int | None = None


@dataclass(frozen=True)
class SfRecord:
    """What Salesforce holds for one record: which sync fields are true, for a Lead whether
    it is converted and to which Contact, and whether it is in the recycle bin (`deleted`,
    read by the watermark read; docs/behaviour.md 7)."""

    id: str
    sobject: SObject
    opted_out: frozenset[SyncField] = frozenset()
    converted: bool = False
    converted_contact: str | None = None
    deleted: bool = False


@dataclass(frozen=True)
class FieldInfo:
    """A describe entry reduced to what requirement 3.2 needs."""

    name: str
    updateable: bool


@dataclass(frozen=True)
class RecordWrite:
    """Set these fields true on one record, on behalf of these people."""

    sobject: SObject
    record_id: str
    fields: frozenset[SyncField]
    person_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Relink:
    """A person linked to a converted Lead moves to the Lead's Contact (None: it names none)."""

    person_id: int
    lead_id: str
    contact_id: str | None


@dataclass(frozen=True)
class LocalUnsubscribe:
    person_id: int
    record_id: str


@dataclass(frozen=True)
class Skip:
    person_id: int
    code: str
    message: str


@dataclass(frozen=True)
class ConfigProblem:
    sobject: SObject
    field_name: str
    code: str
    message: str


@dataclass(frozen=True)
class WriteOutcome:
    """One record's result; `error` is an already classified SyncError, or None on success."""

    record_id: str
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class OutboxItem:
    id: int
    person_id: int
    created_at: datetime
    due_at: datetime
    attempts: int = 0
    last_code: str | None = None


@dataclass(frozen=True)
class Diagnostic:
    at: datetime
    code: str
    message: str
    person_id: int | None = None
    record_id: str | None = None
    run_id: int | None = None

    def as_detail(self) -> dict[str, object]:
        """The form reports, run details and `--json` output give an error."""
        return {
            "person": self.person_id,
            "record": self.record_id,
            "code": self.code,
            "message": self.message,
        }


@dataclass(frozen=True)
class RunRecord:
    id: int
    kind: RunKind
    started_at: datetime
    finished_at: datetime | None
    counts: dict[str, int] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)
    status: str = "done"  # running, done, or interrupted (its process died mid-run)
    owner: str | None = None

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return round((self.finished_at - self.started_at).total_seconds(), 3)


@dataclass(frozen=True)
class NightlyPlan:
    """Everything a nightly run would change on each side, and why some people were left out."""

    writes: tuple[RecordWrite, ...] = ()
    unsubscribes: tuple[LocalUnsubscribe, ...] = ()
    skips: tuple[Skip, ...] = ()
    problems: tuple[ConfigProblem, ...] = ()


@dataclass(frozen=True)
class PushPlan:
    """Collections-sized batches to send, and items that cannot be sent yet (with why)."""

    batches: tuple[tuple[RecordWrite, ...], ...] = ()
    item_ids: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    parked: tuple[tuple[int, Skip], ...] = ()


@dataclass(frozen=True)
class NightlyReport:
    """The outcome of one nightly run (or, with dry_run, what it would do)."""

    started_at: datetime
    dry_run: bool
    mode: ReadMode | None
    plan: NightlyPlan
    reads: int = 0
    writes_done: int = 0
    unsubscribed: int = 0
    calls: int = 0
    estimated_write_calls: int = 0
    errors: tuple[Diagnostic, ...] = ()
    notes: tuple[Diagnostic, ...] = ()
    stopped: str | None = None
    left: int = 0
    run_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.plan.problems and not self.errors and self.stopped is None


@dataclass(frozen=True)
class PushReport:
    """The outcome of one push_due call: one or more collection calls."""

    at: datetime
    delivered: int = 0
    retrying: int = 0
    parked: int = 0
    calls: int = 0
    errors: tuple[Diagnostic, ...] = ()
    run_ids: tuple[int, ...] = ()
