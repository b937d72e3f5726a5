"""The scenario report in Chromium: a real time axis, the chart as wide as the window, and a
click on a mark scrolls to its row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from simulator.load import load
from simulator.report import page
from simulator.results import Event, RunResult

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


def _long_run() -> RunResult:
    """A step, a push one second later, then eleven hours of quiet and a nightly run; enough
    steps in between that the timeline is longer than the window."""
    events = [
        Event(T0, "step", "p1 unsubscribes"),
        Event(T0 + timedelta(seconds=1), "push", "push: 1 delivered"),
    ]
    events += [Event(T0 + timedelta(minutes=m), "step", f"step {m}") for m in range(5, 65)]
    events.append(Event(T0 + timedelta(hours=11, seconds=1), "nightly", "nightly sync (full)"))
    zone = "America/Los_Angeles"
    return RunResult("Axis", "", "x.yaml", zone, T0, events[-1].at, tuple(events), ())


def _open(tab: Any, html: str, tmp_path: Path) -> None:
    file = tmp_path / "report.html"
    file.write_text(html, encoding="utf-8")
    tab.goto(file.as_uri())


def _centre(tab: Any, selector: str) -> float:
    box = tab.locator(selector).bounding_box()
    assert box is not None
    return float(box["x"] + box["width"] / 2)


def test_a_gap_of_hours_is_wider_on_the_axis_than_a_gap_of_seconds(
    page: Any, tmp_path: Path
) -> None:
    _open(page, page_render(_long_run()), tmp_path)
    unsubscribe, push, nightly = (_centre(page, f"a[href='#ev-{i}']") for i in (0, 1, 62))
    seconds, hours = push - unsubscribe, nightly - push
    assert seconds < 2 and hours > 600
    night = page.locator(".band.night").first.bounding_box()
    assert night is not None and night["x"] > push  # 20:00 local comes after 09:00


def test_the_chart_is_as_wide_as_the_window(page: Any, tmp_path: Path) -> None:
    _open(page, page_render(_long_run()), tmp_path)
    narrow = page.locator("#chart").bounding_box()
    page.set_viewport_size({"width": 1800, "height": 800})
    wide = page.locator("#chart").bounding_box()
    assert narrow is not None and wide is not None
    assert narrow["width"] > 1280 - 80
    assert wide["width"] - narrow["width"] == pytest.approx(520, abs=2)


def test_a_click_on_a_mark_scrolls_to_its_row(page: Any, tmp_path: Path) -> None:
    _open(page, page_render(_long_run()), tmp_path)
    row = page.locator("#ev-62")
    assert not _in_view(page, row)
    page.locator("a[href='#ev-62']").click()
    page.wait_for_function(
        "document.querySelector('#ev-62').getBoundingClientRect().top < innerHeight"
    )
    assert _in_view(page, row)
    assert page.evaluate("location.hash") == "#ev-62"


def test_a_real_scenarios_report_names_lanes_by_email_and_shades_the_outage(
    page: Any, tmp_path: Path, screenshot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simulator.run import run_scenario

    monkeypatch.chdir(ROOT)
    scenario = load("scenarios/outage_during_push_burst.yaml")
    result = run_scenario(scenario)
    _open(page, page_render(result, {p.ref: p.email for p in scenario.people}), tmp_path)
    labels = page.locator(".label-lane b").all_inner_texts()
    assert labels[0] == "one@example.com" and len(labels) == 5
    outage = page.locator(".band.fault").first.bounding_box()
    retries = page.locator(".mark.retry").first.bounding_box()
    assert outage is not None and retries is not None
    assert retries["width"] > 0.5 * outage["width"]  # two hours of retries, one span
    screenshot(page, "scenario-report")


def _in_view(tab: Any, locator: Any) -> bool:
    box = locator.bounding_box()
    height = tab.evaluate("innerHeight")
    return bool(box is not None and 0 <= box["y"] < height)


def page_render(result: RunResult, emails: dict[str, str] | None = None) -> str:
    return page.render(result, emails)
