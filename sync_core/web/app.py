"""The web shell over `SyncService`: the admin console and the unsubscribe page (Flask).

`create_app` builds one app per service; nothing lives at module level. Every form carries a
CSRF token tied to the browser's signed cookie; every change needs a logged-in admin; read-only
pages open without login only when the app is bound to loopback and the caller is local.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask, abort, g, redirect, request, session, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from sync_core.web.accounts import Accounts
from sync_core.web.display import install_filters
from sync_core.web.throttle import LoginThrottle

ONE_CLICK = "List-Unsubscribe=One-Click"  # RFC 8058 section 3.1


@dataclass(frozen=True)
class WebOptions:
    """What the pages need besides the service (from `[web]` of the config)."""

    public_url: str = "http://127.0.0.1:8325"
    link_key: bytes | None = None
    link_days: int = 90
    loopback_only: bool = True
    instance_url: str | None = None
    pinned: frozenset[str] = field(default_factory=frozenset)


class Pusher:
    """Delivers fresh captures at once, one push at a time for the whole app."""

    def __init__(self, push: Callable[[datetime], object] | None) -> None:
        self._push = push
        self._lock = threading.Lock()

    def __call__(self, now: datetime) -> None:
        if self._push is None:
            return
        with self._lock:
            self._push(now)


def is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return address == "localhost"


def create_app(
    service: Any,
    options: WebOptions,
    *,
    clock: Callable[[], datetime],
    push: Callable[[datetime], object] | None = None,
) -> Flask:
    """The console and the unsubscribe page over one service (its store's database holds the
    admin accounts)."""
    from sync_core.web.console import console
    from sync_core.web.unsubscribe import unsubscribe

    here = Path(__file__).parent
    app = Flask(
        __name__, template_folder=str(here / "templates"), static_folder=str(here / "static")
    )
    app.secret_key = _cookie_key(options.link_key)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=options.public_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
    )
    app.extensions["sync"] = service
    app.extensions["accounts"] = Accounts(service.store.engine)
    app.extensions["login_throttle"] = LoginThrottle()
    app.extensions["options"] = options
    app.extensions["clock"] = clock
    app.extensions["pusher"] = Pusher(push)
    app.before_request(_gate)
    app.after_request(_headers)
    app.context_processor(_template_globals)
    install_filters(app)
    app.register_error_handler(HTTPException, _error_page)
    app.register_blueprint(console)
    app.register_blueprint(unsubscribe)
    return app


def _cookie_key(link_key: bytes | None) -> bytes:
    """Derived from the link secret (cookies survive a restart), else random per process."""
    if link_key is None:
        return secrets.token_bytes(32)
    return hmac.new(link_key, b"console-cookie", hashlib.sha256).digest()


def csrf_token() -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        session["csrf"] = token
    return token


def _gate() -> Response | None:
    """Who is calling, and whether the request may go on (CSRF first for every POST; the
    unsubscribe page checks its own, bound to the link, in unsubscribe.py)."""
    from flask import current_app

    accounts: Accounts = current_app.extensions["accounts"]
    clock = current_app.extensions["clock"]
    g.admin = accounts.who(session.get("sid"), clock())
    if request.method == "POST" and request.blueprint != "unsubscribe":
        given = request.form.get("csrf", "")
        if not given or not hmac.compare_digest(given, csrf_token()):
            abort(400, description="The form has expired. Go back, reload the page and try again.")
    return None


def may_read() -> bool:
    """Read-only pages: a logged-in admin, or anyone local to a loopback-bound console."""
    from flask import current_app

    options: WebOptions = current_app.extensions["options"]
    return g.admin is not None or (options.loopback_only and is_loopback(request.remote_addr))


def require_read() -> Response | None:
    if may_read():
        return None
    return redirect(url_for("console.login", next=request.full_path.rstrip("?")))


def require_admin() -> Response | None:
    if g.admin is not None:
        return None
    return redirect(url_for("console.login", next=request.full_path.rstrip("?")))


def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _error_page(exc: HTTPException) -> tuple[str, int]:
    from flask import render_template

    page = render_template("error.html", code=exc.code, name=exc.name, description=exc.description)
    return page, exc.code or 500


def _template_globals() -> dict[str, Any]:
    return {"csrf_token": csrf_token, "admin": g.get("admin"), "may_read": may_read}
