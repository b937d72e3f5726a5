"""Invalid scenario files fail before anything runs, with every problem and the right message.

Each file under invalid/ lists the problems it must produce as `# error: LINE: text` comments.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.load import load
from simulator.problems import InvalidScenario

INVALID = sorted((Path(__file__).parent / "invalid").glob("*.yaml"))
WANTED = re.compile(r"^# error: (\d+): (.+)$", re.M)


def wanted(path: Path) -> list[tuple[int, str]]:
    return [(int(line), text) for line, text in WANTED.findall(path.read_text())]


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_file_reports_exactly_its_problems_at_their_lines(path: Path) -> None:
    with pytest.raises(InvalidScenario) as caught:
        load(path)
    found = [(p.line, p.message) for p in caught.value.problems]
    for line, text in wanted(path):
        assert any(fl == line and text in fm for fl, fm in found), (line, text, found)
    assert len(found) == len(wanted(path)), found


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_file_exits_2_with_one_line_per_problem_and_no_traceback(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == len(wanted(path)) + 1
    assert all(line.startswith(f"{path}:") for line in lines)
    assert lines[-1].endswith("nothing was run" + lines[-1].split("nothing was run")[1])


def test_the_library_has_invalid_files_for_refs_times_values_keys_and_yaml() -> None:
    assert {p.stem for p in INVALID} >= {
        "bad_refs", "bad_times", "bad_values", "unknown_keys", "not_yaml", "missing_parts",
    }  # fmt: skip
