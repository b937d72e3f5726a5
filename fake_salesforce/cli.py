"""`fake-salesforce serve`: one org over HTTP or HTTPS until SIGINT/SIGTERM, state kept in a file.

Bad arguments and start-up failures print one line and exit non-zero; never a traceback. It binds
loopback addresses only, unless `--allow-remote`; then the org's password, consumer key and
consumer secret must not be the public defaults, which would hand a token to anyone who asks.
"""

from __future__ import annotations

import argparse
import importlib
import ipaddress
import os
import shutil
import signal
import socket
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from fake_salesforce.org import Credentials, OrgSettings
from fake_salesforce.registry import Registry
from fake_salesforce.routes.control_checks import DEFAULT_MAX_GENERATE
from fake_salesforce.schema import PACKAGES

PROG = "fake-salesforce"
DEFAULT_JOURNAL_LIMIT = 10_000
USAGE_ERROR, START_ERROR = 2, 1


class CliError(Exception):
    """A problem worth one line on stderr."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{PROG}: error: {message} (see {PROG} serve --help)\n")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port out of range 0-65535: {text}")
    return value


def _packages(text: str) -> frozenset[str]:
    names = frozenset(p.strip() for p in text.split(",") if p.strip())
    unknown = sorted(names - set(PACKAGES))
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown package {', '.join(unknown)} (known: {', '.join(sorted(PACKAGES))})"
        )
    return names


def build_parser() -> argparse.ArgumentParser:
    defaults = Credentials()
    parser = _Parser(prog=PROG, description="A fake Salesforce org you can run.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    serve = commands.add_parser("serve", help="serve one org until interrupted")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8787, help="0 picks a free port")
    serve.add_argument("--tls", action="store_true", help="HTTPS with a fresh self-signed CA")
    serve.add_argument("--tls-dir", type=Path, help="keep the certificate files in this folder")
    serve.add_argument("--username", default=defaults.username)
    serve.add_argument("--password", default=defaults.password)
    serve.add_argument("--security-token", default=defaults.security_token)
    serve.add_argument("--consumer-key", default=defaults.consumer_key)
    serve.add_argument("--consumer-secret", default=defaults.consumer_secret)
    serve.add_argument(
        "--packages",
        type=_packages,
        default=frozenset(),
        help="comma-separated, e.g. marketo_sales_insight",
    )
    serve.add_argument(
        "--schema",
        action="append",
        default=[],
        metavar="PATH",
        help="load custom objects and fields: an SFDX project, a Metadata API package or "
        "describe JSON (repeatable)",
    )
    serve.add_argument(
        "--sample-data",
        action="store_true",
        help="start with a new Developer Edition org's sample Accounts, Contacts, "
        "Opportunities and Leads",
    )
    serve.add_argument("--api-limit", type=_positive, default=OrgSettings.api_limit)
    serve.add_argument("--session-seconds", type=_positive, default=OrgSettings.session_seconds)
    serve.add_argument("--threads", type=_positive, default=8)
    serve.add_argument("--state", type=Path, help="load at start, save on clean shutdown")
    serve.add_argument("--control-token", help="enables the control API with this bearer token")
    serve.add_argument(
        "--quiet", action="store_true", help="no line per request (method, path, status, ms)"
    )
    serve.add_argument(
        "--allow-remote",
        action="store_true",
        help="bind a non-loopback --host (needs non-default --password, --consumer-key and "
        "--consumer-secret)",
    )
    serve.add_argument(
        "--journal-limit",
        type=_positive,
        default=DEFAULT_JOURNAL_LIMIT,
        help=f"journal entries kept per org, newest first (default {DEFAULT_JOURNAL_LIMIT:,})",
    )
    serve.add_argument(
        "--max-generate",
        type=_positive,
        default=DEFAULT_MAX_GENERATE,
        help=f"records one /_fake/records call may generate (default {DEFAULT_MAX_GENERATE:,})",
    )
    return parser


def is_loopback(host: str) -> bool:
    """Whether every address `host` names is a loopback address (127.0.0.0/8, ::1)."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0]).is_loopback for i in infos)


def check_exposure(args: argparse.Namespace) -> None:
    """A non-loopback bind needs `--allow-remote` and credentials that are not the defaults."""
    if is_loopback(args.host):
        return
    if not args.allow_remote:
        raise CliError(
            f"--host {args.host} is not a loopback address: anyone who reaches it could log in; "
            "add --allow-remote (with your own --password, --consumer-key and --consumer-secret)"
        )
    defaults = Credentials()
    left = [
        flag
        for flag, value, default in (
            ("--password", args.password, defaults.password),
            ("--consumer-key", args.consumer_key, defaults.consumer_key),
            ("--consumer-secret", args.consumer_secret, defaults.consumer_secret),
        )
        if value == default
    ]
    if left:
        raise CliError(
            f"--allow-remote needs credentials of your own: {', '.join(left)} still the "
            "public default"
        )


def _registry(args: argparse.Namespace) -> Registry:
    registry = Registry(journal_limit=args.journal_limit)
    try:
        _add_org(registry, args)
    except ValueError as exc:  # SchemaError: the file and element at fault
        raise CliError(f"--schema: {exc}") from None
    return registry


