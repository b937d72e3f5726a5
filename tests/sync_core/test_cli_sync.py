"""`check`, `push`, `nightly [--dry-run]`, `settings`, `runs`, `diagnostics` against the fake."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.sync_core.cli_harness import Cli, cli_fixture, served_fixture  # noqa: F401

HEADER = "email,contact_id,lead_id\n"
MSO = "mkto_si__Marketo_Sales_Opt_Out__c"


def _people(cli: Cli, *rows: tuple[str, str, str]) -> None:
    text = HEADER + "".join(f"{email},{contact},{lead}\n" for email, contact, lead in rows)
    assert cli("people", "import", cli.people_csv(text)).code == 0


def test_check_reports_org_usage_fields_and_people_without_ids(cli: Cli) -> None:
    _people(cli, ("jane@example.com", cli.contact("jane@example.com"), ""), ("x@y.co", "", ""))
    result = cli("check", "--json")
    assert result.code == 0, result.err
    report = result.json()
    assert report["ready"] is True and report["problems"] == []
    assert report["org"]["org_id"] == cli.fake.org.org_id[:15]
    assert report["api_usage"]["allocation"] == 15000 and report["api_usage"]["used"] > 0
    assert report["without_salesforce_id"] == 1 and report["people"] == 2
    fields = {(f["sobject"], f["field"]): f for f in report["fields"]}
    assert fields[("Lead", "HasOptedOutOfEmail")] == {
        "sobject": "Lead",
        "field": "HasOptedOutOfEmail",
        "selected": True,
        "exists": True,
        "updateable": True,
    }
    assert "ready: the nightly sync can run" in cli("check").out


def test_check_fails_when_a_selected_field_is_missing_or_the_sync_is_off(cli: Cli) -> None:
    cli.fake.org.uninstall_package("marketo_sales_insight")
    cli.edit(sync_fields='["email_opt_out", "marketo_sales_opt_out"]', nightly_sync="false")
    result = cli("check", "--json")
    assert result.code == 1
    problems = result.json()["problems"]
    assert f"Contact.{MSO} does not exist (is the package installed?)" in problems
    assert f"Lead.{MSO} does not exist (is the package installed?)" in problems
    assert any("nightly sync is off" in p for p in problems)


def test_unsubscribe_then_push_sets_the_opt_out_on_the_contact(cli: Cli) -> None:
    contact = cli.contact("jane@example.com")
    _people(cli, ("jane@example.com", contact, ""))
    cli("unsubscribe", "jane@example.com", "--source", "clicked_link")
    pushed = cli("push", "--json")
    assert pushed.code == 0, pushed.out + pushed.err
    assert pushed.json()["delivered"] == 1 and pushed.json()["pending"] == 0
    assert cli.value("Contact", contact) is True
    assert cli("push", "--json").json()["delivered"] == 0
    runs = cli("runs", "--kind", "push", "--json").json()
    assert runs[-1]["counts"]["delivered"] == 1


def test_dry_run_prints_every_change_and_its_cost_and_writes_nothing(cli: Cli) -> None:
    cli.edit(sync_fields='["email_opt_out", "marketo_sales_opt_out"]')
    opted = cli.contact("sf@example.com", HasOptedOutOfEmail=True)
    local = cli.lead("local@example.com")
    _people(cli, ("sf@example.com", opted, ""), ("local@example.com", "", local))
    cli("unsubscribe", "local@example.com", "--source", "manual")
    result = cli("nightly", "--dry-run", "--json")
    assert result.code == 0, result.err
    plan = result.json()
    writes = {w["record_id"]: (w["sobject"], w["fields"]) for w in plan["salesforce_writes"]}
    assert writes == {
        opted: ("Contact", ["marketo_sales_opt_out"]),
        local: ("Lead", ["email_opt_out", "marketo_sales_opt_out"]),
    }
    assert plan["local_unsubscribes"] == [{"email": "sf@example.com", "record_id": opted}]
    assert plan["read_calls"] >= 2 and plan["estimated_write_calls"] == 1
    assert cli.value("Lead", local) is False and cli.value("Contact", opted, MSO) is False
    shown = cli("person", "show", "sf@example.com", "--json").json()
    assert shown["unsubscribed"] is False
    assert cli("runs", "--kind", "nightly", "--json").json() == []
    text = cli("nightly", "--dry-run").out
    assert "dry run: nothing was written" in text
    assert f"would set email_opt_out, marketo_sales_opt_out true on Lead {local}" in text


def test_nightly_run_applies_the_union_and_is_recorded(cli: Cli) -> None:
    opted = cli.contact("sf@example.com", HasOptedOutOfEmail=True)
    _people(cli, ("sf@example.com", opted, ""), ("noid@example.com", "", ""))
    result = cli("nightly", "--json")
    assert result.code == 0, result.out + result.err
    assert result.json()["unsubscribed"] == 1
    assert cli("person", "show", "sf@example.com", "--json").json()["unsubscribed"] is True
    runs = cli("runs", "--json").json()
    assert [r["kind"] for r in runs] == ["nightly"]
    assert runs[0]["status"] == "done" and runs[0]["duration_seconds"] > 0
    assert runs[0]["finished_at"] > runs[0]["started_at"]
    assert f"({runs[0]['duration_seconds']:.1f} s)" in cli("runs").out
    assert "NO_SALESFORCE_ID" in cli("diagnostics").out


def test_nightly_with_the_sync_off_says_so_and_fails(cli: Cli) -> None:
    cli.edit(nightly_sync="false")
    result = cli("nightly")
    assert result.code == 1 and "stopped: NIGHTLY_OFF" in result.out


def test_settings_set_changes_the_store_and_the_pinned_config_line(cli: Cli) -> None:
    changed = cli("settings", "set", "nightly_at", "21:30")
    assert changed.code == 0, changed.err
    assert 'nightly_at = "21:30"' in cli.config.read_text()
    fields = cli("settings", "set", "sync_fields", "email_opt_out,marketo_sales_opt_out")
    assert fields.code == 0
    assert cli("settings", "set", "full_reconcile_days", "3").code == 0
    shown = cli("settings", "show", "--json").json()
    assert shown["settings"]["nightly_at"] == "21:30"
    assert shown["settings"]["full_reconcile_days"] == 3
    assert shown["settings"]["sync_fields"] == ["email_opt_out", "marketo_sales_opt_out"]
    assert "full_reconcile_days" not in shown["pinned_in_config"]
    for args, message in (
        (("nightly_at", "25:00"), "nightly_at must be HH:MM"),
        (("bogus", "1"), "unknown setting 'bogus'"),
        (("nightly_sync", "maybe"), "takes true or false"),
        (("collection_size", "500"), "collection_size must be between 1 and 200"),
        (("sync_fields", "everything"), "sync_fields takes a comma list"),
        (("timezone", "Mars/Olympus"), "unknown time zone"),
    ):
        result = cli("settings", "set", *args)
        assert result.code == 2 and message in result.err, (args, result.err)
        assert result.err.count("\n") == 1


def test_diagnostics_lists_parked_pushes_and_retry_requeues_them(cli: Cli) -> None:
    _people(cli, ("noid@example.com", "", ""))
    cli("unsubscribe", "noid@example.com", "--source", "bulk")
    pushed = cli("push", "--json")
    assert pushed.code == 1 and pushed.json()["parked"] == 1
    report = cli("diagnostics", "--json").json()
    assert [(p["email"], p["code"]) for p in report["parked"]] == [
        ("noid@example.com", "NO_SALESFORCE_ID")
    ]
    (parked,) = report["parked"]
    waits = datetime.fromisoformat(parked["next_try"]) - datetime.fromisoformat(parked["since"])
    assert timedelta(minutes=59) < waits <= timedelta(hours=1, minutes=1)  # the slow schedule
    assert "noid@example.com NO_SALESFORCE_ID" in cli("diagnostics").out
    assert "(next try " in cli("diagnostics").out
    retried = cli("diagnostics", "retry", "noid@example.com", "--json")
    assert retried.json() == {"requeued": 1}
    assert cli("diagnostics", "--json").json()["parked"] == []


def test_push_counts_and_exit_codes_tell_one_story_across_runs(cli: Cli) -> None:
    contact = cli.contact("jane@example.com")
    _people(cli, ("jane@example.com", contact, ""), ("noid@example.com", "", ""))
    cli("unsubscribe", "jane@example.com", "--source", "manual")
    cli("unsubscribe", "noid@example.com", "--source", "manual")
    cli.fake.org.faults.add({"kind": "outage", "until": "+1h"}, cli.fake.org.clock.now())
    first = cli("push")
    assert first.code == 1 and "2 still pending, 1 of them parked" in first.out
    again = cli("push", "--json")  # nothing is due: the retry waits, the other stays parked
    assert again.code == 1
    assert (again.json()["delivered"], again.json()["pending"]) == (0, 2)
    assert again.json()["parked_pending"] == 1
    cli.fake.org.faults.clear()
    cli("person", "link", "noid@example.com", "--contact", cli.contact("noid@example.com"))
    linked = cli("push", "--json")  # the relinked one goes; the other still waits its backoff
    assert linked.code == 1 and linked.json()["delivered"] == 1
    assert (linked.json()["pending"], linked.json()["parked_pending"]) == (1, 0)
