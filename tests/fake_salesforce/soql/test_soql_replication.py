"""getUpdated/getDeleted windows: seconds truncation, limits of reach, latestDateCovered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fake_salesforce.errors import ApiError
from fake_salesforce.soql import replication
from tests.fake_salesforce.soql.catalog import Catalog

NOW = datetime(2026, 3, 4, 20, 30, 45, tzinfo=UTC)


@pytest.fixture
def catalog() -> Catalog:
    cat = Catalog()
    cat.add("Contact", LastName="a", stamp=datetime(2026, 3, 4, 10, 0, 59, tzinfo=UTC))
    cat.add("Contact", LastName="b", stamp=datetime(2026, 3, 4, 10, 1, tzinfo=UTC))
    cat.add(
        "Contact", LastName="gone", stamp=datetime(2026, 3, 4, 10, 0, tzinfo=UTC), IsDeleted=True
    )
    return cat


def bound(text: str) -> datetime:
    return replication.window_bound(text, "start")


def test_bounds_drop_seconds_and_accept_offsets() -> None:
    assert bound("2026-03-04T10:00:59+00:00") == datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
    assert bound("2026-03-04T12:00:30+02:00") == datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
    assert bound("2026-03-04T10:00:00Z") == datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["2026-03-04T10:00:00:", "2026-03-04T10:00:00", "yesterday", "", "2026-03-04"]
)
def test_naive_or_garbled_bounds_are_refused(text: str) -> None:
    with pytest.raises(ApiError) as caught:
        bound(text)
    assert caught.value.status == 400


def test_updated_lists_live_rows_stamped_in_the_truncated_window(catalog: Catalog) -> None:
    table = catalog.tables["Contact"]
    answer = replication.updated(
        table, bound("2026-03-04T10:00:30Z"), bound("2026-03-04T10:01:30Z"), NOW
    )
    assert answer["ids"] == [next(iter(table.rows))]
    assert answer["latestDateCovered"] == "2026-03-04T10:01:00.000+0000"


def test_latest_date_covered_never_passes_now(catalog: Catalog) -> None:
    answer = replication.updated(
        catalog.tables["Contact"], bound("2026-03-04T10:00:00Z"), bound("2026-03-05T10:00:00Z"), NOW
    )
    assert answer["latestDateCovered"] == "2026-03-04T20:30:00.000+0000"
    assert len(answer["ids"]) == 2


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        ("2026-03-04T10:00:10Z", "2026-03-04T10:00:50Z", 30),
        ("2026-03-04T11:00:00Z", "2026-03-04T10:00:00Z", 30),
        ("2026-02-01T00:00:00Z", "2026-03-04T10:00:00Z", 30),
        ("2026-02-15T00:00:00Z", "2026-03-04T10:00:00Z", 15),
    ],
)
def test_windows_out_of_order_or_reach_are_invalid_replication_dates(
    start: str, end: str, days: int
) -> None:
    with pytest.raises(ApiError) as caught:
        if days == 30:
            replication.updated(Catalog().tables["Contact"], bound(start), bound(end), NOW)
        else:
            replication.deleted([], bound(start), bound(end), NOW)
    assert caught.value.error_code == "INVALID_REPLICATION_DATE"


def test_deleted_lists_the_log_in_the_window_with_its_dates() -> None:
    log = [
        ("003A", datetime(2026, 3, 4, 9, 59, tzinfo=UTC)),
        ("003B", datetime(2026, 3, 4, 10, 0, 5, tzinfo=UTC)),
    ]
    answer = replication.deleted(
        log, bound("2026-03-04T10:00:00Z"), bound("2026-03-04T11:00:00Z"), NOW
    )
    assert answer == {
        "deletedRecords": [{"id": "003B", "deletedDate": "2026-03-04T10:00:05.000+0000"}],
        "earliestDateAvailable": "2026-02-17T20:30:00.000+0000",
        "latestDateCovered": "2026-03-04T11:00:00.000+0000",
    }


def test_more_than_600000_ids_exceed_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replication, "MAX_IDS", 1)
    log = [("003A", NOW - timedelta(hours=1)), ("003B", NOW - timedelta(hours=1))]
    with pytest.raises(ApiError) as caught:
        replication.deleted(log, NOW - timedelta(hours=2), NOW, NOW)
    assert caught.value.error_code == "EXCEEDED_ID_LIMIT"
