"""The step table is the one list of step kinds: the loader, the runner and the docs follow it."""

from __future__ import annotations

import pytest

from simulator import schema
from simulator.actions import Actions
from simulator.load import load_text
from simulator.model import Action
from simulator.problems import InvalidScenario

HEAD = "name: t\nclock: {start: 2026-03-02T09:00:00Z}\n"


@pytest.mark.parametrize("kind", list(schema.STEPS))
def test_every_kind_of_the_table_has_a_reader(kind: str) -> None:
    from simulator.steps import StepReader

    assert callable(getattr(StepReader, f"read_{kind}", None)), f"no StepReader.read_{kind}"


def test_every_action_but_expect_has_a_performer() -> None:
    performers = set(Actions.__dict__["act"].dispatcher.registry) - {object, Action}
    kinds = {cls.__name__ for cls in Action.__subclasses__()}
    assert {cls.__name__ for cls in performers} == kinds - {"Expect"}


def test_a_required_argument_of_the_table_is_reported_when_missing() -> None:
    with pytest.raises(InvalidScenario) as raised:
        load_text(HEAD + "steps:\n  - restart_service: {}\n")
    assert any('"down_for"' in str(p) for p in raised.value.problems)


def test_an_argument_outside_the_table_is_reported() -> None:
    text = HEAD + "steps:\n  - salesforce_delete: {record: x, ref: y}\n"
    with pytest.raises(InvalidScenario) as raised:
        load_text(text)
    assert any("ref" in str(p) for p in raised.value.problems)
