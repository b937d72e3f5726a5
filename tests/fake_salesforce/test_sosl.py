"""SOSL through `/search`, as the SOQL and SOSL Reference describes it: whole-word matching,
phrases, wildcards, OR and AND NOT, the search group, RETURNING with its own clauses, LIMIT."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from fake_salesforce.fixture import FakeSalesforce


@pytest.fixture
def fake() -> FakeSalesforce:
    fake = FakeSalesforce()
    for name in ("Bulk Account 1733 #1", "Bulk Account 1733 #2", "Acme Widgets", "Widgetry"):
        fake.org.create("Account", {"Name": name, "Phone": "415-555-0100"})
    fake.org.create("Contact", {"LastName": "Widget", "Email": "acme@example.com"})
    return fake


def names(fake: FakeSalesforce, sosl: str) -> list[str]:
    found: list[dict[str, Any]] = fake.client().search(sosl)["searchRecords"]
    return sorted(r.get("Name") or r["attributes"]["type"] for r in found)


def test_a_quoted_number_finds_the_records_whose_name_holds_that_word(
    fake: FakeSalesforce,
) -> None:
    sosl = 'FIND {"1733"} IN NAME FIELDS RETURNING Account(Id, Name)'
    assert names(fake, sosl) == ["Bulk Account 1733 #1", "Bulk Account 1733 #2"]


def test_words_are_whole_words_and_a_star_is_a_wildcard(fake: FakeSalesforce) -> None:
    assert names(fake, "FIND {widget} RETURNING Account(Name)") == []
    assert names(fake, "FIND {widget*} RETURNING Account(Name)") == ["Acme Widgets", "Widgetry"]


def test_or_and_not_and_phrases(fake: FakeSalesforce) -> None:
    either = "FIND {acme OR widgetry} RETURNING Account(Name)"
    assert names(fake, either) == ["Acme Widgets", "Widgetry"]
    assert names(fake, "FIND {account AND NOT #2} RETURNING Account(Name)") == [
        "Bulk Account 1733 #1"
    ]
    assert names(fake, 'FIND {"account 1733"} RETURNING Account(Name)') == [
        "Bulk Account 1733 #1",
        "Bulk Account 1733 #2",
    ]
    assert names(fake, 'FIND {"1733 account"} RETURNING Account(Name)') == []


def test_the_search_group_picks_the_fields_searched(fake: FakeSalesforce) -> None:
    assert names(fake, "FIND {acme} IN EMAIL FIELDS RETURNING Account(Name), Contact(Name)") == [
        "Widget"
    ]
    found = names(fake, "FIND {acme} IN ALL FIELDS RETURNING Account(Name), Contact(Name)")
    assert found == ["Acme Widgets", "Widget"]


def test_returning_takes_where_order_and_limit_and_the_search_a_limit(
    fake: FakeSalesforce,
) -> None:
    sosl = "FIND {account} RETURNING Account(Name WHERE Name LIKE '%#2' ORDER BY Name LIMIT 5)"
    assert names(fake, sosl) == ["Bulk Account 1733 #2"]
    found = fake.client().search("FIND {account} RETURNING Account(Name ORDER BY Name) LIMIT 1")
    assert [r["Name"] for r in found["searchRecords"]] == ["Bulk Account 1733 #1"]
    assert found["searchRecords"][0]["attributes"]["type"] == "Account"


def test_without_returning_every_named_object_answers_its_ids(fake: FakeSalesforce) -> None:
    assert names(fake, "FIND {widget}") == ["Contact"]


def test_a_one_character_term_or_a_missing_brace_is_refused(fake: FakeSalesforce) -> None:
    for bad in ("FIND {a}", "FIND acme"):
        with pytest.raises(SalesforceMalformedRequest) as refused:
            fake.client().search(bad)
        assert refused.value.content[0]["errorCode"] == "MALFORMED_SEARCH"
