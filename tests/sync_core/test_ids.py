"""Salesforce Ids as people give them (docs/behaviour.md 3.4): either form in, 18 kept."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from sync_core.ids import BadId, checksum, to18
from sync_core.service import SyncService

NOW = datetime(2026, 3, 2, 17, tzinfo=UTC)
CONTACT = "003e0000003GuNXAA0"  # the documented examples of docs/salesforce-wire.md 2.3
LEAD = "00Qe0000003GuNXEA0"


@pytest.mark.parametrize(
    ("id15", "suffix"),
    [("003e0000003GuNX", "AA0"), ("001D000000IqhSL", "IAZ"), ("a00D0000008pQR5", "IAM")],
)
def test_the_suffix_matches_salesforces_documented_examples(id15: str, suffix: str) -> None:
    assert checksum(id15) == suffix
    assert to18(id15) == id15 + suffix


def test_an_18_character_id_is_kept_and_its_suffix_is_read_case_insensitively() -> None:
    assert to18(CONTACT) == CONTACT
    assert to18(CONTACT[:15] + "aa0", "Contact") == CONTACT


@pytest.mark.parametrize(
    ("value", "sobject", "why"),
    [
        ("003e0000003GuNXAA1", "Contact", "wrong case-safe suffix (expected AA0)"),
        ("003e0000003GuNx", "Lead", "not a Lead Id"),
        ("003e0000003GuN", None, "not a 15- or 18-character"),
        ("003e0000003GuN-", None, "not a 15- or 18-character"),
    ],
)
def test_a_value_that_is_not_the_id_asked_for_is_refused_with_why(
    value: str, sobject: str | None, why: str
) -> None:
    with pytest.raises(BadId, match=re.escape(why)):
        to18(value, sobject)


@pytest.fixture
def store_only() -> SyncService:
    return SyncService.open("sqlite:///:memory:")


def test_the_python_api_stores_the_18_character_form(store_only: SyncService) -> None:
    person = store_only.add_person("a@example.com", contact_id=CONTACT[:15], now=NOW)
    assert person.contact_id == CONTACT
    linked = store_only.link(person.id, lead_id=LEAD[:15], now=NOW)
    assert (linked.contact_id, linked.lead_id) == (CONTACT, LEAD)
    store_only.store.add_people([{"email": "b@example.com", "lead_id": LEAD[:15]}], NOW)
    found = store_only.find(LEAD[:15])
    assert found is not None and found.email == "a@example.com"
    assert [p.lead_id for p in store_only.people()] == [LEAD, LEAD]


def test_the_python_api_refuses_an_id_with_a_wrong_suffix(store_only: SyncService) -> None:
    with pytest.raises(ValueError, match="wrong case-safe suffix"):
        store_only.add_person("a@example.com", contact_id=CONTACT[:15] + "AAA", now=NOW)
    with pytest.raises(ValueError, match="wrong case-safe suffix"):
        store_only.store.add_people([{"email": "b@example.com", "lead_id": LEAD[:15] + "ZZZ"}], NOW)
    with pytest.raises(ValueError, match="wrong case-safe suffix"):
        store_only.find(CONTACT[:15] + "AAA")
    assert store_only.people() == []


def test_bulk_adds_trim_emails_as_single_adds_do(store_only: SyncService) -> None:
    store_only.store.add_people([{"email": "  Bulk@Example.com \t"}], NOW)
    single = store_only.add_person(" One@Example.com ", now=NOW)
    assert [p.email for p in store_only.people()] == ["bulk@example.com", single.email]
    assert single.email == "one@example.com"
    assert store_only.find("bulk@example.com") is not None
