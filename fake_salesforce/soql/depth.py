"""How deeply a statement's conditions nest: Salesforce answers QUERY_TOO_COMPLICATED beyond a
limit, and the fake's own walks stay iterative so deep input cannot exhaust the stack."""

from __future__ import annotations

from typing import Any

from fake_salesforce.soql import nodes
from fake_salesforce.soql.diagnostics import query_error

MAX_DEPTH = 100


def depth(condition: nodes.Condition | None) -> int:
    """Nesting depth of a WHERE tree, measured without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(condition, 1)] if condition is not None else []
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(node, nodes.And | nodes.Or):
            stack.extend((item, level + 1) for item in node.items)
        elif isinstance(node, nodes.Not):
            stack.append((node.item, level + 1))
        elif isinstance(node, nodes.SemiJoin) and node.where is not None:
            stack.append((node.where, level + 1))
    return deepest


def check_depth(query: nodes.Query) -> None:
    subs = (i.where for i in query.select if isinstance(i, nodes.SubQuery))
    wheres = [query.where, query.having, *subs]
    if max(depth(where) for where in wheres) > MAX_DEPTH:
        raise query_error(
            "QUERY_TOO_COMPLICATED",
            query.text,
            0,
            "Query is either selecting too many fields or the filter conditions "
            "are too complicated.",
        )
