"""sObject CRUD through simple-salesforce: ours against simple-mockforce in-process, and our HTTP
reads against a minimal Flask route on the same waitress server, all measured in one run.

    .venv/bin/python -m bench.crud_bench [--full]

Workload W(N): create N Contacts one call each, read each by Id, update half, delete a tenth.
Default: N=2,000 for both fakes and N=20,000 for ours; --full adds mockforce at N=20,000 (minutes).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import threading
import time
from dataclasses import dataclass
from typing import Any

from simple_salesforce import Salesforce

SMALL, LARGE = 2_000, 20_000
HTTP_CLIENTS, HTTP_SECONDS, HTTP_ROUNDS = 4, 6.0, 6


def calls_in(n: int) -> int:
    return n + n + len(range(0, n, 2)) + len(range(0, n, 10))


def workload(sf: Salesforce, n: int) -> float:
    """Seconds W(n) takes with this client."""
    started = time.perf_counter()
    ids = [
        sf.Contact.create({"LastName": f"Last{i}", "Email": f"p{i}@example.com"})["id"]
        for i in range(n)
    ]
    for record_id in ids:
        sf.Contact.get(record_id)
    for record_id in ids[::2]:
        sf.Contact.update(record_id, {"HasOptedOutOfEmail": True})
    for record_id in ids[::10]:
        sf.Contact.delete(record_id)
    return time.perf_counter() - started


def run_ours(n: int) -> float:
    from fake_salesforce.fixture import FakeSalesforce

    fake = FakeSalesforce(api_limit=10 * calls_in(n))
    return workload(fake.client(), n)


def run_mockforce(n: int) -> float:
    from simple_mockforce import mock_salesforce

    @mock_salesforce  # type: ignore[misc]
    def measured() -> float:
        sf = Salesforce(username="u@example.com", password="p", security_token="t")
        return workload(sf, n)

    seconds: float = measured()
    return seconds


@dataclass(frozen=True)
class Served:
    port: int
    path: str
    token: str


def _serve(kind: str, ready: Any, stop: Any) -> None:
    """Child process: serve `kind` ("ours" or "floor") until told to stop."""
    from flask import Flask, Response

    from fake_salesforce.fixture import FakeSalesforce
    from fake_salesforce.server import FakeServer

    if kind == "ours":
        fake = FakeSalesforce(api_limit=10**9, instance_url=None)
        record_id = fake.org.create("Contact", {"LastName": "Bench", "Email": "b@example.com"})
        app, token = fake.app, fake.token()
    else:
        app, token, record_id = Flask("floor"), "", "0038d0000000001AAA"
        body = json.dumps({"attributes": {"type": "Contact"}, "Id": record_id})

        @app.get("/services/data/v59.0/sobjects/Contact/<record_id>")
        def contact(record_id: str) -> Response:
            return Response(body, content_type="application/json")

    with FakeServer(app) as server:
        ready.send(Served(server.port, f"/services/data/v59.0/sobjects/Contact/{record_id}", token))
        stop.wait()


def _hammer(served: Served, deadline: float, counts: list[int]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", served.port)
    headers = {"Authorization": f"Bearer {served.token}"} if served.token else {}
    done = 0
    while time.perf_counter() < deadline:
        conn.request("GET", served.path, headers=headers)
        answer = conn.getresponse()
        answer.read()
        if answer.status != 200:
            raise RuntimeError(f"GET {served.path} answered {answer.status}")
        done += 1
    conn.close()
    counts.append(done)


def _start(kind: str) -> tuple[Any, Any, Served]:
    context = multiprocessing.get_context("spawn")
    ready_parent, ready_child = context.Pipe()
    stop = context.Event()
    child = context.Process(target=_serve, args=(kind, ready_child, stop), daemon=True)
    child.start()
    return child, stop, ready_parent.recv()


def _round(served: Served, seconds: float) -> float:
    counts: list[int] = []
    deadline = time.perf_counter() + seconds
    threads = [
        threading.Thread(target=_hammer, args=(served, deadline, counts))
        for _ in range(HTTP_CLIENTS)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - started)


def requests_per_second() -> dict[str, float]:
    """Best rate of each server over alternating rounds, so a busy machine hurts both alike."""
    children = {kind: _start(kind) for kind in ("floor", "ours")}
    best = dict.fromkeys(children, 0.0)
    try:
        for _ in range(HTTP_ROUNDS):
            for kind, (_, _, served) in children.items():
                best[kind] = max(best[kind], _round(served, HTTP_SECONDS / HTTP_ROUNDS))
    finally:
        for child, stop, _ in children.values():
            stop.set()
            child.join(10)
    return best


def _line(label: str, n: int, seconds: float) -> str:
    per_call = seconds / calls_in(n) * 1e6
    return f"  {label:<26} N={n:>6,}: {seconds:8.2f} s  {per_call:7.1f} us/call"


def crud(full: bool) -> None:
    print("W(N) = create N, read N, update N/2, delete N/10 through simple-salesforce")
    mock_small, ours_small = run_mockforce(SMALL), run_ours(SMALL)
    print(_line("simple-mockforce", SMALL, mock_small))
    print(_line("fake_salesforce in-process", SMALL, ours_small))
    print(f"  ratio at N={SMALL:,}: ours is {mock_small / ours_small:.1f}x faster (goal >= 1.0x)")
    ours_large = run_ours(LARGE)
    print(_line("fake_salesforce in-process", LARGE, ours_large))
    growth = (ours_large / calls_in(LARGE)) / (ours_small / calls_in(SMALL))
    print(f"  cost per call N={LARGE:,} vs N={SMALL:,}: {growth:.2f}x (goal <= 1.30x)")
    if full:
        mock_large = run_mockforce(LARGE)
        print(_line("simple-mockforce", LARGE, mock_large))
        print(
            f"  ratio at N={LARGE:,}: ours is {mock_large / ours_large:.1f}x faster (goal >= 10x)"
        )
    else:
        # Reference from the issue: simple-mockforce took 251 s at N=20,000 (3.1 s at 2,000).
        # Scaled by this run's N=2,000 mockforce time, so the estimate tracks this machine.
        estimate = 251.0 * mock_small / 3.1
        print(f"  ratio at N={LARGE:,} vs mockforce estimated from this run ({estimate:.0f} s): "
              f"{estimate / ours_large:.0f}x (goal >= 10x; --full measures it)")  # fmt: skip


def http_reads() -> None:
    print(f"GET /sobjects/Contact/{{id}} over HTTP, waitress, {HTTP_CLIENTS} keep-alive clients, "
          f"best of {HTTP_ROUNDS} alternating rounds")  # fmt: skip
    rates = requests_per_second()
    floor, ours = rates["floor"], rates["ours"]
    print(f"  minimal Flask route:   {floor:8.0f} req/s")
    print(f"  fake_salesforce:       {ours:8.0f} req/s")
    print(f"  ratio ours/floor: {ours / floor:.2f} (goal >= 0.60)")


def main(full: bool = False) -> None:
    crud(full)
    http_reads()


def _cli(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--full", action="store_true", help="mockforce at N=20,000 too (minutes)")
    main(parser.parse_args(argv).full)


if __name__ == "__main__":
    _cli()
