"""The parsed-statement cache: a repeated query is parsed once, yet answers as if parsed anew."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from fake_salesforce.errors import ApiError
from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.schema import MARKETO_SALES_INSIGHT
from fake_salesforce.soql import parser
from fake_salesforce.soql.parser import CACHED_LENGTH, cache_info, parse

OPT_OUT = "mkto_si__Marketo_Sales_Opt_Out__c"


def _hits() -> int:
    return int(cache_info().hits)


def _ids(sf: object, soql: str) -> set[str]:
    return {row["Id"] for row in sf.query_all(soql)["records"]}  # type: ignore[attr-defined]


def test_a_cached_tree_is_the_same_frozen_object_for_the_same_text() -> None:
    text = "SELECT Id FROM Contact WHERE Email = 'cache-frozen@example.com'"
    first = parse(text)
    assert parse(text) is first
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.limit = 5  # type: ignore[misc]


def test_a_statement_longer_than_the_cached_length_is_parsed_each_time() -> None:
    names = ", ".join(f"'n{i:06d}'" for i in range(CACHED_LENGTH // 8))
    text = f"SELECT Id FROM Contact WHERE LastName IN ({names})"
    assert len(text) > CACHED_LENGTH
    assert parse(text) is not parse(text)
    assert parse(text) == parse(text)


def test_a_malformed_statement_fails_every_time_it_is_sent() -> None:
    for _ in range(3):
        with pytest.raises(ApiError) as raised:
            parse("SELECT Id FROM Contact WHERE")
        assert raised.value.error_code == "MALFORMED_QUERY"


def test_a_repeated_query_sees_records_written_between_runs() -> None:
    fake = FakeSalesforce()
    sf = fake.client()
    soql = "SELECT Id FROM Contact WHERE LastName = 'Cached'"
    first = fake.org.create("Contact", {"LastName": "Cached"})
    assert _ids(sf, soql) == {first}
    hits = _hits()
    second = fake.org.create("Contact", {"LastName": "Cached"})
    fake.org.delete("Contact", first)
    assert _ids(sf, soql) == {second}
    assert _hits() > hits


def test_a_cached_date_literal_is_evaluated_against_the_clock_of_each_run() -> None:
    fake = FakeSalesforce()
    sf = fake.client()
    record_id = fake.org.create("Contact", {"LastName": "Dated"})
    today = "SELECT Id FROM Contact WHERE CreatedDate = TODAY AND LastName = 'Dated'"
    yesterday = "SELECT Id FROM Contact WHERE CreatedDate = YESTERDAY AND LastName = 'Dated'"
    assert _ids(sf, today) == {record_id}
    assert _ids(sf, yesterday) == set()
    hits = _hits()
    fake.org.clock.advance(timedelta(days=1))
    assert _ids(sf, today) == set()
    assert _ids(sf, yesterday) == {record_id}
    assert _hits() >= hits + 2


def test_a_cached_query_on_the_package_field_fails_once_the_package_is_uninstalled() -> None:
    fake = FakeSalesforce(packages=(MARKETO_SALES_INSIGHT,))
    sf = fake.client()
    record_id = fake.org.create("Contact", {"LastName": "Pkg", OPT_OUT: True})
    soql = f"SELECT Id, {OPT_OUT} FROM Contact WHERE {OPT_OUT} = true"
    assert _ids(sf, soql) == {record_id}
    fake.org.uninstall_package(MARKETO_SALES_INSIGHT)
    hits = _hits()
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.query_all(soql)
    assert raised.value.content[0]["errorCode"] == "INVALID_FIELD"
    assert _hits() == hits + 1
    fake.org.install_package(MARKETO_SALES_INSIGHT)
    assert _ids(sf, soql) == {record_id}


def test_clearing_the_cache_parses_the_next_statement_anew() -> None:
    text = "SELECT Id FROM Lead WHERE Email = 'cache-clear@example.com'"
    first = parse(text)
    parser.clear_cache()
    assert parse(text) is not first
    assert parse(text) == first


WHERE = "SELECT Id FROM Contact WHERE"
SAME_SHAPE = [
    "SELECT Id FROM Contact WHERE Email = 'ann@example.com'",
    "SELECT Id FROM Contact WHERE Email = 'bob@example.org'",
    f"{WHERE} LastName LIKE 'O\\'B%' AND (Email IN ('a', 'bb') OR NOT Id = 'x')",
    f"{WHERE} LastName LIKE 'a\\%b%' AND (Email IN ('c', 'dd') OR NOT Id = 'y')",
    f"{WHERE} LastName LIKE '\\u00e9t%' AND (Email IN ('e', 'ff') OR NOT Id = 'z')",
    "SELECT Id FROM Contact WHERE LastName = 'a\\qbcd'",
    "SELECT Id FROM Contact WHERE LastName = 'abcdefg'",
    "SELECT Id FROM Contact WHERE LastName = 'unterminated",
    "SELECT Id, 'x' FROM Contact",
]


def _outcome(parse_text: Any, text: str) -> Any:
    try:
        return parse_text(text)
    except ApiError as exc:
        return (exc.status, exc.error_code, exc.message)


@pytest.mark.parametrize("order", [SAME_SHAPE, SAME_SHAPE[::-1]])
def test_statements_differing_only_in_strings_parse_as_if_each_were_parsed_alone(
    order: list[str],
) -> None:
    parser.clear_cache()
    for text in order:
        assert _outcome(parse, text) == _outcome(parser.parse_uncached, text)
        assert _outcome(parse, text) == _outcome(parser.parse_uncached, text)


def test_a_bad_escape_is_malformed_even_after_a_good_string_of_its_shape() -> None:
    parser.clear_cache()
    parse("SELECT Id FROM Contact WHERE LastName = 'abcdefg'")
    with pytest.raises(ApiError) as raised:
        parse("SELECT Id FROM Contact WHERE LastName = 'a\\qbcd'")
    assert raised.value.error_code == "MALFORMED_QUERY"
    assert "Illegal character sequence '\\q'" in raised.value.message


def test_each_id_of_a_shared_shape_finds_its_own_record() -> None:
    fake = FakeSalesforce()
    sf = fake.client()
    made = [fake.org.create("Contact", {"LastName": f"Shape{i}"}) for i in range(5)]
    for record_id in made:
        assert _ids(sf, f"SELECT Id FROM Contact WHERE Id = '{record_id}'") == {record_id}
