"""The Bulk insert fast path gives exactly what per-record `Org.create` gives: outcomes, the same
Ids in the same order, rows (in insertion order), indexes, results files and journal entries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from freezegun import freeze_time
from hypothesis import given
from hypothesis import strategies as st

from fake_salesforce import bulk_apply, ids
from fake_salesforce.save_results import Outcome
from fake_salesforce.schema import FieldSpec
from tests.fake_salesforce.bulk_equivalence import (
    LATER,
    START,
    Row,
    assert_same,
    both_ways,
    both_wires,
    fast,
    row_by_row,
    seeded,
)

HEADER = ["FirstName", "LastName", "Email", "HasOptedOutOfEmail", "AccountId", "Birthdate"]


@pytest.fixture(autouse=True)
def frozen() -> Iterator[Any]:
    with freeze_time(START) as clock:
        yield clock


def codes(outcomes: list[Any]) -> list[str | None]:
    return [o.error.error_code if o.error else None for o in outcomes]


def test_clean_rows_insert_like_org_create_without_the_per_record_path() -> None:
    account = seeded()[1]["account"]
    rows: list[Row] = [
        lambda ids: ["Ann", "Lee", "ann@example.com", "true", ids["account"], "1980-02-03"],
        lambda ids: ["", "Solo", "", "", "", ""],  # defaults, no first name
        lambda ids: ["Bo", "Ray", "#N/A", "no", ids["account"][:15], ""],  # 15-char lookup
        lambda ids: ["", "Ray", "ANN@example.com", " Yes ", "", ""],  # an Email seen before
        lambda ids: [" ", " ", "", "0", "", ""],  # blanks are values
    ]
    reference, fast_org, expected, got, slow_rows = both_ways("insert", "Contact", HEADER, rows)
    assert slow_rows == []
    assert all(o.success and o.created for o in got)
    assert got[0].written == {
        "FirstName": "Ann",
        "LastName": "Lee",
        "Email": "ann@example.com",
        "HasOptedOutOfEmail": True,
        "AccountId": account,
        "Birthdate": "1980-02-03",
    }
    assert got[2].written == {
        "FirstName": "Bo",
        "LastName": "Ray",
        "Email": None,
        "HasOptedOutOfEmail": False,
        "AccountId": account[:15],
    }
    assert_same(reference, fast_org, expected, got)
    ann = fast_org.get("Contact", got[0].record_id or "")
    assert ann is not None and (ann["Name"], ann["OwnerId"]) == ("Ann Lee", fast_org.user_id)
    assert ann["CreatedDate"] == LATER.replace(microsecond=250000)  # cut to milliseconds
    bo = fast_org.get("Contact", got[2].record_id or "")
    assert bo is not None and bo["AccountId"] == account


def test_each_failure_gives_the_per_record_error_and_ids_follow_upload_order() -> None:
    rows: list[Row] = [
        lambda ids: ["A", "", "", "", "", ""],  # required field empty
        lambda ids: ["B", "Clean", "", "", "", ""],
        lambda ids: ["C", "#N/A", "", "", "", ""],  # required field cleared
        lambda ids: ["D" * 41, "Long", "", "", "", ""],  # too long
        lambda ids: ["E", "Mail", "not-an-email", "", "", ""],
        lambda ids: ["F", "Box", "", "maybe", "", ""],  # not a checkbox word
        lambda ids: ["G", "Box", "", "#N/A", "", ""],  # a checkbox is never null
        lambda ids: ["H", "Clean", "", "", "", ""],
        lambda ids: ["I", "Ref", "", "", "not-an-id", ""],  # malformed lookup
        lambda ids: ["J", "Ref", "", "", ids["alpha"], ""],  # a Contact is no Account
        lambda ids: ["K", "Ref", "", "", ids["closed"], ""],  # a deleted Account
        lambda ids: ["L", "Ref", "", "", "001" + "0" * 12, ""],  # no such Account
        lambda ids: ["M", "Date", "", "", "", "02/03/1980"],
        lambda ids: ["N", "Short", "", "", ""],  # a row of another width
        lambda ids: ["O", "Clean", "", "", "", ""],
    ]
    reference, fast_org, expected, got, slow_rows = both_ways("insert", "Contact", HEADER, rows)
    assert slow_rows == [0, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13]
    assert codes(got) == [
        "REQUIRED_FIELD_MISSING",
        None,
        "REQUIRED_FIELD_MISSING",
        "STRING_TOO_LONG",
        "INVALID_EMAIL_ADDRESS",
        "JSON_PARSER_ERROR",
        "INVALID_TYPE_ON_FIELD_IN_RECORD",
        None,
        "MALFORMED_ID",
        "FIELD_INTEGRITY_EXCEPTION",
        "INVALID_CROSS_REFERENCE_KEY",
        "INVALID_CROSS_REFERENCE_KEY",
        "JSON_PARSER_ERROR",
        "INVALID_FIELD",
        None,
    ]
    assert_same(reference, fast_org, expected, got)


def test_a_doubted_row_that_succeeds_takes_its_id_at_its_place_in_the_upload() -> None:
    header = ["LastName", "OwnerId", "Id", "Name"]
    rows: list[Row] = [
        lambda ids: ["One", "", "", ""],
        lambda ids: ["Two", "#N/A", "", ""],  # per record: stored with no owner
        lambda ids: ["Three", "", "", ""],
        lambda ids: ["Four", "", ids["alpha"], ""],  # an Id: fails
        lambda ids: ["Five", "#N/A", "", ""],
        lambda ids: ["Six", "", "", "Full Name"],  # a calculated field: fails
        lambda ids: ["Seven", "", "", ""],
    ]
    reference, fast_org, expected, got, slow_rows = both_ways("insert", "Contact", header, rows)
    assert slow_rows == [1, 3, 4, 5]
    assert codes(got) == [
        None,
        None,
        None,
        "INVALID_FIELD",
        None,
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        None,
    ]
    assert_same(reference, fast_org, expected, got)
    made = [o.record_id for o in got if o.success]
    assert made == sorted(made) and list(fast_org.table("Contact").rows)[-5:] == made
    two = fast_org.table("Contact").rows[got[1].record_id or ""]
    assert fast_org.table("Contact").value(two, "OwnerId") is None


def test_without_its_place_in_the_upload_a_doubted_row_would_take_another_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The case above needs each doubted row run between the clean runs around it: run after
    them all, it is minted a later Id and stored after them."""
    run = bulk_apply.insert.Inserter.run

    def doubted_last(self: bulk_apply.insert.Inserter, rows: list[list[str]]) -> Any:
        later: list[list[str]] = []
        slow = self.slow
        self.slow = lambda row: later.append(row) or Outcome(None)  # type: ignore[func-returns-value]
        outcomes = run(self, rows)
        for k, row in enumerate(rows):
            if row in later:
                outcomes.answered[k] = slow(row)
        return outcomes

    monkeypatch.setattr(bulk_apply.insert.Inserter, "run", doubted_last)
    rows: list[Row] = [
        lambda ids: ["One", ""],
        lambda ids: ["Two", "#N/A"],
        lambda ids: ["Three", ""],
    ]
    _, _, expected, got, _ = both_ways("insert", "Contact", ["LastName", "OwnerId"], rows)
    assert [o.record_id for o in got] != [o.record_id for o in expected]


