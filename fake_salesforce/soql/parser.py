"""SOQL text -> `nodes.Query`: a lark LALR parser whose callbacks build the typed tree on reduce.

Building nodes inline (no intermediate parse tree, no recursion) keeps deep or huge input cheap;
statement length and nesting depth are capped so nothing can hang or crash the server.
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any

from lark import Lark, Token, Transformer, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from fake_salesforce import values
from fake_salesforce.errors import ApiError
from fake_salesforce.soql import nodes
from fake_salesforce.soql.depth import check_depth
from fake_salesforce.soql.diagnostics import malformed, row_column
from fake_salesforce.soql.semijoin import check_placement


class LiteralError(Exception):
    """A literal the lexer accepted but SOQL rejects; `parse` adds the query text."""

    def __init__(self, pos: int, detail: str) -> None:
        super().__init__(detail)
        self.pos = pos
        self.detail = detail


# Salesforce's documented statement limit (SOQL and SOSL Limits: 100,000 characters).
MAX_LENGTH = 100_000
FIELD_GROUPS = frozenset({"ALL", "STANDARD", "CUSTOM"})
AGGREGATES = frozenset({"MIN", "MAX", "SUM", "AVG", "COUNT_DISTINCT"})
ESCAPES = {
    "\\": "\\",
    "'": "'",
    '"': '"',
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "b": "\b",
    "f": "\f",
    "%": "%",
    "_": "_",
}


class _Build(Transformer[Token, Any]):
    """Callbacks run by the LALR parser on each reduction."""

    def start(self, items: list[Any]) -> nodes.Query:
        select, sobject, *clauses = items
        found = {kind: value for kind, value in clauses if kind}
        return nodes.Query(
            select=tuple(select),
            sobject=str(sobject),
            sobject_pos=_pos(sobject),
            where=found.get("where"),
            order_by=tuple(found.get("order_by", ())),
            limit=found.get("limit"),
            offset=found.get("offset"),
            text="",
            group_by=tuple(found.get("group_by", ())),
            for_mode=found.get("for_mode"),
            having=found.get("having"),
        )

    def select_list(self, items: list[Any]) -> list[Any]:
        return items

    def sub_list(self, items: list[Any]) -> list[Any]:
        return items

    def subquery(self, items: list[Any]) -> nodes.SubQuery:
        select, relationship, *clauses = items
        found = {kind: value for kind, value in clauses if kind}
        return nodes.SubQuery(
            select=tuple(select),
            relationship=str(relationship),
            relationship_pos=_pos(relationship),
            where=found.get("where"),
            order_by=tuple(found.get("order_by", ())),
            limit=found.get("limit"),
            pos=select[0].pos,
        )

    def field_path(self, items: list[Token]) -> nodes.FieldPath:
        return nodes.FieldPath(tuple(str(t) for t in items), _pos(items[0]))

    def count_all(self, items: list[Token]) -> nodes.CountAll:
        return nodes.CountAll(_pos(items[0]))

    def count_field(self, items: list[Any]) -> nodes.CountField:
        alias = str(items[2]) if len(items) > 2 and items[2] is not None else None
        return nodes.CountField(items[1], alias, _pos(items[0]))

    def call(self, items: list[Any]) -> nodes.Aggregate | nodes.FieldsFn:
        """`FIELDS(ALL)` or an aggregate function other than COUNT, by name."""
        name, path = items[0], items[1]
        alias = items[2] if len(items) > 2 else None
        function = str(name).upper()
        if function == "FIELDS":
            group = path.text.upper()
            if group not in FIELD_GROUPS:
                raise LiteralError(path.pos, f"unexpected token: '{path.text}'")
            if alias is not None:
                raise LiteralError(_pos(alias), f"unexpected token: '{alias}'")
            return nodes.FieldsFn(group, _pos(name))
        if function not in AGGREGATES:
            raise LiteralError(_pos(name), f"unknown function: '{name}'")
        return nodes.Aggregate(function, path, None if alias is None else str(alias), _pos(name))

    def semi_select(self, items: list[Any]) -> tuple[Any, Token, Any]:
        return (items[0], items[1], items[2][1] if len(items) > 2 else None)

    def semi_join(self, items: list[Any]) -> nodes.SemiJoin:
        return _semi(items[0], items[2], False, items[1])

    def anti_join(self, items: list[Any]) -> nodes.SemiJoin:
        return _semi(items[0], items[3], True, items[1])

    def count_test(self, items: list[Any]) -> nodes.AggregateTest:
        path = items[1] if len(items) == 4 else None
        return nodes.AggregateTest("COUNT", path, _op(items[-2]), items[-1], _pos(items[0]))

    def aggregate_test(self, items: list[Any]) -> nodes.AggregateTest:
        name, path, op, value = items
        function = str(name).upper()
        if function not in AGGREGATES:
            raise LiteralError(_pos(name), f"unknown function: '{name}'")
        return nodes.AggregateTest(function, path, _op(op), value, _pos(name))

    def having(self, items: list[Any]) -> tuple[str, Any]:
        return ("having", items[0])

    def where(self, items: list[Any]) -> tuple[str, Any]:
        return ("where", items[1])

    def and_chain(self, items: list[Any]) -> nodes.And:
        return nodes.And(tuple(items[::2]))

    def or_chain(self, items: list[Any]) -> nodes.Or:
        return nodes.Or(tuple(items[::2]))

    def negation(self, items: list[Any]) -> nodes.Not:
        return nodes.Not(items[1])

    def comparison(self, items: list[Any]) -> nodes.Comparison:
        path, op, value = items
        return nodes.Comparison(path, _op(op), value, _pos(op))

    def in_list(self, items: list[Any]) -> nodes.InList:
        return nodes.InList(items[0], False, tuple(items[2:]), _pos(items[1]))

    def not_in_list(self, items: list[Any]) -> nodes.InList:
        return nodes.InList(items[0], True, tuple(items[3:]), _pos(items[1]))

    def includes(self, items: list[Any]) -> nodes.Includes:
        return nodes.Includes(items[0], False, tuple(items[2:]), _pos(items[1]))

    def excludes(self, items: list[Any]) -> nodes.Includes:
        return nodes.Includes(items[0], True, tuple(items[2:]), _pos(items[1]))

    def string(self, items: list[Token]) -> nodes.StringLit:
        return _string(items[0])

    def number(self, items: list[Token]) -> nodes.NumberLit:
        try:
            return nodes.NumberLit(Decimal(str(items[0])), _pos(items[0]))
        except InvalidOperation:  # the token regex admits only decimals
            raise LiteralError(_pos(items[0]), f"unexpected token: '{items[0]}'") from None

    def datetime(self, items: list[Token]) -> nodes.DateTimeLit:
        try:
            parsed = values.parse_datetime(str(items[0]))
        except (ValueError, OverflowError):  # an offset beyond ±24h, or a year past 9999
            parsed = None
        if parsed is None:
            raise LiteralError(_pos(items[0]), f"unexpected token: '{items[0]}'")
        return nodes.DateTimeLit(parsed, _pos(items[0]))

    def date(self, items: list[Token]) -> nodes.DateLit:
        parsed = values.parse_date(str(items[0]))
        if parsed is None:
            raise LiteralError(_pos(items[0]), f"unexpected token: '{items[0]}'")
        return nodes.DateLit(parsed, _pos(items[0]))

    def word(self, items: list[Token]) -> nodes.Literal:
        token = items[0]
        word = str(token).upper()
        if word in ("TRUE", "FALSE"):
            return nodes.BoolLit(word == "TRUE", _pos(token))
        if word == "NULL":
            return nodes.NullLit(_pos(token))
        return nodes.RangeLit(word, None, _pos(token))

    def range_n(self, items: list[Token]) -> nodes.RangeLit:
        return nodes.RangeLit(str(items[0]).upper(), int(items[1]), _pos(items[0]))

    def group_by(self, items: list[nodes.FieldPath]) -> tuple[str, Any]:
        return ("group_by", items)

    def order_by(self, items: list[nodes.OrderKey]) -> tuple[str, Any]:
        return ("order_by", items)

    def order_key(self, items: list[Any], function: str | None = None) -> nodes.OrderKey:
        words = [str(t).upper() for t in items[1:] if isinstance(t, Token)]
        return nodes.OrderKey(items[0], "DESC" in words, "LAST" in words, function)

    def count_order_key(self, items: list[Any]) -> nodes.OrderKey:
        path = items[1] if isinstance(items[1], nodes.FieldPath) else None
        rest = items[2:] if path else items[1:]
        return self.order_key([path or nodes.FieldPath(("Id",), _pos(items[0])), *rest], "COUNT")

    def function_order_key(self, items: list[Any]) -> nodes.OrderKey:
        if str(items[0]).upper() not in AGGREGATES:
            raise LiteralError(_pos(items[0]), f"unknown function: '{items[0]}'")
        return self.order_key(items[1:], str(items[0]).upper())

    def limit(self, items: list[Token]) -> tuple[str, Any]:
        return ("limit", int(items[0]))

    def for_clause(self, items: list[Token]) -> tuple[str, Any]:
        return ("for_mode", str(items[0]).upper())

    def offset(self, items: list[Token]) -> tuple[str, Any]:
        return ("offset", int(items[1]))


def _op(token: Token) -> str:
    return "!=" if token == "<>" else str(token).upper()


def _semi(
    path: nodes.FieldPath, inner: tuple[Any, Token, Any], negated: bool, at: Token
) -> nodes.SemiJoin:
    select, sobject, where = inner
    return nodes.SemiJoin(path, negated, select, str(sobject), _pos(sobject), where, _pos(at))


def _string(token: Token) -> nodes.StringLit:
    """Apply SOQL's quoted-string escapes (Quoted String Escape Sequences, SOQL reference)."""
    raw = str(token)[1:-1]
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch != "\\":
            out.append((ch, False))
            i += 1
            continue
        nxt = raw[i + 1]
        if nxt == "u" and _is_hex(raw[i + 2 : i + 6]):
            out.append((chr(int(raw[i + 2 : i + 6], 16)), True))
            i += 6
        elif nxt in ESCAPES:
            out.append((ESCAPES[nxt], True))
            i += 2
        else:
            raise LiteralError(
                _pos(token),
                f"Invalid string literal '{raw}'. Illegal "
                f"character sequence '\\{nxt}' in string literal.",
            )
    return nodes.StringLit("".join(c for c, _ in out), tuple(out), _pos(token))


