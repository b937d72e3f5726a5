"""How the console shows values: times in the org's zone to the second, Ids, booleans, bodies."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fake_salesforce.org import Org
from fake_salesforce.schema import FieldSpec

LAYOUT_FIRST = ("Name", "Email", "HasOptedOutOfEmail", "mkto_si__Marketo_Sales_Opt_Out__c")


def local_time(org: Org, when: datetime | None) -> str:
    """`2026-12-06 04:50:03 PST`: the org's time zone (Company Information), to the second."""
    if when is None:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    here = when.astimezone(ZoneInfo(org.timezone))
    return here.strftime("%Y-%m-%d %H:%M:%S %Z")


def shown(org: Org, spec: FieldSpec, value: Any) -> str:
    """A field value as the record page prints it (`—` for blank)."""
    if value is None or value == "":
        return "—"
    if spec.type == "boolean":
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return local_time(org, value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def form_value(value: Any) -> str:
    """A field value as an edit box holds it."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def pretty_body(data: bytes, content_type: str) -> str:
    """A body as text: JSON indented, anything else decoded as it came."""
    text = data.decode("utf-8", errors="replace")
    if "json" in content_type or text[:1] in ("{", "["):
        try:
            return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        except ValueError:
            return text
    return text


def layout(fields: tuple[FieldSpec, ...]) -> list[FieldSpec]:
    """The record page's field order: the person's name, email and opt-outs first, then the
    rest in describe order (the Id and system fields last)."""
    first = [f for name in LAYOUT_FIRST for f in fields if f.name == name]
    system = [f for f in fields if f.name == "Id" or f.name.endswith(("Date", "Modstamp", "ById"))]
    rest = [f for f in fields if f not in first and f not in system and f.name != "IsDeleted"]
    return [*first, *rest, *system]
