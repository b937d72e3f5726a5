"""The SOQL evaluator over a small catalog: filters, nulls, ordering, counts, records, errors."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from simple_salesforce.format import format_soql

from fake_salesforce.errors import ApiError
from fake_salesforce.schema import MARKETO_SALES_INSIGHT
from fake_salesforce.soql.engine import Result, execute
from tests.fake_salesforce.soql.catalog import T0, Catalog

NOW = datetime(2026, 3, 4, 20, 30, tzinfo=UTC)  # Wednesday 12:30 in Los Angeles
ZONE = "America/Los_Angeles"


@pytest.fixture
def catalog() -> Catalog:
    cat = Catalog()
    acme = cat.add("Account", Name="Acme")
    cat.add(
        "Contact",
        LastName="Smith",
        FirstName="Ann",
        Email="Ann@Acme.com",
        AccountId=acme,
        Title="VP",
        Birthdate=date(1980, 5, 1),
        stamp=T0,
    )
    cat.add(
        "Contact",
        LastName="jones",
        Email="bob@x.org",
        HasOptedOutOfEmail=True,
        Title=None,
        stamp=T0 + timedelta(days=1),
    )
    cat.add("Contact", LastName="Brown", Email=None, Title="CEO", stamp=NOW - timedelta(hours=1))
    cat.add("Contact", LastName="Old", Email="old@x.org", IsDeleted=True, stamp=T0)
    return cat


def run(catalog: Catalog, text: str, include_deleted: bool = False) -> Result:
    return execute(text, catalog, NOW, ZONE, include_deleted)


def names(catalog: Catalog, text: str, include_deleted: bool = False) -> list[str]:
    result = run(catalog, f"SELECT LastName FROM Contact {text}", include_deleted)
    return [r["LastName"] for r in result.records(0, 100, "59.0")]


def error(catalog: Catalog, text: str) -> ApiError:
    with pytest.raises(ApiError) as caught:
        run(catalog, text)
    return caught.value


def test_records_carry_attributes_first_and_every_field_in_canonical_casing(
    catalog: Catalog,
) -> None:
    record = run(catalog, "select id, email, title, birthdate from contact").records(0, 1, "52.0")[
        0
    ]
    assert list(record) == ["attributes", "Id", "Email", "Title", "Birthdate"]
    assert record["attributes"] == {
        "type": "Contact",
        "url": f"/services/data/v52.0/sobjects/Contact/{record['Id']}",
    }
    assert record["Birthdate"] == "1980-05-01"
    empty = run(catalog, "SELECT Email, CreatedDate FROM Contact WHERE LastName = 'Brown'")
    assert empty.records(0, 1, "59.0")[0]["Email"] is None
    assert empty.records(0, 1, "59.0")[0]["CreatedDate"] == "2026-03-04T19:30:00.000+0000"


def test_parent_fields_nest_under_the_relationship_or_are_null(catalog: Catalog) -> None:
    result = run(catalog, "SELECT account.name, Account.Id, LastName FROM Contact")
    first, second, _ = result.records(0, 3, "59.0")
    assert list(first) == ["attributes", "Account", "LastName"]
    assert first["Account"]["attributes"]["type"] == "Account"
    assert first["Account"]["Name"] == "Acme"
    assert second["Account"] is None


def test_lead_converted_contact_email_follows_the_lookup(catalog: Catalog) -> None:
    contact = next(iter(catalog.tables["Contact"].rows))
    catalog.add("Lead", LastName="L", Company="C", ConvertedContactId=contact)
    record = run(catalog, "SELECT ConvertedContact.Email FROM Lead").records(0, 1, "59.0")[0]
    assert record["ConvertedContact"]["Email"] == "Ann@Acme.com"


def test_filters_on_parent_fields_treat_a_missing_parent_as_null(catalog: Catalog) -> None:
    assert names(catalog, "WHERE Account.Name = 'ACME'") == ["Smith"]
    assert names(catalog, "WHERE Account.Name = null") == ["jones", "Brown"]


WHERE_CASES = [
    ("WHERE Email = 'ann@acme.com'", ["Smith"]),
    ("WHERE Email != 'ann@acme.com'", ["jones", "Brown"]),
    ("WHERE Email <> 'ann@acme.com'", ["jones", "Brown"]),
    ("WHERE Email = null", ["Brown"]),
    ("WHERE Email = ''", ["Brown"]),
    ("WHERE Email != ''", ["Smith", "jones"]),
    ("WHERE Email != null", ["Smith", "jones"]),
    ("WHERE Email < 'c'", ["Smith", "jones"]),
    ("WHERE Email >= 'B'", ["jones"]),
    ("WHERE Email LIKE '%@X.ORG'", ["jones"]),
    ("WHERE Email LIKE 'a_n@%'", ["Smith"]),
    ("WHERE Email LIKE 'a%' OR Title LIKE 'c%'", ["Smith", "Brown"]),
    ("WHERE Title IN ('vp', 'ceo')", ["Smith", "Brown"]),
    ("WHERE Title NOT IN ('vp')", ["jones", "Brown"]),
    ("WHERE Title IN ('vp', null)", ["Smith", "jones"]),
    ("WHERE HasOptedOutOfEmail = true", ["jones"]),
    ("WHERE HasOptedOutOfEmail = null", ["Smith", "Brown"]),
    ("WHERE HasOptedOutOfEmail != null", ["jones"]),
    ("WHERE NOT HasOptedOutOfEmail = true", ["Smith", "Brown"]),
    ("WHERE (Title = 'VP' OR Title = 'CEO') AND NOT Email = null", ["Smith"]),
    ("WHERE Birthdate < 2000-01-01", ["Smith"]),
    ("WHERE SystemModstamp > 2026-03-02T17:00:00Z", ["jones", "Brown"]),
    ("WHERE SystemModstamp >= 2026-03-02T09:00:00-08:00", ["Smith", "jones", "Brown"]),
    ("WHERE CreatedDate = TODAY", ["Brown"]),
    ("WHERE CreatedDate = LAST_N_DAYS:1", ["jones", "Brown"]),
    ("WHERE CreatedDate = LAST_N_DAYS:2", ["Smith", "jones", "Brown"]),
    ("WHERE CreatedDate < TODAY", ["Smith", "jones"]),
    ("WHERE CreatedDate = THIS_WEEK", ["Smith", "jones", "Brown"]),
    ("WHERE CreatedDate = N_DAYS_AGO:2", ["Smith"]),
    ("WHERE CreatedDate > YESTERDAY", ["Brown"]),
    ("WHERE Id != null AND LastName LIKE '%o%'", ["jones", "Brown"]),
]


@pytest.mark.parametrize(("where", "expected"), WHERE_CASES)
def test_where_clauses_select_the_rows_salesforce_would(
    catalog: Catalog, where: str, expected: list[str]
) -> None:
    assert names(catalog, where) == expected


def test_deleted_rows_appear_only_when_deleted_rows_are_included(catalog: Catalog) -> None:
    assert "Old" not in names(catalog, "")
    assert names(catalog, "WHERE IsDeleted = true", include_deleted=True) == ["Old"]


def test_id_equality_accepts_15_and_18_character_forms(catalog: Catalog) -> None:
    record_id = next(iter(catalog.tables["Contact"].rows))
    assert names(catalog, f"WHERE Id = '{record_id[:15]}'") == ["Smith"]
    assert names(catalog, f"WHERE Id IN ('{record_id.lower()[:15].upper()}', '{record_id}')") == [
        "Smith"
    ]


def test_values_quoted_by_format_soql_round_trip(catalog: Catalog) -> None:
    tricky = 'O\'Brien \\ "quoted"\n\ttab %_'
    catalog.add("Contact", LastName=tricky)
    assert names(catalog, format_soql("WHERE LastName = {}", tricky)) == [tricky]
    assert names(catalog, format_soql("WHERE LastName IN {}", [tricky, "Smith"])) == [
        "Smith",
        tricky,
    ]
    like = format_soql("WHERE LastName LIKE '{:like}%'", 'O\'Brien \\ "quoted"\n\ttab %')
    assert names(catalog, like) == [tricky]
    when = format_soql("WHERE SystemModstamp > {}", T0)
    assert names(catalog, when) == ["jones", "Brown"]
    assert names(catalog, format_soql("WHERE Birthdate = {}", date(1980, 5, 1))) == ["Smith"]
    assert names(catalog, format_soql("WHERE HasOptedOutOfEmail = {}", True)) == ["jones"]


ORDER_CASES = [
    ("ORDER BY LastName", ["Brown", "jones", "Smith"]),
    ("ORDER BY LastName DESC", ["Smith", "jones", "Brown"]),
    ("ORDER BY Email", ["Brown", "Smith", "jones"]),
    ("ORDER BY Email NULLS LAST", ["Smith", "jones", "Brown"]),
    ("ORDER BY Email DESC", ["Brown", "jones", "Smith"]),
    ("ORDER BY Email DESC NULLS LAST", ["jones", "Smith", "Brown"]),
    ("ORDER BY HasOptedOutOfEmail DESC, LastName", ["jones", "Brown", "Smith"]),
    ("ORDER BY Account.Name, LastName DESC", ["jones", "Brown", "Smith"]),
    ("ORDER BY LastName LIMIT 2", ["Brown", "jones"]),
    ("ORDER BY LastName LIMIT 2 OFFSET 1", ["jones", "Smith"]),
    ("", ["Smith", "jones", "Brown"]),
]


@pytest.mark.parametrize(("clause", "expected"), ORDER_CASES)
def test_order_by_limit_and_offset(catalog: Catalog, clause: str, expected: list[str]) -> None:
    assert names(catalog, clause) == expected


def test_total_size_is_capped_by_limit(catalog: Catalog) -> None:
    assert run(catalog, "SELECT Id FROM Contact LIMIT 2").total_size == 2


def test_count_answers_only_a_total_and_count_of_a_field_an_aggregate(catalog: Catalog) -> None:
    counted = run(catalog, "SELECT COUNT() FROM Contact WHERE Email != null")
    assert (counted.total_size, counted.records(0, 10, "59.0")) == (2, [])
    aggregate = run(catalog, "SELECT COUNT(Email) FROM Contact")
    assert aggregate.records(0, 10, "59.0") == [
        {"attributes": {"type": "AggregateResult"}, "expr0": 2}
    ]
    aliased = run(catalog, "SELECT COUNT(Id) n FROM Contact").records(0, 1, "59.0")
    assert aliased[0]["n"] == 3


def test_is_sandbox_query_reads_the_organization(catalog: Catalog) -> None:
    catalog.add("Organization", Name="Org", IsSandbox=False)
    result = run(catalog, "SELECT IsSandbox FROM Organization LIMIT 1")
    assert result.records(0, 1, "59.0")[0]["IsSandbox"] is False


def test_package_field_is_unknown_until_the_package_is_installed(catalog: Catalog) -> None:
    text = "SELECT mkto_si__Marketo_Sales_Opt_Out__c FROM Contact"
    assert error(catalog, text).error_code == "INVALID_FIELD"
    catalog.packages = frozenset({MARKETO_SALES_INSIGHT})
    assert run(catalog, text).records(0, 1, "59.0")[0]["mkto_si__Marketo_Sales_Opt_Out__c"] is False


ERRORS: list[tuple[str, str, int, str]] = [
    (
        "SELECT Id, Nme FROM Contact",
        "INVALID_FIELD",
        12,
        "No such column 'Nme' on entity 'Contact'. If you are attempting to use a custom field, be "
        "sure to append the '__c' after the custom field name. Please reference your WSDL or the "
        "describe call for the appropriate names.",
    ),
    (
        "SELECT Id FROM Contacts",
        "INVALID_TYPE",
        16,
        "sObject type 'Contacts' is not supported. If you are attempting to use a custom object, "
        "be sure to append the '__c' after the entity name. Please reference your WSDL or the "
        "describe call for the appropriate names.",
    ),
    (
        "SELECT Foo.Name FROM Contact",
        "INVALID_FIELD",
        8,
        "Didn't understand relationship 'Foo' in field path. If you are attempting to use a custom "
        "relationship, be sure to append the '__r' after the custom relationship name. Please "
        "reference your WSDL or the describe call for the appropriate names.",
    ),
    (
        "SELECT Account.Nme FROM Contact",
        "INVALID_FIELD",
        8,
        "No such column 'Nme' on entity 'Account'. If you are attempting to use a custom field, be "
        "sure to append the '__c' after the custom field name. Please reference your WSDL or the "
        "describe call for the appropriate names.",
    ),
    (
        "SELECT Id FROM Contact WHERE CreatedDate > '2024-01-01T00:00:00Z'",
        "INVALID_FIELD",
        44,
        "value of filter criterion for field 'CreatedDate' must be of type dateTime and should not "
        "be enclosed in quotes",
    ),
    (
        "SELECT Id FROM Contact WHERE Birthdate = '2024-01-01'",
        "INVALID_FIELD",
        42,
        "value of filter criterion for field 'Birthdate' must be of type date and should not be "
        "enclosed in quotes",
    ),
    (
        "SELECT Id FROM Contact WHERE CreatedDate > 2024-01-01",
        "INVALID_FIELD",
        44,
        "value of filter criterion for field 'CreatedDate' must be of type dateTime and should not "
        "be enclosed in quotes",
    ),
    (
        "SELECT Id FROM Contact WHERE HasOptedOutOfEmail = 'true'",
        "INVALID_FIELD",
        51,
        "value of filter criterion for field 'HasOptedOutOfEmail' must be of type boolean and "
        "should not be enclosed in quotes",
    ),
    (
        "SELECT Id FROM Contact WHERE Email = 5",
        "INVALID_FIELD",
        38,
        "value of filter criterion for field 'Email' must be of type string and should be enclosed "
        "in quotes",
    ),
    (
        "SELECT Id FROM Contact WHERE Id = 'xyz'",
        "INVALID_QUERY_FILTER_OPERATOR",
        35,
        "invalid ID field: xyz",
    ),
    (
        "SELECT Id FROM Contact WHERE AccountId IN ('001', null)",
        "INVALID_QUERY_FILTER_OPERATOR",
        44,
        "invalid ID field: 001",
    ),
    (
        "SELECT Id FROM Contact WHERE Id LIKE '003%'",
        "INVALID_QUERY_FILTER_OPERATOR",
        33,
        "invalid operator on id field",
    ),
    (
        "SELECT Id FROM Contact WHERE CreatedDate > LAST_N_FORTNIGHTS:2",
        "MALFORMED_QUERY",
        44,
        "unexpected token: 'LAST_N_FORTNIGHTS:2'",
    ),
    (
        "SELECT Id FROM Contact WHERE CreatedDate > LAST_N_DAYS:99999999999",
        "MALFORMED_QUERY",
        44,
        "unexpected token: 'LAST_N_DAYS:99999999999'",
    ),
    (
        "SELECT Id FROM Contact WHERE CreatedDate > N_YEARS_AGO:99999",
        "MALFORMED_QUERY",
        44,
        "unexpected token: 'N_YEARS_AGO:99999'",
    ),
    (
        "SELECT Id FROM Contact WHERE CreatedDate > 2024-01-01T00:00:00+99:99",
        "MALFORMED_QUERY",
        44,
        "unexpected token: '2024-01-01T00:00:00+99:99'",
    ),
    (
        "SELECT Id FROM Contact WHERE CreatedDate = 9999-12-31T23:59:59-12:00",
        "MALFORMED_QUERY",
        44,
        "unexpected token: '9999-12-31T23:59:59-12:00'",
    ),
    (
        "SELECT Id FROM Contact WHERE Description = 'x'",
        "INVALID_FIELD",
        30,
        "field 'Description' can not be filtered in a query call",
    ),
    (
        "SELECT Id FROM Contact ORDER BY Description",
        "INVALID_FIELD",
        33,
        "field 'Description' can not be sorted in a query call",
    ),
    ("SELECT Id, id FROM Contact", "MALFORMED_QUERY", 12, "duplicate field selected: id"),
    (
        "SELECT COUNT(), Id FROM Contact",
        "MALFORMED_QUERY",
        17,
        "COUNT() must be the only element in the SELECT list.",
    ),
    (
        "SELECT COUNT(Id), Email FROM Contact",
        "MALFORMED_QUERY",
        19,
        "Field must be grouped or aggregated: Email",
    ),
]


@pytest.mark.parametrize(("text", "code", "column", "detail"), ERRORS)
def test_errors_carry_salesforce_code_position_and_wording(
    catalog: Catalog, text: str, code: str, column: int, detail: str
) -> None:
    caught = error(catalog, text)
    assert (caught.status, caught.error_code) == (400, code)
    assert (
        caught.message == f"\n{text}\n{' ' * (column - 1)}^\nERROR at Row:1:Column:{column}\n"
        f"{detail}"
    )


def test_offset_beyond_2000_is_number_outside_valid_range(catalog: Catalog) -> None:
    caught = error(catalog, "SELECT Id FROM Contact OFFSET 2001")
    assert caught.error_code == "NUMBER_OUTSIDE_VALID_RANGE"
    assert run(catalog, "SELECT Id FROM Contact OFFSET 2000").total_size == 0


def test_rows_deleted_after_the_query_are_skipped_when_rendered(catalog: Catalog) -> None:
    result = run(catalog, "SELECT Id FROM Contact")
    catalog.tables["Contact"].remove(result.ids[0])
    rendered: list[dict[str, Any]] = result.records(0, 10, "59.0")
    assert [r["Id"] for r in rendered] == result.ids[1:]


def test_a_hostile_like_pattern_is_answered_in_linear_time(catalog: Catalog) -> None:
    catalog.add("Contact", LastName="a" * 80)
    hostile = "%a" * 30 + "%b"
    started = time.perf_counter()
    assert names(catalog, f"WHERE LastName LIKE '{hostile}'") == []
    assert names(catalog, f"WHERE LastName LIKE '{'%a' * 30}%'") == ["a" * 80]
    assert time.perf_counter() - started < 1


def test_a_scan_past_its_time_budget_ends_in_query_timeout(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fake_salesforce.soql import engine

    monkeypatch.setattr(engine, "SCAN_SECONDS", -1.0)
    monkeypatch.setattr(engine, "CHUNK", 2)
    caught = error(catalog, "SELECT Id FROM Contact WHERE Title LIKE '%'")
    assert (caught.status, caught.error_code) == (400, "QUERY_TIMEOUT")
    assert caught.message == "Your query request was running for too long."


def test_flat_rows_give_bulk_style_columns_and_raw_values(catalog: Catalog) -> None:
    result = run(catalog, "SELECT Id, Account.Name, CreatedDate FROM Contact ORDER BY LastName")
    assert result.columns() == ["Id", "Account.Name", "CreatedDate"]
    rows = result.flat_rows(0, 10)
    assert [r[1] for r in rows] == [None, None, "Acme"]
    assert rows[0][2] == NOW - timedelta(hours=1)
    aggregate = run(catalog, "SELECT Title, COUNT(Id) FROM Contact GROUP BY Title")
    assert aggregate.columns() == ["Title", "expr0"]
    assert aggregate.flat_rows(0, 10) == [[None, 1], ["CEO", 1], ["VP", 1]]
