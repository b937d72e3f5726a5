"""`simulate A.yaml B.yaml` or `simulate scenarios/`: run a library of scenarios.

One line per scenario, then a summary line; `--report DIR` writes each scenario's page and one
`index.html` linking them; `--junit FILE` one <testsuites>; `--json` one object listing each
result. Exit 2 when any file is invalid, else 1 when any expectation failed, else 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from html import escape
from pathlib import Path
from xml.etree import ElementTree as ET

from simulator.load import load
from simulator.problems import InvalidScenario
from simulator.report import junit, machine, page, text
from simulator.report.style import CSS
from simulator.results import RunResult

EXIT_PASSED, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


class LibraryOutputError(Exception):
    """A --report folder cannot be made or written."""


@dataclass
class Outcome:
    """One file of the library: its result, or why it was not run."""

    path: Path
    result: RunResult | None
    problems: tuple[str, ...]
    seconds: float
    report: str | None = None


def scenario_files(paths: list[str]) -> list[Path]:
    """Files as given; a folder stands for its `*.yaml` and `*.yml` files, sorted by name."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
        else:
            found.append(path)
    return found


def run_many(args: argparse.Namespace) -> int:
    files = scenario_files(args.file)
    if not files:
        print(f"simulate: no scenario files in {', '.join(args.file)}", file=sys.stderr)
        return EXIT_INVALID
    folder = _report_folder(args.report)
    started = time.perf_counter()
    outcomes = [_one(path, args, folder) for path in files]
    elapsed = time.perf_counter() - started
    if folder is not None:
        (folder / "index.html").write_text(index_page(outcomes, elapsed), encoding="utf-8")
    if args.junit:
        Path(args.junit).write_text(_junit(outcomes), encoding="utf-8")
    if args.json:
        shown = [json.loads(machine.render(o.result)) for o in outcomes if o.result]
        print(json.dumps({"scenarios": shown, "summary": summary(outcomes, elapsed)}, indent=2))
    else:
        print(summary(outcomes, elapsed))
    return _exit(outcomes)


def _report_folder(name: str | None) -> Path | None:
    if not name:
        return None
    folder = Path(name)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LibraryOutputError(
            f"--report {name}: with several scenarios it names a folder, and this one cannot "
            f"be made ({exc.strerror})"
        ) from None
    return folder


def _one(path: Path, args: argparse.Namespace, folder: Path | None) -> Outcome:
    started = time.perf_counter()
    try:
        scenario = load(str(path))
    except InvalidScenario as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        outcome = Outcome(path, None, tuple(str(p) for p in exc.problems), 0.0)
        _line(outcome, args)
        return outcome
    from simulator.run import run_scenario  # the engine loads only for a valid file

    result = run_scenario(scenario, server=args.server)
    outcome = Outcome(path, result, (), time.perf_counter() - started)
    if folder is not None:
        outcome.report = f"{path.stem}.html"
        emails = {p.ref: p.email for p in scenario.people}
        (folder / outcome.report).write_text(page.render(result, emails), encoding="utf-8")
    _line(outcome, args)
    return outcome


def _line(outcome: Outcome, args: argparse.Namespace) -> None:
    if args.json:
        return
    if outcome.result is None:
        count = len(outcome.problems)
        print(f"INVALID  {outcome.path} ({count} problem{'' if count == 1 else 's'})")
        return
    result = outcome.result
    word = "PASS   " if result.passed else "FAIL   "
    print(f"{word}  {outcome.path}  {result.name} ({text.span(result)} in {outcome.seconds:.2f} s)")
    if not result.passed and not args.quiet:
        for exp in result.expectations:
            if not exp.passed:
                print(f"           failed: {exp.title(result.zone)}")


def summary(outcomes: list[Outcome], elapsed: float) -> str:
    """`30 scenarios: 28 passed, 1 failed, 1 invalid (41.2 s)`."""
    passed = sum(1 for o in outcomes if o.result is not None and o.result.passed)
    invalid = sum(1 for o in outcomes if o.result is None)
    failed = len(outcomes) - passed - invalid
    noun = "scenario" if len(outcomes) == 1 else "scenarios"
    return (
        f"{len(outcomes)} {noun}: {passed} passed, {failed} failed, {invalid} invalid "
        f"({elapsed:.1f} s)"
    )


def _exit(outcomes: list[Outcome]) -> int:
    if any(o.result is None for o in outcomes):
        return EXIT_INVALID
    if any(o.result is not None and not o.result.passed for o in outcomes):
        return EXIT_FAILED
    return EXIT_PASSED


def _junit(outcomes: list[Outcome]) -> str:
    suites = ET.Element("testsuites")
    for outcome in outcomes:
        if outcome.result is not None:
            suites.append(ET.fromstring(junit.render(outcome.result).split("?>", 1)[1]))
        else:
            suite = ET.SubElement(suites, "testsuite", name=str(outcome.path), tests="1",
                                  failures="0", errors="1")  # fmt: skip
            case = ET.SubElement(suite, "testcase", classname=str(outcome.path), name="load")
            ET.SubElement(case, "error", message="invalid scenario").text = "\n".join(
                outcome.problems
            )
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"


def index_page(outcomes: list[Outcome], elapsed: float) -> str:
    """The library's front page: every scenario's verdict, linking to its report."""
    rows = [_index_row(o) for o in outcomes]
    head = ("<tr><th scope=col>Result</th><th scope=col>Scenario</th><th scope=col>File</th>"
            "<th scope=col>Expectations</th><th scope=col>Simulated</th></tr>")  # fmt: skip
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>Scenario library</title><style>{CSS}</style></head><body>"
        "<header class=top><div class=wrap><p class=kicker>Scenario library</p>"
        f"<h1>{escape(summary(outcomes, elapsed))}</h1></div></header><main class=wrap>"
        f"<h2>Scenarios</h2><table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"
        "</main></body></html>\n"
    )


def _index_row(outcome: Outcome) -> str:
    result = outcome.result
    if result is None:
        problems = "<br>".join(escape(p) for p in outcome.problems)
        return (f"<tr class=bad><td>invalid</td><td>{problems}</td>"
                f"<td class=t>{escape(str(outcome.path))}</td><td></td><td></td></tr>")  # fmt: skip
    held = sum(1 for e in result.expectations if e.passed)
    name = escape(result.name)
    link = f"<a href='{escape(outcome.report)}'>{name}</a>" if outcome.report else name
    cls = "" if result.passed else " class=bad"
    word = "passed" if result.passed else "FAILED"
    return (
        f"<tr{cls}><td>{word}</td><td>{link}</td><td class=t>{escape(str(outcome.path))}</td>"
        f"<td>{held} of {len(result.expectations)}</td><td>{escape(text.span(result))}</td></tr>"
    )
