"""Serving the web app with waitress: in the foreground (`sync-core web`) or beside the
service loop (`sync-core run`)."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from waitress.server import create_server


class WebServer:
    """A waitress server bound at construction (so a busy port fails at once), run on demand."""

    def __init__(self, app: Flask, host: str, port: int, *, threads: int = 4) -> None:
        self._server: Any = create_server(app, host=host, port=port, threads=threads)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.socket.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"

    def serve(self) -> None:
        """Serve until `close()` (from a signal handler or another thread)."""
        self._server.run()

    def start(self) -> None:
        self._thread = threading.Thread(target=self.serve, name="web", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
