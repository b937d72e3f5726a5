"""The repository's docs stand alone: every `*.md` file it names is in the repository.

Names are read from the docs, the README and every source file (comments, docstrings and the
`--help` texts, which live in the source). A name resolves against the repository root or
against the folder of the file that names it, as a Markdown link does. Web addresses are not
names of the repository's files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SKIPPED_DIRS = frozenset({".git", ".venv", "node_modules", "build", "dist", "__pycache__"})
TEXT_SUFFIXES = frozenset({".md", ".py", ".lark", ".toml", ".yaml", ".yml", ".ini", ".cfg"})
TEXT_NAMES = frozenset({"Makefile"})

# `ROOT / "docs" / "coverage.md"` names docs/coverage.md.
PATH_JOIN = re.compile(r"[\"']\s*/\s*[\"']")
URL = re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
MD_NAME = re.compile(r"(?<![\w./-])((?:\.{1,2}/)?[\w./-]*\w\.md)\b")


def text_files(root: Path) -> Iterator[Path]:
    """Every text file of the checkout that may name a doc, outside tool and build folders."""
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if any(part in SKIPPED_DIRS or part.startswith(".") for part in parts[:-1]):
            continue
        if path.is_file() and (path.suffix in TEXT_SUFFIXES or path.name in TEXT_NAMES):
            yield path


def md_names(text: str) -> set[str]:
    """The `*.md` names in a text, web addresses left out."""
    return set(MD_NAME.findall(URL.sub(" ", PATH_JOIN.sub("/", text))))


def missing_docs(root: Path, *, exempt: frozenset[Path] = frozenset()) -> list[str]:
    """`file: name` for every named `*.md` that resolves neither from the root nor the file."""
    missing = []
    for path in text_files(root):
        if path in exempt:
            continue
        for name in sorted(md_names(path.read_text(encoding="utf-8", errors="replace"))):
            if not (root / name).is_file() and not (path.parent / name).is_file():
                missing.append(f"{path.relative_to(root)}: {name}")
    return missing


def test_every_md_file_the_repository_names_is_in_the_repository() -> None:
    # This file names absent docs on purpose, in its examples.
    assert missing_docs(ROOT, exempt=frozenset({Path(__file__).resolve()})) == []


def test_the_contract_and_the_wire_rules_are_found_where_the_code_cites_them() -> None:
    names = md_names((ROOT / "sync_core" / "plan.py").read_text())
    names |= md_names((ROOT / "fake_salesforce" / "routes" / "bulk.py").read_text())
    assert {"docs/behaviour.md", "docs/salesforce-wire.md"} <= names


def test_a_doc_named_but_absent_is_reported_with_the_file_naming_it(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "here.md").write_text("See [there](there.md) and [here](here.md).\n")
    (tmp_path / "tool.py").write_text('"""Rules in docs/here.md and api-spec.md 3."""\n')
    assert missing_docs(tmp_path) == ["docs/here.md: there.md", "tool.py: api-spec.md"]


def test_a_path_joined_in_code_is_one_name() -> None:
    assert md_names('PAGE = (ROOT / "docs" / "coverage.md").read_text()') == {"docs/coverage.md"}


def test_web_addresses_ending_in_md_are_not_names_of_files() -> None:
    text = "see https://developer.salesforce.com/docs/platform/api-rest/guide/errorcodes.md"
    assert md_names(text) == set()