def _pos(token: Token) -> int:
    return token.start_pos or 0


def _is_hex(chunk: str) -> bool:
    return len(chunk) == 4 and all(c in "0123456789abcdefABCDEF" for c in chunk)


_GRAMMAR = resources.files("fake_salesforce.soql").joinpath("grammar.lark").read_text()


@functools.cache
def _parser() -> Lark:
    """Built on first use: the LALR tables take a quarter of a second, not paid at import."""
    return Lark(
        _GRAMMAR, parser="lalr", lexer="contextual", maybe_placeholders=True, transformer=_Build()
    )


# Parsed statements kept by text: a sync engine sends the same few queries over and over, and
# lark costs ~70 us a parse. Trees are frozen dataclasses holding no clock or schema (date
# literals are evaluated and fields bound at execution), so one tree serves every run. Statements
# that differ only inside string literals (`WHERE Id = '...'`) share a shape: its tree is parsed
# once with the strings blanked to the same length (positions hold), then the real strings are
# put back. Texts longer than CACHED_LENGTH (huge IN lists) are parsed each time.
CACHE_SIZE, CACHED_LENGTH = 512, 8_000
_STRING = re.compile(r"'(?:[^'\\]|\\.)*'", re.S)  # the grammar's STRING token


def parse(text: str) -> nodes.Query:
    """The tree of `text`, or an ApiError (MALFORMED_QUERY, QUERY_TOO_COMPLICATED)."""
    if len(text) > CACHED_LENGTH:
        return parse_uncached(text)
    return _parse_cached(text)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _parse_cached(text: str) -> nodes.Query:
    strings = {m.start(): m.group() for m in _STRING.finditer(text)}
    if not strings:
        return parse_uncached(text)
    try:
        shape = _shape_tree(_STRING.sub(_blank, text))
        return replace(_fill(shape, strings), text=text)
    except (ApiError, LiteralError):  # the text's own error, as lark and `_string` word it
        return parse_uncached(text)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _shape_tree(shape: str) -> nodes.Query:
    return parse_uncached(shape)


