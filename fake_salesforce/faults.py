"""Fault rules an org applies to incoming requests: outage, error codes, latency, expiry, drops.

Each rule matches by method, sObject and path glob, and lasts for a count, until a time, or fires
at a seeded rate. `before_request` raises the error Salesforce would answer; `TransportFaults`
(WSGI middleware) drops connections mid-response or delays the first byte for real.
"""

from __future__ import annotations

import errno
import fnmatch
import itertools
import json
import logging
import random
import re
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.client import BadStatusLine, IncompleteRead
from typing import Any

from requests.exceptions import ChunkedEncodingError, RequestException
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import SSLError as RequestsSSLError
from urllib3.exceptions import ProtocolError

from fake_salesforce.errors import JSON_CONTENT_TYPE, ApiError
from fake_salesforce.journal import clear_fault_notes, note_fault

log = logging.getLogger(__name__)
API_KINDS = ("outage", "error", "latency", "session_expired")
TRANSPORT_KINDS = ("drop", "slow_first_byte")
KINDS = API_KINDS + TRANSPORT_KINDS
# How a `drop` breaks the connection, each as requests reports it to its caller.
DROP_MODES = ("incomplete", "reset", "protocol", "tls")
SPEC_KEYS = frozenset(
    {"kind", "code", "message", "ms", "sleep", "mode", "method", "sobject", "path"}
    | {"count", "until", "rate", "seed"}
)
MAX_MS = 600_000  # a latency or slow first byte lasts at most ten minutes
_RELATIVE = re.compile(r"^\+(\d+(?:\.\d+)?)(ms|s|m|h|d)$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
_SOBJECT = re.compile(
    r"^/services/(?:data/v\d+\.\d|async/\d+\.\d)/(?:sobjects|composite/sobjects)/([A-Za-z0-9_]+)",
    re.IGNORECASE,
)


class FaultSpecError(ValueError):
    """A fault rule that cannot be understood; the message says which key and why."""


class ConnectionDropped(ChunkedEncodingError):
    """The server closed the connection mid-response (what requests raises for a real drop)."""


def drop_error(mode: str) -> RequestException:
    """What requests raises when a connection breaks in this way (urllib3 2.x wraps the
    socket's error in ProtocolError, requests wraps that in its own exception types)."""
    if mode == "reset":
        reset = ConnectionResetError(errno.ECONNRESET, "Connection reset by peer")
        return RequestsConnectionError(ProtocolError("Connection aborted.", reset))
    if mode == "protocol":
        garbled = BadStatusLine("\x15\x03\x03\x00\x02\x02\n")
        return RequestsConnectionError(ProtocolError("Connection aborted.", garbled))
    if mode == "tls":
        return RequestsSSLError(
            ssl.SSLError(1, "[SSL: DECRYPTION_FAILED_OR_BAD_RECORD_MAC] decryption failed")
        )
    cut = IncompleteRead(b"", 1)
    return ConnectionDropped(ProtocolError(f"Connection broken: {cut!r}", cut))


@dataclass(frozen=True)
class RequestInfo:
    """What a fault rule can match on."""

    method: str
    path: str
    sobject: str | None
    token: str | None


def sobject_of(path: str) -> str | None:
    """The sObject named in an sObject or collection URL, as the client spelled it."""
    match = _SOBJECT.match(path)
    return match.group(1) if match else None


_FROM = re.compile(r"\bFROM\s+([A-Za-z0-9_]+)", re.IGNORECASE)
_SUBQUERY = re.compile(r"\([^()]*\)")


def call_sobject(named: str | None, soql: str | None, body: Any) -> str | None:
    """The sObject a call is about, for a rule's `sobject`: the one its URL names, else the
    object a query reads (its outer FROM), else the type of a collection's first record."""
    if named:
        return named
    if soql:
        outer = soql
        while _SUBQUERY.search(outer):
            outer = _SUBQUERY.sub(" ", outer)
        found = _FROM.search(outer)
        return found.group(1) if found else None
    records = body.get("records") if isinstance(body, dict) else None
    first = records[0] if isinstance(records, list) and records else None
    kind = first.get("attributes", {}).get("type") if isinstance(first, dict) else None
    return kind if isinstance(kind, str) else None


def relative_delta(text: str) -> timedelta | None:
    """`+90s`, `+15m`, `+2h`, `+3d`, `+250ms` as a timedelta (None when not relative)."""
    match = _RELATIVE.match(text.strip())
    if match is None:
        return None
    try:
        return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])
    except OverflowError:
        raise FaultSpecError(f"{text.strip()!r} is further than any time can be") from None


def parse_when(value: Any, now: datetime) -> datetime:
    """An absolute aware time, or one relative to `now` (`+2h`)."""
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, str):
        delta = relative_delta(value)
        if delta is not None:
            try:
                return now + delta
            except OverflowError:
                raise FaultSpecError(f"until: {value!r} is further than any time can be") from None
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise FaultSpecError(f"until: not a time or +duration: {value!r}") from None
    else:
        raise FaultSpecError(f"until: not a time or +duration: {value!r}")
    if when.tzinfo is None:
        raise FaultSpecError(f"until: {value!r} needs a UTC offset (or Z)")
    return when.astimezone(UTC)


