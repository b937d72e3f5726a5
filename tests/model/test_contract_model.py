"""docs/behaviour.md's promises hold through random interleavings of everything admins, users,
Salesforce and the clock can do (tests.model.machine), in a few seconds for `make test` and
for minutes in `make test-slow`. The quick run draws the same examples every time; the long
one keeps its failures in .hypothesis/model, where the next run replays them first.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.database import DirectoryBasedExampleDatabase
from hypothesis.stateful import run_state_machine_as_test

from tests.model.machine import TALLY, ContractMachine, Tally

DATABASE = DirectoryBasedExampleDatabase(
    str(Path(__file__).resolve().parents[2] / ".hypothesis" / "model")
)
QUICK = settings(
    max_examples=40,
    stateful_step_count=40,
    derandomize=True,  # the same examples every run, so a failure replays by itself
    deadline=None,
    # Shrinking a world of two systems takes minutes: the quick run shows its failure as
    # found, the long run shrinks (and keeps the result in the database).
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
LONG = settings(
    QUICK,
    max_examples=25,
    stateful_step_count=80,
    derandomize=False,
    database=DATABASE,
    phases=tuple(Phase),
)
LONG_RUN_SECONDS = float(os.environ.get("MODEL_SECONDS", "300"))  # the long run's budget


def _say(capsys: pytest.CaptureFixture[str], name: str, tally: Tally, seconds: float) -> None:
    with capsys.disabled():
        print(
            f"\n{name}: {tally.examples} examples, {tally.steps} steps, "
            f"{tally.nightly_runs} nightly runs ({tally.complete_runs} complete), "
            f"union checked on {tally.people_checked} people, {tally.pushes} pushes, "
            f"{tally.delivered} unsubscribes seen arriving, in {seconds:.1f} s"
        )


def _reset() -> None:
    TALLY.__init__()  # type: ignore[misc]


def test_every_promise_holds_through_random_days(capsys: pytest.CaptureFixture[str]) -> None:
    _reset()
    began = time.monotonic()
    run_state_machine_as_test(ContractMachine, settings=QUICK)
    _say(capsys, "model (quick)", TALLY, time.monotonic() - began)
    assert TALLY.complete_runs > 0, "no complete nightly run was checked"


@pytest.mark.slow
def test_every_promise_holds_through_many_random_weeks(capsys: pytest.CaptureFixture[str]) -> None:
    _reset()
    began = time.monotonic()
    while time.monotonic() - began < LONG_RUN_SECONDS:
        run_state_machine_as_test(ContractMachine, settings=LONG)
    _say(capsys, "model (long)", TALLY, time.monotonic() - began)
    assert TALLY.complete_runs > 0, "no complete nightly run was checked"
