"""Settings > Admin Settings > Unsubscribes > Integrations (docs/behaviour.md 2) as a form.

A field is offered only if the last `sync-core check` found it on Contact and Lead and
updateable by the integration user; otherwise the page says why. Keys pinned in the config
file are shown but not editable here (the file would put them back).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import available_timezones

from flask import current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from sync_core.model import Settings, SyncField

LAST_CHECK = "check.fields"  # sync_state key written by `sync-core check`
LABELS = {
    SyncField.EMAIL_OPT_OUT: "Email Opt Out",
    SyncField.MARKETO_SALES_OPT_OUT: "Marketo Sales Opt Out",
}
EDITABLE = ("nightly_sync", "sync_fields", "nightly_at", "timezone")


@dataclass(frozen=True)
class FieldChoice:
    field: SyncField
    label: str
    api_name: str
    selected: bool
    problem: str | None  # why it cannot be chosen, from the last check


def field_choices(service: Any) -> tuple[list[FieldChoice], str | None]:
    """Each sync field with the reason it cannot be chosen (if the last check found one)."""
    settings: Settings = service.settings()
    raw = service.store.get_state(LAST_CHECK)
    checked = json.loads(raw) if raw else None
    choices = []
    for sync_field in SyncField:
        name = settings.api_name(sync_field)
        problem = None
        if checked is not None:
            problem = _problem(name, checked["fields"])
        choices.append(
            FieldChoice(
                sync_field,
                LABELS[sync_field],
                name,
                sync_field in settings.sync_fields,
                problem,
            )
        )
    return choices, checked["at"] if checked else None


def _problem(name: str, fields: list[dict[str, Any]]) -> str | None:
    reasons = []
    for entry in fields:
        if entry["field"].lower() != name.lower():
            continue
        if not entry["exists"]:
            reasons.append(f"{entry['sobject']} has no field {name}")
        elif not entry["updateable"]:
            reasons.append(f"the integration user cannot edit {entry['sobject']}.{name}")
    return "; ".join(reasons) or None


def settings_page(
    service: Any, now: datetime, *, error: str | None = None, status: int = 200
) -> tuple[str, int]:
    choices, checked_at = field_choices(service)
    page = render_template(
        "settings.html",
        settings=service.settings(),
        choices=choices,
        checked_at=datetime.fromisoformat(checked_at) if checked_at else None,
        next_nightly=service.next_nightly(now),
        zones=sorted(available_timezones()),
        pinned=current_app.extensions["options"].pinned,
        error=error,
        saved=request.args.get("saved"),
    )
    return page, status


def save_settings(
    service: Any, form: Mapping[str, str], now: datetime
) -> tuple[str, int] | Response:
    """Apply the form; a field the last check refused, or a pinned key, is not changed."""
    pinned = current_app.extensions["options"].pinned
    choices, _ = field_choices(service)
    wanted = {c.field for c in choices if form.get(f"field_{c.field}") == "on"}
    refused = [c for c in choices if c.field in wanted and c.problem]
    if refused:
        return settings_page(
            service, now, error=f"{refused[0].label}: {refused[0].problem}.", status=400
        )
    changes: dict[str, Any] = {
        "nightly_sync": form.get("nightly_sync") == "on",
        "sync_fields": frozenset(wanted),
        "nightly_at": form.get("nightly_at", "").strip(),
        "timezone": form.get("timezone", "").strip(),
    }
    current = service.settings()
    changes = {k: v for k, v in changes.items() if k not in pinned and getattr(current, k) != v}
    if not changes.get("sync_fields", True):
        return settings_page(service, now, error="Choose at least one field to sync.", status=400)
    try:
        if changes:
            service.update_settings(now, **changes)
    except (ValueError, TypeError) as exc:
        return settings_page(service, now, error=f"{exc}.", status=400)
    return redirect(url_for("console.settings", saved="1"))
