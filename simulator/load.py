"""Scenario file -> validated, frozen Scenario; every problem in the file reported at once.

Nothing runs until the whole file is valid: refs, times, fields and values are all checked here.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import available_timezones

from simulator import schema
from simulator.model import (
    PeopleBatch,
    Person,
    Record,
    RecordBatch,
    Scenario,
    Settings,
    SettingsChange,
    Source,
    SyncField,
)
from simulator.problems import InvalidScenario, Problems, hint
from simulator.records import FieldRules
from simulator.source import Map, Node, Scalar, Seq, SourceError, parse, plain
from simulator.steps import StepReader, Timeline
from simulator.timespec import TimeError, parse_instant, parse_wall_time

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_GENERATED = 10_000_000  # records one generate: entry may ask for


def load(path: str | Path) -> Scenario:
    """The scenario in a file, or InvalidScenario listing every problem."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems = Problems(name)
        problems.add(1, f"cannot read the file: {exc}")
        raise InvalidScenario(problems.found) from None
    return load_text(text, name)


def load_text(text: str, path: str = "<scenario>") -> Scenario:
    """The scenario in a YAML text; `path` names it in messages."""
    problems = Problems(path)
    try:
        root = parse(text)
    except SourceError as exc:
        problems.add(exc.line, f"not valid YAML: {exc.message}" if exc.syntax else exc.message)
        raise InvalidScenario(problems.found) from None
    if root is None:
        problems.add(1, "the file is empty: a scenario needs name, clock and steps")
    top = problems.mapping(root, "the file")
    if top is None:
        raise InvalidScenario(problems.found)
    scenario = _ScenarioReader(problems).read(top)
    if problems.found or scenario is None:
        raise InvalidScenario(problems.found)
    return scenario


