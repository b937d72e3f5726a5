"""Bulk ingest updates, deletes and inserts a job at a time: the header resolved once, one
converter per column, rows written straight into the table with one timestamp; a row the cheap
checks doubt takes the per-record path (`Org.update`, `Org.delete`, `Org.create`), so results
and errors are exactly the per-record ones.

A job is applied a column at a time (each column's cells converted in one pass, then written),
and its outcomes kept as columns too (bulk_outcomes). Only when a doubted row names a record a
clean row also writes does the order of the two matter: such an update job goes a row at a
time, and a delete job deletes that record per record by every row naming it. An insert job
runs each doubted row at its place between runs of clean rows, so Ids are minted in upload
order.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from fake_salesforce.bulk_apply.cells import SlowRow
from fake_salesforce.bulk_apply.delete import delete_rows
from fake_salesforce.bulk_apply.insert import insert_rows
from fake_salesforce.bulk_apply.update import update_rows

__all__ = ["SlowRow", "delete_rows", "gc_paused", "insert_rows", "update_rows"]


_PAUSES = [0]  # how many threads are inside gc_paused now
_PAUSES_LOCK = threading.Lock()


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection while a job allocates its rows and outcomes (acyclic, and with a
    large org in memory each full collection walks every stored row).

    Counted across threads: collection resumes when the last pause ends, so one request's
    upload finishing never turns collection back on under another thread's running job."""
    with _PAUSES_LOCK:
        if _PAUSES[0] == 0:
            _PAUSES.append(gc.isenabled())
        _PAUSES[0] += 1
        gc.disable()
    try:
        yield
    finally:
        with _PAUSES_LOCK:
            _PAUSES[0] -= 1
            if _PAUSES[0] == 0 and _PAUSES.pop():
                gc.enable()