@dataclass
class FaultRule:
    """One active rule and how much of it is left."""

    id: str
    kind: str
    code: str | None = None
    message: str | None = None
    ms: int = 0
    sleep: bool = False
    mode: str | None = None
    method: str | None = None
    sobject: str | None = None
    path: str | None = None
    count: int | None = None
    until: datetime | None = None
    rate: float | None = None
    seed: int | None = None
    fired: int = 0
    draws: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        for _ in range(self.draws):
            self._rng.random()

    def is_over(self, now: datetime) -> bool:
        return (self.count is not None and self.count <= 0) or (
            self.until is not None and now >= self.until
        )

    def matches(self, info: RequestInfo) -> bool:
        return (
            (self.method is None or self.method == info.method.upper())
            and (self.sobject is None or self.sobject.lower() == (info.sobject or "").lower())
            and (self.path is None or fnmatch.fnmatchcase(info.path, self.path))
        )

    def draw(self) -> bool:
        """Whether this matching call is hit (always, unless a rate is set)."""
        if self.rate is None:
            return True
        self.draws += 1
        return self._rng.random() < self.rate

    def error(self) -> ApiError:
        if self.kind == "outage":
            return ApiError.of("SERVER_UNAVAILABLE", self.message)
        if self.kind == "session_expired":
            return ApiError.of("INVALID_SESSION_ID", self.message)
        return ApiError.of(self.code or "UNKNOWN_EXCEPTION", self.message)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "kind": self.kind}
        names = ("code", "message", "mode", "method", "sobject", "path", "count", "rate", "seed")
        for name in names:
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.kind in ("latency", "slow_first_byte"):
            out["ms"] = self.ms
        if self.sleep:
            out["sleep"] = True
        if self.until is not None:
            out["until"] = self.until.isoformat()
        out["fired"], out["draws"] = self.fired, self.draws
        return out


def _check_spec(spec: Mapping[str, Any]) -> None:
    unknown = sorted(set(spec) - SPEC_KEYS - {"id", "fired", "draws"})
    if unknown:
        raise FaultSpecError(f"unknown fault key(s): {', '.join(unknown)}")
    kind, code, rate = spec.get("kind"), spec.get("code"), spec.get("rate")
    if kind not in KINDS:
        raise FaultSpecError(f"kind: must be one of {', '.join(KINDS)} (got {kind!r})")
    if kind == "error" and not (isinstance(code, str) and code):
        raise FaultSpecError("kind error needs code: (e.g. UNABLE_TO_LOCK_ROW)")
    mode = spec.get("mode")
    if mode is not None and (kind != "drop" or mode not in DROP_MODES):
        raise FaultSpecError(f"mode: for kind drop, one of {', '.join(DROP_MODES)} (got {mode!r})")
    if rate is not None and not (isinstance(rate, int | float) and 0 <= rate <= 1):
        raise FaultSpecError(f"rate: a probability between 0 and 1 (got {rate!r})")
    count, ms = spec.get("count"), spec.get("ms", 0)
    if count is not None and not (isinstance(count, int) and count >= 0):
        raise FaultSpecError(f"count: a whole number (got {count!r})")
    if isinstance(ms, bool) or not isinstance(ms, int | float) or not 0 <= ms <= MAX_MS:
        raise FaultSpecError(f"ms: milliseconds from 0 to {MAX_MS} (got {ms!r})")


def rule_from_spec(rule_id: str, spec: Mapping[str, Any], now: datetime) -> FaultRule:
    """A rule from a scenario-style mapping (`{kind: error, code: ..., count: 3}`)."""
    _check_spec(spec)
    kind, code, rate, count = spec["kind"], spec.get("code"), spec.get("rate"), spec.get("count")
    until = spec.get("until")
    if kind == "session_expired" and count is None and until is None and rate is None:
        count = 1  # "the current token stops working once"
    return FaultRule(
        id=str(spec.get("id") or rule_id),
        kind=kind,
        code=code.upper() if isinstance(code, str) else None,
        message=spec.get("message"),
        ms=int(spec.get("ms", 0)),
        sleep=bool(spec.get("sleep", False)),
        mode=spec.get("mode"),
        method=str(spec["method"]).upper() if spec.get("method") else None,
        sobject=spec.get("sobject"),
        path=spec.get("path"),
        count=count,
        until=None if until is None else parse_when(until, now),
        rate=None if rate is None else float(rate),
        seed=spec.get("seed"),
        fired=int(spec.get("fired", 0)),
        draws=int(spec.get("draws", 0)),
    )


