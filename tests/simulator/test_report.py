"""The renderers: text, a self-contained HTML page, JUnit XML and JSON, over one results model."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

from simulator.load import load
from simulator.report import junit, machine, page, text
from simulator.results import (
    Change,
    Check,
    Event,
    ExpectationResult,
    Lane,
    LaneState,
    RunResult,
)
from simulator.run import run_scenario

T0 = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
LIBRARY = Path(__file__).resolve().parents[2] / "scenarios"


def result(failing: bool = True) -> RunResult:
    later = T0 + timedelta(hours=11)
    checks = (
        Check("salesforce.c1.HasOptedOutOfEmail", True, not failing, not failing),
        Check("runs.nightly", 1, 1, True),
    )
    return RunResult(
        name="A <story>",
        description="Jane & Sam",
        path="scenarios/x.yaml",
        timezone="America/Los_Angeles",
        start=T0,
        end=later,
        events=(
            Event(T0, "step", "p1 unsubscribes", (Change("p1", "unsubscribed", False, True),), 9),
            Event(T0 + timedelta(seconds=1), "push", "push: 1 delivered"),
            Event(later, "nightly", "nightly sync (full)"),
        ),
        expectations=(
            ExpectationResult(12, T0 + timedelta(minutes=1), (checks[1],)),
            ExpectationResult(15, later, checks),
        ),
        lanes=(
            Lane(
                "p1",
                (
                    LaneState(T0, False, {"HasOptedOutOfEmail": False}, True),
                    LaneState(T0, True, {"HasOptedOutOfEmail": True}, True),
                ),
            ),
        ),
    )


def test_text_shows_each_event_on_the_scenarios_wall_clock_with_what_changed() -> None:
    out = text.render(result())
    assert "2026-03-02 09:00:00 PST   line 9    p1 unsubscribes" in out
    assert "changed: p1.unsubscribed false -> true" in out
    assert "2026-03-02 09:00:01 PST > push      push: 1 delivered" in out


def test_text_shows_a_failed_expectation_as_expected_against_actual() -> None:
    out = text.render(result())
    assert "FAIL line 15 at 2026-03-02 20:00:00 PST" in out
    assert "salesforce.c1.HasOptedOutOfEmail: expected true, got false" in out
    assert out.rstrip().endswith("FAILED: 1 of 2 expectations held (scenarios/x.yaml)")


def test_html_is_one_self_contained_page_with_a_lane_per_person_named_by_email() -> None:
    html = page.render(result(), {"p1": "jane@example.com"})
    assert not re.search(r"src=|href=['\"]?[^#'\"]|https?://|@import|url\(", html)
    assert "<style>" in html and "<script" not in html
    assert ">jane@example.com</b>" in html and "p1 · MS / SF" in html
    assert "A &lt;story&gt;" in html and "Jane &amp; Sam" in html
    assert re.search(r"<tr id=exp-1 class=bad><td>FAILED</td><td class=t>line 15 at", html)


def test_html_lane_falls_back_to_the_ref_when_the_scenario_gives_no_email() -> None:
    assert ">p1</b>" in page.render(result())


def test_junit_has_one_test_case_per_expectation_and_a_failure_for_each_failed_one() -> None:
    suite = ET.fromstring(junit.render(result()))
    cases = suite.findall("testcase")
    assert len(cases) == 2 and suite.get("failures") == "1"
    failure = cases[1].find("failure")
    assert failure is not None
    assert "expected true, got false" in (failure.get("message") or "")
    assert cases[0].find("failure") is None


def test_json_carries_the_verdict_and_every_check_with_expected_and_actual() -> None:
    data = json.loads(machine.render(result()))
    assert data["passed"] is False
    check = data["expectations"][1]["checks"][0]
    assert check == {
        "key": "salesforce.c1.HasOptedOutOfEmail", "expected": True, "actual": False,
        "passed": False,
    }  # fmt: skip
    assert data["events"][0]["changes"][0]["after"] is True


def test_a_run_that_held_everything_says_passed() -> None:
    assert (
        text.render(result(failing=False))
        .rstrip()
        .endswith("PASSED: 2 of 2 expectations held (scenarios/x.yaml)")
    )


def test_a_scenarios_outage_and_downtime_are_shaded_as_their_own_windows() -> None:
    ran = run_scenario(load(LIBRARY / "service_schedule_and_catch_up.yaml"))
    down = [w for w in ran.windows if w.kind == "down"]
    assert down and all(w.end is not None and w.end > w.start for w in down)
    html = page.render(ran)
    assert html.count("class='band down'") == len(down)
    outage = run_scenario(load(LIBRARY / "outage_during_push_burst.yaml"))
    (fault,) = outage.windows
    assert (fault.kind, fault.label) == ("fault", "Salesforce outage")
    assert fault.end == datetime(2026, 3, 2, 19, 0, tzinfo=UTC)  # its until: 11:00 in LA
    assert page.render(outage).count("class='band fault'") == 1
