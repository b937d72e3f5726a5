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
        self._stop = threading.Event()

    @property
    def url(self) -> str:
        host, port = self._server.socket.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"

    def serve(self) -> None:
        """Serve until `stop()` or `close()`; the socket is closed by the serving thread itself
        (closing it under a running select from another thread or a signal handler breaks it)."""
        server = self._server
        try:
            while not self._stop.is_set():
                server.asyncore.loop(
                    timeout=0.2, map=server._map, use_poll=server.adj.asyncore_use_poll, count=1
                )
        finally:
            server.task_dispatcher.shutdown()
            # Every socket in the map: the listener and the browsers' keep-alive connections.
            server.asyncore.close_all(map=server._map)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.serve, name="web", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask `serve()` to finish (safe from a signal handler)."""
        self._stop.set()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
