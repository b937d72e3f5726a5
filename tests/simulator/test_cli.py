"""The simulate command: exit codes and one-line errors, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.cli import main


def test_a_missing_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "nope.yaml")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "cannot read the file" in err


def test_a_bad_command_line_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["a.yaml", "--no-such-option"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "unrecognized arguments" in err


def test_a_file_that_is_not_a_mapping_is_invalid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- just\n- a list\n")
    assert main([str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [f"{path}:1: the file must be a mapping, not a list",
                   f"{path}: invalid, nothing was run (1 problem)"]  # fmt: skip


@pytest.mark.parametrize("depth", [70, 5000])
def test_a_file_nested_too_deeply_is_one_line_in_the_projects_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], depth: int
) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("name: x\nsteps: " + "[" * depth + "]" * depth + "\n")
    assert main([str(path)]) == 2
    err = capsys.readouterr().err
    assert "nested more than 64 levels deep" in err
    assert "RecursionError" not in err and "Traceback" not in err


DEFAULT = Path(__file__).resolve().parents[2] / "scenarios" / "default.yaml"


@pytest.mark.parametrize("option", ["--report", "--junit"])
def test_an_output_into_a_missing_folder_is_exit_3_and_nothing_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    target = tmp_path / "missing" / "out.file"
    assert main([str(DEFAULT), option, str(target), "--quiet"]) == 3
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"simulate: {option} {target}: the folder {target.parent} does not exist\n"
    )


def test_an_output_that_is_a_folder_is_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(DEFAULT), "--report", str(tmp_path), "--quiet"]) == 3
    assert "is a folder, not a file" in capsys.readouterr().err
