"""`--server URL`: the same scenario against a served fake gives the same results as in-process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from fake_salesforce.control_client import ControlClient
from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.server import FakeServer
from simulator.cli import main
from simulator.load import load
from simulator.results import RunResult
from simulator.run import run_scenario
from tests.fake_salesforce.test_server import Served

LIBRARY = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    with FakeServer(FakeSalesforce().app, threads=4) as server:
        yield server.url


def outcome(result: RunResult) -> list[tuple[int, str, object, object]]:
    return [(x.line, c.key, c.expected, c.actual) for x in result.expectations for c in x.checks]


@pytest.mark.parametrize(
    "name", ["default", "dst_spring_forward", "converted_lead", "lock_errors", "session_expiry"]
)
def test_a_scenario_over_http_checks_the_same_values_as_in_process(
    server_url: str, name: str
) -> None:
    scenario = load(LIBRARY / f"{name}.yaml")
    remote, local = run_scenario(scenario, server=server_url), run_scenario(scenario)
    assert remote.stopped is None
    assert outcome(remote) == outcome(local)
    assert [e.at for e in remote.events] == [e.at for e in local.events]


def test_each_run_over_http_gets_a_fresh_org_that_is_removed_afterwards(server_url: str) -> None:
    control = ControlClient(server_url)
    before = {org["id"] for org in control.orgs()}
    run_scenario(load(LIBRARY / "dst_fall_back.yaml"), server=server_url)
    assert {org["id"] for org in control.orgs()} == before


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    """`fake-salesforce serve` in its own process, as a user starts it; its access log is read
    as it comes, or the pipe fills and the server stops answering."""
    process = Served()
    readers = [
        threading.Thread(target=stream.read, daemon=True)
        for stream in (process.process.stdout, process.process.stderr)
        if stream is not None
    ]
    for reader in readers:
        reader.start()
    yield process
    process.process.terminate()
    process.process.wait(timeout=10)
    for reader in readers:
        reader.join(timeout=10)
    for stream in (process.process.stdout, process.process.stderr):
        if stream is not None:
            stream.close()


@pytest.mark.parametrize("name", ["default", "converted_lead", "outage_during_push_burst"])
def test_a_scenario_against_fake_salesforce_serve_checks_the_same_values_as_in_process(
    served: Served, name: str
) -> None:
    scenario = load(LIBRARY / f"{name}.yaml")
    remote, local = run_scenario(scenario, server=served.url), run_scenario(scenario)
    assert remote.stopped is None
    assert outcome(remote) == outcome(local)


def test_simulate_server_runs_a_library_scenario_against_fake_salesforce_serve(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([str(LIBRARY / "lock_errors.yaml"), "--server", served.url, "--quiet"])
    assert code == 0, capsys.readouterr()
