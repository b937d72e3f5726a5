"""Field values across the wire: JSON input checked and coerced by field type, output rendered.

REST datetimes render as `2024-01-01T00:00:00.000+0000` and Bulk CSV as `...000Z`
(docs/salesforce-wire.md 2.2, 5.4); input accepts `Z`, `+00:00`, `+0000` and optional milliseconds.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from fake_salesforce import ids
from fake_salesforce.errors import ApiError
from fake_salesforce.schema import FieldSpec

_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?$"
)
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# Salesforce accepts a pragmatic address form, not full RFC 5322.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


_PLAIN = frozenset({str, bool, int, float})


def parse_datetime(text: str) -> datetime | None:
    """An aware UTC datetime from Salesforce's accepted ISO 8601 forms, or None."""
    match = _DATETIME.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    frac, zone = match.group(7), match.group(8)
    micro = int((frac[1:] + "000000")[:6]) if frac else 0
    tz = UTC
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=tz).astimezone(UTC)
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    match = _DATE.match(text)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def format_datetime(value: datetime) -> str:
    """REST form: milliseconds and `+0000`."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def format_bulk_datetime(value: datetime) -> str:
    """Bulk API CSV form: milliseconds and `Z`."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def to_json(value: Any) -> Any:
    """A stored value as it appears in a REST JSON answer."""
    if value is None or value.__class__ in _PLAIN:
        return value
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def is_valid_email(text: str) -> bool:
    return bool(_EMAIL.match(text)) and len(text) <= 80


def _type_error(spec: FieldSpec, value: Any) -> ApiError:
    return ApiError(
        400,
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {spec.type} from {_json_kind(value)} value "
        f"{value!r} or request may be missing a required field",
        [spec.name],
    )


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "VALUE_" + str(value).upper()
    if isinstance(value, str):
        return "VALUE_STRING"
    if isinstance(value, int | float):
        return "VALUE_NUMBER"
    return "START_OBJECT" if isinstance(value, dict) else "START_ARRAY"


def coerce(spec: FieldSpec, value: Any) -> Any:
    """The stored form of a JSON value written to `spec`, or the error Salesforce answers."""
    if value is None:
        if spec.type == "boolean":
            # Checkboxes are never null (docs/salesforce-wire.md 2.2).
            raise ApiError(
                400,
                "INVALID_TYPE_ON_FIELD_IN_RECORD",
                f"{spec.label}: value not of required type: ",
                [spec.name],
            )
        return None
    if spec.type == "boolean":
        if not isinstance(value, bool):
            raise _type_error(spec, value)
        return value
    if spec.type in ("double", "currency", "percent", "int"):
        return _coerce_number(spec, value)
    if spec.type == "datetime":
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is None:
            raise _type_error(spec, value)
        return parsed
    if spec.type == "date":
        parsed_date = parse_date(value) if isinstance(value, str) else None
        if parsed_date is None:
            raise _type_error(spec, value)
        return parsed_date
    if not isinstance(value, str):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _type_error(spec, value)
        value = str(value)
    return _coerce_text(spec, value)


def _coerce_number(spec: FieldSpec, value: Any) -> Any:
    if isinstance(value, bool):
        raise _type_error(spec, value)
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise _type_error(spec, value) from None
    if not isinstance(value, int | float):
        raise _type_error(spec, value)
    return int(value) if spec.type == "int" else value


def _coerce_text(spec: FieldSpec, value: str) -> str | None:
    if value == "":
        return None
    if spec.type in ("reference", "id"):
        canonical = ids.normalize(value)
        if canonical is None:
            raise ApiError(
                400,
                "MALFORMED_ID",
                f"{spec.label}: id value of incorrect type: {value}",
                [spec.name],
            )
        return canonical
    if spec.type == "email" and not is_valid_email(value):
        raise ApiError(
            400,
            "INVALID_EMAIL_ADDRESS",
            f"{spec.label}: invalid email address: {value}",
            [spec.name],
        )
    if spec.type == "multipicklist":
        value = _multi_value(spec, value)
        if not value:
            return None
    elif spec.restricted_picklist and value not in spec.picklist:
        raise bad_picklist_value(spec, value)
    if spec.length and len(value) > spec.length:
        raise ApiError(
            400,
            "STRING_TOO_LONG",
            f"{spec.label}: data value too large: {value[:40]} (max length={spec.length})",
            [spec.name],
        )
    return value


def bad_picklist_value(spec: FieldSpec, value: str) -> ApiError:
    """A value outside a restricted picklist's list (Salesforce's own wording)."""
    return ApiError(
        400,
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        f"{spec.label}: bad value for restricted picklist field: {value}",
        [spec.name],
    )


def _multi_value(spec: FieldSpec, value: str) -> str:
    """A multi-select picklist's stored form: its `;`-separated values, each once, in the
    order given (Salesforce drops repeats), each in the list when it is restricted."""
    chosen: list[str] = []
    for part in value.split(";"):
        part = part.strip()
        if not part or part in chosen:
            continue
        if spec.restricted_picklist and part not in spec.picklist:
            raise bad_picklist_value(spec, part)
        chosen.append(part)
    return ";".join(chosen)
