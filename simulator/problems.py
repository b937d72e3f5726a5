"""What is wrong with a scenario file: every problem with its line, and typed readers that report.

Readers return None after reporting, so validation carries on and one run lists every error.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from simulator.placement import belongs
from simulator.source import Map, Node, Scalar, Seq


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class InvalidScenario(Exception):
    """The file cannot run; `problems` holds every reason, in line order."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(sorted(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


def hint(word: str, choices: Iterable[str]) -> str:
    """` (did you mean "x"?)` for the closest choice, or nothing."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in choices}
        close = [lowered[word.lower()]] if word.lower() in lowered else []
    return f' (did you mean "{close[0]}"?)' if close else ""


def _kind(node: Node) -> str:
    if isinstance(node, Map):
        return "a mapping"
    if isinstance(node, Seq):
        return "a list"
    return f'"{node.text}"'


class Problems:
    """The problems found so far in one file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.found: list[Problem] = []

    def add(self, line: int, message: str) -> None:
        self.found.append(Problem(self.path, line, message))

    def keys(
        self, node: Map, allowed: Collection[str], where: str, required: Iterable[str] = ()
    ) -> None:
        """Report unknown, duplicated and missing keys of a mapping."""
        for key, line in node.duplicates:
            self.add(line, f'key "{key}" appears twice in {where}')
        for key in node.names():
            if key not in allowed:
                known = belongs(node, key) or hint(key, allowed)
                self.add(node.key_line(key), f'unknown key "{key}" in {where}{known}')
        for key in required:
            if key not in node:
                self.add(node.line, f'{where} needs "{key}"')

    def mapping(self, node: Node | None, where: str) -> Map | None:
        if node is None or isinstance(node, Map):
            return node
        self.add(node.line, f"{where} must be a mapping, not {_kind(node)}")
        return None

    def sequence(self, node: Node | None, where: str) -> Seq | None:
        if node is None or isinstance(node, Seq):
            return node
        self.add(node.line, f"{where} must be a list, not {_kind(node)}")
        return None

    def text(self, node: Node | None, where: str) -> str | None:
        if node is None:
            return None
        if isinstance(node, Scalar) and node.value is not None and not isinstance(node.value, bool):
            return str(node.value) if isinstance(node.value, str) else node.text
        self.add(node.line, f"{where} must be text, not {_kind(node)}")
        return None

    def boolean(self, node: Node | None, where: str) -> bool | None:
        if node is None:
            return None
        if isinstance(node, Scalar) and isinstance(node.value, bool):
            return node.value
        self.add(node.line, f"{where} must be true or false, not {_kind(node)}")
        return None

    def integer(
        self, node: Node | None, where: str, minimum: int = 0, maximum: int | None = None
    ) -> int | None:
        if node is None:
            return None
        value = node.value if isinstance(node, Scalar) else None
        if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
            if maximum is None or value <= maximum:
                return value
            self.add(node.line, f"{where} must be at most {maximum:,}, not {value:,}")
            return None
        self.add(
            node.line, f"{where} must be a whole number of at least {minimum}, not {_kind(node)}"
        )
        return None

    def fraction(self, node: Node | None, where: str) -> float | None:
        if node is None:
            return None
        value = node.value if isinstance(node, Scalar) else None
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1:
            return float(value)
        self.add(node.line, f"{where} must be a number from 0 to 1, not {_kind(node)}")
        return None

    def choice(self, node: Node | None, choices: Collection[str], where: str) -> str | None:
        value = self.text(node, where)
        if value is None or node is None:
            return None
        if value in choices:
            return value
        self.add(
            node.line,
            f'unknown {where} "{value}"{hint(value, choices)}; one of: {", ".join(choices)}',
        )
        return None

    def scalar(self, node: Node | None, where: str) -> Any:
        if node is None or isinstance(node, Scalar):
            return None if node is None else node.value
        self.add(node.line, f"{where} must be a single value, not {_kind(node)}")
        return None
