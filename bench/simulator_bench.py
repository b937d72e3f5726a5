"""Simulated days per wall-clock second: a year of nightly runs, small org and large, in one run.

    .venv/bin/python -m bench.simulator_bench [--records 1000] [--large 50000] [--nights 365]
        [--no-library]

The baseline is the same year with no records at all (the loop, the store and the schedule);
the ratios say what each record count costs on top of it. It also times every scenario
in scenarios/ one after another (target: the whole library in under a minute).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from simulator.load import load, load_text
from simulator.run import run_scenario

SCENARIO = """
name: bench - {records} records over {nights} nights
clock: {{start: 2026-01-05T09:00:00-08:00}}
settings: {{nightly_sync: true}}
salesforce:
  records: [{{ref: c1, type: Contact, LastName: Doe, Email: jane@example.com}}]
  {generate}
marketo_sales:
  people: [{{ref: p1, email: jane@example.com, salesforce: c1}}]
  {people}
steps:
  - unsubscribe: {{person: p1, source: clicked_link}}
  - at: +{nights}d
    expect: {{runs: {{nightly: {nights}}}, converged: true}}
"""


def scenario_text(records: int, nights: int) -> str:
    generate = people = ""
    if records:
        generate = f"generate: [{{type: Contact, count: {records}, opted_out: 0.1, seed: 7}}]"
        people = "generate: [{link: 0.95, unsubscribed: 0.05, seed: 7}]"
    return SCENARIO.format(records=records, nights=nights, generate=generate, people=people)


def measure(records: int, nights: int) -> tuple[float, float, bool]:
    """(simulated days per second, wall seconds, all expectations held)."""
    scenario = load_text(scenario_text(records, nights), f"bench-{records}")
    started = time.perf_counter()
    result = run_scenario(scenario)
    wall = time.perf_counter() - started
    days = (result.end - result.start).total_seconds() / 86400
    return days / wall, wall, result.passed


def library_seconds() -> tuple[int, float, float, bool]:
    """(scenarios, wall seconds for all of them, seconds of the slowest, all passed)."""
    paths = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.yaml"))
    slowest, passed = 0.0, True
    started = time.perf_counter()
    for path in paths:
        began = time.perf_counter()
        passed = run_scenario(load(path)).passed and passed
        slowest = max(slowest, time.perf_counter() - began)
    return len(paths), time.perf_counter() - started, slowest, passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--large", type=int, default=0, help="also a large org (e.g. 50000)")
    parser.add_argument("--nights", type=int, default=365)
    parser.add_argument("--no-library", action="store_true", help="do not time scenarios/")
    args = parser.parse_args()
    base, base_wall, base_ok = measure(0, args.nights)
    if not base:
        raise SystemExit("the baseline scenario did not run; see `simulate` for why")
    print(f"baseline (no generated records): {base:9.1f} simulated days/s "
          f"({base_wall:.2f} s wall, expectations held: {base_ok})")  # fmt: skip
    for count in [c for c in (args.records, args.large) if c]:
        rate, wall, ok = measure(count, args.nights)
        if not rate:
            print(f"{count:>6} records: did not run (see `simulate` for why)")
            continue
        print(f"{count:>6} records: {rate:9.1f} simulated days/s ({wall:.2f} s wall, "
              f"{base / rate:.1f}x the baseline's cost, expectations held: {ok})")  # fmt: skip
    if not args.no_library:
        count, wall, slowest, passed = library_seconds()
        print(f"scenario library: {count} scenarios in {wall:.1f} s (target < 60 s; slowest "
              f"{slowest:.1f} s; all passed: {passed})")  # fmt: skip


if __name__ == "__main__":
    main()
