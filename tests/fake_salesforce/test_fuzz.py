"""Fuzzing every route of the fake: no 5xx, no traceback in a body, no answer slower than 5 s.

The quick run (in `make test`) is seeded and in process; the slow one (`make test-slow`) sends
tens of thousands of requests from several threads to a served fake and prints its figures."""

from __future__ import annotations

import threading
import time

import pytest

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.server import FakeServer
from fake_salesforce.transport import rewriting_session
from tests.fake_salesforce.fuzzing import Figures, Fuzzer, run

GENERATE_CAP = 200  # /_fake/records may generate this many records a call during a fuzz run


def _fake() -> FakeSalesforce:
    fake = FakeSalesforce(api_limit=10_000_000)
    fake.app.config["MAX_GENERATE"] = GENERATE_CAP
    return fake


def _assert_clean(figures: Figures) -> None:
    print(figures.summary())
    for problem in [*figures.server_errors, *figures.tracebacks, *figures.hangs, *figures.broken]:
        print("  ", problem)
    assert figures.server_errors == []
    assert figures.tracebacks == []
    assert figures.hangs == []
    assert figures.broken == []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_seeded_fuzz_run_in_process_finds_no_5xx_traceback_or_hang(seed: int) -> None:
    fake = _fake()
    fuzzer = Fuzzer(fake, fake.instance_url or "", fake.session(), seed)
    figures = Figures()
    run(fuzzer, figures, 400, time.perf_counter() + 120)
    assert figures.sent == 400
    _assert_clean(figures)


@pytest.mark.slow
def test_a_long_fuzz_run_over_a_served_fake_from_four_threads_finds_no_5xx_or_hang() -> None:
    fake = _fake()
    figures = Figures()
    deadline = time.perf_counter() + 240
    with FakeServer(fake.app, threads=8) as server:
        fuzzers = [
            Fuzzer(fake, server.url, rewriting_session(server.url), seed) for seed in range(4)
        ]
        threads = [
            threading.Thread(target=run, args=(fuzzer, figures, 6_000, deadline))
            for fuzzer in fuzzers
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert figures.sent >= 5_000
    _assert_clean(figures)
