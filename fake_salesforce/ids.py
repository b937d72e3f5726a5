"""Salesforce record Ids: minting, the 18-character case-safe suffix, and input normalisation.

The suffix algorithm: split the 15-character Id into three 5-character chunks, set bit i when
character i is upper case, and map 0..31 through A-Z0-5 (developer.salesforce.com, "What are
Salesforce IDs composed of", checked against documented example Ids).
"""

from __future__ import annotations

import functools
import string

SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def checksum(id15: str) -> str:
    """The three-character case-safe suffix of a 15-character Id."""
    return _chunk_letter(id15[0:5]) + _chunk_letter(id15[5:10]) + _chunk_letter(id15[10:15])


@functools.lru_cache(maxsize=1 << 16)  # an org's Ids share most of their chunks
def _chunk_letter(chunk: str) -> str:
    """Bit i set when character i of the 5-character chunk is upper case, mapped to A-Z0-5."""
    return SUFFIX_ALPHABET[_upper_bits(chunk)]


def to18(id15: str) -> str:
    """The 18-character form of a 15-character Id."""
    return id15 + checksum(id15)


def is_id_shaped(value: str) -> bool:
    """True when the value has the length and alphabet of an Id (15 or 18 alphanumerics)."""
    return len(value) in (15, 18) and value.isascii() and value.isalnum()


@functools.lru_cache(maxsize=1 << 16)  # pure, and called several times per request
def normalize(value: str) -> str | None:
    """The canonical 18-character Id for a 15- or 18-character input, or None if malformed.

    A 15-character Id is case-sensitive; an 18-character Id is valid only when its suffix
    matches (compared case-insensitively, as Salesforce does).
    """
    if not is_id_shaped(value):
        return None
    id15 = value[:15]
    if len(value) == 18 and value[15:].upper() != checksum(id15):
        return None
    return to18(id15)


def encode_base62(number: int, width: int) -> str:
    """Zero-padded base-62 digits, as in the body of real Ids."""
    digits = []
    while number:
        number, rem = divmod(number, 62)
        digits.append(_BASE62[rem])
    body = "".join(reversed(digits)) or "0"
    if len(body) > width:
        raise OverflowError(f"{number} does not fit in {width} base-62 digits")
    return body.rjust(width, "0")


_BLOCK = 62 * 62


@functools.lru_cache(maxsize=8)
def _block_tails(middle_bits: int) -> tuple[tuple[str, str], ...]:
    """For each two-digit ending (in counting order), the digits and the suffix letter of the
    last chunk, whose first three characters have upper-case bits `middle_bits`."""
    pairs = [a + b for a in _BASE62 for b in _BASE62]
    return tuple((d, SUFFIX_ALPHABET[middle_bits | _upper_bits(d) << 3]) for d in pairs)


def _upper_bits(text: str) -> int:
    """Bit i set when character i is upper case."""
    return sum(1 << i for i, ch in enumerate(text) if "A" <= ch <= "Z")


class IdMinter:
    """Mints Ids for one org: key prefix + 2-char pod + 10-digit base-62 counter + suffix."""

    def __init__(self, pod: str = "8d") -> None:
        self._pod = pod
        self._counters: dict[str, int] = {}

    def mint(self, key_prefix: str) -> str:
        count = self._counters.get(key_prefix, 0) + 1
        self._counters[key_prefix] = count
        return to18(f"{key_prefix}{self._pod}{encode_base62(count, 10)}")

    def mint_many(self, key_prefix: str, count: int) -> list[str]:
        """The next `count` Ids of `mint(key_prefix)`, in order, built a block of 62 * 62 at a
        time: within a block only the last two digits and the suffix's last letter change."""
        start = self._counters.get(key_prefix, 0)
        head = f"{key_prefix}{self._pod}"
        if len(head) != 5:  # the suffix's chunks would not fall as below
            return [self.mint(key_prefix) for _ in range(count)]
        self._counters[key_prefix] = start + count
        minted: list[str] = []
        number, stop = start + 1, start + count + 1
        while number < stop:
            upper, low = divmod(number, _BLOCK)
            end = min(stop, (upper + 1) * _BLOCK)
            stem = head + encode_base62(upper, 8)  # all of the 15 characters but the last two
            letters = _chunk_letter(stem[:5]) + _chunk_letter(stem[5:10])
            tails = _block_tails(_upper_bits(stem[10:13]))[low : low + end - number]
            minted += [f"{stem}{digits}{letters}{last}" for digits, last in tails]
            number = end
        return minted

    def state(self) -> dict[str, int]:
        return dict(self._counters)

    def restore(self, counters: dict[str, int]) -> None:
        self._counters = dict(counters)
