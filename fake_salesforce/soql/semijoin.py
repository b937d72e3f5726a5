"""Semi-joins and anti-joins: `Id IN (SELECT AccountId FROM Contact WHERE ...)`, `NOT IN`.

SOQL and SOSL Reference, "Semi-Joins with IN and Anti-Joins with NOT IN": the left operand is an
Id or a reference field; the subquery selects one Id or reference field that points at the same
kind of record, from an object other than the outer query's; it takes a WHERE clause but no
ORDER BY, LIMIT or COUNT (the grammar leaves no room for them, so they are MALFORMED_QUERY);
semi-joins don't nest, and stand only at the top level of WHERE (not under OR or NOT), two at
most. The subquery runs once per query over live rows; its null values match nothing, so an
anti-join keeps rows whose field is null (NOT IN matches null, docs/salesforce-wire.md 3.3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fake_salesforce.schema import FieldSpec, ObjectSpec
from fake_salesforce.soql import nodes
from fake_salesforce.soql.diagnostics import malformed, query_error
from fake_salesforce.soql.fields import require_object, resolve

if TYPE_CHECKING:
    from fake_salesforce.soql.predicate import Compiled, Compiler

ID_TYPES = frozenset({"id", "reference"})
NESTED = "Nesting of semi join sub-selects is not supported"
WITH_OR = "Semi join sub-selects are not allowed with the 'OR' operator"
NOT_TOP_LEVEL = (
    "Semi join sub-selects are only allowed at the top level WHERE expressions and not in "
    "nested WHERE expressions."
)
SAME_OBJECT = "The inner and outer selects should not be on the same object type"
MAX_JOINS = 2
TOO_MANY = "No more than two semi join or anti join sub-selects are allowed in a WHERE clause"


def check_placement(where: nodes.Condition | None, text: str) -> None:
    """Semi-joins stand alone or in the top-level AND chain of WHERE, at most two of them.

    Salesforce: "Semi join sub-selects are not allowed with the 'OR' operator" for one under OR,
    "... only allowed at the top level WHERE expressions ..." for one nested deeper (under NOT
    or inside parentheses), and at most two IN / NOT IN subqueries per WHERE clause.
    """
    if where is None:
        return
    top = where.items if isinstance(where, nodes.And) else (where,)
    joins = [item for item in top if isinstance(item, nodes.SemiJoin)]
    if len(joins) > MAX_JOINS:
        raise malformed(text, joins[MAX_JOINS].pos, TOO_MANY)
    stack: list[tuple[nodes.Condition, bool]] = [
        (item, False) for item in top if not isinstance(item, nodes.SemiJoin)
    ]
    while stack:
        node, under_or = stack.pop()
        if isinstance(node, nodes.SemiJoin):
            raise malformed(text, node.pos, WITH_OR if under_or else NOT_TOP_LEVEL)
        if isinstance(node, nodes.And | nodes.Or):
            stack.extend((item, isinstance(node, nodes.Or)) for item in node.items)
        elif isinstance(node, nodes.Not):
            stack.append((node.item, False))


def compile_semi_join(compiler: Compiler, node: nodes.SemiJoin) -> Compiled:
    """The join as a membership test over the values the subquery selects."""
    from fake_salesforce.soql.predicate import Compiled, Compiler

    text = compiler.ctx.text
    if compiler.nested:
        raise malformed(text, node.pos, NESTED)
    outer, get = compiler.bind(node.path)
    inner_spec = require_object(compiler.catalog, node.sobject, text, node.sobject_pos)
    if inner_spec.name == compiler.spec.name:
        raise malformed(text, node.sobject_pos, SAME_OBJECT)
    inner = resolve(compiler.catalog, inner_spec, node.select, text)
    _check_operands(outer.owner, outer.field, node.path, text)
    _check_operands(inner.owner, inner.field, node.select, text)
    if not _targets(outer.owner, outer.field) & _targets(inner.owner, inner.field):
        raise query_error(
            "INVALID_FIELD",
            text,
            node.select.pos,
            f"The selected field '{node.select.text}' in the subquery and the left operand "
            f"field '{node.path.text}' in the where expression in the outer query must point "
            "to the same object type.",
        )
    table = compiler.catalog.table(inner_spec.name)
    sub = Compiler(compiler.catalog, inner_spec, table, compiler.ctx, nested=True)
    test = sub.condition(node.where).test if node.where is not None else None
    pick = sub.bind(node.select)[1]
    deleted = table.slots["IsDeleted"]
    found = {
        pick(row) for row in table.rows.values() if not row[deleted] and (test is None or test(row))
    }
    found.discard(None)
    keys = frozenset(found)
    if node.negated:
        return Compiled(lambda row: get(row) not in keys)
    probe = compiler.eq_probe(outer.field.name, list(keys)) if outer.is_direct else None
    return Compiled(lambda row: get(row) in keys, probe, 0)


def _targets(owner: ObjectSpec, field: FieldSpec) -> set[str]:
    return {owner.name} if field.type == "id" else set(field.reference_to)


def _check_operands(owner: ObjectSpec, field: FieldSpec, path: nodes.FieldPath, text: str) -> None:
    if field.type not in ID_TYPES:
        raise query_error(
            "INVALID_FIELD",
            text,
            path.pos,
            f"Semi join and anti join operands must be Id or reference fields: {path.text}",
        )
