"""`sync-core web`, `sync-core link EMAIL` and `sync-core admin add NAME`."""

from __future__ import annotations

import getpass
import logging
import signal
import sys
from datetime import datetime
from types import FrameType

from sync_core.cli.context import EXIT_OK, EXIT_UNAVAILABLE, CliError, Context
from sync_core.config import LINK_SECRET_ENV, ConfigError
from sync_core.errors import SyncError
from sync_core.logging_setup import configure, event
from sync_core.service import SyncService
from sync_core.web import WebOptions, create_app
from sync_core.web.accounts import Accounts
from sync_core.web.app import is_loopback
from sync_core.web.links import check_secret, expiry, link_url, mint_token
from sync_core.web.server import WebServer


def link_key(ctx: Context, *, required: bool) -> bytes | None:
    """The unsubscribe links' key from $SYNC_CORE_LINK_SECRET or `web.link_secret_file`."""
    try:
        return check_secret(ctx.config.web.link_secret(ctx.environ))
    except ConfigError:
        if required:
            raise
        return None
    except ValueError as exc:
        raise CliError(f"{LINK_SECRET_ENV}: {exc}") from None


def web_options(ctx: Context, service: SyncService, host: str, key: bytes | None) -> WebOptions:
    cfg = ctx.config
    instance = cfg.salesforce.instance_url
    sf = getattr(service.gateway, "sf", None)
    if instance is None and sf is not None and getattr(sf, "sf_instance", None):
        instance = f"https://{sf.sf_instance}"
    return WebOptions(
        public_url=cfg.web.public_url,
        link_key=key,
        link_days=cfg.web.link_days,
        loopback_only=_is_loopback_host(host),
        instance_url=instance,
        pinned=frozenset(cfg.settings),
    )


def _is_loopback_host(host: str) -> bool:
    return host == "localhost" or is_loopback(host)


def build_server(
    ctx: Context, service: SyncService, host: str, port: int, *, pushes: bool, log: logging.Logger
) -> WebServer:
    """The console and unsubscribe page for `service`; `pushes`: deliver captures at once."""
    key = link_key(ctx, required=False)
    if key is None:
        event(log, "web_links_off", reason=f"no link secret (set {LINK_SECRET_ENV})")

    def push(now: datetime) -> None:
        try:
            ctx.service(salesforce=True).push_due(now)
        except (SyncError, ConfigError) as exc:  # the capture stays in the outbox
            event(log, "push_deferred", reason=str(exc).splitlines()[0])

    app = create_app(
        service,
        web_options(ctx, service, host, key),
        clock=ctx.clock,
        push=push if pushes else None,
    )
    try:
        return WebServer(app, host, port)
    except OSError as exc:
        raise CliError(
            f"cannot listen on {host}:{port}: {exc.strerror}", EXIT_UNAVAILABLE
        ) from None


def web(ctx: Context) -> int:
    cfg = ctx.config.web
    host = ctx.args.host or cfg.host
    port = ctx.args.port if ctx.args.port is not None else cfg.port
    log = configure(sys.stderr, json_lines=False)
    service = ctx.service()
    server = build_server(ctx, service, host, port, pushes=True, log=log)
    login = (
        "every page needs an admin login"
        if not _is_loopback_host(host)
        else "read-only pages open locally"
    )
    event(log, "web_listening", url=server.url, access=login)

    def stop(signum: int, _frame: FrameType | None) -> None:
        event(log, "stopping", signal=signal.Signals(signum).name)
        server.stop()

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        server.serve()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return EXIT_OK


def link(ctx: Context) -> int:
    """Print a person's signed unsubscribe link (behaviour: the `clicked_link` source)."""
    key = link_key(ctx, required=True)
    assert key is not None
    person = ctx.find_person(ctx.args.person)
    cfg = ctx.config.web
    expires = expiry(ctx.clock(), ctx.args.days or cfg.link_days)
    url = link_url(cfg.public_url, mint_token(key, person.id, person.email, expires))
    ctx.emit({"email": person.email, "url": url, "expires": expires}, url)
    return EXIT_OK


def admin_add(ctx: Context) -> int:
    """Add a console admin (or set a new password); the password is read, never an argument."""
    if ctx.args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {ctx.args.name}: ")
        if getpass.getpass("again: ") != password:
            raise CliError("the passwords differ")
    accounts = Accounts(ctx.service().store.engine)
    try:
        added = accounts.add(ctx.args.name, password, ctx.clock())
    except ValueError as exc:
        raise CliError(str(exc)) from None
    what = "added" if added else "password changed (sessions ended)"
    ctx.emit(
        {"admin": ctx.args.name.strip(), "added": added}, f"admin {ctx.args.name.strip()}: {what}"
    )
    return EXIT_OK