class _ScenarioReader:
    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.fields = FieldRules(problems)

    def read(self, top: Map) -> Scenario | None:
        p = self.problems
        p.keys(top, schema.TOP, "the scenario", required=("name", "clock", "steps"))
        name = p.text(top.get("name"), "name")
        description = p.text(top.get("description"), "description") or ""
        start = self._clock(top.get("clock"))
        settings = Settings().updated(self.settings(top.get("settings"), "settings"))
        sf = p.mapping(top.get("salesforce"), "salesforce") or Map({}, {}, top.line)
        ms = p.mapping(top.get("marketo_sales"), "marketo_sales") or Map({}, {}, top.line)
        p.keys(sf, schema.SALESFORCE, "salesforce")
        p.keys(ms, schema.MARKETO_SALES, "marketo_sales")
        packages = self._packages(sf.get("packages"))
        api_limit = p.integer(sf.get("api_limit"), "salesforce.api_limit", minimum=1)
        read_only = self._read_only(sf.get("read_only"), packages)
        records = self._records(sf.get("records"), packages)
        record_batches = self._record_batches(sf.get("generate"))
        people = self._people(ms.get("people"), records)
        people_batches = self._people_batches(ms.get("generate"), bool(record_batches))
        timeline = Timeline(
            now=start or _EPOCH,
            settings=settings,
            packages=set(packages),
            records={r.ref: r.type for r in records},
            people={person.ref for person in people},
        )
        steps = StepReader(p, self.fields, self).read(top.get("steps"), timeline)
        if name is None or start is None or steps is None:
            return None
        return Scenario(
            name=name, description=description.strip(), path=p.path, start=start,
            settings=settings, packages=packages, api_limit=api_limit, read_only=read_only,
            records=records, record_batches=record_batches, people=people,
            people_batches=people_batches, steps=steps,
        )  # fmt: skip

    def _clock(self, node: Node | None) -> datetime | None:
        clock = self.problems.mapping(node, "clock")
        if clock is None:
            return None
        self.problems.keys(clock, schema.CLOCK, "clock", required=("start",))
        text = self.problems.text(clock.get("start"), "clock.start")
        if text is None:
            return None
        try:
            return parse_instant(text)
        except TimeError as exc:
            self.problems.add(clock.key_line("start"), f"clock.start: {exc}")
            return None

    def settings(self, node: Node | None, where: str) -> SettingsChange:
        """A settings mapping (top level or a `settings:` step) as a change to the defaults."""
        p = self.problems
        given = p.mapping(node, where)
        if given is None:
            return SettingsChange()
        p.keys(given, schema.SETTINGS, where)
        return SettingsChange(
            nightly_sync=p.boolean(given.get("nightly_sync"), f"{where}.nightly_sync"),
            sync_fields=self._sync_fields(given.get("sync_fields"), where),
            nightly_at=self._wall_time(given.get("nightly_at"), where),
            timezone=self._timezone(given.get("timezone"), where),
        )

    def _sync_fields(self, node: Node | None, where: str) -> frozenset[SyncField] | None:
        p = self.problems
        items = p.sequence(node, f"{where}.sync_fields")
        if items is None:
            return None
        if not items.items:
            p.add(items.line, f"{where}.sync_fields is never empty: name at least one field")
            return None
        names = [p.choice(item, [f.value for f in SyncField], "sync field") for item in items]
        chosen = [SyncField(n) for n in names if n is not None]
        return frozenset(chosen) if len(chosen) == len(names) else None

    def _wall_time(self, node: Node | None, where: str) -> time | None:
        if node is None:
            return None
        text = node.text if isinstance(node, Scalar) else self.problems.text(node, where)
        if text is None:
            return None
        try:
            return parse_wall_time(text)
        except TimeError as exc:
            self.problems.add(node.line, f"{where}.nightly_at: {exc}")
            return None

    def _timezone(self, node: Node | None, where: str) -> str | None:
        zone = self.problems.text(node, f"{where}.timezone")
        if zone is None or node is None:
            return None
        zones = available_timezones()
        if zone in zones:
            return zone
        self.problems.add(
            node.line,
            f'unknown time zone "{zone}"{hint(zone, zones)}: use an '
            "IANA name such as America/Los_Angeles",
        )
        return None

    def _packages(self, node: Node | None) -> frozenset[str]:
        items = self.problems.sequence(node, "salesforce.packages")
        names = [self.problems.choice(i, schema.PACKAGES, "package") for i in items or ()]
        return frozenset(n for n in names if n is not None)

    def _read_only(
        self, node: Node | None, packages: frozenset[str]
    ) -> tuple[tuple[str, str], ...]:
        items = self.problems.sequence(node, "salesforce.read_only")
        found = [self.fields.qualified(item, "salesforce.read_only") for item in items or ()]
        return tuple(f for f in found if f is not None)

    def _records(self, node: Node | None, packages: frozenset[str]) -> tuple[Record, ...]:
        p = self.problems
        records: list[Record] = []
        seen: set[str] = set()
        for item in p.sequence(node, "salesforce.records") or ():
            entry = p.mapping(item, "a record")
            if entry is None:
                continue
            ref = p.text(entry.get("ref"), "ref")
            kind = p.choice(entry.get("type"), schema.RECORD_TYPES, "record type")
            if "ref" not in entry or "type" not in entry:
                p.add(entry.line, 'a record needs "ref" and "type"')
            for key in entry.duplicates:
                p.add(key[1], f'key "{key[0]}" appears twice in record {ref}')
            fields = {k: v for k, v in entry.entries.items() if k not in schema.RECORD}
            if kind is not None:
                self.fields.check_values(kind, fields, entry, packages, creating=True)
            if ref is not None and ref in seen:
                p.add(entry.line, f'ref "{ref}" is used twice')
            if ref is not None and kind is not None:
                seen.add(ref)
                records.append(Record(ref, kind, plain(Map(fields, {}, 0)), entry.line))
        return tuple(records)

    def _record_batches(self, node: Node | None) -> tuple[RecordBatch, ...]:
        p = self.problems
        batches: list[RecordBatch] = []
        for item in p.sequence(node, "salesforce.generate") or ():
            entry = p.mapping(item, "salesforce.generate entry")
            if entry is None:
                continue
            p.keys(entry, schema.RECORD_BATCH, "salesforce.generate", required=("type", "count"))
            kind = p.choice(entry.get("type"), schema.RECORD_TYPES, "record type")
            count = p.integer(entry.get("count"), "count", minimum=1, maximum=MAX_GENERATED)
            opted_out = p.fraction(entry.get("opted_out"), "opted_out")
            seed = p.integer(entry.get("seed"), "seed")
            if kind is not None and count is not None:
                batches.append(RecordBatch(kind, count, opted_out or 0.0, seed or 0, entry.line))
        return tuple(batches)

    def _people(self, node: Node | None, records: tuple[Record, ...]) -> tuple[Person, ...]:
        p = self.problems
        types = {r.ref: r.type for r in records}
        people: list[Person] = []
        seen: set[str] = set()
        emails: dict[str, str] = {}
        for item in p.sequence(node, "marketo_sales.people") or ():
            entry = p.mapping(item, "a person")
            if entry is None:
                continue
            p.keys(entry, schema.PERSON, "a person", required=("ref", "email"))
            ref = p.text(entry.get("ref"), "ref")
            email = p.text(entry.get("email"), "email")
            links = self.record_refs(entry.get("salesforce"), types, "salesforce")
            unsubscribed = p.boolean(entry.get("unsubscribed"), "unsubscribed") or False
            source = self.source(entry.get("source"), allow_sync=True)
            id_length = self.id_length(entry.get("id_length"))
            if ref is not None and ref in seen:
                p.add(entry.line, f'ref "{ref}" is used twice')
            if email is not None and email.strip().lower() in emails:
                p.add(
                    entry.key_line("email"),
                    f"{email} is already {emails[email.strip().lower()]}"
                    "'s email: Marketo Sales has one person per email address",
                )
            if ref is None or email is None or links is None:
                continue
            emails[email.strip().lower()] = ref
            seen.add(ref)
            people.append(
                Person(
                    ref, email, links, unsubscribed, source or Source.MANUAL, entry.line, id_length
                )
            )
        return tuple(people)

    def _people_batches(self, node: Node | None, have_records: bool) -> tuple[PeopleBatch, ...]:
        p = self.problems
        batches: list[PeopleBatch] = []
        for item in p.sequence(node, "marketo_sales.generate") or ():
            entry = p.mapping(item, "marketo_sales.generate entry")
            if entry is None:
                continue
            p.keys(entry, schema.PEOPLE_BATCH, "marketo_sales.generate")
            if not have_records:
                p.add(
                    entry.line,
                    "marketo_sales.generate makes one person per generated "
                    "record: add salesforce.generate",
                )
            link = p.fraction(entry.get("link"), "link")
            unsubscribed = p.fraction(entry.get("unsubscribed"), "unsubscribed")
            seed = p.integer(entry.get("seed"), "seed")
            batches.append(
                PeopleBatch(
                    1.0 if link is None else link, unsubscribed or 0.0, seed or 0, entry.line
                )
            )
        return tuple(batches)

    def record_refs(
        self, node: Node | None, types: dict[str, str], where: str
    ) -> tuple[str, ...] | None:
        """One record ref or a list of them (at most one Contact and one Lead)."""
        if node is None:
            return ()
        items = node.items if isinstance(node, Seq) else (node,)
        refs: list[str] = []
        for item in items:
            ref = self.problems.text(item, where)
            if ref is not None and ref not in types:
                self.problems.add(item.line, f'unknown record "{ref}"{hint(ref, types)}')
            elif ref is not None:
                refs.append(ref)
        kinds = [types[r] for r in refs]
        if len(set(kinds)) < len(kinds):
            self.problems.add(
                node.line, f"{where}: a person links at most one Contact and one Lead"
            )
        return tuple(refs) if len(refs) == len(items) else None

    def id_length(self, node: Node | None) -> int:
        """15 or 18: the form a record's Id is given to the engine in (docs/behaviour.md 3.4)."""
        if node is None:
            return 18
        value = node.value if isinstance(node, Scalar) else None
        if value in (15, 18) and not isinstance(value, bool):
            return int(value)
        self.problems.add(node.line, f"id_length must be 15 or 18, not {value!r}")
        return 18

    def source(self, node: Node | None, allow_sync: bool) -> Source | None:
        choices = [s.value for s in Source if allow_sync or s is not Source.SALESFORCE_SYNC]
        written = node.value if isinstance(node, Scalar) else None
        if node is not None and written == Source.SALESFORCE_SYNC and not allow_sync:
            self.problems.add(
                node.line,
                "source salesforce_sync is set by the nightly sync only; use one of: "
                + ", ".join(choices),
            )
            return None
        value = self.problems.choice(node, choices, "source")
        return Source(value) if value is not None else None
