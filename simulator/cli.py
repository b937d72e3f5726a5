"""`simulate FILE.yaml`: load, run, report. Exit 0 all held, 1 one failed, 2 invalid (not run).

Errors are one line each on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from simulator.load import load
from simulator.problems import InvalidScenario
from simulator.report import junit, machine, page, text
from simulator.results import RunResult

EXIT_PASSED, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_INVALID, f"simulate: {message} (see simulate --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="simulate",
        description="Run a scenario file against the sync core and a fake Salesforce org.",
        epilog="Exit codes: 0 every expectation held, 1 one failed, 2 the file is invalid.",
    )
    parser.add_argument("file", help="the scenario, a YAML file (docs/scenarios.md)")
    parser.add_argument("--report", metavar="FILE.html", help="also write an HTML report")
    parser.add_argument("--junit", metavar="FILE.xml", help="also write JUnit XML")
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    parser.add_argument("--server", metavar="URL", help="run against `fake-salesforce serve`")
    parser.add_argument("--quiet", action="store_true", help="print expectations only")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _simulate(args)
    except KeyboardInterrupt:
        print("simulate: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a CLI error is one line, never a traceback
        print(f"simulate: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        return EXIT_INVALID


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
    from simulator.run import run_scenario  # the engine loads only for a valid file

    started = time.perf_counter()
    result = run_scenario(scenario, server=args.server)
    elapsed = time.perf_counter() - started
    _write_files(result, args)
    if args.json:
        sys.stdout.write(machine.render(result))
    else:
        sys.stdout.write(text.render(result, verbose=not args.quiet))
        print(f"({text.span(result)} simulated in {elapsed:.2f} s)")
    return EXIT_PASSED if result.passed else EXIT_FAILED


def _write_files(result: RunResult, args: argparse.Namespace) -> None:
    if args.report:
        Path(args.report).write_text(page.render(result), encoding="utf-8")
    if args.junit:
        Path(args.junit).write_text(junit.render(result), encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
