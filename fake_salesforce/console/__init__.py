"""The org console at /_fake/ui/: what a fake org holds and what was asked of it, in a browser.

Loopback callers only, like the control API (fake_salesforce.routes.control); every form carries
a CSRF token (a random value in a SameSite=Strict cookie, echoed in a hidden field) so a web page
the developer has open elsewhere cannot drive the console. Pages live in `pages`, `journal_pages`
and `setup_pages`; templates and the stylesheet beside them, nothing fetched from elsewhere.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from typing import Any

from flask import Blueprint, Response, current_app, g, render_template, request
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import HTTPException

from fake_salesforce.console.exchanges import Exchanges, Recorder
from fake_salesforce.registry import Registry

bp = Blueprint(
    "fake_console",
    __name__,
    url_prefix="/_fake/ui",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
CSRF_COOKIE = "fake_console_csrf"
EXCHANGES = "fake_console_exchanges"


class ConsoleError(HTTPException):
    """A page that cannot be shown: status and a sentence for the person reading it."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(description=message)
        self.code = status


@bp.record_once
def _install(state: BlueprintSetupState) -> None:
    app: Any = state.app
    registry: Registry = app.config["REGISTRY"]
    exchanges = Exchanges()
    app.extensions[EXCHANGES] = exchanges

    def username(token: str) -> str | None:
        org = registry.resolve(token)
        return org.credentials.username if org is not None else None

    app.wsgi_app = Recorder(app.wsgi_app, exchanges, username)


def exchanges() -> Exchanges:
    found: Exchanges = current_app.extensions[EXCHANGES]
    return found


def registry() -> Registry:
    found: Registry = current_app.config["REGISTRY"]
    return found


@bp.before_request
def _guard() -> None:
    """Loopback only (the console changes the org without logging in); forms need the token."""
    try:
        loopback = ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ConsoleError(403, "The org console answers on loopback only (127.0.0.1, ::1).")
    g.csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    if request.method == "POST":
        given = request.form.get("csrf", "")
        cookie = request.cookies.get(CSRF_COOKIE, "")
        if not cookie or not hmac.compare_digest(given.encode(), cookie.encode()):
            raise ConsoleError(
                403, "This form has expired or came from another site. Reload the page and "
                "submit it again.",
            )  # fmt: skip


@bp.after_request
def _set_cookie(response: Response) -> Response:
    if request.cookies.get(CSRF_COOKIE) != g.get("csrf"):
        response.set_cookie(CSRF_COOKIE, g.csrf, httponly=True, samesite="Strict", path="/_fake/ui")
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers["X-Frame-Options"] = "DENY"
    return response


@bp.app_template_global("csrf_token")
def csrf_token() -> str:
    return str(g.get("csrf", ""))


@bp.errorhandler(ConsoleError)
def _console_error(exc: ConsoleError) -> tuple[str, int]:
    status = exc.code or 400
    page = render_template("fake_console/error.html", status=status, message=exc.description)
    return page, status


from fake_salesforce.console import journal_pages, pages, setup_pages  # noqa: E402,F401