def _add_org(registry: Registry, args: argparse.Namespace) -> None:
    registry.add_org(
        OrgSettings(
            api_limit=args.api_limit,
            session_seconds=args.session_seconds,
            packages=args.packages,
            schema=tuple(str(Path(p).resolve()) for p in args.schema),
            sample_data=args.sample_data,
        ),
        Credentials(
            username=args.username,
            password=args.password,
            security_token=args.security_token,
            consumer_key=args.consumer_key,
            consumer_secret=args.consumer_secret,
        ),
    )


def _snapshot() -> Any:
    try:
        return importlib.import_module("fake_salesforce.snapshot")
    except ImportError as exc:
        raise CliError(f"--state is not available in this build ({exc})") from None


def _load_state(registry: Registry, path: Path) -> None:
    snapshot = _snapshot()  # fail at start, not at shutdown, when it is missing
    if not path.exists():
        return
    try:
        snapshot.load_state(registry, path)
    except CliError:
        raise
    except Exception as exc:  # a corrupt or foreign file: say so in one line
        raise CliError(f"cannot load state from {path}: {exc}") from None


def _banner(url: str, registry: Registry, ca_file: Path | None) -> str:
    org = registry.default_org
    creds = org.credentials
    lines = [
        f"fake-salesforce serving org {org.org_id} at {url}",
        f"  instance_url:    {url}",
        f"  username:        {creds.username}",
        f"  password:        {creds.password}",
        f"  security_token:  {creds.security_token}",
        f"  consumer_key:    {creds.consumer_key}",
        f"  consumer_secret: {creds.consumer_secret}",
        f"  packages:        {', '.join(sorted(org.packages)) or '(none)'}",
    ]
    custom = [t.spec for t in org.tables.values() if t.spec.custom]
    if custom:
        names = ", ".join(f"{s.name} ({s.key_prefix})" for s in custom)
        lines.append(f"  custom objects:  {names}")
    if ca_file is not None:
        lines.append(f"  ca_file:         {ca_file}")
        lines.append("  simple-salesforce: session.verify = ca_file (and session.trust_env = False")
        lines.append("                     when REQUESTS_CA_BUNDLE is set)")
    else:
        lines.append(
            "  simple-salesforce: session = fake_salesforce.transport.rewriting_session(url)"
        )
    lines.append(f"  org console:     {url}/_fake/ui/ (from this machine)")
    lines.append("  Ctrl-C or SIGTERM stops it.")
    return "\n".join(lines)


def serve(args: argparse.Namespace) -> int:
    if args.tls_dir is not None and not args.tls:
        raise CliError("--tls-dir needs --tls")
    check_exposure(args)
    registry = _registry(args)
    if args.state is not None:
        if not args.state.parent.is_dir():
            raise CliError(f"--state: no such folder {args.state.parent}")
        _load_state(registry, args.state)
    tls_dir = args.tls_dir
    if args.tls and tls_dir is None:
        tls_dir = Path(tempfile.mkdtemp(prefix="fake-salesforce-tls-"))
    try:
        _run(args, registry, tls_dir)
    finally:
        if tls_dir is not None and args.tls_dir is None:
            shutil.rmtree(tls_dir, ignore_errors=True)
    if args.state is not None:
        _save_state(registry, args.state)
    print("fake-salesforce stopped", flush=True)
    return 0


def _run(args: argparse.Namespace, registry: Registry, tls_dir: Path | None) -> None:
    """Serve until SIGINT or SIGTERM."""
    from fake_salesforce.app import create_app
    from fake_salesforce.server import FakeServer, make_certificate

    tls = make_certificate(tls_dir, (args.host,)) if tls_dir is not None else None
    flask_app = create_app(registry, control_token=args.control_token)
    flask_app.config["MAX_GENERATE"] = args.max_generate
    app: Any = flask_app
    if not args.quiet:
        from fake_salesforce.access_log import AccessLog

        app = AccessLog(flask_app, sys.stdout)
    try:
        server = FakeServer(app, host=args.host, port=args.port, tls=tls, threads=args.threads)
    except OSError as exc:  # in use, not ours to bind, or an unknown host name
        reason = os.strerror(exc.errno) if exc.errno and exc.errno > 0 else exc.strerror or exc
        reason = str(reason).split(" (while attempting", 1)[0]  # socket.create_server's suffix
        raise CliError(f"cannot listen on {args.host}:{args.port}: {reason}") from None

    def stop(_signum: int, _frame: FrameType | None) -> None:
        server.stop()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print(_banner(server.url, registry, tls.ca_file if tls else None), flush=True)
    server.serve_forever()


def _save_state(registry: Registry, path: Path) -> None:
    try:
        _snapshot().save_state(registry, path)
    except OSError as exc:
        raise CliError(f"cannot save state to {path}: {exc.strerror or exc}") from None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "serve":
            return serve(args)
    except CliError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return START_ERROR
    return USAGE_ERROR


if __name__ == "__main__":
    sys.exit(main())
