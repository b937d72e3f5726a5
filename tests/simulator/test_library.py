"""`simulate` with several files or a folder: a line per scenario, a summary line, one report
index linking each scenario's page, one JUnit file, and the worst outcome as the exit code."""

from __future__ import annotations

import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from simulator.cli import main

LIBRARY = Path(__file__).resolve().parents[2] / "scenarios"
QUICK = ("push_email_opt_out.yaml", "push_marketo_sales_opt_out.yaml")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    library = tmp_path / "library"
    library.mkdir()
    for name in QUICK:
        shutil.copy(LIBRARY / name, library / name)
    (library / "notes.txt").write_text("not a scenario")
    return library


def test_a_folder_runs_each_scenario_and_ends_with_a_summary_line(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(folder)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines[:2]] == ["PASS", "PASS"]
    assert lines[0].split()[1].endswith("push_email_opt_out.yaml")  # sorted by name
    assert lines[-1].startswith("2 scenarios: 2 passed, 0 failed, 0 invalid (")


def test_an_invalid_file_among_several_is_listed_and_the_exit_code_is_2(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = folder / "broken.yaml"
    broken.write_text("name: x\nsteps: [\n")
    assert main([str(folder / QUICK[0]), str(broken)]) == 2
    captured = capsys.readouterr()
    assert f"INVALID  {broken} (1 problem)" in captured.out
    assert captured.out.strip().endswith(")") and "1 invalid" in captured.out
    assert f"{broken}:3: not valid YAML: line 3, column 1" in captured.err


def test_the_report_folder_gets_one_index_linking_each_scenarios_page(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports, junit = tmp_path / "reports", tmp_path / "all.xml"
    assert main([str(folder), "--report", str(reports), "--junit", str(junit)]) == 0
    index = (reports / "index.html").read_text()
    for name in QUICK:
        page = Path(name).with_suffix(".html").name
        assert f"href='{page}'" in index and (reports / page).is_file()
    assert "2 scenarios: 2 passed" in index
    suites = ET.parse(junit).getroot()
    assert suites.tag == "testsuites" and len(suites.findall("testsuite")) == 2


def test_an_empty_folder_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip() == f"simulate: no scenario files in {tmp_path}"
