"""Rules a write meets that look beyond its own values: unique fields and auto-numbers (what a
delete does to related records is fake_salesforce.delete_rules).

A unique (or unique external Id) field refuses a value another record holds, case-insensitively
unless the field is case-sensitive: DUPLICATE_VALUE, "duplicate value found: <field>
duplicates value on record with id: <Id>" (SOAP API Developer Guide, StatusCode). Auto-number
fields take the next number of their display format on create, `{0000}` zero-padded, with the
`{YYYY}`, `{YY}`, `{MM}` and `{DD}` of the org's date (Help, "Custom Field Types": Auto Number).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from fake_salesforce.errors import ApiError
from fake_salesforce.schema import ObjectSpec

if TYPE_CHECKING:
    from fake_salesforce.org import Org

_TOKEN = re.compile(r"\{(0+|YYYY|YY|MM|DD)\}")


def check_unique(org: Org, spec: ObjectSpec, values: dict[str, Any], own: str | None) -> None:
    """DUPLICATE_VALUE when a unique field's new value is another live record's."""
    table = org.tables[spec.name]
    for name, value in values.items():
        f = spec.field(name)
        if f is None or not f.unique or f.name == "Id" or value is None:
            continue
        holders = (table.lookup(f.name, [value]) or set()) - {own}
        live = sorted(r for r in holders if not table.value(table.rows[r], "IsDeleted"))
        if live:
            raise ApiError(
                400,
                "DUPLICATE_VALUE",
                f"duplicate value found: {f.name} duplicates value on record with id: {live[0]}",
                [],
            )


def auto_numbers(org: Org, spec: ObjectSpec, now: datetime) -> dict[str, str]:
    """The next display value of each auto-number field of `spec` (dates in the org's zone)."""
    out: dict[str, str] = {}
    now = now.astimezone(ZoneInfo(org.timezone))
    for f in spec.fields:
        if f.auto_number is None:
            continue
        key = (spec.name, f.name)
        number = org.auto_numbers.get(key, 0) + 1
        org.auto_numbers[key] = number
        out[f.name] = display(f.auto_number, number, now)
    return out


def display(fmt: str, number: int, now: datetime) -> str:
    """`W-{0000}` with 7 -> `W-0007`; date tokens from `now`."""

    def token(match: re.Match[str]) -> str:
        word = match.group(1)
        if word.startswith("0"):
            return str(number).rjust(len(word), "0")
        return {"YYYY": f"{now.year:04d}", "YY": f"{now.year % 100:02d}"}.get(
            word, f"{now.month:02d}" if word == "MM" else f"{now.day:02d}"
        )

    return _TOKEN.sub(token, fmt)
