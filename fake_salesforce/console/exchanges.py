"""What the org console shows of each journalled request: its body, its response and its time.

The journal keeps what tests assert on (method, path, status, records written); the console
also shows the bytes. `Recorder` wraps the WSGI app: it tees the request body as the app reads
it, copies the response as it is sent (the first `BODY_LIMIT` bytes of each), and files both
under the journal entry the request produced. It also names who is acting for the field
history (fake_salesforce.history): `api:<username>` for API calls, `test` for the control API.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from fake_salesforce.history import ACTOR, TEST_ACTOR
from fake_salesforce.journal import RECORDED, Entry

BODY_LIMIT = 32 * 1024
KEEP = 500  # exchanges kept per server, newest last


@dataclass
class Exchange:
    """One request's bytes, as far as `BODY_LIMIT`."""

    request_type: str = ""
    request_body: bytearray = field(default_factory=bytearray)
    request_size: int = 0
    response_type: str = ""
    response_body: bytearray = field(default_factory=bytearray)
    response_size: int = 0
    ms: float | None = None

    def keep_request(self, chunk: bytes) -> None:
        self.request_size += len(chunk)
        room = BODY_LIMIT - len(self.request_body)
        if room > 0:
            self.request_body += chunk[:room]

    def keep_response(self, chunk: bytes) -> None:
        self.response_size += len(chunk)
        room = BODY_LIMIT - len(self.response_body)
        if room > 0:
            self.response_body += chunk[:room]


class Exchanges:
    """The last `KEEP` exchanges, by (org Id, journal sequence number)."""

    def __init__(self, keep: int = KEEP) -> None:
        self._items: OrderedDict[tuple[str, int], Exchange] = OrderedDict()
        self._keep = keep
        self._lock = threading.Lock()

    def put(self, entry: Entry, exchange: Exchange) -> None:
        with self._lock:
            self._items[(entry.org_id, entry.seq)] = exchange
            while len(self._items) > self._keep:
                self._items.popitem(last=False)

    def get(self, org_id: str, seq: int) -> Exchange | None:
        with self._lock:
            return self._items.get((org_id, seq))


class _TeeInput:
    """`wsgi.input` that copies what the app reads into the exchange."""

    def __init__(self, stream: Any, exchange: Exchange) -> None:
        self._stream, self._exchange = stream, exchange

    def read(self, *args: Any) -> bytes:
        chunk: bytes = self._stream.read(*args)
        self._exchange.keep_request(chunk)
        return chunk

    def readline(self, *args: Any) -> bytes:
        line: bytes = self._stream.readline(*args)
        self._exchange.keep_request(line)
        return line

    def readlines(self, *args: Any) -> list[bytes]:
        lines: list[bytes] = self._stream.readlines(*args)
        for line in lines:
            self._exchange.keep_request(line)
        return lines

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")


class Recorder:
    """WSGI middleware: bodies and timings for the console, and the actor for field history."""

    def __init__(
        self, app: Callable[..., Any], exchanges: Exchanges, actor_of: Callable[[str], str | None]
    ) -> None:
        self.app, self.exchanges, self.actor_of = app, exchanges, actor_of

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_fake/ui"):
            return self.app(environ, start_response)  # the console names its own actor
        exchange = Exchange(request_type=environ.get("CONTENT_TYPE", ""))
        if "wsgi.input" in environ:
            environ["wsgi.input"] = _TeeInput(environ["wsgi.input"], exchange)
        seen: list[Entry] = []
        started = time.perf_counter()

        def start(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            for name, value in headers:
                if name.lower() == "content-type":
                    exchange.response_type = value
            return start_response(status, headers, *exc)

        recorded, acting = RECORDED.set(seen), ACTOR.set(lambda: self._actor(path, environ))
        try:
            body = self.app(environ, start)
        finally:
            ACTOR.reset(acting)
            RECORDED.reset(recorded)
        for entry in seen:
            self.exchanges.put(entry, exchange)
        if isinstance(body, list):  # answered whole (the usual case): no wrapper generator
            for chunk in body:
                exchange.keep_response(chunk)
            exchange.ms = (time.perf_counter() - started) * 1000
            return body
        return _copying(body, exchange, started)

    def _actor(self, path: str, environ: dict[str, Any]) -> str:
        if not path.startswith("/services/"):
            return TEST_ACTOR
        header = environ.get("HTTP_AUTHORIZATION", "")
        token = header.partition(" ")[2].strip() or environ.get("HTTP_X_SFDC_SESSION", "")
        username = self.actor_of(token) if token else None
        return f"api:{username}" if username else "api:anonymous"


def _copying(body: Iterable[bytes], exchange: Exchange, started: float) -> Iterator[bytes]:
    try:
        for chunk in body:
            exchange.keep_response(chunk)
            yield chunk
    finally:
        exchange.ms = (time.perf_counter() - started) * 1000
        close = getattr(body, "close", None)
        if close is not None:
            close()
