"""Checks on what a control API call sends: every value has a type and a range, refused with 400.

Nothing a client sends may put an org in a state it cannot leave, or the server in a loop it
cannot end: a body nested past what the parser follows, a time zone that does not exist, a count
of records beyond the server's cap, a number of seconds no clock can add.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from fake_salesforce.org import Credentials, OrgSettings

DEFAULT_MAX_GENERATE = 1_000_000  # records one control call may generate (serve --max-generate)


class BadInput(ValueError):
    """A control call's input that cannot be used; the message names the key and why."""


def json_object(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object (an empty body is `{}`)."""
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadInput("the body must be a JSON object") from None
    except RecursionError:
        raise BadInput("the body is nested too deeply") from None
    if not isinstance(data, dict):
        raise BadInput("the body must be a JSON object")
    return data


def text(body: Mapping[str, Any], key: str, default: str) -> str:
    """`body[key]` as a string (or `default` when absent)."""
    value = body.get(key, default)
    if not isinstance(value, str):
        raise BadInput(f"{key}: a string (got {value!r})")
    return value


def whole(body: Mapping[str, Any], key: str, default: int, low: int, high: int) -> int:
    """`body[key]` as a whole number from `low` to `high` (or `default` when absent)."""
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadInput(f"{key}: a whole number from {low} to {high} (got {value!r})")
    return value


def flag(body: Mapping[str, Any], key: str, default: bool) -> bool:
    """`body[key]` as true or false (or `default` when absent)."""
    value = body.get(key, default)
    if not isinstance(value, bool):
        raise BadInput(f"{key}: true or false (got {value!r})")
    return value


def timezone(body: Mapping[str, Any], key: str, default: str) -> str:
    """`body[key]` as an IANA time zone name Salesforce knows (`America/Los_Angeles`)."""
    name = text(body, key, default)
    if name not in available_timezones():
        raise BadInput(f"{key}: not a time zone: {name!r} (e.g. America/Los_Angeles)")
    ZoneInfo(name)
    return name


def names(body: Mapping[str, Any], key: str) -> frozenset[str]:
    """`body[key]` as a list of strings (empty when absent)."""
    value = body.get(key, ())
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise BadInput(f"{key}: a list of names (got {value!r})")
    return frozenset(value)


def seconds(value: Any) -> timedelta:
    """A forward step of the clock in seconds: a finite, non-negative number."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadInput(f"seconds: a number (got {value!r})")
    try:
        return timedelta(seconds=value)
    except OverflowError:
        raise BadInput(f"seconds: {value!r} is further than any time can be") from None


def generate_counts(section: Mapping[str, Any], cap: int) -> None:
    """Every `generate:` entry's count is a whole number from 0 to `cap`."""
    batches = section.get("generate", ())
    if not isinstance(batches, list | tuple):
        raise BadInput("generate: a list of {type, count} entries")
    for index, batch in enumerate(batches):
        if not isinstance(batch, Mapping):
            raise BadInput(f"generate[{index}]: a mapping with type: and count:")
        count = batch.get("count")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise BadInput(f"generate[{index}].count: a whole number (got {count!r})")
        if count > cap:
            raise BadInput(
                f"generate[{index}].count: {count} is above this server's cap of {cap} records "
                "a call (serve --max-generate)"
            )


def org_settings(body: Mapping[str, Any], **checked: Any) -> OrgSettings:
    """A new org's settings from `POST /_fake/orgs` (defaults for what is not sent); `checked`
    are settings the caller read itself (its schema files)."""
    return OrgSettings(
        **checked,
        name=text(body, "name", OrgSettings.name),
        timezone=timezone(body, "timezone", OrgSettings.timezone),
        api_limit=whole(body, "apiLimit", OrgSettings.api_limit, 0, 10**9),
        session_seconds=whole(body, "sessionSeconds", OrgSettings.session_seconds, 1, 10**8),
        packages=names(body, "packages"),
        sample_data=flag(body, "sampleData", OrgSettings.sample_data),
    )


def org_credentials(body: Mapping[str, Any]) -> Credentials:
    """A new org's credentials from `POST /_fake/orgs`; the username is required."""
    username = text(body, "username", "")
    return Credentials(
        username=username,
        password=text(body, "password", Credentials.password),
        security_token=text(body, "securityToken", Credentials.security_token),
        consumer_key=text(body, "consumerKey", f"consumer-{username}"),
        consumer_secret=text(body, "consumerSecret", f"secret-{username}"),
    )
