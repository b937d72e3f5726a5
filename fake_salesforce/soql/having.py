"""HAVING: a condition on the groups of an aggregate query, after aggregation.

SOQL and SOSL Reference, "HAVING": each term compares an aggregate function (`COUNT(Id) > 1`,
`MAX(CreatedDate) < 2026-01-01T00:00:00Z`, which need not be selected) or a grouped field
(`Name LIKE 'A%'`, `Title IN (...)`) with a literal; terms join with AND, OR, NOT as in WHERE.
A field neither grouped nor aggregated is MALFORMED_QUERY. Literals are typed as in WHERE: a
count or a sum takes a number, MIN and MAX the aggregated field's own kind of value.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from fake_salesforce.schema import FieldSpec
from fake_salesforce.soql import nodes
from fake_salesforce.soql.diagnostics import malformed
from fake_salesforce.soql.fields import resolve
from fake_salesforce.soql.literals import Context, Span, like_matcher, value_of

if TYPE_CHECKING:
    from fake_salesforce.soql.grouping import Group, Plan

GroupTest = Callable[["Group"], bool]
COUNTED = FieldSpec("expr", "expr", "int")
SUMMED = FieldSpec("expr", "expr", "double")
ORDERING = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def compile_having(plan: Plan, node: nodes.Condition, ctx: Context) -> GroupTest:
    """`node` as a test over groups; aggregates it names are added to the plan's measures."""
    if isinstance(node, nodes.And | nodes.Or):
        tests = [compile_having(plan, item, ctx) for item in node.items]
        pick = all if isinstance(node, nodes.And) else any
        return lambda group: pick(test(group) for test in tests)
    if isinstance(node, nodes.Not):
        inner = compile_having(plan, node.item, ctx)
        return lambda group: not inner(group)
    if isinstance(node, nodes.AggregateTest):
        return _aggregate_test(plan, node, ctx)
    if isinstance(node, nodes.Comparison | nodes.InList):
        return _key_test(plan, node, ctx)
    where = node.pos if isinstance(node, nodes.SemiJoin) else node.path.pos
    raise malformed(ctx.text, where, "This filter is not supported in a HAVING clause")


def _aggregate_test(plan: Plan, node: nodes.AggregateTest, ctx: Context) -> GroupTest:
    index = plan.measure_index(node.function, node.path)
    found = plan.measures[index]
    shown = f"{node.function}({node.path.text if node.path else ''})"
    if node.function in ("COUNT", "COUNT_DISTINCT"):
        spec = replace(COUNTED, name=shown)
    elif node.function in ("SUM", "AVG"):
        spec = replace(SUMMED, name=shown)
    else:
        assert found.field is not None
        spec = found.field
    if node.op == "LIKE":
        raise malformed(ctx.text, node.pos, "LIKE applies to grouped text fields only")
    target = value_of(ctx, spec, node.value)
    return lambda group: _holds(node.op, plan.value(group, index), target)


def _key_test(plan: Plan, node: nodes.Comparison | nodes.InList, ctx: Context) -> GroupTest:
    index = plan.key_index(node.path, "Field must be grouped or aggregated")
    field = resolve(plan.catalog, plan.spec, node.path, ctx.text).field
    if isinstance(node, nodes.InList):
        targets = [value_of(ctx, field, lit) for lit in node.values]

        def hit(group: Group) -> bool:
            return any(_holds("=", group.shown[index], t) for t in targets)

        return (lambda group: not hit(group)) if node.negated else hit
    if node.op == "LIKE" and isinstance(node.value, nodes.StringLit):
        match = like_matcher(node.value)
        return lambda group: (v := group.shown[index]) is not None and match(str(v))
    target = value_of(ctx, field, node.value)
    return lambda group: _holds(node.op, group.shown[index], target)


def _holds(op: str, value: Any, target: Any) -> bool:
    """`value op target` with SOQL's null rules: only `=`/`!=` see nulls; text ignores case."""
    if target is None or value is None:
        same = target is None and value is None
        return same if op == "=" else not same if op == "!=" else False
    if isinstance(value, str):
        value = value.lower()
    if isinstance(target, Span):
        inside = target.low <= value < target.high
        spans = {"=": inside, "!=": not inside, "<": value < target.low}
        spans.update({">=": value >= target.low, ">": value >= target.high})
        return bool(spans.get(op, value < target.high))
    if op == "=":
        return bool(value == target)
    if op == "!=":
        return bool(value != target)
    return bool(ORDERING[op](value, target))