def test_lead_inserts_with_their_own_required_and_defaulted_fields() -> None:
    header = ["LastName", "Company", "Status", "Email", "IsConverted"]
    rows: list[Row] = [
        lambda ids: ["Lee", "Acme", "", "lee@example.com", ""],  # Status defaulted
        lambda ids: ["Lo", "", "", "", ""],  # Company required
        lambda ids: ["Ray", "Acme", "#N/A", "", ""],  # Status cleared: per record
        lambda ids: ["Roy", "Acme", "Working - Contacted", "", ""],
        lambda ids: ["Rae", "Acme", "", "", "true"],  # a read-only field
    ]
    reference, fast_org, expected, got, slow_rows = both_ways("insert", "Lead", header, rows)
    assert slow_rows == [1, 2, 4]
    assert codes(got) == [
        None,
        "REQUIRED_FIELD_MISSING",
        None,
        None,
        "INVALID_FIELD_FOR_INSERT_UPDATE",
    ]
    assert_same(reference, fast_org, expected, got)


def test_a_field_the_org_made_read_only_fails_per_record() -> None:
    rows: list[Row] = [lambda ids: ["A", "T"], lambda ids: ["B", ""]]
    reference, ids = seeded()
    fast_org, _ = seeded()
    for org in (reference, fast_org):
        org.set_field_read_only("Contact", "Title")
    cells = [make(ids) for make in rows]
    slow_rows: list[int] = []
    with freeze_time(LATER):
        expected = row_by_row(reference, "insert", "Contact", ["LastName", "Title"], cells)
        got = fast(fast_org, "insert", "Contact", ["LastName", "Title"], cells, slow_rows)
    assert slow_rows == [0] and codes(got) == ["INVALID_FIELD_FOR_INSERT_UPDATE", None]
    assert_same(reference, fast_org, expected, got)


