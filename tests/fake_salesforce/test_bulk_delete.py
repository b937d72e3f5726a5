"""The Bulk delete fast path gives exactly what per-record `Org.delete` gives: outcomes, rows,
indexes, the delete log (in its order), results files and journal entries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from freezegun import freeze_time

from fake_salesforce import bulk_apply
from tests.fake_salesforce.bulk_equivalence import (
    LATER,
    START,
    Row,
    assert_same,
    both_ways,
    both_wires,
    described,
    fast,
    row_by_row,
    seeded,
)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[Any]:
    with freeze_time(START) as clock:
        yield clock


@pytest.mark.parametrize("operation", ["delete", "hardDelete"])
def test_clean_rows_delete_like_org_delete_without_the_per_record_path(operation: str) -> None:
    rows: list[Row] = [lambda ids: [ids["alpha"]], lambda ids: [ids["gamma"]]]
    reference, fast_org, expected, got, slow_rows = both_ways(operation, "Contact", ["Id"], rows)
    assert slow_rows == []
    assert all(o.success for o in got) and got[0].written == {"IsDeleted": True}
    assert_same(reference, fast_org, expected, got)
    table = fast_org.table("Contact")
    alpha = table.rows[got[0].record_id or ""]
    stamps = [table.value(alpha, n) for n in ("IsDeleted", "SystemModstamp", "LastModifiedDate")]
    assert stamps == [True, LATER, LATER]  # not cut to milliseconds, as Org.delete stamps
    assert fast_org.deleted_at["Contact"][got[0].record_id or ""] == LATER


def test_each_failure_gives_the_per_record_error_in_upload_order() -> None:
    rows: list[Row] = [
        lambda ids: [ids["missing"]],  # no such record
        lambda ids: [ids["alpha"]],  # clean
        lambda ids: [ids["gone"]],  # already deleted
        lambda ids: [""],  # no Id
        lambda ids: ["#N/A"],  # no Id either
        lambda ids: ["not-an-id"],  # malformed
        lambda ids: [ids["lead"]],  # another object's Id
        lambda ids: [ids["beta"][:15]],  # a 15-character Id deletes, per record
        lambda ids: [ids["gamma"], "extra"],  # a row of another width
        lambda ids: [ids["beta"].lower()],  # beta again (suffix in lower case): deleted by now
        lambda ids: [ids["delta"]],  # clean
        lambda ids: [ids["account"]],  # another object's live record
    ]
    reference, fast_org, expected, got, slow_rows = both_ways("delete", "Contact", ["Id"], rows)
    assert slow_rows == [0, 2, 3, 4, 5, 6, 7, 8, 9, 11]
    assert [o.error.error_code if o.error else None for o in got] == [
        "INVALID_CROSS_REFERENCE_KEY",
        None,
        "ENTITY_IS_DELETED",
        "MISSING_ARGUMENT",
        "MISSING_ARGUMENT",
        "MALFORMED_ID",
        "INVALID_CROSS_REFERENCE_KEY",
        None,
        "INVALID_FIELD",
        "ENTITY_IS_DELETED",
        None,
        "INVALID_CROSS_REFERENCE_KEY",
    ]
    assert_same(reference, fast_org, expected, got)


def test_the_delete_log_keeps_upload_order_when_the_per_record_path_deletes_too() -> None:
    rows: list[Row] = [
        lambda ids: [ids["alpha"]],
        lambda ids: [ids["beta"][:15]],  # per record, between two column rows
        lambda ids: [ids["gamma"]],
    ]
    reference, fast_org, expected, got, slow_rows = both_ways("delete", "Contact", ["Id"], rows)
    assert slow_rows == [1]
    assert_same(reference, fast_org, expected, got)
    logged = list(fast_org.deleted_at["Contact"])[-3:]
    assert logged == [o.record_id for o in got]


def test_a_record_named_by_two_rows_is_deleted_per_record_by_both_in_upload_order() -> None:
    rows: list[Row] = [
        lambda ids: [ids["alpha"][:15]],  # per record: deletes alpha
        lambda ids: [ids["beta"]],
        lambda ids: [ids["alpha"]],  # clean on its own, but alpha is gone by now
        lambda ids: [ids["gamma"]],
        lambda ids: [ids["gamma"]],  # named twice by clean rows: the second finds it deleted
    ]
    reference, fast_org, expected, got, slow_rows = both_ways("delete", "Contact", ["Id"], rows)
    assert slow_rows == [0, 2, 3, 4]
    assert [o.error.error_code if o.error else None for o in got] == [
        None,
        None,
        "ENTITY_IS_DELETED",
        None,
        "ENTITY_IS_DELETED",
    ]
    assert_same(reference, fast_org, expected, got)


def test_without_sharing_out_records_named_twice_the_results_would_differ(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The case above needs `share_out`: with it disabled the clean row deletes alpha first."""
    monkeypatch.setattr(bulk_apply.delete.Deleter, "share_out", lambda self, rows, targets: None)
    rows: list[Row] = [lambda ids: [ids["alpha"][:15]], lambda ids: [ids["alpha"]]]
    _, _, expected, got, _ = both_ways("delete", "Contact", ["Id"], rows)
    assert described(got) != described(expected)


def test_leads_converted_or_not_delete_as_per_record() -> None:
    rows: list[Row] = [
        lambda ids: [ids["converted"]],  # Org.delete allows a converted Lead
        lambda ids: [ids["alpha"]],  # a Contact in a Lead job
        lambda ids: [ids["lead"]],
    ]
    reference, fast_org, expected, got, slow_rows = both_ways("hardDelete", "Lead", ["Id"], rows)
    assert slow_rows == [1]
    assert [o.success for o in got] == [True, False, True]
    assert_same(reference, fast_org, expected, got)


def test_the_fast_path_steps_aside_where_it_cannot_vouch() -> None:
    org, ids = seeded()
    contact, user = org.require_spec("Contact"), org.require_spec("User")
    rows = [[ids["alpha"]]]
    with org.transaction():
        assert bulk_apply.delete_rows(org, contact, [contact.fields[0]], rows, pytest.fail) is None
    assert bulk_apply.delete_rows(org, user, [user.fields[0]], rows, pytest.fail) is None
    two = [contact.fields[0], contact.fields[0]]
    assert bulk_apply.delete_rows(org, contact, two, [[ids["alpha"]] * 2], pytest.fail) is None
    assert org.get("Contact", ids["alpha"]) is not None


def test_a_job_deleting_half_the_records_rebuilds_the_modstamp_index_exactly() -> None:
    (reference, _), (fast_org, _) = seeded(), seeded()
    for org in (reference, fast_org):
        for n in range(30):
            org.create("Contact", {"LastName": f"extra{n}"})
    table = fast_org.table("Contact")
    header = ["Id"]
    rows = [[rid] for rid in list(table.rows)[::2]]
    with freeze_time(LATER):
        expected = row_by_row(reference, "delete", "Contact", header, rows)
        got = fast(fast_org, "delete", "Contact", header, rows, [])
    assert_same(reference, fast_org, expected, got)


def test_on_the_wire_results_and_journal_match_the_per_record_path() -> None:
    def upload(ids: dict[str, str]) -> str:
        cells = [ids["alpha"], ids["missing"], ids["beta"][:15], ids["alpha"], "#N/A", ids["gamma"]]
        return "Id\n" + "".join(f"{c}\n" for c in cells) + f"{ids['delta']},x\n"

    by_row, as_run = both_wires("hardDelete", "Contact", upload)
    assert as_run == by_row
    assert as_run["counts"] == (7, 4)
    assert as_run["written"][0][1] == {"IsDeleted": True}
