"""ORDER BY over an Id list: stable sorts composed last key first, nulls placed as asked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fake_salesforce.schema import ObjectSpec
from fake_salesforce.soql import nodes
from fake_salesforce.soql.diagnostics import malformed, query_error
from fake_salesforce.soql.fields import Catalog, getter, resolve
from fake_salesforce.table import Row, Table


def sort_ids(
    ids: list[str],
    keys: tuple[nodes.OrderKey, ...],
    catalog: Catalog,
    spec: ObjectSpec,
    table: Table,
    text: str,
) -> None:
    """Sort in place, last key first (stable sorts compose); nulls first unless NULLS LAST."""
    rows = table.rows
    for key in reversed(keys):
        if key.function is not None:
            detail = f"Field must be grouped or aggregated: {key.path.text}"
            raise malformed(text, key.path.pos, detail)
        resolved = resolve(catalog, spec, key.path, text)
        if not resolved.field.sortable:
            raise query_error(
                "INVALID_FIELD",
                text,
                key.path.pos,
                f"field '{resolved.field.name}' can not be sorted in a query call",
            )
        get = getter(catalog, table, resolved)
        lower = resolved.field.is_text and resolved.field.type not in ("id", "reference")
        # With reverse=True the null rank flips too, so compute it for the final order.
        null_rank = (1 if key.nulls_last else 0) ^ (1 if key.descending else 0)
        ids.sort(key=_sort_key(get, rows, lower, null_rank), reverse=key.descending)


def _sort_key(
    get: Callable[[Row], Any], rows: dict[str, Row], lower: bool, null_rank: int
) -> Callable[[str], tuple[int, Any]]:
    value_rank = 1 - null_rank

    def sort_key(rid: str) -> tuple[int, Any]:
        value = get(rows[rid])
        if value is None:
            return (null_rank, 0)
        return (value_rank, value.lower() if lower else value)

    return sort_key
