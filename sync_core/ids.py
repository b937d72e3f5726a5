"""Salesforce record Ids as people give them: 15 or 18 characters in, 18 characters stored.

docs/behaviour.md 3.4: a report export's 15-character Id and the API's 18-character Id name the
same record. The 18-character form appends a case-safe suffix: split the 15 characters into
three chunks of five, set bit i when character i is an upper-case letter, and map each 0..31
through A-Z0-5 (developer.salesforce.com, "What are Salesforce IDs composed of"). The suffix is
compared case-insensitively, as Salesforce does; an Id whose suffix does not match is refused.
"""

from __future__ import annotations

SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
KEY_PREFIXES = {"Contact": "003", "Lead": "00Q"}


class BadId(ValueError):
    """A value that is not a Salesforce Id (of the object asked for); the message says why."""


def checksum(id15: str) -> str:
    """The three-character case-safe suffix of a 15-character Id."""
    suffix = ""
    for start in (0, 5, 10):
        chunk = id15[start : start + 5]
        bits = sum(1 << i for i, char in enumerate(chunk) if "A" <= char <= "Z")
        suffix += SUFFIX_ALPHABET[bits]
    return suffix


def is_id_shaped(value: str) -> bool:
    """15 or 18 ASCII letters and digits: what a user might mean as an Id."""
    return len(value) in (15, 18) and value.isascii() and value.isalnum()


def to18(value: str, sobject: str | None = None) -> str:
    """The 18-character form of a 15- or 18-character Id; BadId when it is none.

    With `sobject` ("Contact" or "Lead") the Id must carry that object's key prefix.
    """
    value = value.strip()
    if not is_id_shaped(value):
        noun = f"{sobject} Id" if sobject else "Salesforce Id"
        raise BadId(f"{value!r} is not a 15- or 18-character {noun}")
    prefix = KEY_PREFIXES.get(sobject or "")
    if prefix is not None and not value.startswith(prefix):
        raise BadId(f"{value!r} is not a {sobject} Id (those start with {prefix})")
    expected = checksum(value[:15])
    if len(value) == 18 and value[15:].upper() != expected:
        raise BadId(f"{value!r} has a wrong case-safe suffix (expected {expected})")
    return value[:15] + expected


def to18_or_none(value: str | None, sobject: str | None = None) -> str | None:
    """`to18` for an optional Id: None and blank stay None."""
    if value is None or not value.strip():
        return None
    return to18(value, sobject)
