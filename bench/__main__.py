"""`python -m bench [--full]`: every bench/*_bench.py module's `main(full)` in turn.

A module whose `main` takes no `full` but an `argv` gets `["--full"]` or `[]`; one taking nothing
runs with an empty command line, so its own argparse sees no foreign flags.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
import time
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).parent


def bench_modules(only: list[str]) -> list[str]:
    names = sorted(p.stem for p in HERE.glob("*_bench.py"))
    return [n for n in names if not only or n in only or n.removesuffix("_bench") in only]


def run(module: ModuleType, full: bool) -> None:
    main = module.main
    params = inspect.signature(main).parameters
    if "full" in params:
        main(full=full)
    elif "argv" in params:
        main(["--full"] if full else [])
    else:
        saved, sys.argv = sys.argv, [module.__name__]
        try:
            main()
        finally:
            sys.argv = saved


def cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--full", action="store_true", help="the slow, full-size runs too")
    parser.add_argument("only", nargs="*", help="bench names to run (e.g. crud soql); all if none")
    args = parser.parse_args(argv)
    names = bench_modules(args.only)
    if not names:
        parser.error(f"no bench matches {' '.join(args.only)}")
    for name in names:
        print(f"== bench.{name}{' --full' if args.full else ''}", flush=True)
        started = time.perf_counter()
        run(importlib.import_module(f"bench.{name}"), args.full)
        print(f"== bench.{name} took {time.perf_counter() - started:.1f} s\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(cli())