def _blank(match: re.Match[str]) -> str:
    return "'" + "x" * (len(match.group()) - 2) + "'"


def _fill(query: nodes.Query, strings: dict[int, str]) -> nodes.Query:
    """`query` with each blanked string literal replaced by the text's own (subqueries too)."""
    select = tuple(
        replace(item, where=_filled(item.where, strings))
        if isinstance(item, nodes.SubQuery) and item.where is not None
        else item
        for item in query.select
    )
    return replace(
        query,
        select=select,
        where=_filled(query.where, strings),
        having=_filled(query.having, strings),
    )


def _filled(node: Any, strings: dict[int, str]) -> Any:
    if isinstance(node, nodes.StringLit):
        return _string(Token("STRING", strings[node.pos], start_pos=node.pos))
    if isinstance(node, nodes.Comparison | nodes.AggregateTest):
        return replace(node, value=_filled(node.value, strings))
    if isinstance(node, nodes.SemiJoin):
        return replace(node, where=_filled(node.where, strings))
    if isinstance(node, nodes.InList | nodes.Includes):
        return replace(node, values=tuple(_filled(v, strings) for v in node.values))
    if isinstance(node, nodes.And | nodes.Or):
        return replace(node, items=tuple(_filled(item, strings) for item in node.items))
    if isinstance(node, nodes.Not):
        return replace(node, item=_filled(node.item, strings))
    return node


