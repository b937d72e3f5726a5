"""Promises of docs/behaviour.md the engine does not keep yet, each with the fix it waits for.

A name here switches off the one check (or the one kind of step) that would fail for that
known reason, and nothing else; the name goes when the fix lands.
"""

from __future__ import annotations

AWAITING: frozenset[str] = frozenset({})


def waits_for(name: str) -> bool:
    """True while the promise `name` is still awaiting its fix."""
    return name in AWAITING
