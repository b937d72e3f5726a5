"""A Bulk job's outcomes kept as columns answer as the row-by-row Outcomes would."""

from __future__ import annotations

from fake_salesforce.bulk_outcomes import SKIP, JobOutcomes
from fake_salesforce.errors import ApiError
from fake_salesforce.save_results import Outcome

BAD_EMAIL = ApiError(400, "INVALID_EMAIL_ADDRESS", "Email: invalid email address: x", ["Email"])
ROWS = [["A1", "x", "true"], ["A2", "bad", ""], ["A3", "", "false"], ["A4", "y", "no"]]


def mixed() -> JobOutcomes:
    """Rows 0 and 2 from the columns, 1 failed and 3 created per record."""
    return JobOutcomes(
        record_ids=["003A1", None, "003A3", None],
        names=["Title", "HasOptedOutOfEmail"],
        uploaded=[["x", SKIP, SKIP, SKIP], [True, SKIP, False, SKIP]],
        answered={
            1: Outcome("003A2", BAD_EMAIL),
            3: Outcome("003A4", None, True, {"Title": "y", "HasOptedOutOfEmail": False}),
        },
    )


def test_each_row_reads_as_the_outcome_the_per_record_path_gives() -> None:
    outcomes = mixed()
    assert len(outcomes) == 4
    assert outcomes[0] == Outcome("003A1", None, False, {"Title": "x", "HasOptedOutOfEmail": True})
    assert outcomes[2] == Outcome("003A3", None, False, {"HasOptedOutOfEmail": False})
    assert outcomes[1].error is BAD_EMAIL and outcomes[3].created
    assert [o.success for o in outcomes] == [True, False, True, True]
    assert outcomes.failed_count() == 1


def test_journal_writes_skip_empty_cells_and_failed_rows_in_row_order() -> None:
    assert list(mixed().journal_writes()) == [
        ("003A1", (("Title", "x"), ("HasOptedOutOfEmail", True))),
        ("003A3", (("HasOptedOutOfEmail", False),)),
        ("003A4", (("Title", "y"), ("HasOptedOutOfEmail", False))),
    ]


def test_results_rows_follow_the_upload() -> None:
    outcomes = mixed()
    assert outcomes.successful_rows(ROWS) == [
        ["003A1", "false", *ROWS[0]],
        ["003A3", "false", *ROWS[2]],
        ["003A4", "true", *ROWS[3]],
    ]
    assert outcomes.failed_rows(ROWS) == [
        ["003A2", "INVALID_EMAIL_ADDRESS:Email: invalid email address: x:Email --", *ROWS[1]]
    ]


def test_outcomes_given_row_by_row_and_a_job_with_no_rows() -> None:
    given = [Outcome("003A1", None, False, {"Title": "x"}), Outcome(None, BAD_EMAIL)]
    outcomes = JobOutcomes.of(given)
    assert list(outcomes) == given
    assert outcomes.failed_count() == 1
    assert list(outcomes.journal_writes()) == [("003A1", (("Title", "x"),))]
    assert outcomes.successful_rows(ROWS[:2]) == [["003A1", "false", *ROWS[0]]]
    empty = JobOutcomes()
    assert len(empty) == 0 and list(empty) == [] and empty.successful_rows([]) == []


def test_an_id_only_update_job_writes_no_fields() -> None:
    outcomes = JobOutcomes(record_ids=["003A1", "003A2"])
    assert list(outcomes.journal_writes()) == [("003A1", ()), ("003A2", ())]
    assert outcomes[1] == Outcome("003A2", None, False, {})


def test_an_insert_job_s_column_rows_were_created() -> None:
    outcomes = JobOutcomes(
        record_ids=["003A1", None],
        names=["LastName", "Email"],
        uploaded=[["Lee", SKIP], ["lee@example.com", SKIP]],
        answered={1: Outcome(None, BAD_EMAIL)},
        created=True,
    )
    assert outcomes[0] == Outcome(
        "003A1", None, True, {"LastName": "Lee", "Email": "lee@example.com"}
    )
    rows = [["Lee", "lee@example.com"], ["Lo", "x"]]
    assert outcomes.successful_rows(rows) == [["003A1", "true", *rows[0]]]
    assert JobOutcomes(["003A1"], created=True).successful_rows(rows[:1]) == [
        ["003A1", "true", *rows[0]]
    ]
    assert list(outcomes.journal_writes()) == [
        ("003A1", (("LastName", "Lee"), ("Email", "lee@example.com")))
    ]
