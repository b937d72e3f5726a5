"""Browser fixtures: Debian's Chromium (/usr/bin/chromium) driven by Playwright for Python.

No browser is downloaded: Playwright launches the system Chromium (`make browser-deps` installs
it with apt where it is missing). Under CI=true a missing browser fails the tests; elsewhere they
are skipped with the reason. `serve_wsgi` serves any WSGI app on loopback for the browser.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sync_core.web.server import WebServer

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (run `make browser-deps`, or set CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[dev]')"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session (system binary, never a Playwright download)."""
    reason = _missing()
    if reason is not None:
        if _in_ci():
            pytest.fail(f"browser tests must run under CI=true: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (own cookies) and page, 1280x800, failing fast on a stuck step."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def serve_wsgi() -> Iterator[Callable[[Any], str]]:
    """Serve a WSGI app on 127.0.0.1 (a free port) in a thread; returns its base URL."""
    servers: list[WebServer] = []

    def serve(app: Any) -> str:
        server = WebServer(app, "127.0.0.1", 0, threads=2)
        server.start()
        servers.append(server)
        return server.url

    yield serve
    for server in servers:
        server.close()


@pytest.fixture
def screenshot() -> Callable[[Any, str], None]:
    """Save a full-page PNG under docs/screenshots when SCREENSHOTS=1 (the README's pictures)."""

    def take(tab: Any, name: str) -> None:
        if os.environ.get("SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take
