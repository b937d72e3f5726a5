"""The nightly run over a million records (`make test-slow`): both sides converge to the union
record by record, within 10% of the fewest API calls that could do it, and a second run right
after writes nothing. Prints its figures."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from bench.sync_core_bench import DESCRIBE, FULL, build, minimum_calls, verify

BUDGET_SECONDS = 1500.0  # the whole run, building the org included, on 2 busy cores


@pytest.mark.slow
def test_a_nightly_run_over_a_million_records_converges_in_the_fewest_calls() -> None:
    started = time.perf_counter()
    fake, service, truth = build(FULL, seed=7)
    built = time.perf_counter() - started
    floor = minimum_calls(truth) + DESCRIBE
    now = datetime.now(UTC)
    began = time.perf_counter()
    first = service.run_nightly(now)
    took = time.perf_counter() - began
    wrong = verify(fake, service, truth)
    second = service.run_nightly(now + timedelta(minutes=1))
    run = service.runs("nightly")[0]
    total = time.perf_counter() - started
    print(
        f"\nnightly over {FULL.records:,} records: built in {built:.1f} s; first run "
        f"({first.mode}) {took:.1f} s, recorded duration {run.duration_seconds} s, "
        f"{first.calls} calls (floor with describe {floor}, ratio {first.calls / floor:.2f}), "
        f"{first.writes_done:,} writes, {first.unsubscribed:,} pulled, {wrong} disagreements; "
        f"second run ({second.mode}) {second.calls} calls, {second.writes_done} writes; "
        f"{total:.1f} s in all"
    )
    assert wrong == 0
    assert first.ok and first.calls <= 1.1 * floor
    assert second.writes_done == 0 and second.unsubscribed == 0
    assert run.status == "done" and run.duration_seconds is not None and run.duration_seconds > 0
    assert total < BUDGET_SECONDS
    service.close()