def clear_cache() -> None:
    _parse_cached.cache_clear()
    _shape_tree.cache_clear()


def cache_info() -> Any:
    """Hits, misses and size of the parsed-statement cache (`functools` CacheInfo)."""
    return _parse_cached.cache_info()


def parse_uncached(text: str) -> nodes.Query:
    """`parse` without the cache: always runs lark."""
    if len(text) > MAX_LENGTH:
        raise ApiError(
            400, "MALFORMED_QUERY", "SOQL statements cannot be longer than 100,000 characters."
        )
    try:
        query = _parser().parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
    except LiteralError as exc:
        raise malformed(text, exc.pos, exc.detail) from None
    assert isinstance(query, nodes.Query)
    query = replace(query, text=text)
    check_depth(query)
    check_placement(query.where, text)
    return query


def _syntax_error(text: str, exc: UnexpectedInput) -> ApiError:
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        if token.type == "$END":
            return malformed(text, len(text), "unexpected token: <EOF>")
        return malformed(text, _pos(token), f"unexpected token: '{token}'")
    pos = exc.pos_in_stream or 0
    row, column = row_column(text, pos)
    if isinstance(exc, UnexpectedCharacters) and text[pos] == "'":
        detail = f"line {row}:{column} mismatched character '<EOF>' expecting '''"
    else:
        detail = f"line {row}:{column} no viable alternative at character '{text[pos]}'"
    return malformed(text, pos, detail)