@dataclass
class FaultSet:
    """The org's active fault rules, applied in order before each API request."""

    rules: list[FaultRule] = field(default_factory=list)
    dead_tokens: set[str] = field(default_factory=set)
    sleep: Callable[[float], None] = time.sleep
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1), repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def add(self, spec: Mapping[str, Any], now: datetime) -> FaultRule:
        with self._lock:
            rule = rule_from_spec(f"f{next(self._ids)}", spec, now)
            self.rules.append(rule)
            return rule

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            before = len(self.rules)
            self.rules = [r for r in self.rules if r.id != rule_id]
            return len(self.rules) != before

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def active(self, now: datetime) -> list[FaultRule]:
        with self._lock:
            self.rules = [r for r in self.rules if not r.is_over(now)]
            return list(self.rules)

    def restore(self, specs: Iterable[Mapping[str, Any]], now: datetime) -> None:
        with self._lock:
            self.rules = [rule_from_spec(str(s.get("id", "")), s, now) for s in specs]
            numbers = [int(r.id[1:]) for r in self.rules if r.id[1:].isdigit()]
            self._ids = itertools.count(max(numbers, default=0) + 1)

    def _hits(
        self, info: RequestInfo, now: datetime, kinds: tuple[str, ...]
    ) -> Iterator[FaultRule]:
        """Rules that hit this request, in order; each one yielded has been spent once."""
        for rule in self.active(now):
            if rule.kind in kinds and rule.matches(info) and rule.draw():
                if rule.count is not None:
                    rule.count -= 1
                rule.fired += 1
                note_fault(f"{rule.id}:{rule.kind}")
                yield rule

    def before_request(self, info: RequestInfo, org: Any) -> None:
        """Raise Salesforce's error when a rule hits this request (latency only moves time)."""
        if info.token is not None and info.token in self.dead_tokens:
            raise ApiError.of("INVALID_SESSION_ID")
        with self._lock:
            for rule in self._hits(info, org.clock.now(), API_KINDS):
                if rule.kind == "latency":
                    org.clock.advance(timedelta(milliseconds=rule.ms))
                    if rule.sleep:
                        self.sleep(rule.ms / 1000)
                    continue
                if rule.kind == "session_expired" and info.token is not None:
                    self.dead_tokens.add(info.token)  # re-login issues a token that works
                raise rule.error()

    def transport_fault(self, info: RequestInfo, now: datetime) -> FaultRule | None:
        """The drop or slow-first-byte rule that hits this request, if any."""
        with self._lock:
            return next(self._hits(info, now, TRANSPORT_KINDS), None)


WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class TransportFaults:
    """WSGI middleware for faults below HTTP: a slow first byte, a connection dropped mid-body.

    Only API requests of an org with such a rule are touched; `resolve(token)` finds the org.
    """

    def __init__(
        self,
        app: WsgiApp,
        resolve: Callable[[str], Any],
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.app, self.resolve, self.sleep = app, resolve, sleep

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        clear_fault_notes()
        try:
            rule = self._rule(environ)
        except Exception:  # answered as Salesforce answers its own failures: JSON, never text
            log.exception("fault rules failed on %s", environ.get("PATH_INFO"))
            body = json.dumps(ApiError(500, "UNKNOWN_EXCEPTION").body()).encode()
            headers = [("Content-Type", JSON_CONTENT_TYPE), ("Content-Length", str(len(body)))]
            start_response("500 INTERNAL SERVER ERROR", headers)
            return [body]
        if rule is None:
            return self.app(environ, start_response)
        if rule.kind == "slow_first_byte":
            self.sleep(rule.ms / 1000)
            return self.app(environ, start_response)
        return self._dropped(environ, start_response, rule.mode or DROP_MODES[0])

    def _rule(self, environ: dict[str, Any]) -> FaultRule | None:
        path = environ.get("PATH_INFO", "")
        if not path.startswith(("/services/data/", "/services/async/")):
            return None
        token = _token(environ)
        org = self.resolve(token) if token else None
        if org is None or not org.faults.rules:
            return None
        info = RequestInfo(environ.get("REQUEST_METHOD", "GET"), path, sobject_of(path), token)
        rule: FaultRule | None = org.faults.transport_fault(info, org.clock.now())
        return rule

    def _dropped(
        self, environ: dict[str, Any], start_response: Callable[..., Any], mode: str
    ) -> Any:
        chunks = self.app(environ, start_response)
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        return _half_then_drop(body, mode)


def _half_then_drop(body: bytes, mode: str) -> Iterator[bytes]:
    # The headers (with the full Content-Length) are out; half the body follows, then the
    # connection ends, as when a load balancer or the network cuts a response short. Over a
    # socket every mode is this cut; in process the client sees the mode's own error.
    yield body[: len(body) // 2]
    raise drop_error(mode)


def _token(environ: Mapping[str, Any]) -> str | None:
    header = str(environ.get("HTTP_AUTHORIZATION", ""))
    scheme, _, value = header.partition(" ")
    if scheme.lower() in ("bearer", "oauth") and value.strip():
        return value.strip()
    session = environ.get("HTTP_X_SFDC_SESSION")
    return str(session) if session else None
