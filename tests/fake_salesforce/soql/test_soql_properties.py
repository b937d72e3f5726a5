"""Properties: the engine agrees with a plain Python filter; random text only ever fails cleanly."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from simple_salesforce.format import quote_soql_value

from fake_salesforce.errors import ApiError
from fake_salesforce.soql.engine import execute
from fake_salesforce.soql.parser import parse
from tests.fake_salesforce.soql.catalog import T0, Catalog

NOW = datetime(2026, 3, 4, 20, 30, tzinfo=UTC)
WORDS = ["ann", "ANN", "Bob", "b_b", "a%c", "o'neil", "", "zed"]
TEXT_FIELDS = ["LastName", "Email", "Title"]

texts = st.sampled_from(WORDS)
stamps = st.integers(0, 5).map(lambda h: T0 + timedelta(hours=h))
days = st.integers(0, 4).map(lambda d: date(1990, 1, 1) + timedelta(days=d))
records = st.fixed_dictionaries(
    {
        "LastName": texts.filter(bool),
        "Email": st.none() | texts.filter(bool),
        "Title": st.none() | texts.filter(bool),
        "HasOptedOutOfEmail": st.booleans(),
        "Birthdate": st.none() | days,
        "SystemModstamp": stamps,
    }
)


@dataclass(frozen=True)
class Cmp:
    field: str
    op: str
    value: Any


@dataclass(frozen=True)
class Member:
    field: str
    negated: bool
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Junction:
    word: str  # AND / OR
    items: tuple[Any, ...]


@dataclass(frozen=True)
class Negation:
    item: Any


ORDER_OPS = ["=", "!=", "<", "<=", ">", ">="]
comparisons = st.one_of(
    st.builds(
        Cmp,
        st.sampled_from(TEXT_FIELDS),
        st.sampled_from([*ORDER_OPS, "LIKE"]),
        texts | st.sampled_from(["%", "a%", "_n_", "%b%", "o'%"]) | st.text("aAnb_%'", max_size=6),
    ),
    st.builds(Cmp, st.sampled_from(TEXT_FIELDS), st.sampled_from(["=", "!="]), st.none()),
    st.builds(
        Cmp, st.just("HasOptedOutOfEmail"), st.sampled_from(["=", "!="]), st.none() | st.booleans()
    ),
    st.builds(Cmp, st.just("SystemModstamp"), st.sampled_from(ORDER_OPS), stamps),
    st.builds(Cmp, st.just("Birthdate"), st.sampled_from(ORDER_OPS), st.none() | days),
    st.builds(
        Member,
        st.sampled_from(TEXT_FIELDS),
        st.booleans(),
        st.lists(st.none() | texts, min_size=1, max_size=3).map(tuple),
    ),
)
conditions = st.recursive(
    comparisons,
    lambda inner: st.one_of(
        st.builds(
            Junction,
            st.sampled_from(["AND", "OR"]),
            st.lists(inner, min_size=2, max_size=3).map(tuple),
        ),
        st.builds(Negation, inner),
    ),
    max_leaves=8,
)


def soql(node: Any) -> str:
    if isinstance(node, Junction):
        return f" {node.word} ".join(f"({soql(item)})" for item in node.items)
    if isinstance(node, Negation):
        return f"NOT ({soql(node.item)})"
    if isinstance(node, Member):
        word = "NOT IN" if node.negated else "IN"
        return f"{node.field} {word} ({', '.join(quote_soql_value(v) for v in node.values)})"
    return f"{node.field} {node.op} {quote_soql_value(node.value)}"


def like(text: str, pattern: str) -> bool:
    """LIKE by dynamic programming (independent of the engine's regex translation)."""
    text, pattern = text.lower(), pattern.lower()
    reach = [True] + [False] * len(text)
    for ch in pattern:
        if ch == "%":
            for i in range(1, len(text) + 1):
                reach[i] = reach[i] or reach[i - 1]
        else:
            reach = [False] + [reach[i] and (ch == "_" or text[i] == ch) for i in range(len(text))]
    return reach[-1]


def holds(node: Any, record: dict[str, Any]) -> bool:
    if isinstance(node, Junction):
        results = [holds(item, record) for item in node.items]
        return all(results) if node.word == "AND" else any(results)
    if isinstance(node, Negation):
        return not holds(node.item, record)
    value = record[node.field]
    if isinstance(value, str):
        value = value.lower()
    # Empty text is stored as null, so '' in a filter means null.
    if isinstance(node, Member):
        wanted = [v.lower() or None if isinstance(v, str) else v for v in node.values]
        return (value in wanted) != node.negated
    target = node.value.lower() or None if isinstance(node.value, str) else node.value
    if node.field == "HasOptedOutOfEmail" and target is None:
        target = False
    if node.op == "LIKE":
        return value is not None and like(value, node.value)
    if node.op == "=":
        return bool(value == target)
    if node.op == "!=":
        return bool(value != target)
    if value is None or target is None:
        return False
    return bool(
        {"<": value < target, "<=": value <= target, ">": value > target, ">=": value >= target}[
            node.op
        ]
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(records, max_size=12), conditions)
def test_engine_agrees_with_a_plain_python_filter(rows: list[dict[str, Any]], node: Any) -> None:
    catalog = Catalog()
    ids = [
        catalog.add(
            "Contact",
            **{k: v for k, v in row.items() if k != "SystemModstamp"},
            stamp=row["SystemModstamp"],
        )
        for row in rows
    ]
    text = f"SELECT Id FROM Contact WHERE {soql(node)}"
    result = execute(text, catalog, NOW, "UTC")
    expected = [rid for rid, row in zip(ids, rows, strict=True) if holds(node, row)]
    assert result.ids == expected, text


ALPHABET = st.sampled_from(list("SELECTFROMWHEREIdNamLKINOTAD()',=<>!%_.:0123456789 \\\"\n"))
snippets = st.sampled_from(
    [
        "SELECT ",
        "Id",
        ", ",
        " FROM ",
        "Contact",
        " WHERE ",
        "Email",
        " = ",
        "'x'",
        " AND ",
        " OR ",
        "NOT ",
        "(",
        ")",
        " IN ",
        " LIKE ",
        "null",
        "TODAY",
        "LAST_N_DAYS:3",
        "2024-01-01",
        " ORDER BY ",
        " LIMIT ",
        "5",
        "COUNT()",
        "Account.Name",
        " NULLS ",
        "FIRST",
        "CreatedDate",
        "Birthdate",
        " > ",
        "N_YEARS_AGO:99999",
        "9999-12-31T23:59:59-12:00",
        "2024-01-01T00:00:00+99:99",
        "1e5",
        "''",
    ]
)


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(max_size=80),
        st.text(ALPHABET, max_size=80),
        st.lists(snippets, max_size=14).map("".join),
    )
)
def test_random_text_either_parses_or_is_malformed_query(text: str) -> None:
    try:
        parse(text)
    except ApiError as exc:
        assert exc.error_code == "MALFORMED_QUERY"
        assert exc.status == 400


