"""Aggregate functions over a group's rows: COUNT, COUNT_DISTINCT, MIN, MAX, SUM, AVG.

SOQL and SOSL Reference, "Aggregate Functions": null values are ignored (an empty group gives
COUNT 0 and null for the others); SUM and AVG take number fields only, MIN, MAX and
COUNT_DISTINCT any aggregatable field (not long text, checkbox or multi-select picklist, as
describe's `aggregatable` says). AVG is a decimal number; SUM of an integer field an integer;
MIN and MAX keep the field's type (rendered as the field is, dates as date strings); text
compares case-insensitively.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fake_salesforce.schema import FieldSpec, ObjectSpec
from fake_salesforce.soql import nodes
from fake_salesforce.soql.diagnostics import query_error
from fake_salesforce.soql.fields import Catalog, Getter, getter, resolve
from fake_salesforce.table import Table

NUMBERS = frozenset({"int", "double", "currency", "percent", "long"})
NOT_AGGREGATABLE = frozenset({"textarea", "boolean", "multipicklist"})


@dataclass(frozen=True)
class Measure:
    """One aggregate to compute per group: its function, the value getter and the field."""

    function: str
    get: Getter | None  # None for COUNT()
    field: FieldSpec | None
    key: tuple[str, ...]

    @property
    def counts(self) -> bool:
        """COUNT needs only a count of non-null values; the others keep the values."""
        return self.function == "COUNT"

    def value(self, found: Any, rows: int) -> Any:
        """The aggregate of a group: `found` is the non-null count (COUNT) or the non-null
        values; `rows` counts the group's rows for COUNT()."""
        if self.function == "COUNT":
            return rows if self.get is None else found
        if self.function == "COUNT_DISTINCT":
            return len({_fold(v) for v in found})
        if not found:
            return None
        return _REDUCERS[self.function](found, self.field)


def measure(
    catalog: Catalog,
    spec: ObjectSpec,
    table: Table,
    function: str,
    path: nodes.FieldPath | None,
    text: str,
) -> Measure:
    """Bind `function(path)` on the table's object, or Salesforce's INVALID_FIELD."""
    if path is None:
        return Measure(function, None, None, (function,))
    resolved = resolve(catalog, spec, path, text)
    field = resolved.field
    numeric = field.type in NUMBERS
    if (function in ("SUM", "AVG") and not numeric) or (
        function != "COUNT" and field.type in NOT_AGGREGATABLE
    ):
        raise query_error(
            "INVALID_FIELD",
            text,
            path.pos,
            f"field {field.name} does not support aggregate operator {function}",
        )
    get = getter(catalog, table, resolved)
    return Measure(function, get, field, (function, *resolved.key))


def _fold(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _number(value: Any, field: FieldSpec | None) -> Any:
    if field is not None and field.type in ("int", "long"):
        return int(value)
    return float(value)


def _sum(found: list[Any], field: FieldSpec | None) -> Any:
    return _number(sum(found), field)


def _avg(found: list[Any], field: FieldSpec | None) -> Any:
    return float(sum(found)) / len(found)


def _extreme(pick: Callable[..., Any]) -> Callable[[list[Any], FieldSpec | None], Any]:
    def reduce(found: list[Any], field: FieldSpec | None) -> Any:
        value = pick(found, key=_fold)
        if field is not None and field.type in NUMBERS:
            return _number(value, field)
        return value

    return reduce


_REDUCERS: dict[str, Callable[[list[Any], FieldSpec | None], Any]] = {
    "SUM": _sum,
    "AVG": _avg,
    "MIN": _extreme(min),
    "MAX": _extreme(max),
}
