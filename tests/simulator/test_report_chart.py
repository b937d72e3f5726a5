"""The report's chart: a real time axis in the scenario's zone, nights, fault windows, retries
collapsed, and every mark a link to its row."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from simulator.report import page
from simulator.report.chart import Axis, items, windows
from simulator.results import Event, RunResult, Window

T0 = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)  # 09:00 in Los Angeles


def run(
    *events: Event, end: datetime | None = None, zone: str = "America/Los_Angeles"
) -> RunResult:
    return RunResult(
        name="n", description="", path="x.yaml", timezone=zone, start=T0,
        end=end or max(e.at for e in events), events=events, expectations=(),
    )  # fmt: skip


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_an_eleven_hour_gap_is_eleven_hours_wide_and_a_second_is_almost_nothing() -> None:
    result = run(Event(at(0), "step", "a"), Event(at(1), "push", "b"),
                 Event(at(11 * 3600 + 1), "nightly", "c"))  # fmt: skip
    axis = Axis(result)
    second = axis.x(at(1)) - axis.x(at(0))
    hours = axis.x(at(11 * 3600 + 1)) - axis.x(at(1))
    assert hours == 100 - second and second < 0.01


def test_nights_are_shaded_from_20_00_to_07_00_on_the_scenarios_clock() -> None:
    result = run(Event(at(0), "step", "a"), end=T0 + timedelta(days=1))
    (night,) = Axis(result).nights()
    local = [t.astimezone(result.zone).strftime("%H:%M") for t in (night.start, night.end)]
    assert local == ["20:00", "07:00"]


def test_ticks_are_on_the_local_hour_across_a_daylight_saving_change() -> None:
    start = datetime(2026, 3, 8, 8, 0, tzinfo=UTC)  # 00:00 PST; clocks spring forward at 02:00
    result = RunResult("n", "", "x", "America/Los_Angeles", start, start + timedelta(hours=10),
                       (Event(start, "step", "a"),), ())  # fmt: skip
    labels = [label for _, label in Axis(result).ticks()]
    assert labels[:3] == ["00:00", "01:00", "03:00"]  # there is no 02:00 that night


def test_fault_and_downtime_windows_come_from_the_runs_windows_not_its_text() -> None:
    result = RunResult(
        name="n", description="", path="x.yaml", timezone="America/Los_Angeles", start=T0,
        end=at(9000), expectations=(),
        events=(Event(at(0), "step", "a"),
                Event(at(400), "push", "push: 0 delivered, 1 to retry (1 calls); errors: X")),
        windows=(Window("fault", at(0), at(7200), "Salesforce outage"),
                 Window("fault", at(100), None, "Salesforce error"),  # counted: to its last error
                 Window("down", at(7200), at(12000), "service down")),  # past the run's end
    )  # fmt: skip
    outage, error = windows(result, "fault")
    assert (outage.label, outage.start, outage.end) == ("Salesforce outage", at(0), at(7200))
    assert (error.label, error.end) == ("Salesforce error", at(400))
    (down,) = windows(result, "down")
    assert (down.label, down.start, down.end) == ("service down", at(7200), at(9000))
    html = page.render(result)
    assert "band down" in html and "service down" in html


def test_retries_failing_the_same_way_collapse_into_one_span_and_others_stay_apart() -> None:
    def retry(s: int, code: str = "SERVER_UNAVAILABLE") -> Event:
        return Event(at(s), "push", f"push: 0 delivered, 1 to retry (1 calls); errors: {code}")

    listed = items((
        retry(1), retry(2), Event(at(3), "step", "p2 unsubscribes"), retry(4),
        retry(5, "UNABLE_TO_LOCK_ROW"), Event(at(6), "push", "push: 1 delivered (1 calls)"),
    ))  # fmt: skip
    assert [(i.index, len(i.events)) for i in listed] == [(0, 3), (2, 1), (4, 1), (5, 1)]


def test_every_mark_links_to_its_timeline_row_and_a_span_is_as_long_as_its_retries() -> None:
    retry = "push: 0 delivered, 1 to retry (1 calls); errors: SERVER_UNAVAILABLE"
    done = "push: 1 delivered"
    result = run(Event(at(0), "step", "a"), Event(at(600), "push", retry),
                 Event(at(3000), "push", retry), Event(at(6000), "push", done))  # fmt: skip
    html = page.render(result)
    for href in re.findall(r"href='#(ev-\d+)'", html):
        assert f"<tr id={href}" in html
    span = re.search(
        r"class='mark retry' href='#ev-1' style='left:([\d.]+)%;width:([\d.]+)%'", html
    )
    assert span is not None and float(span.group(2)) == 40.0
    assert "<b>2 retries</b>" in html


def test_instants_in_event_text_are_shown_on_the_scenarios_clock() -> None:
    until = "Salesforce starts failing: {kind: outage, until: 2026-03-02T19:00:00+00:00}"
    html = page.render(run(Event(at(0), "step", until)))
    assert "until: 2026-03-02 11:00:00 PST}" in html and "19:00:00+00:00" not in html
