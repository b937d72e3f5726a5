"""Literals checked against the field they filter and turned into comparable Python values.

Type errors follow docs/salesforce-wire.md 3.4: a literal of the wrong kind is INVALID_FIELD with
"value of filter criterion for field 'X' must be of type T and should (not) be enclosed in
quotes"; a malformed Id is INVALID_QUERY_FILTER_OPERATOR "invalid ID field: xyz".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fake_salesforce import ids
from fake_salesforce.schema import NUMBER_TYPES, FieldSpec
from fake_salesforce.soql import dates, nodes
from fake_salesforce.soql.diagnostics import malformed, query_error

ID_TYPES = frozenset({"id", "reference"})
TYPE_WORDS = {
    "boolean": "boolean",
    "datetime": "dateTime",
    "date": "date",
    "int": "integer",
    "double": "double",
    "currency": "double",
    "percent": "double",
}


@dataclass(frozen=True)
class Span:
    """A date literal's [low, high) range, as datetimes or dates to match the field."""

    low: datetime | date
    high: datetime | date


@dataclass(frozen=True)
class Context:
    """What literal evaluation needs: the statement text (for errors), now, the org's zone."""

    text: str
    now: datetime
    zone: str


def kind(spec: FieldSpec) -> str:
    """The comparison family of a field: text, id, boolean, number, datetime or date."""
    if spec.type in ID_TYPES:
        return "id"
    if spec.type in ("boolean", "datetime", "date"):
        return spec.type
    if spec.type in NUMBER_TYPES:
        return "number"
    return "text"


def _wrong_type(ctx: Context, spec: FieldSpec, lit: nodes.Literal) -> Exception:
    word = TYPE_WORDS.get(spec.type, "string")
    quoted = (
        "should be enclosed in quotes" if word == "string" else "should not be enclosed in quotes"
    )
    return query_error(
        "INVALID_FIELD",
        ctx.text,
        lit.pos,
        f"value of filter criterion for field '{spec.name}' must be of type {word} and {quoted}",
    )


def value_of(ctx: Context, spec: FieldSpec, lit: nodes.Literal) -> Any:
    """None, a Span, or a value comparable with what the field stores (text lower-cased)."""
    if isinstance(lit, nodes.NullLit):
        return None
    family = kind(spec)
    if isinstance(lit, nodes.RangeLit) and family in ("datetime", "date"):
        return _span(ctx, spec, lit)
    if family == "text" and isinstance(lit, nodes.StringLit):
        # Salesforce stores empty text as null, so `= ''` is `= null`.
        return lit.value.lower() or None
    if family == "id" and isinstance(lit, nodes.StringLit):
        canonical = ids.normalize(lit.value)
        if canonical is None:
            raise query_error(
                "INVALID_QUERY_FILTER_OPERATOR", ctx.text, lit.pos, f"invalid ID field: {lit.value}"
            )
        return canonical
    if family == "boolean" and isinstance(lit, nodes.BoolLit):
        return lit.value
    if family == "number" and isinstance(lit, nodes.NumberLit):
        number = lit.value
        return int(number) if number == number.to_integral_value() else float(number)
    if family == "datetime" and isinstance(lit, nodes.DateTimeLit):
        return lit.value
    if family == "date" and isinstance(lit, nodes.DateLit):
        return lit.value
    raise _wrong_type(ctx, spec, lit)


def _span(ctx: Context, spec: FieldSpec, lit: nodes.RangeLit) -> Span:
    parsed = dates.parse_literal(lit.name, lit.n)
    if parsed is None:
        shown = lit.name if lit.n is None else f"{lit.name}:{lit.n}"
        raise malformed(ctx.text, lit.pos, f"unexpected token: '{shown}'")
    try:
        start, end = dates.date_range(*parsed, today=dates.local_today(ctx.now, ctx.zone))
        if spec.type == "date":
            return Span(start, end)
        low, high = dates.datetime_range(start, end, ctx.zone)
    except (ValueError, OverflowError):  # n reaches past year 1 or 9999
        raise malformed(ctx.text, lit.pos, f"unexpected token: '{lit.name}:{lit.n}'") from None
    return Span(low, high)


def like_matcher(lit: nodes.StringLit) -> Callable[[str], bool]:
    """A LIKE test: % any run, _ one character, escaped ones literal, case-insensitive.

    Segments between `%` have a fixed length, so the leftmost match of each in turn decides
    (the glob algorithm): linear work per row, where one backtracking regex could be made
    exponential by a hostile pattern such as '%a%a%a%a%a%a%b'.
    """
    segments: list[list[str]] = [[]]
    for ch, escaped in lit.like:
        if ch == "%" and not escaped:
            segments.append([])
        else:
            segments[-1].append("." if ch == "_" and not escaped else re.escape(ch))
    flags = re.IGNORECASE | re.DOTALL
    if len(segments) == 1:
        whole = re.compile("".join(segments[0]), flags).fullmatch
        return lambda text: whole(text) is not None
    head, *middle, tail = (re.compile("".join(seg), flags) for seg in segments)
    head_len, tail_len = len(segments[0]), len(segments[-1])
    inner = [m for m, seg in zip(middle, segments[1:-1], strict=True) if seg]

    def match(text: str) -> bool:
        end = len(text) - tail_len
        if end < head_len or not head.match(text, 0, head_len):
            return False
        if tail_len and not tail.fullmatch(text, end):
            return False
        pos = head_len
        for part in inner:
            found = part.search(text, pos, end)
            if found is None:
                return False
            pos = found.end()
        return True

    return match
