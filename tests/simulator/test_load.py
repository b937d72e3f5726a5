"""The loader: a valid file becomes a frozen scenario; every problem is found before any run."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, time

import pytest

from simulator.load import load_text
from simulator.model import Source, SyncField, TimeKind, Unsubscribe
from simulator.problems import InvalidScenario

VALID = """
name: ok
clock: {start: 2026-03-02T09:00:00-08:00}
settings: {nightly_sync: true, sync_fields: [marketo_sales_opt_out], nightly_at: "08:00"}
salesforce:
  packages: [marketo_sales_insight]
  records: [{ref: c1, type: Contact, LastName: Doe, mkto_si__Marketo_Sales_Opt_Out__c: true}]
marketo_sales:
  people: [{ref: p1, email: jane@example.com, salesforce: c1}]
steps:
  - at: +90s
    unsubscribe: {person: p1, source: clicked_link}
  - at: next_nightly
    expect: {salesforce: {c1: {HasOptedOutOfEmail: true}}}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(InvalidScenario) as caught:
        load_text(text, "s.yaml")
    return [f"{p.line}: {p.message}" for p in caught.value.problems]


def test_a_valid_file_becomes_a_frozen_scenario_with_refs_still_by_name() -> None:
    scenario = load_text(VALID, "s.yaml")
    assert scenario.start == datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    assert scenario.settings.sync_fields == {SyncField.MARKETO_SALES_OPT_OUT}
    assert scenario.settings.nightly_at == time(8, 0)
    assert scenario.steps[0].action == Unsubscribe("p1", Source.CLICKED_LINK)
    assert scenario.steps[0].at is not None and scenario.steps[0].at.kind is TimeKind.RELATIVE
    assert scenario.steps[1].line == 13
    with pytest.raises(dataclasses.FrozenInstanceError):
        scenario.name = "changed"  # type: ignore[misc]


def test_every_problem_in_a_file_is_reported_in_one_run_in_line_order() -> None:
    text = VALID.replace("nightly_sync:", "nightly_synk:").replace("person: p1", "person: p9")
    found = problems(text)
    assert found == [
        '4: unknown key "nightly_synk" in settings (did you mean "nightly_sync"?)',
        '12: unknown person "p9"',
    ]


def test_a_package_field_on_a_record_needs_the_package_installed() -> None:
    found = problems(VALID.replace("packages: [marketo_sales_insight]", "packages: []"))
    assert any("exists only once the package" in p for p in found)


def test_a_package_installed_by_a_step_makes_its_field_usable_afterwards_only() -> None:
    text = VALID.replace("packages: [marketo_sales_insight]", "packages: []").replace(
        ", mkto_si__Marketo_Sales_Opt_Out__c: true", ""
    )
    steps = """
  - salesforce_update: {record: c1, fields: {mkto_si__Marketo_Sales_Opt_Out__c: true}}
  - install_package: marketo_sales_insight
  - salesforce_update: {record: c1, fields: {mkto_si__Marketo_Sales_Opt_Out__c: true}}
"""
    found = problems(text + steps)
    assert len(found) == 1 and found[0].startswith("16: ")


def test_a_record_created_by_a_step_can_be_used_after_it_but_not_before() -> None:
    steps = """
  - link: {person: p1, salesforce: c9}
  - salesforce_create: {ref: c9, type: Contact, fields: {LastName: Nine}}
  - link: {person: p1, salesforce: c9}
"""
    assert problems(VALID + steps) == ['16: unknown record "c9"']


def test_next_nightly_is_placed_by_the_settings_so_a_later_earlier_time_is_caught() -> None:
    steps = """
  - at: 2026-03-03T07:59:00-08:00
    run_nightly: true
"""
    found = problems(VALID + steps)
    assert found == [
        "16: time goes backwards: 2026-03-03T07:59:00-08:00 is before the clock's "
        "2026-03-03T08:00:00-08:00 (set at line 13); the clock never moves back"
    ]


def test_a_duplicate_key_is_reported_with_its_line() -> None:
    found = problems(VALID.replace("name: ok\n", "name: ok\nname: again\n"))
    assert found == ['3: key "name" appears twice in the scenario']


def test_an_empty_file_is_reported_not_crashed_on() -> None:
    assert problems("") == ["1: the file is empty: a scenario needs name, clock and steps"]


def test_times_past_a_hundred_years_are_refused_with_their_line_never_overflowing() -> None:
    text = """
name: far
clock: {start: 2026-03-02T09:00:00-08:00}
steps:
  - at: +99999999999999999999d
    run_nightly: true
  - at: +20000d
    run_nightly: true
  - at: +20000d
    run_nightly: true
  - at: 9999-12-31T23:00:00Z
    run_nightly: true
  - restart_service: {down_for: 999999999999d}
  - fault: {kind: outage, until: +40000d}
"""
    found = problems(text)
    assert (
        found[0]
        == '5: at: "+99999999999999999999d" is too long: a scenario spans at most 100 years'
    )
    assert found[1].startswith("9: +20000d is more than 100 years after the clock's start")
    assert found[2].startswith("11: 9999-12-31T23:00:00Z is more than 100 years after")
    limit = "is too long: a scenario spans at most 100 years"
    assert found[3:] == [
        f'13: restart_service.down_for: "999999999999d" {limit}',
        f'14: fault.until: "+40000d" {limit}',
    ]
