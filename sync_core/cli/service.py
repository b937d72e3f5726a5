"""`sync-core run`: the long-running service, stopped cleanly by SIGTERM or SIGINT."""

from __future__ import annotations

import logging
import signal
import sys
from datetime import timedelta
from types import FrameType

from sqlalchemy.engine import make_url

from sync_core.cli.context import EXIT_OK, CliError, Context
from sync_core.cli.web import build_server
from sync_core.connection import login_target
from sync_core.logging_setup import configure, event
from sync_core.runner import Runner
from sync_core.service import SyncService
from sync_core.web.server import WebServer


def run(ctx: Context) -> int:
    cfg = ctx.config
    log_format = ctx.args.log_format or cfg.service.log_format
    logger = configure(sys.stderr, json_lines=log_format == "json")
    service = ctx.service(salesforce=True, worker=cfg.service.worker)
    event(
        logger,
        "connected",
        store=make_url(cfg.store_url).get_backend_name(),
        salesforce=login_target(cfg.salesforce).describe(),
        username=cfg.salesforce.username,
    )
    runner = Runner(
        service, logger, ctx.clock, catch_up=timedelta(hours=cfg.service.catch_up_hours)
    )

    def stop(signum: int, _frame: FrameType | None) -> None:
        event(logger, "stopping", signal=signal.Signals(signum).name)
        runner.stop()

    server = None if ctx.args.no_web else _console(ctx, service, logger)
    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        runner.run()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if server is not None:
            server.close()
    return EXIT_OK


def _console(ctx: Context, service: SyncService, logger: logging.Logger) -> WebServer | None:
    """The console beside the loop; the loop itself delivers what the unsubscribe page captures.

    A busy port does not stop the sync: the service runs on and says why there is no console."""
    web = ctx.config.web
    try:
        server = build_server(ctx, service, web.host, web.port, pushes=False, log=logger)
    except CliError as exc:
        event(logger, "web_unavailable", logging.WARNING, reason=str(exc))
        return None
    server.start()
    event(logger, "web_listening", url=server.url)
    return server
