"""Bulk API 2.0 ingest jobs applied off the request path: one worker thread per served fake.

As in Salesforce's Bulk API 2.0, a job closed with `UploadComplete` is queued; the
worker takes jobs in the order they were closed, marks each `InProgress` and applies its rows a
slice at a time, each slice under the org's lock, so the org's other calls are answered between
slices however big the job. The job ends `JobComplete` (or `Failed` when its header is
unusable); an abort between slices leaves the rest unprocessed.

When a job becomes visible as complete is still the org's BulkSettings (`polls_to_complete`,
`job_seconds`): the poll that finds it due waits, with the org's lock let go, up to
SETTLE_SECONDS for the worker. A small job is then complete on that poll even on a busy machine,
so clients and tests see the same polls as in process; a big one answers `InProgress` until
done.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fake_salesforce import bulk_apply
from fake_salesforce.bulk_jobs import Job, apply_rows, ingest_columns
from fake_salesforce.bulk_outcomes import JobOutcomes
from fake_salesforce.org import Org

log = logging.getLogger(__name__)
SLICE_ROWS = 10_000  # rows applied under one hold of the org lock (a Bulk 2.0 batch)
SETTLE_SECONDS = 5.0  # how long the poll that finds a job due waits for the worker
PAUSE_SECONDS = 0.001  # between slices: a lock is not fair, a waiting call must get a turn


class Handoff:
    """A job in a worker's hands: done (an Event) once its final state is set."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.final: str | None = None

    def settle(self, org: Org, job: Job) -> None:
        """The due poll: show the final state if the worker finishes within SETTLE_SECONDS."""
        if not self.done.is_set():
            with _unlocked(org):
                self.done.wait(SETTLE_SECONDS)
        job.state = self.final if self.done.is_set() and self.final else "InProgress"


@contextmanager
def _unlocked(org: Org) -> Iterator[None]:
    """Let the org's other calls (and the worker) in while this request waits."""
    org.lock.release()
    try:
        yield
    finally:
        org.lock.acquire()


class BulkWorker:
    """Applies closed ingest jobs of any org, in the order they were handed over."""

    def __init__(self, slice_rows: int = SLICE_ROWS) -> None:
        self.slice_rows = slice_rows
        self._jobs: queue.Queue[tuple[Org, Job] | None] = queue.Queue()
        self._idle = threading.Condition()
        self._pending = 0
        self._thread = threading.Thread(target=self._run, name="fake-salesforce-bulk", daemon=True)
        self._thread.start()

    def submit(self, org: Org, job: Job) -> None:
        """Take a job just closed (`UploadComplete`); it will be applied off the request path."""
        job.worker = Handoff()
        with self._idle:
            self._pending += 1
        self._jobs.put((org, job))

    def drain(self, timeout: float = 60.0) -> bool:
        """Wait until every job handed over so far is applied; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def stop(self, timeout: float = 60.0) -> None:
        """Apply what was handed over, then end the thread."""
        self.drain(timeout)
        self._jobs.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        while (item := self._jobs.get()) is not None:
            org, job = item
            try:
                self.apply(org, job)
            except Exception:  # a job that breaks must not end the worker for every other
                log.exception("bulk job %s failed while being applied", job.id)
                _settled(job, "Failed", "UNKNOWN_EXCEPTION: the job could not be applied")
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    def apply(self, org: Org, job: Job) -> None:
        """InProgress, the rows a slice at a time, then the final state for the due poll."""
        with org.lock:
            if job.state != "UploadComplete":  # aborted while queued
                _settled(job, job.state)
                return
            job.state = "InProgress"
            columns = ingest_columns(org, job)
            if columns is None:  # the due poll shows Failed, as in process
                job.state = "InProgress"
                _settled(job, "Failed")
                return
        parts: list[JobOutcomes] = []
        for start in range(0, len(job.rows), self.slice_rows):
            if start:
                time.sleep(PAUSE_SECONDS)  # the lock is free: let a waiting call take it first
            with org.lock, bulk_apply.gc_paused():
                if job.state == "Aborted":
                    break
                parts.append(
                    apply_rows(org, job, columns, job.rows[start : start + self.slice_rows])
                )
        with org.lock:
            job.outcomes = JobOutcomes.joined(parts) if len(parts) != 1 else parts[0]
            _settled(job, "JobComplete")


def _settled(job: Job, final: str, message: str | None = None) -> None:
    """The worker is done with `job`: the due poll shows `final` (an abort stays an abort)."""
    if message and not job.error_message:
        job.error_message = message
    handoff: Handoff | None = job.worker
    if handoff is not None:
        handoff.final = "Aborted" if job.state == "Aborted" else final
        handoff.done.set()


def worker_of(app: Any) -> BulkWorker | None:
    """The worker serving `app`'s Bulk jobs (None in process: polls apply jobs themselves)."""
    config = getattr(app, "config", None)
    worker: BulkWorker | None = config.get("BULK_WORKER") if config is not None else None
    return worker
