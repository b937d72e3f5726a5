"""Every scenario in scenarios/ runs against the real sync core and the fake org, and passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator import schema
from simulator.load import load
from simulator.model import Fault
from simulator.report import text
from simulator.run import run_scenario

LIBRARY = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", LIBRARY, ids=[p.stem for p in LIBRARY])
def test_library_scenario_holds_every_expectation(path: Path) -> None:
    result = run_scenario(load(path))
    assert result.expectations, "a library scenario proves its story with expectations"
    assert result.passed, text.render(result)


def test_the_library_covers_every_rule_and_edge_case() -> None:
    names = {p.stem for p in LIBRARY}
    assert {
        "default", "push_email_opt_out", "push_marketo_sales_opt_out", "push_both_fields",
        "push_with_nightly_sync_off", "nightly_union_marketo_sales_to_salesforce",
        "nightly_union_salesforce_to_marketo_sales", "resubscribe_marketo_sales_only",
        "resubscribe_salesforce_only", "resubscribe_both_before_run",
        "resubscribe_both_one_after_run", "person_without_salesforce_id",
        "package_missing_then_installed", "read_only_field", "converted_lead",
        "deleted_and_undeleted", "outage_during_push_burst", "outage_during_nightly_run",
        "lock_errors", "api_limit_running_out", "session_expiry", "settings_changed_mid_day",
        "dst_spring_forward", "dst_fall_back", "nightly_time_0800_versus_2000",
        "year_of_nights_50000_records", "sync_now_after_fixing_salesforce",
        "converted_lead_read_by_nightly", "push_mixing_contacts_and_leads", "dropped_connections",
        "fifteen_character_ids",
        "parked_push_retried_hourly", "resubscribe_during_outage", "headroom_known_from_pushes",
        "service_schedule_and_catch_up",
    } <= names  # fmt: skip


def test_the_library_uses_every_step_kind_and_every_fault_kind() -> None:
    scenarios = [load(path) for path in LIBRARY]
    kinds = {step.kind for s in scenarios for step in s.steps}
    faults = {step.action.kind for s in scenarios for step in s.steps
              if isinstance(step.action, Fault)}  # fmt: skip
    assert kinds == set(schema.STEP_KINDS)
    assert faults == set(schema.FAULT_KINDS)
