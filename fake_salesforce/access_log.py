"""`fake-salesforce serve`'s terminal log: one line per request, written when its answer has
been sent: `04:51:02 PATCH /services/data/v59.0/sobjects/Contact/003... 204 1.3 ms`.

A WSGI wrapper outside everything else (transport faults included), so a dropped connection or
a slow first byte shows as the client saw it; `--quiet` leaves it out.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any, TextIO


class AccessLog:
    """Wraps a WSGI app; writes one line per request to `stream`."""

    def __init__(
        self,
        app: Callable[..., Any],
        stream: TextIO,
        clock: Callable[[], float] = time.perf_counter,
        wall: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.app, self.stream, self.clock, self.wall = app, stream, clock, wall
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        started = self.clock()
        status: list[str] = ["-"]

        def start(code: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            status[0] = code.split(" ", 1)[0]
            return start_response(code, headers, *exc)

        try:
            body = self.app(environ, start)
        except BaseException:
            self._line(environ, "500", started)
            raise
        return self._logged(body, environ, status, started)

    def _logged(
        self, body: Iterable[bytes], environ: dict[str, Any], status: list[str], started: float
    ) -> Iterator[bytes]:
        try:
            yield from body
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
            self._line(environ, status[0], started)

    def _line(self, environ: dict[str, Any], status: str, started: float) -> None:
        ms = (self.clock() - started) * 1000
        path = environ.get("PATH_INFO", "")
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        line = (
            f"{self.wall():%H:%M:%S} {environ.get('REQUEST_METHOD', '-')} {path} {status} "
            f"{ms:.1f} ms"
        )
        with self._lock:
            print(line, file=self.stream, flush=True)
