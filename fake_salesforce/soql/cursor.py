"""Query paging: pages of a `Result`, query locators, batch sizes, idle expiry.

Rules from salesforce-api.md §3.1: `nextRecordsUrl` is root-relative, uses the request's version
and `/query/` even for queryAll, and is absent when `done`; `totalSize` is the whole count on
every page. Batches default to 2,000, `Sforce-Query-Options: batchSize=` is honoured between 200
and 2,000. Locators die after 15 idle minutes, and a user keeps at most 10 open (the oldest is
released, "Query Locators" in the SOAP API guide).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fake_salesforce.errors import ApiError
from fake_salesforce.soql.engine import Result

DEFAULT_BATCH, MIN_BATCH = 2000, 200
IDLE = timedelta(minutes=15)
MAX_OPEN = 10
_BATCH = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)


@dataclass
class Cursor:
    """An open query: its result, page size and when it was last read."""

    result: Result
    batch: int
    last_used: datetime


def batch_size(header: str | None) -> int:
    """The page size asked for by `Sforce-Query-Options`, clamped to Salesforce's range."""
    match = _BATCH.search(header or "")
    if match is None:
        return DEFAULT_BATCH
    return max(MIN_BATCH, min(DEFAULT_BATCH, int(match.group(1))))


def first_page(
    cursors: dict[str, Any],
    result: Result,
    version: str,
    batch: int,
    now: datetime,
    mint: Callable[[], str],
) -> dict[str, Any]:
    """The first page; opens a locator when more pages follow."""
    _expire(cursors, now)
    if result.fixed is None and len(result.ids) > batch:
        key = mint()
        while len([k for k in cursors if isinstance(cursors[k], Cursor)]) >= MAX_OPEN:
            oldest = next(k for k in cursors if isinstance(cursors[k], Cursor))
            del cursors[oldest]
        cursors[key] = Cursor(result, batch, now)
        return _page(key, cursors[key], 0, version)
    return _page(None, Cursor(result, batch, now), 0, version)


def next_page(cursors: dict[str, Any], locator: str, version: str, now: datetime) -> dict[str, Any]:
    """The page a locator (`01g...-2000`) points at, or INVALID_QUERY_LOCATOR."""
    _expire(cursors, now)
    key, _, start = locator.rpartition("-")
    cursor = cursors.get(key)
    if not isinstance(cursor, Cursor) or not start.isdigit() or int(start) > len(cursor.result.ids):
        raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    cursor.last_used = now
    return _page(key, cursor, int(start), version)


def _page(key: str | None, cursor: Cursor, start: int, version: str) -> dict[str, Any]:
    result = cursor.result
    stop = start + cursor.batch
    done = key is None or stop >= len(result.ids)
    body: dict[str, Any] = {"totalSize": result.total_size, "done": done}
    if not done:
        body["nextRecordsUrl"] = f"/services/data/v{version}/query/{key}-{stop}"
    body["records"] = result.records(start, stop, version)
    return body


def _expire(cursors: dict[str, Any], now: datetime) -> None:
    stale = [k for k, c in cursors.items() if isinstance(c, Cursor) and now - c.last_used > IDLE]
    for key in stale:
        del cursors[key]
