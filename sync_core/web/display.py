"""How the pages show values: times in the admin's zone to the second, durations, record links."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app

# What fixes each diagnostic code (docs/behaviour.md sections 3, 7 and 8), shown beside it.
FIXES = {
    "NO_SALESFORCE_ID": "Give the person a Contact or Lead Id (people import, or relink); "
    "the push waiting for it then goes out.",
    "INVALID_FIELD": "A selected field is missing on Contact or Lead: install the Marketo "
    "Sales Insight package, or choose only Email Opt Out in Settings.",
    "INVALID_FIELD_FOR_INSERT_UPDATE": "The integration user cannot edit the field: grant "
    "Edit in field-level security for its profile or permission set, then press Retry.",
    "INSUFFICIENT_ACCESS_OR_READONLY": "The integration user cannot edit the record: check "
    "its sharing and object permissions, then press Retry.",
    "FIELD_CUSTOM_VALIDATION_EXCEPTION": "A validation rule in the org refuses the write: "
    "exempt the integration user or fix the record, then press Retry.",
    "ENTITY_IS_LOCKED": "The record is locked by an approval process: unlock it in "
    "Salesforce, then press Retry.",
    "ENTITY_IS_DELETED": "The record was deleted or merged: undelete it, or relink the person "
    "to the surviving record.",
    "LINK_BROKEN": "The linked record is gone: relink the person (sync-core people import) "
    "or undelete the record in Salesforce.",
    "MISSING_FIELD": "A selected field does not exist on Contact or Lead: install the package "
    "or deselect the field in Settings.",
    "READ_ONLY_FIELD": "The integration user cannot edit a selected field: grant Edit in "
    "field-level security, then run sync-core check.",
    "NIGHTLY_OFF": "Turn the nightly sync on in Settings.",
    "NOT_FOUND": "The record no longer exists: relink the person to the right record.",
    "CANNOT_UPDATE_CONVERTED_LEAD": "The Lead was converted; the engine follows it to the "
    "Contact and relinks the person. Nothing to do.",
    "LEAD_CONVERTED": "The person now syncs through the converted Contact. Nothing to do.",
    "UNABLE_TO_LOCK_ROW": "Another process held the record; the engine retries by itself.",
    "REQUEST_LIMIT_EXCEEDED": "The org's API allocation is used up for now; the engine "
    "retries with backoff. Raise the allocation or lower other integrations' use.",
    "SERVER_UNAVAILABLE": "Salesforce was unavailable; the engine retries by itself.",
    "API_HEADROOM": "The nightly run stopped to leave API headroom for other integrations; "
    "it continues at the next run.",
}


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.extensions["sync"].settings().timezone)


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M:%S %Z") -> str:
    """An aware time in the admin's zone (the settings' zone), to the second."""
    if value is None:
        return "—"
    return value.astimezone(zone()).strftime(fmt)


def duration(start: datetime, end: datetime | None) -> str:
    if end is None:
        return "running"
    seconds = (end - start).total_seconds()
    if seconds <= 0:
        return "—"  # a push batch is stamped with one instant
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 120:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.1f} min"


def record_url(record_id: str | None) -> str | None:
    """Lightning's record page, when the org's instance URL is known."""
    base = current_app.extensions["options"].instance_url
    if not record_id or not base:
        return None
    return f"{base.rstrip('/')}/{record_id}"


def fix_for(code: str) -> str:
    return FIXES.get(code, "See the message; press Retry once the cause is fixed.")


def from_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def install_filters(app: Flask) -> None:
    filters: dict[str, Any] = {
        "from_iso": from_iso,
        "local_time": local_time,
        "duration": duration,
        "record_url": record_url,
        "fix_for": fix_for,
    }
    app.jinja_env.filters.update(filters)
