"""WHERE trees compiled once per query into Python closures over row slots, plus index probes.

Null rules (docs/salesforce-wire.md 3.3): `!=` and NOT IN match null; `<`, `>`, LIKE never do;
on a checkbox `= null` means `= false`. Text compares case-insensitively. A probe answers the
candidate Ids from the table's indexes (equality, IN, datetime ranges) or None to scan.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fake_salesforce.schema import ObjectSpec
from fake_salesforce.soql import nodes
from fake_salesforce.soql.diagnostics import malformed, query_error
from fake_salesforce.soql.fields import Catalog, Getter, Resolved, getter, resolve
from fake_salesforce.soql.literals import Context, Span, kind, like_matcher, value_of
from fake_salesforce.soql.semijoin import compile_semi_join
from fake_salesforce.table import Row, Table

Predicate = Callable[[Row], bool]
Probe = Callable[[], "set[str] | None"]
AGGREGATE_IN_WHERE = "Aggregate functions are not allowed in WHERE; filter them with HAVING"
ORDERING = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


@dataclass(frozen=True)
class Compiled:
    """A predicate and, when the condition can use an index, a probe (rank 0 = equality)."""

    test: Predicate
    probe: Probe | None = None
    rank: int = 0
    equal: tuple[int, Any] | None = None  # (slot, value): `field = value` on the row, exact


def _never(row: Row) -> bool:
    return False


class Compiler:
    """Binds and compiles the conditions of one query against one table."""

    def __init__(
        self, catalog: Catalog, spec: ObjectSpec, table: Table, ctx: Context, nested: bool = False
    ) -> None:
        self.catalog, self.spec, self.table, self.ctx = catalog, spec, table, ctx
        self.nested = nested  # inside a semi-join, where another one is not allowed

    def condition(self, node: nodes.Condition) -> Compiled:
        if node.__class__ is nodes.Comparison:  # the common case first
            return self._comparison(node)  # type: ignore[arg-type]
        if isinstance(node, nodes.And):
            return _all([self.condition(item) for item in node.items])
        if isinstance(node, nodes.Or):
            return _any([self.condition(item) for item in node.items])
        if isinstance(node, nodes.SemiJoin):
            return compile_semi_join(self, node)
        if isinstance(node, nodes.AggregateTest):
            raise malformed(self.ctx.text, node.pos, AGGREGATE_IN_WHERE)
        if isinstance(node, nodes.Not):
            inner = self.condition(node.item).test
            return Compiled(lambda row: not inner(row))
        if isinstance(node, nodes.InList):
            return self._in_list(node)
        if isinstance(node, nodes.Includes):
            return self._includes(node)
        return self._comparison(node)

    def bind(self, path: nodes.FieldPath) -> tuple[Resolved, Getter]:
        resolved = resolve(self.catalog, self.spec, path, self.ctx.text)
        if not resolved.field.filterable:
            raise query_error(
                "INVALID_FIELD",
                self.ctx.text,
                path.pos,
                f"field '{resolved.field.name}' can not be filtered in a query call",
            )
        return resolved, getter(self.catalog, self.table, resolved)

    def _comparison(self, node: nodes.Comparison) -> Compiled:
        resolved, get = self.bind(node.path)
        family = kind(resolved.field)
        if node.op == "LIKE":
            return Compiled(self._like(node, resolved, get, family))
        target = value_of(self.ctx, resolved.field, node.value)
        if resolved.field.type == "multipicklist" and node.op in ("=", "!=") and target:
            return Compiled(_same_choices(get, target, node.op == "="))
        if family == "boolean" and target is None:
            # Checkboxes are never null: `= null` is `= false` (SOQL "null Values").
            target = False
        name = resolved.field.name if resolved.is_direct else None
        if isinstance(target, Span):
            test = _span_test(get, node.op, target)
            if node.op == "!=":
                return Compiled(test)
            return Compiled(test, *self._range_probe(name, node.op, target))
        slot = self.table.slots[resolved.field.name] if resolved.is_direct else None
        test = _compare(get, node.op, target, family == "text", slot)
        if node.op == "=" and target is not None and name is not None:
            exact = (slot, target) if slot is not None and family != "text" else None
            return Compiled(test, self.eq_probe(name, [target]), 0, exact)
        if node.op in ORDERING and target is not None:
            return Compiled(test, *self._range_probe(name, node.op, target))
        return Compiled(test)

    def _like(
        self, node: nodes.Comparison, resolved: Resolved, get: Getter, family: str
    ) -> Predicate:
        if family != "text" or not isinstance(node.value, nodes.StringLit):
            word = "id" if family == "id" else resolved.field.type
            raise query_error(
                "INVALID_QUERY_FILTER_OPERATOR",
                self.ctx.text,
                node.pos,
                f"invalid operator on {word} field",
            )
        match = like_matcher(node.value)
        return lambda row: (v := get(row)) is not None and match(v)

    def _in_list(self, node: nodes.InList) -> Compiled:
        resolved, get = self.bind(node.path)
        family = kind(resolved.field)
        targets = [value_of(self.ctx, resolved.field, lit) for lit in node.values]
        if family == "boolean":
            targets = [False if t is None else t for t in targets]
        spans = [t for t in targets if isinstance(t, Span)]
        keys = frozenset(t for t in targets if t is not None and not isinstance(t, Span))
        has_null = None in targets
        lower = family == "text"

        def member(row: Row) -> bool:
            v = get(row)
            if v is None:
                return has_null
            if (v.lower() if lower else v) in keys:
                return True
            return any(s.low <= v < s.high for s in spans)

        if node.negated:
            return Compiled(lambda row: not member(row))
        name = resolved.field.name if resolved.is_direct else None
        if has_null or spans or name is None:
            return Compiled(member)
        return Compiled(member, self.eq_probe(name, list(keys)), 0)

    def _includes(self, node: nodes.Includes) -> Compiled:
        """INCLUDES matches a record holding every value of any one `;`-joined string;
        EXCLUDES the rest (SOQL "Querying Multi-Select Picklists"). Case-insensitive."""
        resolved, get = self.bind(node.path)
        if resolved.field.type != "multipicklist":
            raise query_error(
                "INVALID_QUERY_FILTER_OPERATOR",
                self.ctx.text,
                node.pos,
                "includes or excludes operator only valid on multipicklist field",
            )
        wanted: list[frozenset[str]] = []
        for lit in node.values:
            if not isinstance(lit, nodes.StringLit):
                raise query_error(
                    "MALFORMED_QUERY", self.ctx.text, lit.pos, "invalid multipicklist value"
                )
            wanted.append(_choices(lit.value))

        def hit(row: Row) -> bool:
            value = get(row)
            if value is None:
                return False
            have = {part.lower() for part in value.split(";")}
            return any(choice <= have for choice in wanted)

        if node.negated:
            return Compiled(lambda row: not hit(row))
        return Compiled(hit)

    def eq_probe(self, name: str, keys: list[Any]) -> Probe | None:
        if not self.table.is_indexed(name):
            return None
        table = self.table
        return lambda: table.lookup(name, keys)

    def _range_probe(self, name: str | None, op: str, target: Any) -> tuple[Probe | None, int]:
        if name is None or not self.table.is_indexed(name) or name == "Id":
            return None, 1
        low, low_in, high, high_in = _bounds(op, target)
        table = self.table

        def probe() -> set[str] | None:
            found = table.range(name, low, low_in, high, high_in)
            return None if found is None else set(found)

        return probe, 1


def _choices(value: str) -> frozenset[str]:
    return frozenset(part.strip().lower() for part in value.split(";") if part.strip())


def _same_choices(get: Getter, target: str, equal: bool) -> Predicate:
    """`=` on a multi-select picklist matches the same set of values in any order."""
    wanted = _choices(target)

    def test(row: Row) -> bool:
        value = get(row)
        return (value is not None and _choices(value) == wanted) is equal

    return test


def _bounds(op: str, target: Any) -> tuple[Any, bool, Any, bool]:
    """(low, low inclusive, high, high inclusive) for an ordering or a date literal range."""
    if isinstance(target, Span):
        return {
            "=": (target.low, True, target.high, False),
            ">": (target.high, True, None, False),
            ">=": (target.low, True, None, False),
            "<": (None, False, target.low, False),
            "<=": (None, False, target.high, False),
        }.get(op, (None, False, None, False))
    return {
        ">": (target, False, None, False),
        ">=": (target, True, None, False),
        "<": (None, False, target, False),
        "<=": (None, False, target, True),
    }[op]


def _compare(get: Getter, op: str, target: Any, lower: bool, slot: int | None) -> Predicate:
    if slot is not None and op in ("=", "!="):
        return _compare_slot(slot, op == "=", target, lower)
    if target is None:
        if op == "=":
            return lambda row: get(row) is None
        if op == "!=":
            return lambda row: get(row) is not None
        return _never
    if lower:
        if op == "=":
            return lambda row: (v := get(row)) is not None and v.lower() == target
        if op == "!=":
            return lambda row: (v := get(row)) is None or v.lower() != target
        cmp = ORDERING[op]
        return lambda row: (v := get(row)) is not None and cmp(v.lower(), target)
    if op == "=":
        return lambda row: get(row) == target
    if op == "!=":
        return lambda row: get(row) != target
    cmp = ORDERING[op]
    return lambda row: (v := get(row)) is not None and cmp(v, target)


def _compare_slot(slot: int, equal: bool, target: Any, lower: bool) -> Predicate:
    """Equality on a field of the row itself: the commonest filter, kept to one call per row."""
    if target is None:
        if equal:
            return lambda row: row[slot] is None
        return lambda row: row[slot] is not None
    if lower:
        if equal:
            return lambda row: (v := row[slot]) is not None and v.lower() == target
        return lambda row: (v := row[slot]) is None or v.lower() != target
    if equal:
        return lambda row: row[slot] == target
    return lambda row: row[slot] != target


def _span_test(get: Getter, op: str, span: Span) -> Predicate:
    low, high = span.low, span.high
    if op == "=":
        return lambda row: (v := get(row)) is not None and low <= v < high
    if op == "!=":
        return lambda row: (v := get(row)) is None or not low <= v < high
    bound, cmp = {
        "<": (low, operator.lt),
        "<=": (high, operator.lt),
        ">": (high, operator.ge),
        ">=": (low, operator.ge),
    }[op]
    return lambda row: (v := get(row)) is not None and cmp(v, bound)


def _all(parts: list[Compiled]) -> Compiled:
    tests = [p.test for p in parts]
    if len(tests) == 2:
        a, b = tests
        test: Predicate = lambda row: a(row) and b(row)  # noqa: E731
    else:
        test = lambda row: all(t(row) for t in tests)  # noqa: E731
    probes = sorted((p for p in parts if p.probe is not None), key=lambda p: p.rank)
    if not probes:
        return Compiled(test)

    def probe() -> set[str] | None:
        found: list[set[str]] = []
        for part in probes:
            if found and part.rank > 0:
                break
            ids = part.probe() if part.probe else None
            if ids is not None:
                found.append(ids)
        return set.intersection(*sorted(found, key=len)) if found else None

    return Compiled(test, probe, probes[0].rank)


def _any(parts: list[Compiled]) -> Compiled:
    tests = [p.test for p in parts]
    test: Predicate = lambda row: any(t(row) for t in tests)  # noqa: E731
    if any(p.probe is None for p in parts):
        return Compiled(test)

    def probe() -> set[str] | None:
        union: set[str] = set()
        for part in parts:
            ids = part.probe() if part.probe else None
            if ids is None:
                return None
            union |= ids
        return union

    return Compiled(test, probe, max(p.rank for p in parts))
