"""Salesforce-coded API errors and their one renderer: `[{"message","errorCode","fields"}]`.

REST errors are a JSON array (developer.salesforce.com, REST API "Status Codes and Error
Responses"); inside sObject Collections and Bulk results the key is `statusCode` instead.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

JSON_CONTENT_TYPE = "application/json;charset=UTF-8"

# The status Salesforce answers with for each code when it is the whole request's error.
STATUS_BY_CODE: dict[str, int] = {
    "INVALID_SESSION_ID": 401,
    "REQUEST_LIMIT_EXCEEDED": 403,
    "API_DISABLED_FOR_ORG": 403,
    "INSUFFICIENT_ACCESS": 403,
    "NOT_FOUND": 404,
    "ENTITY_IS_DELETED": 404,
    "METHOD_NOT_ALLOWED": 405,
    "UNKNOWN_EXCEPTION": 500,
    "SERVER_UNAVAILABLE": 503,
}

MESSAGES: dict[str, str] = {
    "INVALID_SESSION_ID": "Session expired or invalid",
    "REQUEST_LIMIT_EXCEEDED": "TotalRequests Limit exceeded.",
    "NOT_FOUND": "The requested resource does not exist",
    "ENTITY_IS_DELETED": "entity is deleted",
    "UNABLE_TO_LOCK_ROW": "unable to obtain exclusive access to this record or 1 records",
    "SERVER_UNAVAILABLE": "Server temporarily unavailable. Please try again later.",
    "UNKNOWN_EXCEPTION": "An unexpected error occurred. Please include this ErrorId if you "
    "contact support: 1234567890-12345 (-1234567890)",
    "CANNOT_UPDATE_CONVERTED_LEAD": "cannot reference converted lead",
    "INVALID_CROSS_REFERENCE_KEY": "invalid cross reference id",
    "ENTITY_IS_LOCKED": "the entity is locked for editing",
    "FIELD_CUSTOM_VALIDATION_EXCEPTION": "Validation rule failed",
    "INSUFFICIENT_ACCESS_OR_READONLY": "insufficient access rights on object id",
    "QUERY_TIMEOUT": "Your query request was running for too long.",
}


def status_for(code: str) -> int:
    return STATUS_BY_CODE.get(code, 400)


class ApiError(HTTPException):
    """A Salesforce error answer: HTTP status, errorCode, message and the fields involved."""

    def __init__(
        self,
        status: int,
        error_code: str,
        message: str | None = None,
        fields: Sequence[str] | None = None,
    ) -> None:
        self.status = status
        self.error_code = error_code
        self.message = message if message is not None else MESSAGES.get(error_code, error_code)
        self.fields = list(fields) if fields is not None else None
        super().__init__(description=self.message)
        self.code = status

    @classmethod
    def of(
        cls, error_code: str, message: str | None = None, fields: Sequence[str] | None = None
    ) -> ApiError:
        """The error with the status Salesforce uses for this code."""
        return cls(status_for(error_code), error_code, message, fields)

    def body(self) -> list[dict[str, Any]]:
        entry: dict[str, Any] = {"message": self.message, "errorCode": self.error_code}
        if self.fields is not None:
            entry["fields"] = self.fields
        return [entry]

    def record_error(self) -> dict[str, Any]:
        """The per-record form used in collections and bulk results (`statusCode`)."""
        return {"statusCode": self.error_code, "message": self.message, "fields": self.fields or []}

    def get_response(self, environ: Any = None, scope: Any = None) -> Response:
        return Response(json.dumps(self.body()), status=self.status, content_type=JSON_CONTENT_TYPE)


def invalid_field(sobject: str, name: str) -> ApiError:
    return ApiError(
        400,
        "INVALID_FIELD",
        f"No such column '{name}' on sobject of type {sobject}",
        [name],
    )
