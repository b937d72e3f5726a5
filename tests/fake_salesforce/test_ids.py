"""Id minting and the 18-character case-safe suffix (checked against documented example Ids)."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fake_salesforce import ids

ALNUM = string.ascii_letters + string.digits
id15s = st.text(alphabet=ALNUM, min_size=15, max_size=15)


@pytest.mark.parametrize(
    ("id15", "suffix"),
    [("003e0000003GuNX", "AA0"), ("001D000000IqhSL", "IAZ"), ("a00D0000008pQR5", "IAM")],
)
def test_checksum_matches_salesforce_documented_examples(id15: str, suffix: str) -> None:
    assert ids.checksum(id15) == suffix
    assert ids.to18(id15) == id15 + suffix


def test_all_upper_case_chunk_maps_to_the_last_suffix_letter() -> None:
    assert ids.checksum("ABCDEabcde12345") == "5AA"


def test_fifteen_character_id_normalises_to_its_eighteen_character_form() -> None:
    assert ids.normalize("003e0000003GuNX") == "003e0000003GuNXAA0"


def test_eighteen_character_suffix_is_compared_case_insensitively() -> None:
    assert ids.normalize("001D000000IqhSLiaz") == "001D000000IqhSLIAZ"


@pytest.mark.parametrize(
    "value",
    ["001D000000IqhSLIAA", "001D000000IqhS", "001D000000IqhSL-AZ", "", "x" * 17, "x" * 19],
)
def test_wrong_suffix_or_shape_is_not_an_id(value: str) -> None:
    assert ids.normalize(value) is None


@given(id15s)
def test_every_eighteen_character_form_round_trips(id15: str) -> None:
    full = ids.to18(id15)
    assert ids.normalize(full) == full
    if id15.lower() != id15:  # the suffix records where the capitals are
        assert ids.normalize(id15.lower() + full[15:]) is None


@given(id15s, st.integers(min_value=0, max_value=14))
def test_ids_differing_only_in_case_differ_case_insensitively(id15: str, at: int) -> None:
    ch = id15[at]
    if not ch.isalpha():
        return
    other = id15[:at] + ch.swapcase() + id15[at + 1 :]
    assert ids.to18(id15).lower() != ids.to18(other).lower()


def test_minted_ids_carry_the_key_prefix_and_a_valid_suffix() -> None:
    minter = ids.IdMinter("1a")
    contact, lead, contact2 = minter.mint("003"), minter.mint("00Q"), minter.mint("003")
    assert (contact[:3], lead[:3]) == ("003", "00Q")
    assert contact[3:5] == "1a"
    assert all(len(i) == 18 and ids.normalize(i) == i for i in (contact, lead, contact2))
    assert contact != contact2 and contact2 > contact


def test_minter_restores_its_counters_and_never_reissues_an_id() -> None:
    first = ids.IdMinter()
    minted = {first.mint("003") for _ in range(100)}
    second = ids.IdMinter()
    second.restore(first.state())
    assert second.mint("003") not in minted


def test_base62_body_overflow_is_an_error() -> None:
    assert ids.encode_base62(61, 2) == "0z"
    with pytest.raises(OverflowError):
        ids.encode_base62(62**3, 2)


def test_ten_thousand_minted_ids_are_distinct_and_case_safe() -> None:
    minter = ids.IdMinter()
    minted = [minter.mint("003") for _ in range(10_000)]
    assert len({m.lower() for m in minted}) == len(minted)
