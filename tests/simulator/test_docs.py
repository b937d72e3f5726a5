"""docs/scenarios.md and the loader cannot drift apart: same names both ways, and every
example on the page runs as written and holds its expectations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from simulator import schema
from simulator.load import load_text
from simulator.report import text
from simulator.run import run_scenario

PAGE = Path(__file__).resolve().parents[2] / "docs" / "scenarios.md"
MARKER = re.compile(r"<!-- vocabulary: ([\w.]+) -->\n((?:\|.*\n)+)")
FENCE = re.compile(r"```yaml\n(.*?)```", re.S)

# The cast of the page's step examples: refs c1, c2, l1, p1, p2, p3 as the page says.
BASE = """
name: a step example from docs/scenarios.md
clock: {start: 2026-03-02T09:00:00-08:00}
settings: {nightly_sync: true}
salesforce:
  packages: [marketo_sales_insight]
  records:
    - {ref: c1, type: Contact, LastName: Doe, Email: jane@example.com}
    - {ref: c2, type: Contact, LastName: Poe, Email: poe@example.com}
    - {ref: l1, type: Lead, LastName: Roe, Company: Acme, Email: roe@example.com}
marketo_sales:
  people:
    - {ref: p1, email: jane@example.com, salesforce: c1}
    - {ref: p2, email: x@example.com}
    - {ref: p3, email: roe@example.com, salesforce: l1}
steps:
"""


def documented() -> dict[str, set[str]]:
    text = PAGE.read_text(encoding="utf-8")
    found: dict[str, set[str]] = {}
    for name, table in MARKER.findall(text):
        rows = table.strip().splitlines()[2:]  # past the header and its rule
        found[name] = {re.findall(r"`([^`]+)`", row.split("|")[1])[0] for row in rows}
    return found


def examples() -> list[str]:
    return FENCE.findall(PAGE.read_text(encoding="utf-8"))


def test_every_documented_name_is_one_the_loader_accepts_and_the_reverse() -> None:
    page = documented()
    assert set(page) == set(schema.VOCABULARY), "a vocabulary table is missing or unknown"
    for name, keys in schema.VOCABULARY.items():
        assert page[name] == set(keys), f"docs/scenarios.md disagrees with the loader on {name}"


def test_every_step_kind_has_its_own_section_in_the_page() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for kind in schema.STEP_KINDS:
        assert re.search(rf"^### .*\b{kind}\b", text, re.M), f"no section for {kind}"


def runnable(example: str) -> str:
    """A whole scenario as written, or a list of steps played on the page's cast."""
    if isinstance(yaml.safe_load(example), list):
        return BASE + "".join(f"  {line}\n" for line in example.splitlines())
    return example


@pytest.mark.parametrize("example", examples(), ids=lambda e: e.splitlines()[0][:40])
def test_every_yaml_example_in_the_page_runs_as_written(example: str) -> None:
    scenario = load_text(runnable(example), str(PAGE))
    assert scenario.steps
    result = run_scenario(scenario)
    assert result.passed, text.render(result)


def test_the_page_shows_every_step_kind_in_an_example() -> None:
    used = {key for e in examples() for key in re.findall(r"^\s*-?\s*(\w+):", e, re.M)}
    assert set(schema.STEP_KINDS) <= used


def test_the_page_lists_every_scenario_of_the_library() -> None:
    text = PAGE.read_text(encoding="utf-8")
    library = sorted((PAGE.parents[1] / "scenarios").glob("*.yaml"))
    assert library
    for path in library:
        assert f"`scenarios/{path.name}`" in text, path.name
