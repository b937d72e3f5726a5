"""Generated records are reproducible from the seed, unique by email, opted out in proportion."""

from __future__ import annotations

from simulator.generate import records


def test_the_same_seed_makes_the_same_records_and_another_seed_others() -> None:
    assert list(records("Contact", 50, 0.1, seed=7)) == list(records("Contact", 50, 0.1, seed=7))
    assert list(records("Contact", 50, 0.1, seed=7)) != list(records("Contact", 50, 0.1, seed=8))


def test_emails_are_unique_and_the_opted_out_share_is_close_to_asked() -> None:
    made = list(records("Lead", 5000, 0.1, seed=3))
    assert len({r["Email"] for r in made}) == 5000
    assert all(r["Company"] for r in made)
    share = sum(r["HasOptedOutOfEmail"] for r in made) / len(made)
    assert 0.08 < share < 0.12
