"""`fake-salesforce serve` prints one line per request (time, method, path, status, ms), and
nothing of the kind under `--quiet`."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import requests

from fake_salesforce.access_log import AccessLog
from tests.fake_salesforce.test_server import Served, serve  # noqa: F401  (fixture)

LINE = re.compile(r"^\d\d:\d\d:\d\d GET /services/data 200 \d+\.\d ms$", re.M)


def test_serve_logs_each_request_with_its_status_and_time(serve: type[Served]) -> None:  # noqa: F811
    served = serve()
    assert requests.get(f"{served.url}/services/data", timeout=5).status_code == 200
    assert requests.get(f"{served.url}/_fake/nowhere", timeout=5).status_code == 404
    code, out, _ = served.stop()
    assert code == 0
    assert LINE.search(out), out
    assert re.search(r" GET /_fake/nowhere 404 \d+\.\d ms$", out, re.M), out


def test_serve_quiet_logs_no_requests(serve: type[Served]) -> None:  # noqa: F811
    served = serve("--quiet")
    requests.get(f"{served.url}/services/data", timeout=5)
    _, out, _ = served.stop()
    assert "/services/data" not in out


def test_the_line_is_written_once_the_streamed_answer_has_been_sent() -> None:
    stream = io.StringIO()
    ticks: Iterator[float] = iter([0.0, 0.25])

    def app(environ: dict[str, object], start: object) -> Iterator[bytes]:
        start("201 Created", [])  # type: ignore[operator]
        yield b"one"
        assert stream.getvalue() == ""  # not before the body is out
        yield b"two"

    logged = AccessLog(app, stream, clock=lambda: next(ticks))
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/x", "QUERY_STRING": "a=1"}
    assert b"".join(logged(environ, lambda *_: None)) == b"onetwo"
    assert stream.getvalue().split(" ", 1)[1] == "POST /x?a=1 201 250.0 ms\n"
