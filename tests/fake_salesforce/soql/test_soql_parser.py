"""The SOQL parser: statements into typed trees, and syntax errors worded as Salesforce does."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from fake_salesforce.errors import ApiError
from fake_salesforce.soql import nodes
from fake_salesforce.soql.depth import MAX_DEPTH
from fake_salesforce.soql.parser import parse


def test_keywords_are_case_insensitive_and_names_keep_their_spelling() -> None:
    query = parse("select id, EMAIL from contact where email = 'a@b.com' limit 5 offset 2")
    assert query.select == (nodes.FieldPath(("id",), 7), nodes.FieldPath(("EMAIL",), 11))
    assert (query.sobject, query.limit, query.offset) == ("contact", 5, 2)
    assert isinstance(query.where, nodes.Comparison)
    assert query.where.op == "="


def test_parent_paths_and_count_forms_parse() -> None:
    query = parse("SELECT Account.Owner.Name FROM Contact")
    assert query.select[0] == nodes.FieldPath(("Account", "Owner", "Name"), 7)
    assert parse("SELECT COUNT() FROM Lead").select == (nodes.CountAll(7),)
    count = parse("SELECT count(Id) total FROM Lead").select[0]
    assert isinstance(count, nodes.CountField)
    assert count.alias == "total"


LITERALS = [
    ("'it\\'s'", nodes.StringLit, "it's"),
    ("'a\\\\b\\n\\t\\\"'", nodes.StringLit, 'a\\b\n\t"'),
    ("'\\u00e9'", nodes.StringLit, "é"),
    ("42", nodes.NumberLit, Decimal("42")),
    ("-1.5", nodes.NumberLit, Decimal("-1.5")),
    ("TRUE", nodes.BoolLit, True),
    ("false", nodes.BoolLit, False),
    ("2024-02-29", nodes.DateLit, date(2024, 2, 29)),
    ("2024-01-01T10:00:00Z", nodes.DateTimeLit, datetime(2024, 1, 1, 10, tzinfo=UTC)),
    ("2024-01-01T10:00:00+02:00", nodes.DateTimeLit, datetime(2024, 1, 1, 8, tzinfo=UTC)),
    (
        "2024-01-01T10:00:00.123-0500",
        nodes.DateTimeLit,
        datetime(2024, 1, 1, 15, 0, 0, 123000, tzinfo=UTC),
    ),
]


@pytest.mark.parametrize(("text", "kind", "value"), LITERALS)
def test_each_literal_form_parses_to_its_typed_value(text: str, kind: type, value: object) -> None:
    where = parse(f"SELECT Id FROM Contact WHERE X = {text}").where
    assert isinstance(where, nodes.Comparison)
    assert isinstance(where.value, kind)
    assert where.value.value == value  # type: ignore[union-attr]


def test_null_and_relative_date_literals_parse() -> None:
    where = parse("SELECT Id FROM Contact WHERE A = null AND B > LAST_N_DAYS:30").where
    assert isinstance(where, nodes.And)
    first, second = where.items
    assert isinstance(first, nodes.Comparison) and isinstance(first.value, nodes.NullLit)
    assert isinstance(second, nodes.Comparison)
    assert second.value == nodes.RangeLit("LAST_N_DAYS", 30, second.value.pos)


def test_like_escapes_keep_wildcards_apart_from_escaped_characters() -> None:
    where = parse(r"SELECT Id FROM Contact WHERE Name LIKE '50\%_x%'").where
    assert isinstance(where, nodes.Comparison) and isinstance(where.value, nodes.StringLit)
    assert where.value.like == (
        ("5", False),
        ("0", False),
        ("%", True),
        ("_", False),
        ("x", False),
        ("%", False),
    )


def test_in_not_in_not_and_parentheses_build_the_expected_tree() -> None:
    where = parse(
        "SELECT Id FROM Contact WHERE NOT (A IN ('x', 'y') OR B NOT IN (1)) AND C != null"
    ).where
    assert isinstance(where, nodes.And)
    negation, last = where.items
    assert isinstance(negation, nodes.Not) and isinstance(negation.item, nodes.Or)
    first_in, second_in = negation.item.items
    assert isinstance(first_in, nodes.InList) and not first_in.negated
    assert isinstance(second_in, nodes.InList) and second_in.negated
    assert isinstance(last, nodes.Comparison) and last.op == "!="


def test_order_by_reads_direction_and_null_placement_per_key() -> None:
    query = parse("SELECT Id FROM Contact ORDER BY LastName DESC NULLS LAST, Email, Id ASC")
    assert [(k.path.text, k.descending, k.nulls_last) for k in query.order_by] == [
        ("LastName", True, True),
        ("Email", False, False),
        ("Id", False, False),
    ]


def test_diamond_operator_means_not_equal() -> None:
    where = parse("SELECT Id FROM Contact WHERE Email <> 'x'").where
    assert isinstance(where, nodes.Comparison) and where.op == "!="


SYNTAX_ERRORS = [
    ("SELECT Id FRM Contact", 11, "unexpected token: 'FRM'"),
    ("SELECT Id FROM", 15, "unexpected token: <EOF>"),
    (
        "SELECT Id FROM Contact WHERE Email = 'x",
        38,
        "line 1:38 mismatched character '<EOF>' expecting '''",
    ),
    (
        'SELECT Id FROM Contact WHERE Email = "x"',
        38,
        "line 1:38 no viable alternative at character '\"'",
    ),
    ("SELECT Id FROM Contact WHERE A = 1 AND B = 2 OR C = 3", 46, "unexpected token: 'OR'"),
    (
        r"SELECT Id FROM Contact WHERE A = 'a\qb'",
        34,
        r"Invalid string literal 'a\qb'. Illegal character sequence '\q' in string literal.",
    ),
    ("SELECT Id FROM Contact WHERE A = 2024-13-45", 34, "unexpected token: '2024-13-45'"),
    ("SELECT Id FROM Contact LIMIT x", 30, "unexpected token: 'x'"),
]


@pytest.mark.parametrize(("text", "column", "detail"), SYNTAX_ERRORS)
def test_syntax_errors_are_malformed_query_with_the_position(
    text: str, column: int, detail: str
) -> None:
    with pytest.raises(ApiError) as caught:
        parse(text)
    assert caught.value.status == 400
    assert caught.value.error_code == "MALFORMED_QUERY"
    assert caught.value.message.endswith(f"ERROR at Row:1:Column:{column}\n{detail}")
    assert caught.value.message.startswith(f"\n{text}\n" + " " * (column - 1) + "^\n")


def test_an_error_on_a_later_line_reports_its_row_and_column() -> None:
    with pytest.raises(ApiError) as caught:
        parse("SELECT Id\nFROM Contact\nWHERE Email = = 'x'")
    assert (
        "\nWHERE Email = = 'x'\n              ^\nERROR at Row:3:Column:15\n" in caught.value.message
    )


def _nested(levels: int) -> str:
    """`A = '0' AND (A = '1' OR (A = '2' AND (...)))`: every level adds a node."""
    text = "A = 'x'"
    for level in range(levels):
        joiner = "AND" if level % 2 else "OR"
        text = f"A = '{level}' {joiner} ({text})"
    return "SELECT Id FROM Contact WHERE " + text


def test_nesting_deeper_than_the_cap_is_refused_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(ApiError) as caught:
        parse(_nested(5000))
    assert caught.value.error_code == "QUERY_TOO_COMPLICATED"
    assert time.perf_counter() - started < 2
    nots = "SELECT Id FROM Contact WHERE " + "NOT " * (MAX_DEPTH + 1) + "Email = 'x'"
    with pytest.raises(ApiError):
        parse(nots)


def test_redundant_parentheses_add_no_depth_and_are_answered() -> None:
    started = time.perf_counter()
    where = parse("SELECT Id FROM Contact WHERE " + "(" * 5000 + "A = 'x'" + ")" * 5000).where
    assert isinstance(where, nodes.Comparison)
    assert time.perf_counter() - started < 2


def test_nesting_up_to_the_cap_is_answered() -> None:
    query = parse(_nested(MAX_DEPTH - 1))
    assert isinstance(query.where, nodes.Or | nodes.And)


def test_a_statement_over_100000_characters_is_refused() -> None:
    values = ",".join(f"'{i:08d}'" for i in range(100_000))
    with pytest.raises(ApiError) as caught:
        parse(f"SELECT Id FROM Contact WHERE Email IN ({values})")
    assert caught.value.error_code == "MALFORMED_QUERY"


def test_a_large_in_list_under_the_limit_parses_fast() -> None:
    values = ",".join(str(i) for i in range(15_000))
    started = time.perf_counter()
    where = parse(f"SELECT Id FROM Contact WHERE X IN ({values})").where
    assert isinstance(where, nodes.InList) and len(where.values) == 15_000
    assert time.perf_counter() - started < 2
