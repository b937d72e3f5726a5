"""What a Salesforce failure means, decided in one place (docs/behaviour.md 8).

`classify` maps a status and an errorCode onto the engine's error types (`sync_core.errors`);
`classify_exception` does the same for whatever simple-salesforce, requests or the transport
below them raised: every transport failure is transient.
"""

from __future__ import annotations

import http.client
import json
import ssl
from typing import Any

import requests
import urllib3
from simple_salesforce.exceptions import SalesforceAuthenticationFailed, SalesforceError

from sync_core import bulk
from sync_core.errors import (
    ConfigurationError,
    ConvertedLeadError,
    PermanentError,
    RecordGoneError,
    RequestShapeError,
    SyncError,
    TransientError,
)

# Every way a connection can break under a request: refused or reset (requests'
# ConnectionError, SSLError among them), a body cut short or reset mid-stream
# (ChunkedEncodingError: IncompleteRead, ProtocolError), a body that cannot be decoded, and
# the same failures when an adapter lets them through unwrapped (http.client, urllib3, socket,
# TLS errors).
TRANSPORT_FAILURES = (
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    http.client.HTTPException,
    urllib3.exceptions.HTTPError,
    ConnectionError,
    ssl.SSLError,
)

TRANSIENT = frozenset(
    {
        "UNABLE_TO_LOCK_ROW",
        "REQUEST_LIMIT_EXCEEDED",
        "SERVER_UNAVAILABLE",
        "UNKNOWN_EXCEPTION",
        "QUERY_TIMEOUT",
        "INVALID_SESSION_ID",
        "TIMEOUT",
        "CONNECTION_ERROR",
        "TXN_SECURITY_NO_ACCESS_TEMPORARY",
    }
)
# Refusals of a whole request for its shape, not its records (docs/salesforce-wire.md 4.1: at most
# 200 records and 10 type chunks per sObject Collections request; a body it cannot parse).
REQUEST_SHAPE = frozenset(
    {"INVALID_BATCH_REQUEST", "EXCEEDED_ID_LIMIT", "JSON_PARSER_ERROR", "TOO_MANY_RECORDS"}
)
GONE = frozenset({"ENTITY_IS_DELETED", "NOT_FOUND", "INVALID_CROSS_REFERENCE_KEY"})
CONFIGURATION = frozenset(
    {
        "INVALID_FIELD",
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        "INVALID_TYPE",
        "API_DISABLED_FOR_ORG",
        "INVALID_LOGIN",
        "INVALID_AUTH_HEADER",
        "INVALID_GRANT",
    }
)


def classify(
    status: int | None, code: str, message: str, record_id: str | None = None
) -> SyncError:
    """The one place that decides what a Salesforce failure means (docs/behaviour.md section 8).

    `status` is the HTTP status (None for a per-record result inside a 200 response, where
    Salesforce names the code `statusCode`). Known codes win; otherwise the status decides:
    5xx, 408 and 429 are transient, anything else is permanent. A "gone" code only breaks a
    link when it is about one record (`record_id`).
    """
    kind: type[SyncError] = PermanentError
    if code == "CANNOT_UPDATE_CONVERTED_LEAD":
        kind = ConvertedLeadError
    elif code in GONE and record_id is not None:
        kind = RecordGoneError  # about one record; for a whole request it means a bad URL
    elif code in REQUEST_SHAPE and record_id is None:
        kind = RequestShapeError
    elif code in TRANSIENT:
        kind = TransientError
    elif code in CONFIGURATION:
        kind = ConfigurationError
    elif status is not None and (status >= 500 or status in (408, 429)):
        kind = TransientError
    elif status == 401:
        kind = ConfigurationError
    return kind(code, message, status=status, record_id=record_id)


def classify_exception(exc: BaseException, record_id: str | None = None) -> SyncError:
    """Map a simple-salesforce or requests exception onto `classify`."""
    if isinstance(exc, SyncError):
        return exc
    if isinstance(exc, SalesforceAuthenticationFailed):
        # `auth_message` is Salesforce's reason; `message` is only the class's template text.
        status = 503 if str(exc.code).startswith("5") else None
        code = "SERVER_UNAVAILABLE" if status else "INVALID_LOGIN"
        return classify(status, code, f"{exc.code}: {exc.auth_message}", record_id)
    if isinstance(exc, SalesforceError):
        code, message = first_error(exc.content)
        return classify(exc.status, code or f"HTTP_{exc.status}", message, record_id)
    if isinstance(exc, requests.Timeout | TimeoutError):
        return classify(None, "TIMEOUT", str(exc), record_id)
    if isinstance(exc, TRANSPORT_FAILURES):
        # docs/behaviour.md 8: a dropped connection is transient, however it broke.
        return classify(None, "CONNECTION_ERROR", f"{type(exc).__name__}: {exc}", record_id)
    if isinstance(exc, bulk.BulkJobFailed):
        return classify(None, "BULK_JOB_FAILED", str(exc), record_id)
    return classify(None, type(exc).__name__, str(exc), record_id)


def first_error(content: Any) -> tuple[str, str]:
    if isinstance(content, bytes | str):
        try:
            content = json.loads(content)
        except ValueError:
            return "", str(content)[:500]
    if isinstance(content, list) and content and isinstance(content[0], dict):
        first = content[0]
        return str(first.get("errorCode", "")), str(first.get("message", ""))
    if isinstance(content, dict):
        return str(content.get("errorCode", content.get("error", ""))), str(content)
    return "", str(content)[:500]
