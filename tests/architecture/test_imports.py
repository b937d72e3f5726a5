"""The import rules of docs/architecture.md, read from the source with `ast`.

Every import counts, including those inside functions: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Modules that reach a disk, a socket, a database or a process. The pure parts may use none.
IO_MODULES = frozenset(
    {
        "alembic",
        "asyncio",
        "flask",
        "http",
        "io",
        "logging",
        "os",
        "pathlib",
        "psycopg",
        "requests",
        "shutil",
        "simple_salesforce",
        "socket",
        "sqlalchemy",
        "sqlite3",
        "subprocess",
        "tempfile",
        "threading",
        "time",
        "urllib",
        "waitress",
    }
)
PURE_MODULES = ("sync_core/plan.py", "sync_core/schedule.py", "sync_core/model.py")
# The fake's public face: the simulator drives the fake through these and nothing else.
FAKE_PUBLIC = frozenset(
    {"fake_salesforce.control_client", "fake_salesforce.fixture", "fake_salesforce.catalog"}
)


def imported_modules(path: Path, root: Path = ROOT) -> Iterator[str]:
    """Every module `path` imports, absolute, with relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = path.relative_to(root).with_suffix("").parts[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            if node.module:
                yield ".".join([*base, node.module])
            else:  # `from . import plan` names modules of the package itself
                yield from (".".join([*base, alias.name]) for alias in node.names)


def package_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def offenders(package: str, forbidden: set[str]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in package_files(package)
        for module in imported_modules(path)
        if module.split(".")[0] in forbidden
    ]


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("fake_salesforce", {"sync_core", "simulator"}),
        ("sync_core", {"fake_salesforce", "simulator"}),
    ],
)
def test_dependencies_point_one_way(package: str, forbidden: set[str]) -> None:
    assert package_files(package), f"no modules found under {package}"
    assert offenders(package, forbidden) == []


def fake_imports(package: str) -> list[tuple[str, str]]:
    return [
        (str(path.relative_to(ROOT)), module)
        for path in package_files(package)
        for module in imported_modules(path)
        if module.split(".")[0] == "fake_salesforce"
    ]


def test_the_simulator_imports_the_fake_only_through_its_client_fixture_and_catalog() -> None:
    found = fake_imports("simulator")
    assert found, "the simulator no longer uses the fake at all?"
    assert [f"{path} imports {module}" for path, module in found if module not in FAKE_PUBLIC] == []


@pytest.mark.parametrize("module", PURE_MODULES)
def test_the_planner_and_the_schedule_do_no_io(module: str) -> None:
    path = ROOT / module
    found = [name for name in imported_modules(path) if name.split(".")[0] in IO_MODULES]
    assert found == [], f"{module} imports modules with I/O: {found}"


def test_the_pure_modules_import_only_pure_project_modules() -> None:
    pure = {Path(m).with_suffix("").as_posix().replace("/", ".") for m in PURE_MODULES}
    for module in PURE_MODULES:
        project = [
            name for name in imported_modules(ROOT / module) if name.split(".")[0] == "sync_core"
        ]
        assert set(project) <= pure | {"sync_core.ids"}, f"{module} imports {project}"


def test_sync_core_reaches_its_store_through_the_ports_only() -> None:
    """The shell names the store roles it uses (sync_core.ports); only the service opens the
    SQL store, so no module can test for, or reach into, the concrete class."""
    allowed = {"sync_core/store.py", "sync_core/service.py"}
    found = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in package_files("sync_core")
        if path.relative_to(ROOT).as_posix() not in allowed
        for module in imported_modules(path)
        if module == "sync_core.store"
    ]
    assert found == []


def test_only_the_salesforce_package_imports_simple_salesforce() -> None:
    """One gateway to an org: the rest of the engine sees `errors` and `model` types only."""
    found = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in package_files("sync_core")
        if "salesforce" not in path.relative_to(ROOT).parts[1:-1]
        for module in imported_modules(path)
        if module.split(".")[0] == "simple_salesforce"
    ]
    assert found == []
    assert any(
        module.startswith("simple_salesforce")
        for path in package_files("sync_core/salesforce")
        for module in imported_modules(path)
    )


def test_the_reader_finds_every_kind_of_import(tmp_path: Path) -> None:
    """Plain, from-, relative and function-level imports are all read."""
    package = tmp_path / "sync_core"
    package.mkdir()
    probe = package / "probe.py"
    probe.write_text(
        "from . import plan\nfrom .model import Person\nimport os.path\n\n"
        "def f():\n    from fake_salesforce import org\n",
        encoding="utf-8",
    )
    assert set(imported_modules(probe, root=tmp_path)) == {
        "sync_core.plan",
        "sync_core.model",
        "os.path",
        "fake_salesforce",
    }
