"""`sync-core init`, `people import|list`, `person show`, `unsubscribe`, `resubscribe`."""

from __future__ import annotations

import tomllib

from sqlalchemy import update

from sync_core.ids import checksum
from sync_core.store import open_store
from sync_core.tables import people
from tests.sync_core.cli_harness import Cli, cli_fixture, served_fixture  # noqa: F401

HEADER = "email,contact_id,lead_id\n"


def test_init_writes_a_commented_config_that_names_secrets_by_environment_variable(
    cli: Cli,
) -> None:
    text = cli.config.read_text()
    parsed = tomllib.loads(text)
    assert parsed["salesforce"]["password_env"] == "SF_PASSWORD"
    assert parsed["settings"]["nightly_at"] == "20:00"
    assert parsed["limits"]["api_headroom"] == 0.10
    assert parsed["batching"]["collection_size"] == 200
    assert text.count("\n# ") > 20
    again = cli("init")
    assert again.code == 2 and "already exists" in again.err and again.err.count("\n") == 1


def test_import_adds_people_then_relinks_changed_ids(cli: Cli) -> None:
    contact = cli.contact("jane@example.com")
    lead = cli.lead("lee@example.com")
    rows = f"{HEADER}Jane@Example.com,{contact},\nlee@example.com,,{lead}\nnoid@example.com,,\n"
    first = cli("people", "import", cli.people_csv(rows), "--json")
    assert first.code == 0, first.err
    assert first.json() == {"added": 3, "relinked": 0, "unchanged": 0, "rows": 3}
    other = cli.contact("lee@example.com")
    second = cli("people", "import", cli.people_csv(f"{HEADER}lee@example.com,{other},\n"))
    assert second.code == 0 and "1 relinked" in second.out
    listed = cli("people", "list", "--json").json()
    assert [(p["email"], p["contact_id"], p["lead_id"]) for p in listed] == [
        ("jane@example.com", contact, None),
        ("lee@example.com", other, lead),
        ("noid@example.com", None, None),
    ]
    without = cli("people", "list", "--no-id", "--json").json()
    assert [p["email"] for p in without] == ["noid@example.com"]


def test_import_reports_every_bad_line_and_imports_nothing(cli: Cli) -> None:
    good = "0031a0000000001AAA"
    bad_checksum = "0031a0000000001AAB"
    rows = (
        f"{HEADER}ok@example.com,{good},\n"
        "not-an-email,,\n"
        f"lead@example.com,,{good}\n"
        f"sum@example.com,{bad_checksum},\n"
        "short@example.com,003123,\n"
        f"ok@example.com,{good},\n"
    )
    result = cli("people", "import", cli.people_csv(rows))
    assert result.code == 2 and result.out == ""
    assert result.err.count("\n") == 1
    for expected in (
        "line 3: email 'not-an-email'",
        "line 4: lead_id '0031a0000000001AAA' is not a Lead Id",
        "line 5: contact_id '0031a0000000001AAB' has a wrong case-safe suffix (expected AAA)",
        "line 6: contact_id '003123' is not a 15- or 18-character",
        "line 7: ok@example.com repeats line 2",
    ):
        assert expected in result.err
    assert cli("people", "list", "--json").json() == []


def test_malformed_csv_and_missing_file_are_one_line_errors(cli: Cli) -> None:
    broken = cli("people", "import", cli.people_csv('email,contact_id,lead_id\n"a@b.co,,\n'))
    assert broken.code == 2 and broken.err.count("\n") == 1
    header = cli("people", "import", cli.people_csv("mail,contact\nx@y.co,\n"))
    assert header.code == 2 and "header must name the columns" in header.err
    missing = cli("people", "import", "nowhere.csv")
    assert missing.code == 2 and "nowhere.csv: nothing imported: file not found" in missing.err
    fields = cli("people", "import", cli.people_csv(f"{HEADER}a@b.co,,,\n"))
    assert "line 2: expected 3 fields, got 4" in fields.err


def test_checksum_matches_salesforce_case_safe_ids() -> None:
    assert checksum("003000000000000") == "AAA"
    assert checksum("0035f00000AbCdE") == "AAV"  # A, C and E set bits 0, 2 and 4: 21
    assert checksum("ABCDEFGHIJKLMNO") == "555"


def test_person_show_prints_state_and_full_trail(cli: Cli) -> None:
    contact = cli.contact("jane@example.com")
    cli("people", "import", cli.people_csv(f"{HEADER}jane@example.com,{contact},\n"))
    assert cli("unsubscribe", "jane@example.com", "--source", "clicked_link").code == 0
    again = cli("unsubscribe", contact, "--source", "manual", "--json")
    assert again.code == 0 and again.json()["changed"] is False
    back = cli("resubscribe", "jane@example.com", "--by", "admin@corp", "--reason", "by phone")
    assert back.code == 0 and "Salesforce is not changed" in back.out
    shown = cli("person", "show", contact[:15], "--json").json()
    assert shown["unsubscribed"] is False
    assert [(h["kind"], h["source"], h["admin"], h["reason"]) for h in shown["history"]] == [
        ("unsubscribe", "clicked_link", None, None),
        ("resubscribe", None, "admin@corp", "by phone"),
    ]
    text = cli("person", "show", "1").out
    assert "person #1 jane@example.com: subscribed" in text
    assert "resubscribe by admin@corp: by phone" in text


