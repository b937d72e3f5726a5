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
