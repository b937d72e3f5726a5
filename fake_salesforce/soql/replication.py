"""getUpdated and getDeleted: Ids changed or deleted in a window, by SystemModstamp and delete log.

Rules (REST "Get Updated/Deleted Records", SOAP getUpdated()): seconds are ignored, start must be
at least a minute before end, updated reaches back 30 days and deleted 15, more than 600,000
Ids is EXCEEDED_ID_LIMIT; `latestDateCovered` never passes `end` or now.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from fake_salesforce.errors import ApiError
from fake_salesforce.table import Table
from fake_salesforce.values import format_datetime, parse_datetime

UPDATED_DAYS, DELETED_DAYS = 30, 15
MAX_IDS = 600_000
_ZONED = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")


def window_bound(raw: str | None, name: str) -> datetime:
    """A `start`/`end` parameter with its seconds dropped; it must carry a UTC offset."""
    text = (raw or "").strip()
    parsed = parse_datetime(text) if _ZONED.search(text) else None
    if parsed is None:
        # A naive datetime (simple-salesforce renders it with a trailing ':') is refused too.
        raise ApiError(400, "MALFORMED_QUERY", f"{name} date is not in the correct format: {text}")
    return parsed.replace(second=0, microsecond=0)


def _check(start: datetime, end: datetime, now: datetime, days: int) -> datetime:
    """The latest date covered, after Salesforce's window checks."""
    if end - start < timedelta(minutes=1):
        raise ApiError(
            400,
            "INVALID_REPLICATION_DATE",
            "startDate must be at least one minute greater than endDate",
        )
    earliest = (now - timedelta(days=days)).replace(second=0, microsecond=0)
    if start < earliest:
        raise ApiError(
            400, "INVALID_REPLICATION_DATE", f"startDate cannot be more than {days} days ago"
        )
    return min(end, now.replace(second=0, microsecond=0))


def updated(table: Table, start: datetime, end: datetime, now: datetime) -> dict[str, Any]:
    """`{"ids": [...], "latestDateCovered": ...}` for live rows stamped in [start, covered)."""
    covered = _check(start, end, now, UPDATED_DAYS)
    found = table.range("SystemModstamp", start, True, covered, False)
    if found is None:
        stamp = table.slots["SystemModstamp"]
        found = (
            rid
            for rid, row in table.rows.items()
            if row[stamp] is not None and start <= row[stamp] < covered
        )
    deleted = table.slots["IsDeleted"]
    ids = [rid for rid in found if not table.rows[rid][deleted]]
    if len(ids) > MAX_IDS:
        raise ApiError(
            400, "EXCEEDED_ID_LIMIT", "too many ids were requested; narrow the date range"
        )
    ids.sort()
    return {"ids": ids, "latestDateCovered": format_datetime(covered)}


def deleted(
    log: Iterable[tuple[str, datetime]], start: datetime, end: datetime, now: datetime
) -> dict[str, Any]:
    """`deletedRecords` from the delete log, with earliestDateAvailable and latestDateCovered."""
    covered = _check(start, end, now, DELETED_DAYS)
    records = sorted((when, rid) for rid, when in log if start <= when < covered)
    if len(records) > MAX_IDS:
        raise ApiError(
            400, "EXCEEDED_ID_LIMIT", "too many ids were requested; narrow the date range"
        )
    earliest = (now - timedelta(days=DELETED_DAYS)).replace(second=0, microsecond=0)
    return {
        "deletedRecords": [
            {"id": rid, "deletedDate": format_datetime(when)} for when, rid in records
        ],
        "earliestDateAvailable": format_datetime(earliest),
        "latestDateCovered": format_datetime(covered),
    }
