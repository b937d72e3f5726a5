"""Library scenarios with seeded random damage (lines dropped or repeated, values and words
swapped for odd ones, indentation broken): `simulate` answers every one with exit 0, 1 or 2 and
problems on stderr, never an internal error or a traceback."""

from __future__ import annotations

import contextlib
import io
import random
from pathlib import Path

from simulator.cli import main

LIBRARY = [
    p for p in sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.yaml"))
    if "50000" not in p.name  # the one large scenario: seconds a run
]  # fmt: skip
ODD = ["", "null", "~", "-1", "0", "1e309", ".nan", "true", "[]", "{}", "[1, 2]", "{a: 1}",
       "'x'", '"\\u0000"', "2026-13-40T99:99:99Z", "+0s", "+99999999d", "-5m", "next_nightly",
       "p1", "c1", "Contact", "Lead", "HasOptedOutOfEmail", "&a", "*a", "%", "|", ">", "@",
       "!!python/object:os.system", "\t", "é", "9" * 40, "1000000000"]  # fmt: skip


def _damaged(rng: random.Random, lines: list[str]) -> str:
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(lines))
        line, roll = lines[i], rng.random()
        if roll < 0.2:
            del lines[i]
        elif roll < 0.4:
            lines.insert(i, rng.choice(lines))
        elif roll < 0.75 and ":" in line:
            lines[i] = line.partition(":")[0] + ": " + rng.choice(ODD)
        elif roll < 0.85:
            words = line.split(" ")
            words[rng.randrange(len(words))] = rng.choice(ODD)
            lines[i] = " ".join(words)
        else:
            lines[i] = " " * rng.randint(0, 6) + line.lstrip()
        if not lines:
            break
    return "\n".join(lines) + "\n"


def test_damaged_scenarios_are_answered_with_problems_never_an_internal_error(
    tmp_path: Path,
) -> None:
    rng = random.Random(7)
    path = tmp_path / "damaged.yaml"
    for _ in range(300):
        source = rng.choice(LIBRARY)
        path.write_text(_damaged(rng, source.read_text().splitlines()))
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([str(path)])
        said = err.getvalue()
        assert code in (0, 1, 2), (source.name, code, said)
        assert "internal error" not in said and "Traceback" not in said, (source.name, said)
