"""`simulate FILE.yaml`: load, run, report. Exit 0 all held, 1 one failed, 2 invalid (not run).

Errors are one line each on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from simulator.library import LibraryOutputError
from simulator.load import load
from simulator.problems import InvalidScenario
from simulator.report import junit, machine, page, text
from simulator.results import RunResult

EXIT_PASSED, EXIT_FAILED, EXIT_INVALID, EXIT_OUTPUT = 0, 1, 2, 3


class OutputError(Exception):
    """A --report or --junit file cannot be written (the scenario itself is fine)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_INVALID, f"simulate: {message} (see simulate --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="simulate",
        description="Run a scenario file against the sync core and a fake Salesforce org.",
        epilog="Exit codes: 0 every expectation held, 1 one failed, 2 the file is invalid, "
        "3 a report file cannot be written.",
    )
    parser.add_argument(
        "file",
        nargs="+",
        help="the scenario, a YAML file (docs/scenarios.md); several files or a folder run "
        "each and print a summary",
    )
    parser.add_argument(
        "--report",
        metavar="FILE.html",
        help="also write an HTML report (for several scenarios: a folder, with index.html)",
    )
    parser.add_argument("--junit", metavar="FILE.xml", help="also write JUnit XML")
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    parser.add_argument("--server", metavar="URL", help="run against `fake-salesforce serve`")
    parser.add_argument("--quiet", action="store_true", help="print expectations only")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if len(args.file) > 1 or Path(args.file[0]).is_dir():
            from simulator.library import run_many

            return run_many(args)
        args.file = args.file[0]
        return _simulate(args)
    except KeyboardInterrupt:
        print("simulate: interrupted", file=sys.stderr)
        return EXIT_FAILED
    except (OutputError, LibraryOutputError) as exc:
        print(f"simulate: {exc}", file=sys.stderr)
        return EXIT_OUTPUT
    except Exception as exc:  # a bug: one line, never a traceback, and not "invalid file"
        print(
            f"simulate: internal error: {type(exc).__name__}: {exc}".splitlines()[0],
            file=sys.stderr,
        )
        return EXIT_FAILED


def _simulate(args: argparse.Namespace) -> int:
    try:
        scenario = load(args.file)
    except InvalidScenario as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        count = len(exc.problems)
        noun = "problem" if count == 1 else "problems"
        print(f"{args.file}: invalid, nothing was run ({count} {noun})", file=sys.stderr)
        return EXIT_INVALID
    _check_outputs(args)
    from simulator.run import run_scenario  # the engine loads only for a valid file

    started = time.perf_counter()
    result = run_scenario(scenario, server=args.server)
    elapsed = time.perf_counter() - started
    _write_files(result, args, {p.ref: p.email for p in scenario.people})
    if args.json:
        sys.stdout.write(machine.render(result))
    else:
        sys.stdout.write(text.render(result, verbose=not args.quiet))
        print(f"({text.span(result)} simulated in {elapsed:.2f} s)")
    return EXIT_PASSED if result.passed else EXIT_FAILED


def _outputs(args: argparse.Namespace) -> list[tuple[str, str]]:
    return [(o, p) for o, p in (("--report", args.report), ("--junit", args.junit)) if p]


def _check_outputs(args: argparse.Namespace) -> None:
    """Before running: each output's folder exists and can be written, and it is not a folder."""
    for option, name in _outputs(args):
        path = Path(name)
        folder = path.parent
        if not folder.is_dir():
            raise OutputError(f"{option} {name}: the folder {folder} does not exist")
        if path.is_dir():
            raise OutputError(f"{option} {name}: is a folder, not a file")
        if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            raise OutputError(f"{option} {name}: permission denied")


def _write_files(result: RunResult, args: argparse.Namespace, emails: dict[str, str]) -> None:
    render = {
        "--report": lambda: page.render(result, emails),
        "--junit": lambda: junit.render(result),
    }
    for option, name in _outputs(args):
        try:
            Path(name).write_text(render[option](), encoding="utf-8")
        except OSError as exc:
            raise OutputError(f"{option} {name}: cannot write it ({exc.strerror})") from None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
