"""Promises of docs/behaviour.md the engine does not keep yet, each with the fix it waits for.

A name here switches off the one check (or the one kind of step) that would fail for that
known reason, and nothing else; the name goes when the fix lands.
"""

from __future__ import annotations

AWAITING: frozenset[str] = frozenset(
    {
        # 4: a parked push is tried again on the slow (hourly) schedule.
        "slow_retry",
        # 4: a resubscribe cancels pushes not yet delivered.
        "resubscribe_cancels_push",
        # 8: the headroom check comes before a run's first call too.
        "headroom_before_first_call",
    }
)


def waits_for(name: str) -> bool:
    """True while the promise `name` is still awaiting its fix."""
    return name in AWAITING
