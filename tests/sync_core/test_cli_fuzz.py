"""Seeded random command lines and import files against `sync-core`: every answer is an exit
code of the documented four and, when it is not 0, one line on stderr; never a traceback."""

from __future__ import annotations

import random

from tests.sync_core.cli_harness import Cli, cli_fixture, served_fixture  # noqa: F401

COMMANDS = [
    ["check"], ["people", "list"], ["people", "import"], ["person", "show"], ["person", "link"],
    ["unsubscribe"], ["resubscribe"], ["push"], ["nightly"], ["nightly", "--dry-run"],
    ["settings", "show"], ["settings", "set"], ["diagnostics"], ["diagnostics", "retry"],
    ["runs"], ["link"], ["admin", "add"], ["admin", "list"], ["admin", "remove"],
]  # fmt: skip
WORDS = ["jane@example.com", "p1", "1", "0", "-1", "99999999999999999999", "", " ", "--json",
         "--full", "--reason", "--by", "nightly_sync", "true", "maybe", "nightly_at", "25:00",
         "timezone", "Mars/Olympus", "sync_fields", "email_opt_out,nope", "0031a0000000001AAA",
         "0031a0000000001", "003ZZZ", "00Q1a0000000001EAA", "--contact", "--lead", "é", "\x7f",
         "clicked_link", "salesforce_sync", "--source", "bounce", "x" * 300]  # fmt: skip
CSV_CELLS = ["email", "contact_id", "lead_id", "unsubscribed", "source", "jane@example.com",
             "not-an-email", "0031a0000000001AAA", "0031a0000000001", "00Q1a0000000001EAA",
             "003", "true", "false", "yes", "", '"', '""', "a,b", "\x00", "é", "manual",
             "salesforce_sync", "\ufeffemail"]  # fmt: skip


def _csv(rng: random.Random) -> str:
    rows = []
    for _ in range(rng.randint(0, 6)):
        rows.append(",".join(rng.choice(CSV_CELLS) for _ in range(rng.randint(0, 6))))
    if rng.random() < 0.7:
        rows.insert(0, "email,contact_id,lead_id,unsubscribed,source")
    return "\n".join(rows) + rng.choice(["", "\n", "\r\n"])


def test_random_command_lines_and_import_files_answer_with_an_exit_code_and_one_line(
    cli: Cli,
) -> None:
    rng = random.Random(20261206)
    assert cli("people", "import", cli.people_csv("email\njane@example.com\n")).code == 0
    for case in range(150):
        args = [*rng.choice(COMMANDS), *(rng.choice(WORDS) for _ in range(rng.randint(0, 4)))]
        if args[:2] == ["people", "import"] and rng.random() < 0.8:
            args.insert(2, cli.people_csv(_csv(rng), f"fuzz{case}.csv"))
        if rng.random() < 0.2:
            args.insert(0, "--json")
        result = cli(*args)
        assert result.code in (0, 1, 2, 3), (args, result.code, result.err)
        assert "Traceback" not in result.err + result.out, args
        if result.code != 0:
            lines = result.err.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("sync-core"), (args, lines)
