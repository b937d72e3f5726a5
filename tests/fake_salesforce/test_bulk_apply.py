"""The Bulk update fast path gives exactly what per-record `Org.update` gives, indexes included."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from freezegun import freeze_time

from fake_salesforce import bulk_apply, bulk_jobs
from fake_salesforce.org import Org
from tests.fake_salesforce.bulk_equivalence import LATER, START, both_ways, described, seeded


@pytest.fixture(autouse=True)
def frozen() -> Iterator[Any]:
    with freeze_time(START) as clock:
        yield clock


def stored(org: Org, sobject: str) -> dict[str, dict[str, Any]]:
    table = org.table(sobject)
    return {rid: table.as_dict(row) for rid, row in table.rows.items()}


def modstamp_order(org: Org, sobject: str) -> list[str]:
    found = org.table(sobject).range("SystemModstamp", None, True, None, True)
    assert found is not None
    return list(found)


def test_clean_rows_update_like_org_update_without_the_per_record_path() -> None:
    header = ["Id", "HasOptedOutOfEmail", "Title", "Email", "FirstName"]
    rows: list[Callable[[dict[str, str]], list[str]]] = [
        lambda ids: [ids["alpha"], "true", "CEO", "", "Ann"],
        lambda ids: [ids["beta"], "no", "", "beta2@example.com", ""],
        lambda ids: [ids["gamma"], "", "#N/A", "", "#N/A"],
        lambda ids: [ids["alpha"], "0", "CTO", "", ""],  # the same record twice
    ]
    reference, fast_org, expected, got, slow_rows = both_ways("update", "Contact", header, rows)
    assert slow_rows == []
    assert all(o.success for o in got)
    assert described(got) == described(expected)
    assert stored(fast_org, "Contact") == stored(reference, "Contact")
    alpha = fast_org.get("Contact", got[0].record_id or "")
    assert alpha is not None
    assert (alpha["Name"], alpha["Title"], alpha["HasOptedOutOfEmail"]) == (
        "Ann alpha",
        "CTO",
        False,
    )


def test_each_failure_gives_the_per_record_error_and_leaves_the_other_rows_written() -> None:
    header = ["Id", "Title", "Email", "LastName", "HasOptedOutOfEmail", "Name"]
    rows: list[Callable[[dict[str, str]], list[str]]] = [
        lambda ids: [ids["missing"], "x", "", "", "", ""],  # no such record
        lambda ids: [ids["gone"], "x", "", "", "", ""],  # deleted
        lambda ids: [ids["alpha"], "", "", "", "", "A Name"],  # read-only field
        lambda ids: [ids["alpha"], "", "not-an-email", "", "", ""],  # bad value
        lambda ids: [ids["alpha"], "", "", "", "maybe", ""],  # bad checkbox
        lambda ids: [ids["alpha"], "", "", "", "#N/A", ""],  # checkbox cleared
        lambda ids: [ids["alpha"], "", "", "#N/A", "", ""],  # required field cleared
        lambda ids: [ids["alpha"], "T" * 200, "", "", "", ""],  # too long
        lambda ids: ["", "x", "", "", "", ""],  # no Id
        lambda ids: ["not-an-id", "x", "", "", "", ""],  # malformed Id
        lambda ids: [ids["lead"], "x", "", "", "", ""],  # another object's Id
        lambda ids: [ids["beta"][:15], "fifteen", "", "", "", ""],  # 15-character Id works
        lambda ids: [ids["gamma"], "kept", "", "", "", ""],  # a clean row among failures
    ]
    reference, fast_org, expected, got, slow_rows = both_ways("update", "Contact", header, rows)
    assert slow_rows == list(range(11))  # the 15-character Id row stays on the fast path
    assert [o.error.error_code if o.error else None for o in got] == [
        "INVALID_CROSS_REFERENCE_KEY",
        "ENTITY_IS_DELETED",
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        "INVALID_EMAIL_ADDRESS",
        "JSON_PARSER_ERROR",
        "INVALID_TYPE_ON_FIELD_IN_RECORD",
        "REQUIRED_FIELD_MISSING",
        "STRING_TOO_LONG",
        "MISSING_ARGUMENT",
        "MALFORMED_ID",
        "INVALID_CROSS_REFERENCE_KEY",
        None,
        None,
    ]
    assert described(got) == described(expected)
    assert stored(fast_org, "Contact") == stored(reference, "Contact")
    assert modstamp_order(fast_org, "Contact") == modstamp_order(reference, "Contact")


def test_a_converted_lead_fails_as_it_does_per_record() -> None:
    header = ["Id", "Company"]
    rows: list[Callable[[dict[str, str]], list[str]]] = [
        lambda ids: [ids["converted"], "Other"],
        lambda ids: [ids["lead"], "Other"],
    ]
    reference, fast_org, expected, got, slow_rows = both_ways("update", "Lead", header, rows)
    assert slow_rows == [0]
    assert got[0].error is not None
    assert got[0].error.error_code == "CANNOT_UPDATE_CONVERTED_LEAD"
    assert described(got) == described(expected)
    assert stored(fast_org, "Lead") == stored(reference, "Lead")


def test_email_lookup_and_modstamp_range_follow_a_bulk_update() -> None:
    org, ids = seeded()
    table = org.table("Contact")
    before = set(table.rows)
    spec = org.require_spec("Contact")
    columns = [spec.field("Id"), spec.field("Email")]
    rows = [[ids["alpha"], "new.alpha@example.com"], [ids["beta"], ""]]
    with freeze_time(LATER):
        outcomes = bulk_apply.update_rows(org, spec, columns, rows, lambda row: pytest.fail())  # type: ignore[arg-type]
    assert outcomes is not None and all(o.success for o in outcomes)
    assert table.lookup("Email", ["NEW.alpha@example.com"]) == {ids["alpha"]}
    assert table.lookup("Email", ["alpha@example.com"]) == set()
    assert table.lookup("Email", ["beta@example.com"]) == {ids["beta"]}
    stamped = LATER.replace(microsecond=LATER.microsecond // 1000 * 1000)  # updates keep ms
    since = table.range("SystemModstamp", stamped, True, None, True)
    assert since is not None and set(since) == {ids["alpha"], ids["beta"]}
    earlier = table.range("SystemModstamp", None, True, stamped, False)
    assert earlier is not None and set(earlier) == before - {ids["alpha"], ids["beta"]}


def test_a_job_moving_few_records_keeps_the_modstamp_index_whole() -> None:
    org, ids = seeded()
    for n in range(40):
        org.create("Contact", {"LastName": f"extra{n}"})
    spec = org.require_spec("Contact")
    columns = [spec.field("Id"), spec.field("Title")]
    with freeze_time(LATER):
        outcomes = bulk_apply.update_rows(
            org,
            spec,
            columns,
            [[ids["delta"], "Moved"]],
            lambda row: pytest.fail(),  # type: ignore[arg-type]
        )
    assert outcomes is not None
    order = modstamp_order(org, "Contact")
    assert sorted(order) == sorted(org.table("Contact").rows)
    assert order[-1] == ids["delta"]


def test_inside_a_transaction_the_fast_path_steps_aside() -> None:
    org, ids = seeded()
    spec = org.require_spec("Contact")
    columns = [spec.field("Id"), spec.field("Title")]
    with org.transaction():
        outcome = bulk_apply.update_rows(org, spec, columns, [[ids["alpha"], "x"]], pytest.fail)  # type: ignore[arg-type]
    assert outcome is None


def test_an_update_job_reports_short_rows_and_journals_nothing_for_them() -> None:
    org, ids = seeded()
    store = org.bulk
    job = store.new_job("update", "Contact", "59.0")
    store.upload(job, f"Id,Title\n{ids['alpha']},Boss\n{ids['beta']}\n".encode())
    bulk_jobs.run_ingest(org, job)
    assert job.state == "JobComplete"
    assert [o.success for o in job.outcomes] == [True, False]
    failed = bulk_jobs.ingest_results(job, "failedresults")
    assert "INVALID_FIELD:Row has a different number of columns" in failed
    assert org.get("Contact", ids["alpha"])["Title"] == "Boss"  # type: ignore[index]


def test_a_doubted_row_naming_a_record_a_clean_row_writes_keeps_upload_order() -> None:
    header = ["Id", "Title", "Email"]
    rows: list[Callable[[dict[str, str]], list[str]]] = [
        lambda ids: [ids["alpha"], "first", ""],  # clean
        # the same record spelled with a lower-case suffix: per record
        lambda ids: [ids["alpha"][:15] + ids["alpha"][15:].lower(), "second", ""],
        lambda ids: [ids["alpha"], "third", "third@example.com"],  # clean again
        lambda ids: [ids["beta"], "kept", ""],
    ]
    reference, fast_org, expected, got, slow_rows = both_ways("update", "Contact", header, rows)
    assert slow_rows == [1]
    assert described(got) == described(expected)
    assert stored(fast_org, "Contact") == stored(reference, "Contact")
    alpha = fast_org.get("Contact", got[0].record_id or "")
    assert alpha is not None and (alpha["Title"], alpha["Email"]) == ("third", "third@example.com")


def test_a_record_named_twice_by_clean_rows_ends_with_the_last_values() -> None:
    header = ["Id", "Title", "Email", "LastName"]
    rows: list[Callable[[dict[str, str]], list[str]]] = [
        lambda ids: [ids["alpha"], "one", "one@example.com", "First"],
        lambda ids: [ids["beta"], "", "#N/A", ""],
        lambda ids: [ids["alpha"], "two", "", "Second"],
        lambda ids: [ids["gone"], "x", "", ""],  # deleted: per record, fails
    ]
    reference, fast_org, expected, got, slow_rows = both_ways("update", "Contact", header, rows)
    assert slow_rows == [3]
    assert described(got) == described(expected)
    assert stored(fast_org, "Contact") == stored(reference, "Contact")
    assert modstamp_order(fast_org, "Contact") == modstamp_order(reference, "Contact")
    table = fast_org.table("Contact")
    assert table.lookup("Email", ["one@example.com"]) == {got[0].record_id}
    assert table.lookup("Email", ["beta@example.com"]) == set()
    alpha = fast_org.get("Contact", got[0].record_id or "")
    assert alpha is not None and (alpha["Title"], alpha["Name"]) == ("two", "Second")
