"""`sync-core`: parse, call the service, print. Every failure is one line and an exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

from sqlalchemy.exc import SQLAlchemyError

from sync_core.cli import admin, people, sync, web
from sync_core.cli.context import EXIT_FAILED, EXIT_UNAVAILABLE, EXIT_USAGE, CliError, Context
from sync_core.cli.parser import build_parser
from sync_core.cli.service import run
from sync_core.config import SECRETS, ConfigError
from sync_core.errors import ConfigurationError, SyncError

Handler = Callable[[Context], int]
HANDLERS: dict[tuple[str, str | None], Handler] = {
    ("init", None): admin.init,
    ("check", None): sync.check,
    ("people", "import"): people.people_import,
    ("people", "list"): people.people_list,
    ("person", "show"): people.person_show,
    ("person", "link"): people.person_link,
    ("unsubscribe", None): people.unsubscribe,
    ("resubscribe", None): people.resubscribe,
    ("push", None): sync.push,
    ("nightly", None): sync.nightly,
    ("settings", "show"): admin.settings_show,
    ("settings", "set"): admin.settings_set,
    ("diagnostics", "show"): admin.diagnostics,
    ("diagnostics", "retry"): admin.diagnostics,
    ("runs", None): admin.runs,
    ("run", None): run,
    ("web", None): web.web,
    ("link", None): web.link,
    ("admin", "add"): web.admin_add,
}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already printed on one line
        return int(exc.code or 0)
    ctx = Context(args)
    handler = HANDLERS[(args.command, getattr(args, "action", None))]
    try:
        return handler(ctx)
    except KeyboardInterrupt:
        return _fail(ctx, "interrupted", EXIT_FAILED)
    except Exception as exc:  # the boundary: every failure becomes one line and a code
        message, code = describe_failure(exc)
        if os.environ.get("SYNC_CORE_DEBUG") == "1":
            raise
        return _fail(ctx, message, code)
    finally:
        ctx.close()


def describe_failure(exc: BaseException) -> tuple[str, int]:
    """The user's one-line message and exit code for a failure that reached the top."""
    if isinstance(exc, CliError):
        return str(exc), exc.code
    if isinstance(exc, ConfigError):
        return str(exc), EXIT_USAGE
    if isinstance(exc, ConfigurationError) and exc.code in ("INVALID_LOGIN", "INVALID_GRANT"):
        return f"Salesforce refused the login: {_short(exc.message)}", EXIT_UNAVAILABLE
    if isinstance(exc, SyncError) and "CERTIFICATE_VERIFY_FAILED" in exc.message:
        return (
            "cannot reach Salesforce: its TLS certificate is not signed by a CA this machine "
            "trusts; if it uses a private CA (a proxy, or `fake-salesforce serve --tls`), name "
            "that CA's PEM file in SF_CA_FILE or salesforce.ca_file",
            EXIT_UNAVAILABLE,
        )
    if isinstance(exc, SyncError) and exc.code in ("CONNECTION_ERROR", "TIMEOUT"):
        return f"cannot reach Salesforce: {_short(exc.message)}", EXIT_UNAVAILABLE
    if isinstance(exc, SyncError):
        return f"Salesforce: {exc.code}: {_short(exc.message)}", EXIT_UNAVAILABLE
    if isinstance(exc, SQLAlchemyError):
        return f"store error: {_short(str(getattr(exc, 'orig', None) or exc))}", EXIT_UNAVAILABLE
    if isinstance(exc, ValueError):  # input the service refused (the message says which)
        return _short(str(exc)), EXIT_USAGE
    # Only the documented codes 0-3 ever leave the CLI: a bug is a failed command.
    return f"internal error: {type(exc).__name__}: {_short(str(exc))}", EXIT_FAILED


def _short(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first[:300]


def _fail(ctx: Context, message: str, code: int) -> int:
    line = SECRETS.redact(" ".join(message.split()))
    sys.stderr.write(f"sync-core: error: {line}\n")
    return code