@settings(max_examples=300, deadline=None)
@given(st.lists(snippets, max_size=12).map("".join))
def test_random_where_clauses_only_ever_fail_with_api_errors(tail: str) -> None:
    catalog = Catalog()
    catalog.add("Contact", LastName="x", Email="x@y.z")
    try:
        execute(f"SELECT Id, Email FROM Contact WHERE {tail}", catalog, NOW, "UTC")
    except ApiError as exc:
        assert exc.status == 400


SELECTABLE = [
    "Id",
    "LastName",
    "Email",
    "Title",
    "HasOptedOutOfEmail",
    "Birthdate",
    "CreatedDate",
    "Account.Name",
    "Account.Id",
    "Owner.Email",
    "AccountId",
]
wild_text = st.none() | st.text(max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(wild_text, wild_text, st.booleans(), st.booleans()), max_size=6),
    st.lists(st.sampled_from(SELECTABLE), min_size=1, max_size=6, unique=True),
    st.sampled_from(["59.0", "50.0"]),
)
def test_page_json_text_equals_json_dumps_of_the_records(
    rows: list[tuple[str | None, str | None, bool, bool]], fields: list[str], version: str
) -> None:
    catalog = Catalog()
    account = catalog.add("Account", Name='Ac\u00e9 "quoted" \\ \n')
    owner = catalog.add("User", Username="u", Email="\u2603@x.com", LastName="U")
    for title, name, linked, opted in rows:
        catalog.add(
            "Contact",
            LastName=name or "x",
            Title=title,
            HasOptedOutOfEmail=opted,
            AccountId=account if linked else None,
            Birthdate=date(1990, 1, 2),
            OwnerId=owner if opted else None,
        )
    result = execute(f"SELECT {', '.join(fields)} FROM Contact", catalog, NOW, "UTC")
    expected = json.dumps(result.records(0, 100, version), separators=(",", ":"))
    assert result.records_json(0, 100, version) == expected
