"""The built wheel works outside the checkout: its commands, a shipped scenario, the pytest plugin.

A CI job of another repository installs the project from a wheel, a checkout or a git URL; this
builds the wheel, installs it into a fresh virtualenv in a temporary folder (so nothing of the
checkout is importable) and uses it as such a job would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str | Path, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, (
        f"{args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    )
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv, outside the checkout, with only the built wheel installed."""
    work = tmp_path_factory.mktemp("wheel")
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--quiet",
        "-w",
        work / "dist",
        ROOT,
        cwd=work,
    )
    wheels = list((work / "dist").glob("unsubscribe_sync-*.whl"))
    assert len(wheels) == 1, wheels
    venv = work / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=work)
    run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", f"{wheels[0]}[dev]", cwd=work)
    return venv


def test_the_wheel_carries_no_checkout_files(installed: Path) -> None:
    found = run(
        installed / "bin" / "python",
        "-c",
        "import fake_salesforce, sync_core, simulator; "
        "print(fake_salesforce.__file__, sync_core.__file__, simulator.__file__)",
        cwd=installed.parent,
    ).stdout
    assert str(ROOT) not in found
    assert found.count("site-packages") == 3


def test_sync_core_help_runs_from_the_wheel(installed: Path) -> None:
    result = run(installed / "bin" / "sync-core", "--help", cwd=installed.parent)
    assert "nightly" in result.stdout


def test_a_scenario_shipped_in_the_wheel_runs(installed: Path) -> None:
    located = run(
        installed / "bin" / "python",
        "-c",
        "from simulator.examples import path; print(path('default'))",
        cwd=installed.parent,
    ).stdout.strip()
    assert str(ROOT) not in located
    result = run(installed / "bin" / "simulate", located, "--quiet", cwd=installed.parent)
    assert "passed" in result.stdout.lower() or "held" in result.stdout.lower()


def test_fake_salesforce_serve_answers_from_the_wheel(installed: Path) -> None:
    server = subprocess.Popen(
        [str(installed / "bin" / "fake-salesforce"), "serve", "--port", "0"],
        cwd=installed.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = ""
        deadline = time.monotonic() + 60
        while not url and time.monotonic() < deadline:
            line = server.stdout.readline()
            if " at http" in line:
                url = line.rsplit(" at ", 1)[1].strip()
        assert url, "the server printed no URL"
        with urllib.request.urlopen(f"{url}/services/data/", timeout=10) as answer:
            assert answer.status == 200
            assert b'"version"' in answer.read()
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)


def test_the_pytest_plugin_works_in_another_project(installed: Path, tmp_path: Path) -> None:
    project = tmp_path / "their_project"
    project.mkdir()
    (project / "test_their_integration.py").write_text(
        textwrap.dedent(
            """
            import pytest

            @pytest.mark.fake_salesforce(packages=["marketo_sales_insight"])
            def test_an_opt_out_is_written(salesforce):
                created = salesforce.Contact.create({"LastName": "Doe", "Email": "d@example.com"})
                salesforce.Contact.update(created["id"], {"HasOptedOutOfEmail": True})
                row = salesforce.query("SELECT HasOptedOutOfEmail FROM Contact")["records"][0]
                assert row["HasOptedOutOfEmail"] is True
            """
        ),
        encoding="utf-8",
    )
    result = run(
        installed / "bin" / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=project
    )
    assert "1 passed" in result.stdout
