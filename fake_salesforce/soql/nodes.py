"""The typed tree a SOQL statement parses into: frozen dataclasses, each carrying its position.

Positions are 0-based offsets into the query text; `diagnostics` turns them into Salesforce's
`Row:1:Column:N` dumps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class FieldPath:
    """`Email` or `Account.Owner.Name`: relationship names followed by a field name."""

    parts: tuple[str, ...]
    pos: int

    @property
    def text(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class CountAll:
    """`COUNT()`: the answer is only totalSize."""

    pos: int


@dataclass(frozen=True)
class CountField:
    """`COUNT(Id)` (optionally aliased): an AggregateResult row."""

    path: FieldPath
    alias: str | None
    pos: int


@dataclass(frozen=True)
class Aggregate:
    """`MIN(f)`, `MAX(f)`, `SUM(f)`, `AVG(f)`, `COUNT_DISTINCT(f)` (optionally aliased)."""

    function: str
    path: FieldPath
    alias: str | None
    pos: int


@dataclass(frozen=True)
class FieldsFn:
    """`FIELDS(ALL)`, `FIELDS(STANDARD)` or `FIELDS(CUSTOM)`: a group of fields by kind."""

    kind: str
    pos: int


@dataclass(frozen=True)
class StringLit:
    """A quoted string: `value` with escapes applied; `like` keeps `\\%` and `\\_` apart."""

    value: str
    like: tuple[tuple[str, bool], ...]  # (character, escaped) pairs for LIKE patterns
    pos: int


@dataclass(frozen=True)
class NumberLit:
    value: Decimal
    pos: int


@dataclass(frozen=True)
class BoolLit:
    value: bool
    pos: int


@dataclass(frozen=True)
class NullLit:
    pos: int


@dataclass(frozen=True)
class DateLit:
    value: date
    pos: int


@dataclass(frozen=True)
class DateTimeLit:
    value: datetime
    pos: int


@dataclass(frozen=True)
class RangeLit:
    """A relative date literal such as `TODAY` or `LAST_N_DAYS:30` (n is None without `:n`)."""

    name: str
    n: int | None
    pos: int


Literal = StringLit | NumberLit | BoolLit | NullLit | DateLit | DateTimeLit | RangeLit


@dataclass(frozen=True)
class Comparison:
    """`field op value`; op is one of = != < <= > >= LIKE."""

    path: FieldPath
    op: str
    value: Literal
    pos: int


@dataclass(frozen=True)
class InList:
    path: FieldPath
    negated: bool
    values: tuple[Literal, ...]
    pos: int


@dataclass(frozen=True)
class Includes:
    """`field INCLUDES ('a;b', 'c')` (EXCLUDES when negated) on a multi-select picklist."""

    path: FieldPath
    negated: bool
    values: tuple[Literal, ...]
    pos: int


@dataclass(frozen=True)
class And:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    item: Condition


@dataclass(frozen=True)
class SemiJoin:
    """`field IN (SELECT f FROM Object WHERE ...)` (an anti-join when negated)."""

    path: FieldPath
    negated: bool
    select: FieldPath
    sobject: str
    sobject_pos: int
    where: Condition | None
    pos: int


@dataclass(frozen=True)
class AggregateTest:
    """`COUNT(Id) > 1` or `SUM(Amount) >= 10` in a HAVING clause (`function` COUNT, MIN...)."""

    function: str
    path: FieldPath | None  # None for COUNT()
    op: str
    value: Literal
    pos: int


Condition = Comparison | InList | Includes | And | Or | Not | SemiJoin | AggregateTest


@dataclass(frozen=True)
class SubQuery:
    """`(SELECT ... FROM <child relationship> ...)` in a SELECT list."""

    select: tuple[FieldPath | FieldsFn | Aggregate, ...]
    relationship: str
    relationship_pos: int
    where: Condition | None
    order_by: tuple[OrderKey, ...]
    limit: int | None
    pos: int


SelectItem = FieldPath | CountAll | CountField | Aggregate | FieldsFn | SubQuery


@dataclass(frozen=True)
class OrderKey:
    """`path [ASC|DESC] [NULLS FIRST|LAST]`; `function` orders groups by an aggregate
    (`ORDER BY COUNT(Id) DESC`, COUNT() read as COUNT(Id))."""

    path: FieldPath
    descending: bool
    nulls_last: bool
    function: str | None = None


@dataclass(frozen=True)
class Query:
    """A whole SELECT statement."""

    select: tuple[SelectItem, ...]
    sobject: str
    sobject_pos: int
    where: Condition | None
    order_by: tuple[OrderKey, ...]
    limit: int | None
    offset: int | None
    text: str
    group_by: tuple[FieldPath, ...] = ()
    for_mode: str | None = None  # "VIEW" or "REFERENCE": stamp LastViewed/ReferencedDate
    having: Condition | None = None