def test_the_fast_path_steps_aside_where_it_cannot_vouch() -> None:
    org, _ = seeded()
    contact, user = org.require_spec("Contact"), org.require_spec("User")
    last, title = contact.field("LastName"), contact.field("Title")
    assert last is not None and title is not None
    rows = [["A"]]
    with org.transaction():  # every write must be logged to be undone
        assert bulk_apply.insert_rows(org, contact, [last], rows, pytest.fail) is None
    user_last = user.field("LastName")
    assert user_last is not None  # User cannot be created through the API
    assert bulk_apply.insert_rows(org, user, [user_last], rows, pytest.fail) is None
    twice = [["A", "B"]]
    assert bulk_apply.insert_rows(org, contact, [last, last], twice, pytest.fail) is None
    assert bulk_apply.insert_rows(org, contact, [title], rows, pytest.fail) is None  # no LastName
    parent = FieldSpec("Parent__c", "Parent", "reference", 18, reference_to=("Contact",))
    assert bulk_apply.insert_rows(org, contact, [last, parent], twice, pytest.fail) is None


def test_on_the_wire_results_and_journal_match_the_per_record_path() -> None:
    def upload(ids: dict[str, str]) -> str:
        return (
            "LastName,Email,HasOptedOutOfEmail,OwnerId\n"
            "Lee,lee@example.com,true,\n"
            ",nolast@example.com,,\n"
            "Ray,#N/A,no,#N/A\n"
            f"Roy,roy@example.com,,{ids['alpha']}\n"
            "Rae,,1,\n"
        )

    by_row, as_run = both_wires("insert", "Contact", upload)
    assert as_run == by_row
    assert as_run["counts"] == (5, 2)
    assert as_run["written"][0][1] == {
        "LastName": "Lee",
        "Email": "lee@example.com",
        "HasOptedOutOfEmail": True,
    }
    assert '"true","Lee"' in as_run["successfulResults"]


def test_a_large_clean_job_indexes_every_record() -> None:
    reference, _ = seeded()
    fast_org, _ = seeded()
    header = ["LastName", "Email", "OwnerId"]
    rows = [
        [f"L{n}", f"l{n % 7}@example.com", reference.user_id if n % 3 else ""] for n in range(50)
    ]
    with freeze_time(LATER):
        expected = row_by_row(reference, "insert", "Contact", header, rows)
        got = fast(fast_org, "insert", "Contact", header, rows, [])
    assert_same(reference, fast_org, expected, got)
    table = fast_org.table("Contact")
    assert len(table.lookup("Email", ["L3@EXAMPLE.COM"]) or ()) == 7  # rows 3, 10, ..., 45


@given(
    start=st.one_of(st.integers(0, 20_000), st.integers(0, 62**10 - 30_000)),
    count=st.integers(0, 9_000),
    prefix=st.sampled_from(["003", "00Q", "a0B", "750"]),
    pod=st.sampled_from(["8d", "Zx", "AB"]),
)
def test_mint_many_gives_the_ids_mint_gives_one_by_one(
    start: int, count: int, prefix: str, pod: str
) -> None:
    many, one = ids.IdMinter(pod), ids.IdMinter(pod)
    many.restore({prefix: start})
    one.restore({prefix: start})
    assert many.mint_many(prefix, count) == [one.mint(prefix) for _ in range(count)]
    assert many.state() == one.state()
