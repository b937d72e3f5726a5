"""Query paging: batch sizes, locators, totalSize and done, idle expiry, open-cursor cap."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fake_salesforce.errors import ApiError
from fake_salesforce.soql import cursor
from fake_salesforce.soql.engine import Result, execute
from tests.fake_salesforce.soql.catalog import Catalog

NOW = datetime(2026, 3, 4, 20, 30, tzinfo=UTC)


@pytest.fixture
def catalog() -> Catalog:
    cat = Catalog()
    for i in range(4500):
        cat.add("Contact", LastName=f"N{i:05d}")
    return cat


def result(catalog: Catalog, text: str = "SELECT Id FROM Contact") -> Result:
    return execute(text, catalog, NOW, "UTC")


def first_page(*args: Any) -> dict[str, Any]:
    return cursor.first_page(*args).body()


def next_page(*args: Any) -> dict[str, Any]:
    return cursor.next_page(*args).body()


class Minter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        return f"01g8d0000000{self.count:03d}AAA"


@pytest.mark.parametrize(
    ("header", "size"),
    [
        (None, 2000),
        ("batchSize=500", 500),
        ("batchSize=50", 200),
        ("batchSize=5000", 2000),
        ("foo=1; batchSize = 300", 300),
        ("garbage", 2000),
    ],
)
def test_batch_size_is_read_from_the_header_and_clamped(header: str | None, size: int) -> None:
    assert cursor.batch_size(header) == size


def test_pages_chain_through_locators_until_done(catalog: Catalog) -> None:
    cursors: dict[str, Any] = {}
    page = first_page(cursors, result(catalog), "52.0", 2000, NOW, Minter())
    seen = [r["Id"] for r in page["records"]]
    urls = []
    while not page["done"]:
        assert page["totalSize"] == 4500
        urls.append(page["nextRecordsUrl"])
        locator = page["nextRecordsUrl"].rsplit("/", 1)[1]
        page = next_page(cursors, locator, "52.0", NOW)
        seen += [r["Id"] for r in page["records"]]
    assert urls == [
        "/services/data/v52.0/query/01g8d0000000001AAA-2000",
        "/services/data/v52.0/query/01g8d0000000001AAA-4000",
    ]
    assert "nextRecordsUrl" not in page
    assert list(page) == ["totalSize", "done", "records"]
    assert seen == list(catalog.tables["Contact"].rows)


def test_a_result_that_fits_one_page_opens_no_locator(catalog: Catalog) -> None:
    cursors: dict[str, Any] = {}
    page = first_page(
        cursors, result(catalog, "SELECT Id FROM Contact LIMIT 2000"), "59.0", 2000, NOW, Minter()
    )
    assert (page["done"], page["totalSize"], len(page["records"])) == (True, 2000, 2000)
    assert cursors == {}


def test_a_locator_idle_for_15_minutes_expires(catalog: Catalog) -> None:
    cursors: dict[str, Any] = {}
    page = first_page(cursors, result(catalog), "59.0", 2000, NOW, Minter())
    locator = page["nextRecordsUrl"].rsplit("/", 1)[1]
    next_page(cursors, locator, "59.0", NOW + timedelta(minutes=14))
    next_page(cursors, locator, "59.0", NOW + timedelta(minutes=28))
    with pytest.raises(ApiError) as caught:
        next_page(cursors, locator, "59.0", NOW + timedelta(minutes=43, seconds=1))
    assert (caught.value.error_code, caught.value.message) == (
        "INVALID_QUERY_LOCATOR",
        "invalid query locator",
    )


@pytest.mark.parametrize(
    "locator",
    ["nope", "01g8d0000000001AAA-x", "01g8d0000000001AAA-9999", "01g8d0000000999AAA-2000"],
)
def test_unknown_or_malformed_locators_are_invalid(catalog: Catalog, locator: str) -> None:
    cursors: dict[str, Any] = {}
    first_page(cursors, result(catalog), "59.0", 2000, NOW, Minter())
    with pytest.raises(ApiError) as caught:
        next_page(cursors, locator, "59.0", NOW)
    assert caught.value.error_code == "INVALID_QUERY_LOCATOR"


def test_an_eleventh_open_cursor_releases_the_oldest(catalog: Catalog) -> None:
    cursors: dict[str, Any] = {}
    minter = Minter()
    pages = [first_page(cursors, result(catalog), "59.0", 2000, NOW, minter) for _ in range(11)]
    first, last = (p["nextRecordsUrl"].rsplit("/", 1)[1] for p in (pages[0], pages[-1]))
    assert len(cursors) == 10
    assert next_page(cursors, last, "59.0", NOW)["records"]
    with pytest.raises(ApiError):
        next_page(cursors, first, "59.0", NOW)


def test_page_json_is_exactly_json_dumps_of_the_page_body(catalog: Catalog) -> None:
    cursors: dict[str, Any] = {}
    page = cursor.first_page(cursors, result(catalog), "59.0", 2000, NOW, Minter())
    assert page.json() == json.dumps(page.body(), separators=(",", ":"))
    assert page.ids == list(catalog.tables["Contact"].rows)[:2000]
