"""Query paging: pages of a `Result`, query locators, batch sizes, idle expiry.

Rules from docs/salesforce-wire.md 3.1: `nextRecordsUrl` is root-relative, uses the request's
version and `/query/` even for queryAll, and is absent when `done`; `totalSize` is the whole
count on every page. Batches default to 2,000, `Sforce-Query-Options: batchSize=` is honoured
between 200 and 2,000. Locators die after 15 idle minutes, and a user keeps at most 10 open (the
oldest is released, "Query Locators" in the SOAP API guide).
"""

from __future__ import annotations

import json
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


@dataclass(frozen=True)
class Page:
    """One page of a result: rendered as a dict (`body`) or straight to JSON text (`json`)."""

    result: Result
    start: int
    stop: int
    done: bool
    next_url: str | None
    version: str

    @property
    def ids(self) -> list[str]:
        return self.result.ids[self.start : self.stop]

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"totalSize": self.result.total_size, "done": self.done}
        if self.next_url is not None:
            out["nextRecordsUrl"] = self.next_url
        out["records"] = self.result.records(self.start, self.stop, self.version)
        return out

    def json(self) -> str:
        """`json.dumps(self.body(), separators=(",", ":"))`, without the dicts in between."""
        head = f'{{"totalSize":{self.result.total_size},"done":{"true" if self.done else "false"}'
        if self.next_url is not None:
            head += ',"nextRecordsUrl":' + json.dumps(self.next_url)
        records = self.result.records_json(self.start, self.stop, self.version)
        return head + ',"records":' + records + "}"


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
) -> Page:
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


def next_page(cursors: dict[str, Any], locator: str, version: str, now: datetime) -> Page:
    """The page a locator (`01g...-2000`) points at, or INVALID_QUERY_LOCATOR."""
    _expire(cursors, now)
    key, _, start = locator.rpartition("-")
    cursor = cursors.get(key)
    if not isinstance(cursor, Cursor) or not start.isdigit() or int(start) > len(cursor.result.ids):
        raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    cursor.last_used = now
    return _page(key, cursor, int(start), version)


def _page(key: str | None, cursor: Cursor, start: int, version: str) -> Page:
    stop = start + cursor.batch
    done = key is None or stop >= len(cursor.result.ids)
    next_url = None if done else f"/services/data/v{version}/query/{key}-{stop}"
    return Page(cursor.result, start, stop, done, next_url, version)


def _expire(cursors: dict[str, Any], now: datetime) -> None:
    stale = [k for k, c in cursors.items() if isinstance(c, Cursor) and now - c.last_used > IDLE]
    for key in stale:
        del cursors[key]