def test_unknown_person_and_bad_arguments_exit_with_one_line(cli: Cli) -> None:
    for args in (
        ("person", "show", "nobody@example.com"),
        ("unsubscribe", "nobody@example.com", "--source", "manual"),
        ("resubscribe", "42", "--by", "a", "--reason", "b"),
    ):
        result = cli(*args)
        assert result.code == 2 and "no person" in result.err and result.err.count("\n") == 1
    contact = cli.contact("jane@example.com")
    cli("people", "import", cli.people_csv(f"{HEADER}jane@example.com,{contact},\n"))
    cli("unsubscribe", "jane@example.com", "--source", "bounce")
    blank = cli("resubscribe", "jane@example.com", "--by", " ", "--reason", "x")
    assert blank.code == 2 and "needs the admin" in blank.err
    for args in (
        ("unsubscribe", "jane@example.com", "--source", "salesforce_sync"),
        ("unsubscribe", "jane@example.com"),
        ("people",),
        ("frobnicate",),
        ("runs", "--limit", "0"),
    ):
        result = cli(*args)
        assert result.code == 2 and result.err.count("\n") == 1, args
    assert cli("--help").code == 0


def test_import_stores_the_18_character_form_of_a_15_character_id(cli: Cli) -> None:
    contact = cli.contact("jane@example.com")
    result = cli("people", "import", cli.people_csv(f"{HEADER}jane@example.com,{contact[:15]},\n"))
    assert result.code == 0, result.err
    assert [p["contact_id"] for p in cli("people", "list", "--json").json()] == [contact]


def test_reimporting_the_15_character_form_of_a_link_is_not_a_relink(cli: Cli) -> None:
    contact = cli.contact("jane@example.com")
    cli("people", "import", cli.people_csv(f"{HEADER}jane@example.com,{contact},\n"))
    again = cli("people", "import", cli.people_csv(f"{HEADER}jane@example.com,{contact[:15]},\n"))
    assert again.code == 0, again.err
    assert "0 relinked, 1 unchanged" in again.out


def test_a_15_character_import_lets_the_nightly_run_pull_the_salesforce_opt_out(cli: Cli) -> None:
    contact = cli.contact("jane@example.com", HasOptedOutOfEmail=True)
    cli("people", "import", cli.people_csv(f"{HEADER}jane@example.com,{contact[:15]},\n"))
    assert cli("nightly").code == 0
    shown = cli("person", "show", "jane@example.com", "--json").json()
    assert shown["unsubscribed"] is True
    assert [(h["kind"], h["source"]) for h in shown["history"]] == [
        ("unsubscribe", "salesforce_sync")
    ]


def test_an_id_whose_suffix_does_not_match_is_refused_with_its_line(cli: Cli) -> None:
    contact = cli.contact("jane@example.com")
    wrong = contact[:15] + ("AAB" if contact[15:] != "AAB" else "AAC")
    result = cli("people", "import", cli.people_csv(f"{HEADER}jane@example.com,{wrong},\n"))
    assert result.code == 2 and f"line 2: contact_id '{wrong}' has a wrong case-safe suffix" in (
        result.err
    )
    assert cli("person", "show", wrong).code == 2


def test_person_link_takes_either_form_and_stores_18_characters(cli: Cli) -> None:
    contact, lead = cli.contact("jane@example.com"), cli.lead("jane@example.com")
    cli("people", "import", cli.people_csv(f"{HEADER}jane@example.com,,\n"))
    linked = cli("person", "link", "jane@example.com", "--contact", contact[:15], "--json")
    assert linked.code == 0, linked.err
    assert linked.json()["contact_id"] == contact
    recased = lead[:3] + lead[3:15].swapcase() + lead[15:]  # another record's 15 characters
    both = cli("person", "link", contact[:15], "--lead", recased, "--json")
    assert both.code == 2 and "wrong case-safe suffix" in both.err
    both = cli("person", "link", contact[:15], "--lead", lead[:15] + lead[15:].lower(), "--json")
    assert both.json()["lead_id"] == lead and both.json()["contact_id"] == contact
    assert cli("person", "link", "jane@example.com").code == 2
    wrong_kind = cli("person", "link", "jane@example.com", "--contact", lead)
    assert wrong_kind.code == 2 and "not a Contact Id" in wrong_kind.err


def test_a_15_character_id_stored_before_normalising_is_kept_as_18_on_reimport(cli: Cli) -> None:
    contact = cli.contact("jane@example.com")
    cli("people", "import", cli.people_csv(f"{HEADER}jane@example.com,{contact},\n"))
    store = open_store(f"sqlite:///{cli.home / 'sync-core.db'}")
    with store.engine.begin() as conn:  # as an older version stored a report's Id
        conn.execute(update(people).values(contact_id=contact[:15]))
    store.close()
    again = cli("people", "import", cli.people_csv(f"{HEADER}jane@example.com,{contact},\n"))
    assert "0 relinked, 1 unchanged" in again.out
    assert [p["contact_id"] for p in cli("people", "list", "--json").json()] == [contact]
