"""The `sync-core` command line: subcommands, their arguments and help. No behaviour here."""

from __future__ import annotations

import argparse
from typing import NoReturn

from sync_core.model import Source, SyncField


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and exit code 2), never the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _common(json_output: bool = True) -> OneLineParser:
    """--config and --json on every subcommand, without overriding what the main parser set."""
    common = OneLineParser(add_help=False)
    common.add_argument(
        "--config",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="config file (default: ./sync-core.toml)",
    )
    if json_output:
        common.add_argument(
            "--json",
            action="store_true",
            default=argparse.SUPPRESS,
            help="print JSON for scripts (no progress bars)",
        )
    return common


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def build_parser() -> OneLineParser:
    parser = OneLineParser(
        prog="sync-core",
        description="Marketo Sales unsubscribe sync with Salesforce (docs/behaviour.md).",
        epilog="Exit codes: 0 ok, 1 the command found a problem, 2 bad input, "
        "3 the store or Salesforce could not be reached or refused the login.",
    )
    parser.add_argument("--config", metavar="PATH", help="config file (default: ./sync-core.toml)")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    sub.required = True
    common = [_common()]

    init = sub.add_parser("init", parents=common, help="write a commented sync-core.toml here")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")

    sub.add_parser(
        "check",
        parents=common,
        help="log in and report whether the nightly sync could run (exit 0 only if so)",
    )

    _people(sub, common)

    sub.add_parser("push", parents=common, help="deliver every queued push once")
    nightly = sub.add_parser("nightly", parents=common, help="run the nightly sync now")
    nightly.add_argument(
        "--dry-run",
        action="store_true",
        help="print every change on each side and its API cost; write nothing",
    )
    nightly.add_argument(
        "--full", action="store_true", help="read everything instead of what changed"
    )

    _settings(sub, common)

    diagnostics = sub.add_parser(
        "diagnostics", parents=common, help="recent errors and parked pushes; `retry` requeues"
    )
    diagnostics.add_argument("action", nargs="?", choices=["show", "retry"], default="show")
    diagnostics.add_argument("person", nargs="?", help="with retry: only this person")
    diagnostics.add_argument("--limit", type=_positive, default=50, help="entries shown")

    runs = sub.add_parser("runs", parents=common, help="recorded push and nightly runs")
    runs.add_argument("--kind", choices=["push", "nightly"])
    runs.add_argument("--limit", type=_positive, default=20, help="latest runs shown")

    run = sub.add_parser(
        "run",
        parents=[_common(json_output=False)],
        help="the service: push worker and nightly schedule until SIGTERM",
    )
    run.add_argument("--log-format", choices=["text", "json"], help="default: from the config")
    run.add_argument(
        "--no-web", action="store_true", help="do not serve the console and unsubscribe page"
    )
    _web(sub, common)
    return parser


def _port(text: str) -> int:
    value = _positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (1..65535)")
    return value


def _web(sub: argparse._SubParsersAction[OneLineParser], common: list[OneLineParser]) -> None:
    web = sub.add_parser(
        "web",
        parents=[_common(json_output=False)],
        help="serve the admin console and the unsubscribe page (127.0.0.1 unless --host)",
    )
    web.add_argument(
        "--host",
        metavar="ADDRESS",
        help="listen here instead of 127.0.0.1; any other address requires login for every page",
    )
    web.add_argument("--port", type=_port, help="default: web.port of the config (8325)")

    link = sub.add_parser("link", parents=common, help="print a person's signed unsubscribe link")
    link.add_argument("person", metavar="EMAIL|ID")
    link.add_argument("--days", type=_positive, help="valid for this many days (web.link_days)")

    admin = sub.add_parser("admin", parents=common, help="console admins")
    actions = admin.add_subparsers(dest="action", metavar="ACTION", parser_class=OneLineParser)
    actions.required = True
    add = actions.add_parser(
        "add", parents=common, help="add an admin, or set a new password (asked for twice)"
    )
    add.add_argument("name", metavar="NAME")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )


def _people(sub: argparse._SubParsersAction[OneLineParser], common: list[OneLineParser]) -> None:
    people = sub.add_parser("people", parents=common, help="import or list people")
    actions = people.add_subparsers(dest="action", metavar="ACTION", parser_class=OneLineParser)
    actions.required = True
    imported = actions.add_parser(
        "import", parents=common, help="import FILE.csv (columns email, contact_id, lead_id)"
    )
    imported.add_argument("file", metavar="FILE.csv")
    listed = actions.add_parser("list", parents=common, help="list people")
    listed.add_argument("--unsubscribed", action="store_true", help="only unsubscribed people")
    listed.add_argument("--no-id", action="store_true", help="only people without an Id")

    person = sub.add_parser("person", parents=common, help="show or link one person")
    shown = person.add_subparsers(dest="action", metavar="ACTION", parser_class=OneLineParser)
    shown.required = True
    show = shown.add_parser("show", parents=common, help="state and full history trail")
    show.add_argument("person", metavar="EMAIL|ID", help="email, Contact/Lead Id or number")
    link = shown.add_parser(
        "link", parents=common, help="give the person a Contact and/or Lead Id (15 or 18)"
    )
    link.add_argument("person", metavar="EMAIL|ID", help="email, Contact/Lead Id or number")
    link.add_argument("--contact", metavar="ID", help="the Contact Id (003...)")
    link.add_argument("--lead", metavar="ID", help="the Lead Id (00Q...)")

    sources = [str(s) for s in Source if s is not Source.SALESFORCE_SYNC]
    unsubscribe = sub.add_parser(
        "unsubscribe", parents=common, help="capture an unsubscribe and queue its push"
    )
    unsubscribe.add_argument("person", metavar="EMAIL|ID")
    unsubscribe.add_argument("--source", required=True, choices=sources)

    resubscribe = sub.add_parser(
        "resubscribe", parents=common, help="an admin removes an unsubscribe (never synced)"
    )
    resubscribe.add_argument("person", metavar="EMAIL|ID")
    resubscribe.add_argument("--by", required=True, metavar="ADMIN", help="who does it")
    resubscribe.add_argument("--reason", required=True, metavar="TEXT", help="why (recorded)")


def _settings(sub: argparse._SubParsersAction[OneLineParser], common: list[OneLineParser]) -> None:
    settings = sub.add_parser("settings", parents=common, help="show or change settings")
    actions = settings.add_subparsers(dest="action", metavar="ACTION", parser_class=OneLineParser)
    actions.required = True
    actions.add_parser("show", parents=common, help="every setting and where it comes from")
    change = actions.add_parser(
        "set",
        parents=common,
        help="change one setting",
        description="sync_fields takes a comma list of "
        + ", ".join(str(f) for f in SyncField)
        + "; booleans take true/false.",
    )
    change.add_argument("key")
    change.add_argument("value")
