"""`sync-core run`: the long-running service, stopped cleanly by SIGTERM or SIGINT."""

from __future__ import annotations

import signal
import sys
from datetime import timedelta
from types import FrameType

from sqlalchemy.engine import make_url

from sync_core.cli.context import EXIT_OK, Context
from sync_core.connection import login_target
from sync_core.logging_setup import configure, event
from sync_core.runner import Runner


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

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        runner.run()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return EXIT_OK
