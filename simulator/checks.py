"""An `expect:` step evaluated against both systems: one Check per compared value."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC
from typing import Any

from simulator.model import DiagnosticsCheck, Expect
from simulator.observe import Observer
from simulator.orgs import SYNC_FIELDS
from sync_core.model import Diagnostic, Person

# Journal counts for the sync core's calls: (since previous expect) and (ever), per record.
ApiCalls = Callable[[], int]
Writes = Callable[[str], int]


class Checker:
    def __init__(self, observer: Observer, api_calls: ApiCalls, writes: Writes) -> None:
        self.observer = observer
        self.api_calls = api_calls
        self.writes = writes

    def check(self, expect: Expect) -> list[tuple[str, Any, Any]]:
        """(key, expected, actual) for every value the expectation names."""
        found: list[tuple[str, Any, Any]] = []
        found += self._salesforce(expect.salesforce)
        found += self._marketo_sales(expect.marketo_sales)
        found += self._history(expect.history)
        if expect.diagnostics is not None:
            found += self._diagnostics(expect.diagnostics)
        runs = self.observer.service.runs
        found += [(f"runs.{kind}", n, len(runs(kind))) for kind, n in expect.runs.items()]
        found += self._api_calls(expect.api_calls)
        found += [(f"writes.{ref}", n, self.writes(ref)) for ref, n in expect.writes.items()]
        if expect.converged is not None:
            found.append(("converged", expect.converged, self._converged()))
        if expect.pending_pushes is not None:
            pending = self.observer.service.pending_pushes()
            found.append(("pending_pushes", expect.pending_pushes, pending))
        if expect.parked_pushes is not None:
            parked = self.observer.service.parked_pushes()
            found.append(("parked_pushes", expect.parked_pushes, parked))
        return found

    def _salesforce(self, wanted: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, Any, Any]]:
        found = []
        for ref, fields in wanted.items():
            record = self.observer.record(ref) or {}
            by_lower = {k.lower(): v for k, v in record.items()}
            found += [(f"salesforce.{ref}.{name}", value, by_lower.get(name.lower()))
                      for name, value in fields.items()]  # fmt: skip
        return found

    def _marketo_sales(self, wanted: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, Any, Any]]:
        found: list[tuple[str, Any, Any]] = []
        for ref, keys in wanted.items():
            person = self.observer.person(ref)
            for key, value in keys.items():
                if key == "unsubscribed":
                    found.append((f"marketo_sales.{ref}.unsubscribed", value, person.unsubscribed))
                elif key == "source":
                    actual = self.observer.latest_source(ref)
                    expected = None if value is None else str(value)
                    found.append((f"marketo_sales.{ref}.source", expected, actual))
                else:
                    linked = sorted(self.observer.linked_refs(person))
                    found.append((f"marketo_sales.{ref}.salesforce", sorted(value), linked))
        return found

    def _history(
        self, wanted: Mapping[str, tuple[Mapping[str, Any], ...]]
    ) -> list[tuple[str, Any, Any]]:
        """The whole history, in order; each entry compared on the keys its expectation lists."""
        found: list[tuple[str, Any, Any]] = []
        for ref, entries in wanted.items():
            history = self.observer.service.history(self.observer.refs.people[ref])
            expected = [{k: None if v is None else str(v) for k, v in e.items()} for e in entries]
            keys = [list(e) or ["kind"] for e in entries]
            keys += [["kind", "source"]] * max(0, len(history) - len(entries))
            actual = [_history_view(h, k) for h, k in zip(history, keys, strict=False)]
            found.append((f"history.{ref}", expected, actual))
        return found

    def _diagnostics(self, wanted: DiagnosticsCheck) -> list[tuple[str, Any, Any]]:
        diagnostics = self.observer.service.diagnostics()
        found: list[tuple[str, Any, Any]] = []
        for entry in wanted.includes:
            match = any(self._matches(d, entry) for d in diagnostics)
            seen = sorted({self._view(d, entry) for d in diagnostics})
            found.append(("diagnostics.includes", dict(entry), dict(entry) if match else
                          [dict(s) for s in seen] or "none"))  # fmt: skip
        if wanted.count is not None:
            found.append(("diagnostics.count", wanted.count, len(diagnostics)))
        return found

    def _view(self, diagnostic: Diagnostic, keys: Iterable[str]) -> tuple[tuple[str, Any], ...]:
        refs = self.observer.refs
        values = {
            "person": refs.person_ref(diagnostic.person_id),
            "record": refs.record_ref(diagnostic.record_id),
            "code": diagnostic.code,
        }
        return tuple((k, values[k]) for k in keys)

    def _matches(self, diagnostic: Diagnostic, entry: Mapping[str, str]) -> bool:
        return dict(self._view(diagnostic, entry)) == dict(entry)

    def _api_calls(self, bounds: Mapping[str, int]) -> list[tuple[str, Any, Any]]:
        if not bounds:
            return []
        calls = self.api_calls()
        found: list[tuple[str, Any, Any]] = []
        if "max" in bounds:
            found.append(("api_calls.max", bounds["max"], calls))
        if "min" in bounds:
            found.append(("api_calls.min", bounds["min"], calls))
        return found

    def _converged(self) -> Any:
        """True, or the people for whom the union rule does not hold (first five)."""
        service = self.observer.service
        names = service.settings().names()
        fields = [names[f] for f in service.settings().sync_fields]
        states = {
            sobject: {k[:15]: v for k, v in self.observer.side.opt_outs(sobject).items()}
            for sobject in ("Contact", "Lead")
        }
        off = [p for p in service.people() if not _agrees(p, fields, states)]
        if not off:
            return True
        return [self.observer.refs.person_ref(p.id) or f"person {p.id}" for p in off[:5]]


def _agrees(person: Person, fields: list[str], states: Mapping[str, Mapping[str, Any]]) -> bool:
    target = person.target
    if target is None:
        return True
    record = states[target[0].value].get(target[1][:15])
    if record is None:
        return True  # a deleted record is out of the sync until undeleted or relinked
    values = [bool(record.get(f)) for f in fields if f in SYNC_FIELDS and f in record]
    if len(values) < len(fields):
        return True  # a missing field is a configuration error, not a divergence
    return all(values) if person.unsubscribed else not any(values)


def _history_view(entry: Any, keys: list[str]) -> dict[str, Any]:
    values = {
        "kind": str(entry.kind),
        "source": None if entry.source is None else str(entry.source),
        "by": entry.admin,
        "reason": entry.reason,
        "at": entry.at.astimezone(UTC).isoformat(),
    }
    return {k: values[k] for k in keys}


def passed(key: str, expected: Any, actual: Any) -> bool:
    if key == "api_calls.max":
        return bool(actual <= expected)
    if key == "api_calls.min":
        return bool(actual >= expected)
    if key == "converged":
        return bool(expected) == (actual is True)
    return bool(expected == actual)
