"""Checks a record body against the object's metadata: names, permissions, types, required fields.

Salesforce's answers: unknown field INVALID_FIELD, read-only field INVALID_FIELD_FOR_INSERT_UPDATE,
missing required field REQUIRED_FIELD_MISSING, each with `fields` (docs/salesforce-wire.md 2.6
and trap 10.18).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fake_salesforce.errors import ApiError, invalid_field
from fake_salesforce.schema import FieldSpec, ObjectSpec
from fake_salesforce.values import coerce

IGNORED_KEYS = frozenset({"attributes"})
NAME_PARTS = ("FirstName", "LastName")


def compound_name(parts: Sequence[str | None]) -> str | None:
    """A compound Name from its parts (salutation, first, middle, last...): those present,
    space-joined; None when there are none."""
    return " ".join(filter(None, parts)) or None


def _read_only(names: list[str]) -> ApiError:
    return ApiError(
        400,
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        f"Unable to create/update fields: {', '.join(names)}. Please check the security settings "
        "of this field and verify that it is read/write for your profile or permission set.",
        names,
    )


def resolve_fields(spec: ObjectSpec, body: Mapping[str, Any]) -> dict[FieldSpec, Any]:
    """Map body keys to fields case-insensitively; unknown names are INVALID_FIELD."""
    resolved: dict[FieldSpec, Any] = {}
    for key, value in body.items():
        if key in IGNORED_KEYS:
            continue
        field = spec.field(key)
        if field is None:
            raise invalid_field(spec.name, key)
        resolved[field] = value
    return resolved


def check_create(spec: ObjectSpec, body: Mapping[str, Any]) -> dict[str, Any]:
    """The stored values of a new record's body, or the first error Salesforce reports."""
    resolved = resolve_fields(spec, body)
    if any(f.name == "Id" for f in resolved):
        raise ApiError(
            400,
            "INVALID_FIELD",
            "The Id field should not be specified in the sobject data.",
            ["Id"],
        )
    locked = [f.name for f in resolved if not f.createable]
    if locked:
        raise _read_only(locked)
    values = {f.name: coerce(f, v) for f, v in resolved.items()}
    missing = [f.name for f in spec.required_on_create if values.get(f.name) in (None, "")]
    if missing:
        raise ApiError(
            400,
            "REQUIRED_FIELD_MISSING",
            f"Required fields are missing: [{', '.join(missing)}]",
            missing,
        )
    return values


def check_update(spec: ObjectSpec, body: Mapping[str, Any]) -> dict[str, Any]:
    """The stored values of an update body; `Id` in the body is allowed and ignored."""
    resolved = {f: v for f, v in resolve_fields(spec, body).items() if f.name != "Id"}
    locked = [f.name for f in resolved if not f.updateable]
    if locked:
        raise _read_only(locked)
    values = {f.name: coerce(f, v) for f, v in resolved.items()}
    cleared = [
        f.name
        for f in resolved
        if not f.nillable and f.type != "boolean" and values[f.name] is None
    ]
    if cleared:
        raise ApiError(
            400,
            "REQUIRED_FIELD_MISSING",
            f"Required fields are missing: [{', '.join(cleared)}]",
            cleared,
        )
    return values
