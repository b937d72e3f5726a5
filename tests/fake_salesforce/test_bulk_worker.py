"""A served fake applies Bulk 2.0 ingest jobs off the request path, a slice at a time, so the
org keeps answering while a big job runs; polls still see what they see in process."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from fake_salesforce import bulk_worker
from fake_salesforce.bulk_jobs import Job, ingest_results
from fake_salesforce.bulk_worker import BulkWorker
from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.server import FakeServer
from fake_salesforce.transport import rewriting_session

JOBS = "/services/data/v59.0/jobs"


class Served:
    """A fake behind a real server, and raw Bulk 2.0 calls to it."""

    def __init__(self, fake: FakeSalesforce, server: FakeServer) -> None:
        self.fake, self.server = fake, server
        self.http = rewriting_session(server.url)
        self.http.headers["Authorization"] = f"Bearer {fake.token()}"

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.http.request(method, self.server.url + path, timeout=30, **kwargs)

    def open_job(self, operation: str, data: str) -> str:
        body = {"object": "Contact", "operation": operation, "contentType": "CSV"}
        job_id: str = self.call("POST", f"{JOBS}/ingest", json=body).json()["id"]
        put = self.call(
            "PUT",
            f"{JOBS}/ingest/{job_id}/batches",
            data=data,
            headers={"Content-Type": "text/csv"},
        )
        assert put.status_code == 201
        return job_id

    def close(self, job_id: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.call(
            "PATCH", f"{JOBS}/ingest/{job_id}", json={"state": "UploadComplete"}
        ).json()
        return answer

    def info(self, job_id: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.call("GET", f"{JOBS}/ingest/{job_id}").json()
        return answer

    def rows(self, job_id: str, kind: str) -> list[dict[str, str]]:
        text = self.call("GET", f"{JOBS}/ingest/{job_id}/{kind}").text
        return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def served() -> Iterator[Served]:
    fake = FakeSalesforce(api_limit=1_000_000)
    with FakeServer(fake.app, threads=4) as server:
        yield Served(fake, server)


def inserts(count: int) -> str:
    return "LastName,Email\n" + "".join(f"L{n},l{n}@example.com\n" for n in range(count))


def _job(fake: FakeSalesforce, job_id: str) -> Job:
    return fake.org.bulk.job(job_id, query=False)


def test_a_served_fake_hands_a_closed_job_to_its_worker_and_the_due_poll_shows_it_complete(
    served: Served,
) -> None:
    job_id = served.open_job("insert", inserts(3))
    assert served.close(job_id)["state"] == "UploadComplete"
    assert _job(served.fake, job_id).worker is not None
    info = served.info(job_id)
    assert (info["state"], info["numberRecordsProcessed"]) == ("JobComplete", 3)
    assert len(served.fake.org.table("Contact")) == 3


def test_polls_to_complete_hold_over_a_server_as_in_process(served: Served) -> None:
    served.fake.org.bulk.settings.polls_to_complete = 3
    job_id = served.open_job("insert", inserts(2))
    served.close(job_id)
    states = [served.info(job_id)["state"] for _ in range(3)]
    assert states == ["InProgress", "InProgress", "JobComplete"]


def test_other_calls_are_answered_between_the_slices_of_a_big_job(served: Served) -> None:
    served.server._worker.slice_rows = 2_000
    job_id = served.open_job("insert", inserts(60_000))
    served.close(job_id)
    handoff = _job(served.fake, job_id).worker
    answered_meanwhile, slowest = 0, 0.0
    while not handoff.done.is_set():
        started = time.perf_counter()
        assert served.call("GET", "/services/data/v59.0/limits").status_code == 200
        slowest = max(slowest, time.perf_counter() - started)
        answered_meanwhile += 0 if handoff.done.is_set() else 1
    assert answered_meanwhile >= 3, "calls waited for the whole job"
    assert served.info(job_id)["numberRecordsProcessed"] == 60_000
    assert len(served.fake.org.table("Contact")) == 60_000


def test_a_job_applied_in_slices_ends_exactly_as_one_applied_whole() -> None:
    data = "Id,Title,Email\n" + "".join(
        f"{{{n}}},T{n},{'bad' if n % 4 == 0 else f'e{n}@example.com'}\n" for n in range(9)
    )
    results: list[tuple[list[str], list[dict[str, str]], list[dict[str, str]]]] = []
    for worker in (None, BulkWorker(slice_rows=2)):
        fake = FakeSalesforce()
        made = [fake.org.create("Contact", {"LastName": f"C{n}"}) for n in range(9)]
        store = fake.org.bulk
        job = store.new_job("update", "Contact", "59.0")
        store.upload(job, data.format(*made).encode())
        store.set_state(job, "UploadComplete")
        if worker is None:
            store.poll(job)
        else:
            worker.submit(fake.org, job)
            assert worker.drain(30)
            with fake.org.lock:
                store.poll(job)
            worker.stop()
        assert job.state == "JobComplete"
        titles = [(fake.org.get("Contact", rid) or {}).get("Title") or "" for rid in made]
        good = list(csv.DictReader(io.StringIO(ingest_results(job, "successfulresults"))))
        bad = list(csv.DictReader(io.StringIO(ingest_results(job, "failedresults"))))
        results.append(
            (titles, [{"T": r["Title"]} for r in good], [{"E": r["sf__Error"]} for r in bad])
        )
    assert results[0] == results[1]
    assert len(results[0][2]) == 3


def test_an_abort_between_slices_leaves_the_rest_unprocessed(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    served.server._worker.slice_rows = 2
    real = bulk_worker.apply_rows

    def then_abort(org: Any, job: Job, columns: Any, rows: list[list[str]]) -> Any:
        outcomes = real(org, job, columns, rows)
        job.state = "Aborted"  # as a client's PATCH between this slice and the next
        return outcomes

    monkeypatch.setattr(bulk_worker, "apply_rows", then_abort)
    job_id = served.open_job("insert", inserts(5))
    served.close(job_id)
    assert served.server._worker.drain(30)
    assert served.info(job_id)["state"] == "Aborted"
    assert [r["LastName"] for r in served.rows(job_id, "unprocessedrecords")] == ["L2", "L3", "L4"]
    assert len(served.fake.org.table("Contact")) == 2


def test_a_job_that_breaks_fails_alone_and_the_worker_goes_on(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = bulk_worker.apply_rows
    calls: list[int] = []

    def breaks_once(org: Any, job: Job, columns: Any, rows: list[list[str]]) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("broken")
        return real(org, job, columns, rows)

    monkeypatch.setattr(bulk_worker, "apply_rows", breaks_once)
    first = served.open_job("insert", inserts(1))
    served.close(first)
    second = served.open_job("insert", inserts(2))
    served.close(second)
    assert served.info(first)["state"] == "Failed"
    assert served.info(second)["state"] == "JobComplete"


def test_stopping_the_server_applies_what_was_handed_over_then_in_process_polls_apply_again() -> (
    None
):
    fake = FakeSalesforce()
    server = FakeServer(fake.app, threads=2).start()
    wire = Served(fake, server)
    job_id = wire.open_job("insert", inserts(4))
    wire.close(job_id)
    server.stop()
    assert len(fake.org.table("Contact")) == 4
    assert "BULK_WORKER" not in fake.app.config
    store = fake.org.bulk
    job = store.new_job("insert", "Contact", "59.0")
    store.upload(job, inserts(1).encode())
    store.set_state(job, "UploadComplete")
    assert store.poll(job).state == "JobComplete"


def test_the_due_poll_lets_the_org_go_while_it_waits_for_the_worker(served: Served) -> None:
    gate = threading.Event()
    worker = served.server._worker
    real = worker.apply

    def held(org: Any, job: Job) -> None:
        gate.wait(10)
        real(org, job)

    worker.apply = held  # type: ignore[method-assign]
    job_id = served.open_job("insert", inserts(1))
    served.close(job_id)
    poll = threading.Thread(target=lambda: served.info(job_id))
    poll.start()
    time.sleep(0.2)  # the poll is waiting for the worker now
    assert served.call("GET", "/services/data/v59.0/limits").status_code == 200
    gate.set()
    poll.join(10)
    assert served.info(job_id)["state"] == "JobComplete"


def test_a_server_of_a_wrapped_app_still_applies_jobs_off_the_request_path() -> None:
    from fake_salesforce.access_log import AccessLog

    fake = FakeSalesforce()
    with FakeServer(AccessLog(fake.app, io.StringIO()), threads=2) as server:
        assert fake.app.config["BULK_WORKER"] is server._worker
