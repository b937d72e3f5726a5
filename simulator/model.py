"""The scenario as the loader hands it to the runner: frozen, validated, refs still by name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any


class SyncField(StrEnum):
    EMAIL_OPT_OUT = "email_opt_out"
    MARKETO_SALES_OPT_OUT = "marketo_sales_opt_out"


class Source(StrEnum):
    CLICKED_LINK = "clicked_link"
    MANUAL = "manual"
    BULK = "bulk"
    BOUNCE = "bounce"
    IMPORT = "import"
    SALESFORCE_SYNC = "salesforce_sync"


@dataclass(frozen=True)
class Settings:
    """The admin settings of docs/behaviour.md section 2, with its defaults."""

    nightly_sync: bool = False
    sync_fields: frozenset[SyncField] = frozenset({SyncField.EMAIL_OPT_OUT})
    nightly_at: time = time(20, 0)
    timezone: str = "America/Los_Angeles"

    def updated(self, change: SettingsChange) -> Settings:
        given = {k: v for k, v in vars(change).items() if v is not None}
        return replace(self, **given)


@dataclass(frozen=True)
class SettingsChange:
    """Some settings; None leaves one as it is."""

    nightly_sync: bool | None = None
    sync_fields: frozenset[SyncField] | None = None
    nightly_at: time | None = None
    timezone: str | None = None


@dataclass(frozen=True)
class Record:
    ref: str
    type: str
    fields: Mapping[str, Any]
    line: int


@dataclass(frozen=True)
class RecordBatch:
    """`salesforce.generate`: `count` records of `type`, a share of them opted out."""

    type: str
    count: int
    opted_out: float
    seed: int
    line: int


@dataclass(frozen=True)
class Person:
    ref: str
    email: str
    salesforce: tuple[str, ...]
    unsubscribed: bool
    source: Source
    line: int
    id_length: int = 18  # the Id is handed to the engine in this form (15 or 18 characters)


@dataclass(frozen=True)
class PeopleBatch:
    """`marketo_sales.generate`: one person per generated record."""

    link: float
    unsubscribed: float
    seed: int
    line: int


class TimeKind(StrEnum):
    ABSOLUTE = "absolute"
    RELATIVE = "relative"
    NEXT_NIGHTLY = "next_nightly"


@dataclass(frozen=True)
class TimeSpec:
    """An `at:` or `until:` as written: an instant, an offset from now, or the next nightly."""

    kind: TimeKind
    text: str
    instant: datetime | None = None
    offset: timedelta | None = None


# Steps: one dataclass per action kind (schema.STEPS lists the kinds).


class Action:
    """What one step does; each kind of step is a frozen dataclass deriving from this."""


@dataclass(frozen=True)
class Unsubscribe(Action):
    person: str
    source: Source = Source.MANUAL


@dataclass(frozen=True)
class Resubscribe(Action):
    person: str
    by: str
    reason: str


@dataclass(frozen=True)
class Link(Action):
    person: str
    salesforce: tuple[str, ...]
    id_length: int = 18  # the Id is handed to the engine in this form (15 or 18 characters)


@dataclass(frozen=True)
class SalesforceUpdate(Action):
    record: str
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class SalesforceCreate(Action):
    ref: str
    type: str
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class SalesforceDelete(Action):
    record: str


@dataclass(frozen=True)
class SalesforceUndelete(Action):
    record: str


@dataclass(frozen=True)
class ConvertLead(Action):
    lead: str
    contact_ref: str


@dataclass(frozen=True)
class ChangeSettings(Action):
    change: SettingsChange


@dataclass(frozen=True)
class InstallPackage(Action):
    package: str


@dataclass(frozen=True)
class UninstallPackage(Action):
    package: str


@dataclass(frozen=True)
class FieldAccess(Action):
    """The integration user's field-level security on one field changes."""

    sobject: str
    field: str
    updateable: bool


@dataclass(frozen=True)
class Fault(Action):
    kind: str
    code: str | None = None
    count: int | None = None
    until: TimeSpec | None = None
    rate: float | None = None
    seed: int | None = None
    ms: int | None = None
    method: str | None = None
    sobject: str | None = None
    path: str | None = None
    mode: str | None = None  # for kind drop: how the connection breaks


@dataclass(frozen=True)
class ClearFaults(Action):
    pass


@dataclass(frozen=True)
class RunNightly(Action):
    pass


@dataclass(frozen=True)
class RestartService(Action):
    """The service stops, stays down for `down_for` (nothing runs), and starts again."""

    down_for: timedelta
    text: str


@dataclass(frozen=True)
class DiagnosticsCheck:
    includes: tuple[Mapping[str, str], ...] = ()
    count: int | None = None


@dataclass(frozen=True)
class Expect(Action):
    """Checks at one instant; only the given ones are made."""

    salesforce: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    marketo_sales: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    history: Mapping[str, tuple[Mapping[str, Any], ...]] = field(default_factory=dict)
    diagnostics: DiagnosticsCheck | None = None
    runs: Mapping[str, int] = field(default_factory=dict)
    api_calls: Mapping[str, int] = field(default_factory=dict)
    writes: Mapping[str, int] = field(default_factory=dict)
    converged: bool | None = None
    pending_pushes: int | None = None  # not yet delivered, parked ones included
    parked_pushes: int | None = None  # of those, parked on a permanent error


@dataclass(frozen=True)
class Step:
    kind: str
    action: Action
    line: int
    at: TimeSpec | None = None


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    path: str
    start: datetime
    settings: Settings
    packages: frozenset[str]
    api_limit: int | None
    read_only: tuple[tuple[str, str], ...]
    records: tuple[Record, ...]
    record_batches: tuple[RecordBatch, ...]
    people: tuple[Person, ...]
    people_batches: tuple[PeopleBatch, ...]
    steps: tuple[Step, ...]
