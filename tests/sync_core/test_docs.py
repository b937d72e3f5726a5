"""Every `sync-core` command shown in docs/sync-core.md runs as written against the fake."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from tests.sync_core.cli_harness import Cli, cli_fixture, served_fixture  # noqa: F401

PAGE = Path(__file__).resolve().parents[2] / "docs" / "sync-core.md"
FENCE = re.compile(r"```sh\n(.*?)```", re.S)


def commands() -> list[list[str]]:
    """The page's shell lines that are one `sync-core` command. `init` is left out (the
    harness has made the config already); lines that start a server, export variables or
    change directory set up a machine, not the command."""
    found = []
    for block in FENCE.findall(PAGE.read_text(encoding="utf-8")):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words[:1] == ["sync-core"] and words[1:2] != ["init"]:
                found.append(words[1:])
    return found


def test_the_page_shows_commands_to_run() -> None:
    assert ["settings", "set", "nightly_sync", "true"] in commands()
    assert ["check"] in commands()


def test_every_command_on_the_page_runs_as_written(cli: Cli) -> None:
    for words in commands():
        result = cli(*words)
        assert result.code == 0, (words, result.err)
