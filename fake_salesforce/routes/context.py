"""What a view needs about the current request: its org, API version, and rendering helpers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from flask import Response, g, request

from fake_salesforce.errors import JSON_CONTENT_TYPE, ApiError
from fake_salesforce.journal import Write
from fake_salesforce.org import Org
from fake_salesforce.schema import ObjectSpec
from fake_salesforce.values import to_json


def current_org() -> Org:
    org: Org | None = getattr(g, "org", None)
    if org is None:
        raise ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")
    return org


def api_version() -> str:
    """The version of the request URL (`59.0` in /services/data/v59.0/...)."""
    return str(getattr(g, "api_version", "59.0"))


def json_response(
    payload: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        json.dumps(payload, separators=(",", ":")),
        status=status,
        content_type=JSON_CONTENT_TYPE,
        headers=headers,
    )


def empty_response(status: int = 204) -> Response:
    return Response(b"", status=status)


def parse_json(raw: bytes) -> Any:
    """`raw` as JSON, or Salesforce's JSON_PARSER_ERROR."""
    if not raw.strip():
        raise ApiError(
            400,
            "JSON_PARSER_ERROR",
            "The HTTP entity body is required, but this request has no entity body.",
        )
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(
            400,
            "JSON_PARSER_ERROR",
            f"Unexpected character ('{_near(raw, exc)}'): was expecting a valid JSON value",
        ) from None
    except RecursionError:  # Salesforce's parser stops at a nesting depth too
        raise ApiError(
            400,
            "JSON_PARSER_ERROR",
            "Maximum nesting depth exceeded: the JSON is nested too deeply",
        ) from None


def request_object() -> dict[str, Any]:
    return parse_object(request.get_data(cache=True))


def parse_object(raw: bytes) -> dict[str, Any]:
    """`raw` as a JSON object (an sObject body), or Salesforce's JSON_PARSER_ERROR."""
    body = parse_json(raw)
    if not isinstance(body, dict):
        raise ApiError(
            400,
            "JSON_PARSER_ERROR",
            "Cannot deserialize instance of sobject out of START_ARRAY token",
        )
    return body


def _near(raw: bytes, exc: Exception) -> str:
    pos = getattr(exc, "pos", 0) or 0
    return raw[pos : pos + 1].decode("utf-8", "replace") or "?"


def record_url(spec_name: str, record_id: str, version: str | None = None) -> str:
    return f"/services/data/v{version or api_version()}/sobjects/{spec_name}/{record_id}"


def render_record(
    spec: ObjectSpec,
    record: dict[str, Any],
    names: Sequence[str] | None = None,
    version: str | None = None,
) -> dict[str, Any]:
    """`attributes` first, then every field (nulls included) in canonical casing."""
    url = record_url(spec.name, record["Id"], version)
    out: dict[str, Any] = {"attributes": {"type": spec.name, "url": url}}
    if names is None:
        names = spec.field_names
    for name in names:
        out[name] = to_json(record.get(name))
    return out


def note_write(record_id: str, fields: dict[str, Any]) -> None:
    """Tell the journal this request wrote a record (and with which fields)."""
    g.setdefault("written", []).append(
        (record_id, tuple((k, to_json(v)) for k, v in fields.items()))
    )
    note_records(record_id)


def note_bulk_writes(writes: Callable[[], Iterable[Write]]) -> None:
    """Tell the journal of many records written (fields already as JSON has them); `writes`
    is called only when someone reads this request's journal entry."""
    g.bulk_writes = writes


def note_records(*record_ids: str) -> None:
    g.setdefault("records", []).extend(record_ids)
