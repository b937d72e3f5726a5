"""The `expect:` step: what must be true at that instant, checked against the refs known by then."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from simulator import schema
from simulator.model import DiagnosticsCheck, Expect, Source
from simulator.problems import Problems, hint
from simulator.records import FieldRules
from simulator.source import Node, Seq
from simulator.timespec import TimeError, parse_instant


class ExpectReader:
    """Reads one `expect:` mapping, given the records (ref -> type) and people known by then."""

    def __init__(
        self, problems: Problems, fields: FieldRules, records: Mapping[str, str],
        people: Collection[str],
    ) -> None:  # fmt: skip
        self.p = problems
        self.fields = fields
        self.records = records
        self.people = people

    def read(self, node: Node) -> Expect | None:
        given = self.p.mapping(node, "expect")
        if given is None:
            return None
        self.p.keys(given, schema.EXPECT, "expect")
        if not given.names():
            self.p.add(given.line, f"expect checks nothing: give one of {', '.join(schema.EXPECT)}")
        counts = {"runs": schema.EXPECT_RUNS, "api_calls": schema.EXPECT_API_CALLS}
        return Expect(
            salesforce=self._salesforce(given.get("salesforce")),
            marketo_sales=self._marketo_sales(given.get("marketo_sales")),
            history=self._history(given.get("history")),
            diagnostics=self._diagnostics(given.get("diagnostics")),
            runs=self._counts(given.get("runs"), "runs", counts["runs"]),
            api_calls=self._counts(given.get("api_calls"), "api_calls", counts["api_calls"]),
            writes=self._writes(given.get("writes")),
            converged=self.p.boolean(given.get("converged"), "converged"),
            pending_pushes=self.p.integer(given.get("pending_pushes"), "pending_pushes"),
            parked_pushes=self.p.integer(given.get("parked_pushes"), "parked_pushes"),
        )

    def _by_ref(self, node: Node | None, where: str, refs: Collection[str]) -> dict[str, Node]:
        given = self.p.mapping(node, f"expect.{where}")
        if given is None:
            return {}
        found: dict[str, Node] = {}
        what = "record" if where in ("salesforce", "writes") else "person"
        for ref, value in given.entries.items():
            if ref in refs:
                found[ref] = value
            else:
                self.p.add(
                    given.key_line(ref),
                    f'unknown {what} "{ref}" in expect.{where}{hint(ref, refs)}',
                )
        return found

    def _salesforce(self, node: Node | None) -> dict[str, Mapping[str, Any]]:
        result: dict[str, Mapping[str, Any]] = {}
        for ref, value in self._by_ref(node, "salesforce", self.records).items():
            fields = self.p.mapping(value, f"expect.salesforce.{ref}")
            if fields is None:
                continue
            lines = {name: fields.key_line(name) for name in fields.names()}
            self.fields.check_names(self.records[ref], lines, None)
            result[ref] = {n: self.p.scalar(v, n) for n, v in fields.entries.items()}
        return result

    def _marketo_sales(self, node: Node | None) -> dict[str, Mapping[str, Any]]:
        result: dict[str, Mapping[str, Any]] = {}
        for ref, value in self._by_ref(node, "marketo_sales", self.people).items():
            state = self.p.mapping(value, f"expect.marketo_sales.{ref}")
            if state is None:
                continue
            self.p.keys(state, schema.EXPECT_PERSON, f"expect.marketo_sales.{ref}")
            checks: dict[str, Any] = {}
            if "unsubscribed" in state:
                checks["unsubscribed"] = self.p.boolean(state.get("unsubscribed"), "unsubscribed")
            if "source" in state:
                checks["source"] = self._source(state.get("source"))
            if "salesforce" in state:
                checks["salesforce"] = self._refs(state.get("salesforce"))
            result[ref] = checks
        return result

    def _source(self, node: Node | None) -> Source | None:
        value = self.p.choice(node, [s.value for s in Source], "source")
        return Source(value) if value is not None else None

    def _refs(self, node: Node | None) -> tuple[str, ...]:
        items = node.items if isinstance(node, Seq) else (() if node is None else (node,))
        refs: list[str] = []
        for item in items:
            ref = self.p.text(item, "salesforce")
            if ref is not None and ref not in self.records:
                self.p.add(item.line, f'unknown record "{ref}"{hint(ref, self.records)}')
            elif ref is not None:
                refs.append(ref)
        return tuple(refs)

    def _history(self, node: Node | None) -> dict[str, tuple[Mapping[str, Any], ...]]:
        result: dict[str, tuple[Mapping[str, Any], ...]] = {}
        for ref, value in self._by_ref(node, "history", self.people).items():
            entries = self.p.sequence(value, f"expect.history.{ref}")
            result[ref] = tuple(self._history_entry(e, ref) for e in entries or ())
        return result

    def _history_entry(self, node: Node, ref: str) -> Mapping[str, Any]:
        entry = self.p.mapping(node, f"an entry of expect.history.{ref}")
        if entry is None:
            return {}
        self.p.keys(entry, schema.EXPECT_HISTORY, f"expect.history.{ref}")
        checks: dict[str, Any] = {}
        if "kind" in entry:
            checks["kind"] = self.p.choice(entry.get("kind"), schema.HISTORY_KINDS, "kind")
        if "source" in entry:
            checks["source"] = self._source(entry.get("source"))
        for key in ("by", "reason"):
            if key in entry:
                checks[key] = self.p.text(entry.get(key), key)
        if "at" in entry:
            checks["at"] = self._instant(entry.get("at"), f"expect.history.{ref}.at")
        return checks

    def _instant(self, node: Node | None, where: str) -> str | None:
        """The time of a history entry (docs/behaviour.md 1: each change has its time), absolute
        ISO 8601 with an offset, kept as its UTC ISO text for the comparison."""
        text = self.p.text(node, where)
        if text is None:
            return None
        try:
            return parse_instant(text).isoformat()
        except TimeError as exc:
            self.p.add(node.line if node is not None else 0, f"{where}: {exc}")
            return None

    def _diagnostics(self, node: Node | None) -> DiagnosticsCheck | None:
        given = self.p.mapping(node, "expect.diagnostics")
        if given is None:
            return None
        self.p.keys(given, schema.EXPECT_DIAGNOSTICS, "expect.diagnostics")
        includes = [
            self._diagnostic(item)
            for item in self.p.sequence(given.get("includes"), "expect.diagnostics.includes") or ()
        ]
        count = self.p.integer(given.get("count"), "expect.diagnostics.count")
        return DiagnosticsCheck(tuple(includes), count)

    def _diagnostic(self, node: Node) -> Mapping[str, str]:
        entry = self.p.mapping(node, "a diagnostic")
        if entry is None:
            return {}
        self.p.keys(entry, schema.EXPECT_DIAGNOSTIC, "a diagnostic")
        found: dict[str, str] = {}
        refs = {"person": self.people, "record": self.records}
        for key in schema.EXPECT_DIAGNOSTIC:
            value = self.p.text(entry.get(key), key)
            if value is None:
                continue
            if key in refs and value not in refs[key]:
                self.p.add(entry.key_line(key), f'unknown {key} "{value}"{hint(value, refs[key])}')
            found[key] = value
        return found

    def _counts(self, node: Node | None, where: str, keys: tuple[str, ...]) -> dict[str, int]:
        given = self.p.mapping(node, f"expect.{where}")
        if given is None:
            return {}
        self.p.keys(given, keys, f"expect.{where}")
        counts = {k: self.p.integer(given.get(k), f"expect.{where}.{k}") for k in keys}
        return {k: v for k, v in counts.items() if v is not None}

    def _writes(self, node: Node | None) -> dict[str, int]:
        found = self._by_ref(node, "writes", self.records)
        counts = {
            ref: self.p.integer(value, f"expect.writes.{ref}") for ref, value in found.items()
        }
        return {ref: n for ref, n in counts.items() if n is not None}
