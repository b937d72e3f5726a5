"""The journal: every request with its time, status, error code and records, and test helpers."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.journal import Deferred, Entry


def test_every_request_is_journaled_with_time_method_path_org_status_and_records(
    fake: FakeSalesforce,
) -> None:
    sf = fake.client()
    record_id = sf.Contact.create({"LastName": "Doe"})["id"]
    [entry] = fake.org.journal.query(method="POST")
    assert (entry.method, entry.status, entry.org_id) == ("POST", 201, fake.org.org_id)
    assert entry.path == "/services/data/v59.0/sobjects/Contact/"
    assert entry.records == (record_id,)
    assert entry.time <= fake.org.clock.now()


def test_an_error_answer_carries_its_error_code(fake: FakeSalesforce) -> None:
    sf = fake.client()
    with pytest.raises(SalesforceMalformedRequest):
        sf.Contact.create({"Email": "no-last-name@example.com"})
    [entry] = fake.org.journal.query(status=400)
    assert entry.error_code == "REQUIRED_FIELD_MISSING"


def test_written_exactly_once_with_these_fields_passes_and_fails_readably(
    fake: FakeSalesforce,
) -> None:
    sf = fake.client()
    record_id = sf.Contact.create({"LastName": "Doe"})["id"]
    fake.org.journal.assert_written_once(record_id, {"LastName": "Doe"})
    with pytest.raises(AssertionError, match="LastName: wrote 'Doe', expected 'Roe'"):
        fake.org.journal.assert_written_once(record_id, {"LastName": "Roe"})
    sf.Contact.update(record_id, {"HasOptedOutOfEmail": True})
    with pytest.raises(AssertionError, match="written 2 times, expected once"):
        fake.org.journal.assert_written_once(record_id, {"HasOptedOutOfEmail": True})


def test_a_record_is_found_by_its_15_character_id_too(fake: FakeSalesforce) -> None:
    sf = fake.client()
    record_id = sf.Contact.create({"LastName": "Doe"})["id"]
    sf.Contact.update(record_id[:15], {"Title": "CEO"})
    assert fake.org.journal.writes(record_id[:15]) == [{"LastName": "Doe"}, {"Title": "CEO"}]


def test_counts_give_api_calls_and_successful_writes_since_a_mark(fake: FakeSalesforce) -> None:
    sf = fake.client()
    sf.Contact.create({"LastName": "Doe"})
    mark = fake.org.journal.last_seq()
    sf.query("SELECT Id FROM Contact")
    record_id = sf.Contact.create({"LastName": "Roe"})["id"]
    with pytest.raises(SalesforceMalformedRequest):
        sf.Contact.update(record_id, {"LastName": None})
    assert fake.org.journal.counts(after_seq=mark) == {"api_calls": 3, "writes": 1}


def test_an_entry_survives_its_json_form(fake: FakeSalesforce) -> None:
    sf = fake.client()
    record_id = sf.Contact.create({"LastName": "Doe", "HasOptedOutOfEmail": True})["id"]
    [entry] = fake.org.journal.query(record=record_id)
    data: Any = entry.as_json()
    assert Entry.from_json(data) == entry


def test_a_deferred_list_is_made_once_and_only_when_read() -> None:
    made: list[int] = []

    def make() -> list[str]:
        made.append(1)
        return ["a", "b"]

    later = Deferred(make)
    assert made == []
    assert len(later) == 2 and later[0] == "a" and list(later) == ["a", "b"]
    assert later == ("a", "b") and later == ["a", "b"] and later != ("a",)
    assert made == [1]
    assert hash(later) == hash(("a", "b")) and repr(later) == "('a', 'b')"


def test_a_journal_with_a_limit_keeps_the_newest_entries_and_counts_the_dropped_ones() -> None:
    fake = FakeSalesforce()
    fake.org.journal.limit = 3
    sf = fake.client()
    for _ in range(5):
        sf.query("SELECT Id FROM Contact")
    journal = fake.org.journal
    assert [e.seq for e in journal.entries] == [3, 4, 5]
    assert (journal.dropped, journal.last_seq()) == (2, 5)
    assert journal.api_calls() == 3
    journal.clear()
    assert (journal.dropped, journal.last_seq(), journal.entries) == (0, 0, [])


def test_the_control_api_reports_how_many_journal_entries_were_dropped() -> None:
    fake = FakeSalesforce()
    fake.org.journal.limit = 1
    sf = fake.client()
    sf.query("SELECT Id FROM Contact")
    sf.query("SELECT Id FROM Contact")
    body = fake.session().get("https://fake.my.salesforce.com/_fake/journal").json()
    assert (len(body["entries"]), body["dropped"], body["lastSeq"]) == (1, 1, 2)


def test_orgs_of_a_registry_with_a_journal_limit_keep_that_many_entries() -> None:
    from fake_salesforce.registry import Registry

    registry = Registry(journal_limit=7)
    assert registry.add_org().journal.limit == 7
    with pytest.raises(ValueError, match="at least one"):
        registry.default_org.journal.limit = 0
