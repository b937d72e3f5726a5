"""`requests` adapters that point simple-salesforce at a fake: in-process, or over plain HTTP.

simple-salesforce builds https URLs for every host (docs/salesforce-wire.md 1.5).
`in_process_session` hands each request to the WSGI app directly (no socket, no TLS);
`rewriting_session` sends every call to one base URL such as `http://127.0.0.1:8787`, so a
served fake needs no certificate.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit, urlunsplit

import requests
from flask import Flask
from requests.adapters import BaseAdapter, HTTPAdapter
from requests.structures import CaseInsensitiveDict

_ENVIRON_KEYS: dict[str, str] = {}  # header name -> WSGI key; the same few names every call


def _environ_key(name: str) -> str:
    key = name.upper().replace("-", "_")
    if key == "CONTENT_TYPE":
        return key
    return "" if key == "CONTENT_LENGTH" else f"HTTP_{key}"


class InProcessAdapter(BaseAdapter):
    """Sends prepared requests to a WSGI app and builds `requests.Response`s from its answers."""

    def __init__(self, app: Flask) -> None:
        super().__init__()
        self.app = app

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        environ = self._environ(request)
        captured: dict[str, Any] = {}

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda _data: None

        chunks: Iterable[bytes] = self.app(environ, start_response)
        try:
            body = chunks[0] if isinstance(chunks, list) and len(chunks) == 1 else b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        return self._response(request, captured["status"], captured["headers"], body)

    @staticmethod
    def _environ(request: requests.PreparedRequest) -> dict[str, Any]:
        url = urlsplit(request.url or "")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif not isinstance(body, bytes):
            body = b"".join(part if isinstance(part, bytes) else part.encode() for part in body)  # type: ignore[union-attr]
        host = url.hostname or "localhost"
        port = url.port or (443 if url.scheme == "https" else 80)
        environ: dict[str, Any] = {
            "REQUEST_METHOD": request.method or "GET",
            "SCRIPT_NAME": "",
            # WSGI (PEP 3333): the path's bytes, percent-decoded, as latin-1 text.
            "PATH_INFO": unquote_to_bytes(url.path).decode("latin-1") or "/",
            "QUERY_STRING": url.query,
            "SERVER_NAME": host,
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": url.netloc,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": url.scheme or "https",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": io.StringIO(),
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in request.headers.items():
            key = _ENVIRON_KEYS.get(name)
            if key is None:
                key = _ENVIRON_KEYS[name] = _environ_key(name)
            if key:
                environ[key] = value
        return environ

    @staticmethod
    def _response(
        request: requests.PreparedRequest, status: str, headers: list[tuple[str, str]], body: bytes
    ) -> requests.Response:
        response = requests.Response()
        response.status_code = int(status.split(" ", 1)[0])
        response.reason = status.split(" ", 1)[1] if " " in status else ""
        response.headers = CaseInsensitiveDict(headers)
        response._content = body
        response.url = request.url or ""
        response.request = request
        content_type = response.headers.get("content-type", "")
        # The app answers UTF-8 JSON or XML; anything else gets requests' own reading.
        response.encoding = (
            "UTF-8"
            if content_type.lower().endswith(("charset=utf-8", "charset=utf8"))
            else requests.utils.get_encoding_from_headers(response.headers)
        )
        return response

    def close(self) -> None:
        """Nothing to release: no connections are held."""


def in_process_session(app: Flask) -> requests.Session:
    """A session whose every http(s) call is answered by `app` without a socket."""
    session = requests.Session()
    # No proxy, CA bundle or .netrc can apply to a call that never leaves the process; reading
    # them from the environment on every request cost a quarter of each in-process call.
    session.trust_env = False
    adapter = InProcessAdapter(app)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


class RewritingAdapter(HTTPAdapter):
    """Sends every request to `base_url`'s scheme and host, keeping path and query."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        target = urlsplit(base_url)
        if target.scheme not in ("http", "https") or not target.netloc:
            raise ValueError(f"not an http(s) base URL: {base_url!r}")
        self.scheme, self.netloc = target.scheme, target.netloc

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        url = urlsplit(request.url or "")
        request.url = urlunsplit((self.scheme, self.netloc, url.path, url.query, url.fragment))
        return super().send(request, stream, timeout, verify, cert, proxies)


def rewriting_session(base_url: str) -> requests.Session:
    """A session whose every http(s) call goes to `base_url` (e.g. a fake on 127.0.0.1)."""
    session = requests.Session()
    adapter = RewritingAdapter(base_url)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
