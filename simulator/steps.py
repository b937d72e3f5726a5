"""The `steps:` list: each step's time and action, checked in order against a static timeline.

The timeline tracks what is known at each step (the clock, settings, packages, refs), so a ref
used before it exists or a clock moving backwards is reported before anything runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from simulator import schema
from simulator.expectations import ExpectReader
from simulator.model import (
    Action,
    ChangeSettings,
    ClearFaults,
    ConvertLead,
    Fault,
    FieldAccess,
    InstallPackage,
    Link,
    RestartService,
    Resubscribe,
    RunNightly,
    SalesforceCreate,
    SalesforceDelete,
    SalesforceUndelete,
    SalesforceUpdate,
    Settings,
    SettingsChange,
    Source,
    Step,
    TimeSpec,
    UninstallPackage,
    Unsubscribe,
)
from simulator.problems import Problems, hint
from simulator.records import OBJECTS, FieldRules
from simulator.source import Map, Node, Scalar
from simulator.timespec import MAX_SPAN, TimeError, parse_duration, parse_time, resolve


class SetupReader(Protocol):
    """What the steps borrow from the top-level reader."""

    def settings(self, node: Node | None, where: str) -> SettingsChange: ...

    def record_refs(
        self, node: Node | None, types: dict[str, str], where: str
    ) -> tuple[str, ...] | None: ...

    def source(self, node: Node | None, allow_sync: bool) -> Source | None: ...

    def id_length(self, node: Node | None) -> int: ...


@dataclass
class Timeline:
    """What is known at the current step while reading: clock, settings, packages, refs."""

    now: datetime
    settings: Settings
    packages: set[str]
    records: dict[str, str]
    people: set[str]
    now_line: int = 0
    start: datetime = field(init=False)  # the clock's start (`now` when made)

    def __post_init__(self) -> None:
        self.start = self.now

    def local(self, instant: datetime) -> str:
        return instant.astimezone(ZoneInfo(self.settings.timezone)).isoformat()


class StepReader:
    def __init__(self, problems: Problems, fields: FieldRules, setup: SetupReader) -> None:
        self.p = problems
        self.fields = fields
        self.setup = setup
        self.readers: dict[str, Callable[[Node, Timeline], Action | None]] = {
            kind: getattr(self, f"read_{kind}") for kind in schema.STEPS
        }

    def read(self, node: Node | None, timeline: Timeline) -> tuple[Step, ...] | None:
        items = self.p.sequence(node, "steps")
        if items is None:
            return None
        if not items.items:
            self.p.add(items.line, "steps is empty: a scenario needs at least one step")
        steps = [self._step(item, timeline) for item in items]
        return tuple(s for s in steps if s is not None)

    def _step(self, node: Node, timeline: Timeline) -> Step | None:
        entry = self.p.mapping(node, "a step")
        if entry is None:
            return None
        self.p.keys(entry, schema.STEP, "a step")
        kinds = [k for k in entry.names() if k in schema.STEP_KINDS]
        if len(kinds) > 1:
            self.p.add(
                entry.line,
                f"a step has exactly one action, this one has {len(kinds)}: {', '.join(kinds)}",
            )
        elif not kinds and all(k in schema.STEP for k in entry.names()):
            self.p.add(entry.line, f"a step needs an action: one of {', '.join(schema.STEP_KINDS)}")
        at = self._at(entry.get("at"), timeline)
        if len(kinds) != 1:
            return None
        value = entry.get(kinds[0])
        assert value is not None
        action = self.readers[kinds[0]](value, timeline)
        return None if action is None else Step(kinds[0], action, entry.line, at)

    def _at(self, node: Node | None, timeline: Timeline) -> TimeSpec | None:
        spec = self._time(node, "at")
        if spec is None or node is None:
            return None
        try:
            instant: datetime | None = resolve(spec, timeline.now, timeline.settings)
        except OverflowError:  # past the year 9999: past the span too
            instant = None
        if instant is None or instant - timeline.start > MAX_SPAN:
            self.p.add(
                node.line,
                f"{spec.text} is more than 100 years after the clock's start: a scenario spans "
                "at most 100 years",
            )
            return spec
        if instant < timeline.now:
            since = f" (set at line {timeline.now_line})" if timeline.now_line else ""
            self.p.add(
                node.line,
                f"time goes backwards: {spec.text} is before the clock's "
                f"{timeline.local(timeline.now)}{since}; the clock never moves back",
            )
            return spec
        timeline.now, timeline.now_line = instant, node.line
        return spec

    def _time(self, node: Node | None, where: str) -> TimeSpec | None:
        text = self.p.text(node, where)
        if text is None or node is None:
            return None
        try:
            return parse_time(text)
        except TimeError as exc:
            self.p.add(node.line, f"{where}: {exc}")
            return None

    def _args(self, node: Node, kind: str) -> Map | None:
        given = self.p.mapping(node, kind)
        if given is not None:
            step = schema.STEPS[kind]
            self.p.keys(given, step.arguments, kind, required=step.required)
        return given

    def _person(self, node: Node | None, timeline: Timeline) -> str | None:
        ref = self.p.text(node, "person")
        if ref is None or node is None or ref in timeline.people:
            return ref
        self.p.add(node.line, f'unknown person "{ref}"{hint(ref, timeline.people)}')
        return None

    def _record(self, node: Node | None, timeline: Timeline, kind: str = "") -> str | None:
        ref = self.p.text(node, "record")
        if ref is None or node is None:
            return None
        if ref not in timeline.records:
            self.p.add(node.line, f'unknown record "{ref}"{hint(ref, timeline.records)}')
            return None
        if kind and timeline.records[ref] != kind:
            self.p.add(node.line, f'"{ref}" is a {timeline.records[ref]}, not a {kind}')
            return None
        return ref

    def _new_ref(self, node: Node | None, timeline: Timeline, kind: str) -> str | None:
        ref = self.p.text(node, "ref")
        if ref is None or node is None:
            return None
        if ref in timeline.records or ref in timeline.people:
            self.p.add(node.line, f'ref "{ref}" is already used')
            return None
        timeline.records[ref] = kind
        return ref

    def read_unsubscribe(self, node: Node, timeline: Timeline) -> Action | None:
        args = self._args(node, "unsubscribe")
        if args is None:
            return None
        person = self._person(args.get("person"), timeline)
        source = self.setup.source(args.get("source"), allow_sync=False)
        if person is None or (source is None and "source" in args):
            return None
        return Unsubscribe(person, source or Source.MANUAL)

    def read_resubscribe(self, node: Node, timeline: Timeline) -> Action | None:
        args = self._args(node, "resubscribe")
        if args is None:
            return None
        person = self._person(args.get("person"), timeline)
        by = self.p.text(args.get("by"), "by")
        reason = self.p.text(args.get("reason"), "reason")
        if reason is not None and not reason.strip():
            self.p.add(args.key_line("reason"), "a resubscribe needs a reason")
        if person is None or by is None or reason is None:
            return None
        return Resubscribe(person, by, reason)

    def read_link(self, node: Node, timeline: Timeline) -> Action | None:
        args = self._args(node, "link")
        if args is None:
            return None
        person = self._person(args.get("person"), timeline)
        refs = self.setup.record_refs(args.get("salesforce"), timeline.records, "salesforce")
        id_length = self.setup.id_length(args.get("id_length"))
        return None if person is None or not refs else Link(person, refs, id_length)

    def read_salesforce_update(self, node: Node, timeline: Timeline) -> Action | None:
        args = self._args(node, "salesforce_update")
        if args is None:
            return None
        record = self._record(args.get("record"), timeline)
        fields = self.p.mapping(args.get("fields"), "salesforce_update.fields")
        if record is None or fields is None:
            return None
        rules = self.fields
        rules.check_values(timeline.records[record], fields.entries, fields, timeline.packages,
                           creating=False)  # fmt: skip
        return SalesforceUpdate(record, {k: self.p.scalar(v, k) for k, v in fields.entries.items()})

    def read_salesforce_create(self, node: Node, timeline: Timeline) -> Action | None:
        args = self._args(node, "salesforce_create")
        if args is None:
            return None
        kind = self.p.choice(args.get("type"), schema.RECORD_TYPES, "record type")
        fields = self.p.mapping(args.get("fields"), "salesforce_create.fields")
        fields = fields or Map({}, {}, args.line)
        if kind is not None:
            self.fields.check_values(kind, fields.entries, fields, timeline.packages,
                                     creating=True)  # fmt: skip
        ref = self._new_ref(args.get("ref"), timeline, kind or "Contact")
        if ref is None or kind is None:
            return None
        values = {k: self.p.scalar(v, k) for k, v in fields.entries.items()}
        return SalesforceCreate(ref, kind, values)

    def read_salesforce_delete(self, node: Node, timeline: Timeline) -> Action | None:
        args = self._args(node, "salesforce_delete")
        record = None if args is None else self._record(args.get("record"), timeline)
        return None if record is None else SalesforceDelete(record)

    def read_salesforce_undelete(self, node: Node, timeline: Timeline) -> Action | None:
        args = self._args(node, "salesforce_undelete")
        record = None if args is None else self._record(args.get("record"), timeline)
        return None if record is None else SalesforceUndelete(record)

    def read_convert_lead(self, node: Node, timeline: Timeline) -> Action | None:
        args = self._args(node, "convert_lead")
        if args is None:
            return None
        lead = self._record(args.get("lead"), timeline, kind="Lead")
        contact = self._new_ref(args.get("contact_ref"), timeline, "Contact")
        return None if lead is None or contact is None else ConvertLead(lead, contact)

    def read_settings(self, node: Node, timeline: Timeline) -> Action | None:
        change = self.setup.settings(node, "settings")
        timeline.settings = timeline.settings.updated(change)
        return ChangeSettings(change)

    def _package(self, node: Node, kind: str) -> str | None:
        return self.p.choice(node, schema.PACKAGES, f"package in {kind}")

    def read_install_package(self, node: Node, timeline: Timeline) -> Action | None:
        package = self._package(node, "install_package")
        if package is None:
            return None
        timeline.packages.add(package)
        return InstallPackage(package)

    def read_uninstall_package(self, node: Node, timeline: Timeline) -> Action | None:
        package = self._package(node, "uninstall_package")
        if package is None:
            return None
        timeline.packages.discard(package)
        return UninstallPackage(package)

    def read_field_access(self, node: Node, timeline: Timeline) -> Action | None:
        args = self._args(node, "field_access")
        if args is None or args.get("field") is None:
            return None
        target = self.fields.qualified(args.get("field"), "field_access.field")  # type: ignore[arg-type]
        updateable = self.p.boolean(args.get("updateable"), "field_access.updateable")
        if target is None or updateable is None:
            return None
        return FieldAccess(target[0], target[1], updateable)

    def _flag(self, node: Node, kind: str) -> bool:
        if isinstance(node, Scalar) and node.value is True:
            return True
        self.p.add(node.line, f"{kind} takes the value true")
        return False

    def read_clear_faults(self, node: Node, timeline: Timeline) -> Action | None:
        return ClearFaults() if self._flag(node, "clear_faults") else None

    def read_run_nightly(self, node: Node, timeline: Timeline) -> Action | None:
        return RunNightly() if self._flag(node, "run_nightly") else None

    def read_restart_service(self, node: Node, timeline: Timeline) -> Action | None:
        """The clock moves on by `down_for` while the service is down: later `at:`s see it."""
        args = self._args(node, "restart_service")
        value = args.get("down_for") if args is not None else None
        text = self.p.text(value, "restart_service.down_for")
        if text is None or value is None:
            return None
        try:
            down_for = parse_duration(text)
        except TimeError as exc:
            self.p.add(value.line, f"restart_service.down_for: {exc}")
            return None
        timeline.now, timeline.now_line = timeline.now + down_for, value.line
        return RestartService(down_for, text)

    def read_expect(self, node: Node, timeline: Timeline) -> Action | None:
        reader = ExpectReader(self.p, self.fields, dict(timeline.records), set(timeline.people))
        return reader.read(node)

    def read_fault(self, node: Node, timeline: Timeline) -> Action | None:
        args = self._args(node, "fault")
        if args is None:
            return None
        p = self.p
        kind = p.choice(args.get("kind"), schema.FAULT_KINDS, "fault kind")
        code = p.choice(args.get("code"), schema.ERROR_CODES, "error code")
        if kind == "error" and "code" not in args:
            p.add(args.line, 'a fault of kind error needs "code", e.g. UNABLE_TO_LOCK_ROW')
        if kind == "latency" and "ms" not in args:
            p.add(args.line, 'a fault of kind latency needs "ms"')
        mode = p.choice(args.get("mode"), schema.DROP_MODES, "drop mode")
        if mode is not None and kind != "drop":
            p.add(args.key_line("mode"), '"mode" is for a fault of kind drop')
        fault = Fault(
            kind=kind or "", code=code,
            count=p.integer(args.get("count"), "fault.count", minimum=1),
            until=self._time(args.get("until"), "fault.until"),
            rate=p.fraction(args.get("rate"), "fault.rate"),
            seed=p.integer(args.get("seed"), "fault.seed"),
            ms=p.integer(args.get("ms"), "fault.ms"),
            method=p.choice(args.get("method"), schema.HTTP_METHODS, "method"),
            sobject=p.choice(args.get("sobject"), OBJECTS, "sobject"),
            path=p.text(args.get("path"), "fault.path"),
            mode=mode,
        )  # fmt: skip
        return fault if kind is not None else None
