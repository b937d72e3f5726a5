"""The record CRUD fast lane: create, retrieve, update and delete by Id, answered without Flask.

These four calls are most of what a client sends, and Flask's contexts, routing and Response
objects cost several times the work itself. The lane claims only a well-formed call to a known
object with a live token; anything else (errors of routing, auth, Id shape, big or chunked bodies,
`?fields=`) goes to the Flask app, whose answers the lane's match byte for byte: the same views'
logic, the same Salesforce errors, and the same gate (gate.py: lock, faults, usage, journal).
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fake_salesforce import ids
from fake_salesforce.errors import JSON_CONTENT_TYPE, ApiError
from fake_salesforce.gate import Gate, Passage, token_of
from fake_salesforce.org import Org
from fake_salesforce.routes.context import parse_object, render_record
from fake_salesforce.routes.sobjects import written_fields
from fake_salesforce.schema import ObjectSpec
from fake_salesforce.values import to_json

_CRUD = re.compile(
    r"/services/data/v(\d\d\.\d)/sobjects/([A-Za-z0-9_]+)(?:/([A-Za-z0-9]{15,18}))?/?"
)
_METHODS = frozenset({"GET", "POST", "PATCH", "DELETE"})
MAX_LANE_BODY = 64 * 1024  # bigger bodies take the Flask path (its size limit, its 413)
_REASONS = {status.value: f"{status.value} {status.phrase.upper()}" for status in HTTPStatus}
_EMPTY_TYPE = ("Content-Type", "text/html; charset=utf-8")
StartResponse = Callable[..., Any]
Answer = tuple[int, Any]  # status and JSON payload (None: an empty body)


@dataclass(frozen=True, slots=True)
class Claim:
    """A call the lane answers: its org, object, record Id, version, token and body."""

    method: str
    path: str
    version: str
    sobject: str
    org: Org
    spec: ObjectSpec
    record_id: str | None
    token: str | None
    body: bytes


class Lane:
    """Answers claimed CRUD calls for the orgs `gate` admits."""

    def __init__(self, gate: Gate, log: logging.Logger) -> None:
        self.gate, self.log = gate, log

    def __call__(self, environ: dict[str, Any], start: StartResponse) -> Iterable[bytes] | None:
        """The answer, or None when the Flask app must answer this call."""
        claim = self.claim(environ)
        if claim is None:
            return None
        return self._answer(claim, start)

    def claim(self, environ: dict[str, Any]) -> Claim | None:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        match = _CRUD.fullmatch(path)
        if match is None or method not in _METHODS or environ.get("QUERY_STRING"):
            return None
        version, sobject, raw_id = match.groups()
        if (raw_id is None) != (method == "POST") or not self.gate.serves(version):
            return None
        token = token_of(environ.get("HTTP_AUTHORIZATION"), environ.get("HTTP_X_SFDC_SESSION"))
        org = self.gate.org_of(token)
        spec = org.object_spec(sobject) if org is not None else None
        if org is None or spec is None:
            return None
        record_id = None
        if raw_id is not None:
            record_id = ids.normalize(raw_id) if raw_id[:3] == spec.key_prefix else None
            if record_id is None:
                return None
        body = _body(environ) if method in ("POST", "PATCH") else b""
        if body is None:
            return None
        return Claim(
            method=method, path=path, version=version, org=org, spec=spec, sobject=sobject,
            record_id=record_id, token=token, body=body,
        )  # fmt: skip

    def _answer(self, claim: Claim, start: StartResponse) -> Iterable[bytes]:
        passage = self.gate.enter(claim.method, claim.path, claim.token, claim.org)
        notes: Notes = Notes()
        try:
            try:
                self.gate.admit(passage, claim.sobject)
                status, payload = _run(claim, notes)
                error_code = None
            except ApiError as exc:
                status, payload, error_code = exc.status, exc, exc.error_code
            except Exception as exc:  # rendered as the Flask app renders it
                self.log.error("unexpected error answering %s %s", claim.method, claim.path,
                               exc_info=exc)  # fmt: skip
                error = ApiError(500, "UNKNOWN_EXCEPTION")
                status, payload, error_code = 500, error, error.error_code
            return _finish(passage, notes, status, payload, error_code, start)
        finally:
            self.gate.release(passage)


class Notes:
    """What the journal keeps of a call: the records it touched and the fields it wrote."""

    __slots__ = ("records", "written")

    def __init__(self) -> None:
        self.records: list[str] = []
        self.written: list[tuple[str, tuple[tuple[str, Any], ...]]] = []

    def write(self, record_id: str, fields: dict[str, Any]) -> None:
        self.written.append((record_id, tuple((k, to_json(v)) for k, v in fields.items())))
        self.records.append(record_id)


def _run(claim: Claim, notes: Notes) -> Answer:
    """The views of routes/sobjects.py, for a claimed call."""
    org, spec, rid = claim.org, claim.spec, claim.record_id
    if claim.method == "POST":
        body = parse_object(claim.body)
        record_id = org.create(spec.name, body)
        notes.write(record_id, written_fields(spec, body))
        return 201, {"id": record_id, "success": True, "errors": []}
    assert rid is not None
    if claim.method == "GET":
        record = org.get(spec.name, rid)
        if record is None:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        notes.records.append(rid)
        return 200, render_record(spec, record, None, claim.version)
    if claim.method == "PATCH":
        body = parse_object(claim.body)
        org.update(spec.name, rid, body)
        notes.write(rid, written_fields(spec, body))
        return 204, None
    org.delete(spec.name, rid)
    notes.write(rid, {"IsDeleted": True})
    return 204, None


def _finish(
    passage: Passage,
    notes: Notes,
    status: int,
    payload: Any,
    error_code: str | None,
    start: StartResponse,
) -> list[bytes]:
    if isinstance(payload, ApiError):
        body = json.dumps(payload.body()).encode()
    elif payload is None:
        body = b""
    else:
        body = json.dumps(payload, separators=(",", ":")).encode()
    records, written = tuple(dict.fromkeys(notes.records)), tuple(notes.written)
    limit = ("Sforce-Limit-Info", Gate.leave(passage, status, error_code, records, written) or "")
    if body or status != 204:
        headers = [("Content-Type", JSON_CONTENT_TYPE), ("Content-Length", str(len(body))), limit]
    else:
        headers = [_EMPTY_TYPE, limit]
    start(_REASONS.get(status, str(status)), headers)
    return [body]


def _body(environ: dict[str, Any]) -> bytes | None:
    """The request body when small and of a declared length; None sends the call to Flask."""
    if environ.get("HTTP_TRANSFER_ENCODING"):
        return None
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if not 0 < length <= MAX_LANE_BODY:
        return None
    body: bytes = environ["wsgi.input"].read(length)
    if len(body) != length:  # a short body: Flask answers it, reading what was read
        environ["wsgi.input"] = io.BytesIO(body)
        return None
    return body
