"""The pytest plugin: fixtures in-process, served and against a live server; cheap to import."""

from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.server import FakeServer

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
ENTRY_POINT = "fake_salesforce = fake_salesforce.pytest_plugin"


def _installed() -> bool:
    return any(
        ep.name == "fake_salesforce" for ep in importlib.metadata.entry_points(group="pytest11")
    )


def plugin_args() -> list[str]:
    """Load the plugin by hand unless this project is pip-installed (then pytest11 loads it)."""
    return [] if _installed() else ["-p", "fake_salesforce.pytest_plugin"]


def documented_example() -> str:
    text = (ROOT / "docs" / "fixture.md").read_text()
    section = text.split("## pytest plugin", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None
    return match.group(1)


def test_the_documented_example_passes_as_written(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_example=documented_example())
    result = pytester.runpytest(*plugin_args(), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_each_test_gets_a_fresh_org_in_process(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_one(salesforce, fake_salesforce):
            salesforce.Contact.create({"LastName": "Doe"})
            assert fake_salesforce.org is not None and fake_salesforce.url is None

        def test_two(salesforce):
            assert salesforce.query("SELECT COUNT() FROM Contact")["totalSize"] == 0
        """
    )
    pytester.runpytest(*plugin_args()).assert_outcomes(passed=2)


def test_the_server_marker_serves_the_org_on_loopback(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest, requests

        @pytest.mark.fake_salesforce(server=True, packages=["marketo_sales_insight"])
        def test_served(fake_salesforce, salesforce, salesforce_control):
            assert fake_salesforce.url.startswith("http://127.0.0.1:")
            salesforce_control.advance(by="+1h")
            assert requests.get(fake_salesforce.url + "/_fake/clock").status_code == 200
            fields = {f["name"] for f in salesforce.Contact.describe()["fields"]}
            assert "mkto_si__Marketo_Sales_Opt_Out__c" in fields
        """
    )
    pytester.runpytest(*plugin_args()).assert_outcomes(passed=1)


@pytest.fixture
def live_server() -> Iterator[tuple[FakeSalesforce, FakeServer]]:
    fake = FakeSalesforce(instance_url=None, control_token="ci-token")
    with FakeServer(fake.app, threads=4) as server:
        yield fake, server


def test_the_url_option_runs_tests_on_a_live_server_each_in_its_own_org(
    pytester: pytest.Pytester, live_server: tuple[FakeSalesforce, FakeServer]
) -> None:
    fake, server = live_server
    pytester.makepyfile(
        """
        def test_one(salesforce, salesforce_journal, fake_salesforce):
            record_id = salesforce.Contact.create({"LastName": "Doe"})["id"]
            salesforce_journal.assert_written_once(record_id, {"LastName": "Doe"})
            assert fake_salesforce.org is None

        def test_two(salesforce, salesforce_control):
            assert salesforce.query("SELECT COUNT() FROM Contact")["totalSize"] == 0
            assert len(salesforce_control.orgs()) == 2  # the server's own org and this test's
        """
    )
    result = pytester.runpytest(
        *plugin_args(),
        f"--fake-salesforce-url={server.url}",
        "--fake-salesforce-control-token=ci-token",
    )
    result.assert_outcomes(passed=2)
    assert list(fake.registry.orgs) == [fake.org.org_id]  # each test's org was deleted
    assert len(fake.org.tables["Contact"]) == 0


def test_the_live_marker_points_one_test_at_a_server(
    pytester: pytest.Pytester, live_server: tuple[FakeSalesforce, FakeServer]
) -> None:
    _, server = live_server
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.salesforce_live(url="{server.url}", token="ci-token")
        def test_live(fake_salesforce):
            assert fake_salesforce.url == "{server.url}"

        def test_local(fake_salesforce):
            assert fake_salesforce.org is not None
        """
    )
    pytester.runpytest(*plugin_args()).assert_outcomes(passed=2)


def test_importing_the_plugin_loads_neither_flask_nor_the_clients() -> None:
    code = (
        "import sys, fake_salesforce.pytest_plugin; "
        "print(sorted(m for m in ('flask', 'simple_salesforce', 'faker', 'requests', "
        "'fake_salesforce.org') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_entry_point_is_declared_for_pip_installs() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["entry-points"]["pytest11"] == {
        "fake_salesforce": "fake_salesforce.pytest_plugin"
    }


def test_another_project_gets_the_fixtures_from_the_installed_distribution(
    tmp_path: Path,
) -> None:
    # What `pip install` leaves behind: a dist-info with entry_points.txt next to the package.
    site = tmp_path / "site"
    info = site / "unsubscribe_sync-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: unsubscribe-sync\nVersion: 0.1.0\n"
    )
    (info / "entry_points.txt").write_text(f"[pytest11]\n{ENTRY_POINT}\n")
    project = tmp_path / "other_project"
    project.mkdir()
    (project / "test_uses_fake.py").write_text(
        "def test_contact(salesforce):\n"
        "    assert salesforce.Contact.create({'LastName': 'Doe'})['success']\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}
    env.pop("PYTEST_ADDOPTS", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(project)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
