"""Aggregate queries: COUNT(field) alone or per GROUP BY group, as AggregateResult rows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from fake_salesforce.errors import ApiError
from fake_salesforce.soql.engine import execute
from tests.fake_salesforce.soql.catalog import Catalog

NOW = datetime(2026, 3, 4, 20, 30, tzinfo=UTC)
AGG = {"type": "AggregateResult"}


@pytest.fixture
def catalog() -> Catalog:
    cat = Catalog()
    acme = cat.add("Account", Name="Acme")
    cat.add("Contact", LastName="a", Title="VP", Email="a@x.com", AccountId=acme)
    cat.add("Contact", LastName="b", Title="vp", Email=None, AccountId=acme)
    cat.add("Contact", LastName="c", Title="CEO", Email="c@x.com")
    cat.add("Contact", LastName="d", Title=None, Email="d@x.com")
    return cat


def rows(catalog: Catalog, text: str) -> list[dict[str, Any]]:
    result = execute(text, catalog, NOW, "UTC")
    records = result.records(0, 2000, "59.0")
    assert result.total_size == len(records)
    return records


def test_groups_come_in_value_order_nulls_first_and_text_groups_ignore_case(
    catalog: Catalog,
) -> None:
    assert rows(catalog, "SELECT Title, COUNT(Id) FROM Contact GROUP BY Title") == [
        {"attributes": AGG, "Title": None, "expr0": 1},
        {"attributes": AGG, "Title": "CEO", "expr0": 1},
        {"attributes": AGG, "Title": "VP", "expr0": 2},
    ]


def test_unaliased_aggregates_are_numbered_and_aliases_kept(catalog: Catalog) -> None:
    text = "SELECT COUNT(Id), COUNT(Email) withEmail, COUNT(Title) FROM Contact"
    assert rows(catalog, text) == [{"attributes": AGG, "expr0": 4, "withEmail": 3, "expr1": 3}]


def test_a_count_over_no_rows_is_zero(catalog: Catalog) -> None:
    text = "SELECT COUNT(Id) FROM Contact WHERE LastName = 'nobody'"
    assert rows(catalog, text) == [{"attributes": AGG, "expr0": 0}]


def test_order_by_limit_and_parent_groups(catalog: Catalog) -> None:
    text = "SELECT Title, COUNT(Id) n FROM Contact GROUP BY Title ORDER BY Title DESC NULLS LAST"
    text += " LIMIT 2"
    assert [r["Title"] for r in rows(catalog, text)] == ["VP", "CEO"]
    by_account = rows(catalog, "SELECT Account.Name, COUNT(Id) FROM Contact GROUP BY Account.Name")
    assert [(r["Name"], r["expr0"]) for r in by_account] == [(None, 2), ("Acme", 2)]


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        (
            "SELECT Email, COUNT(Id) FROM Contact GROUP BY Title",
            "Field must be grouped or aggregated: Email",
        ),
        (
            "SELECT Title, COUNT(Id) FROM Contact GROUP BY Title ORDER BY Email",
            "Ordered field must be grouped or aggregated: Email",
        ),
        (
            "SELECT COUNT(), COUNT(Id) FROM Contact",
            "COUNT() must be the only element in the SELECT list.",
        ),
    ],
)
def test_ungrouped_fields_are_malformed(catalog: Catalog, text: str, detail: str) -> None:
    with pytest.raises(ApiError) as caught:
        execute(text, catalog, NOW, "UTC")
    assert caught.value.error_code == "MALFORMED_QUERY"
    assert caught.value.message.endswith(detail)
