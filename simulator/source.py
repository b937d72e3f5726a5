"""YAML read with its line numbers: every mapping, sequence and scalar keeps where it was written.

PyYAML composes nodes that carry marks; we build our own small tree from them instead of
plain dicts, so the loader can say `file:line` for any value it rejects.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

MAX_NODES = 1_000_000  # values a scenario may expand to, aliases followed


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves timestamps as text: the loader parses times itself."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Scalar:
    """A scalar value, the text it was written as, and its line (1-based)."""

    value: Any
    text: str
    line: int


@dataclass(frozen=True)
class Seq:
    """A sequence and its line."""

    items: tuple[Node, ...]
    line: int

    def __iter__(self) -> Iterator[Node]:
        return iter(self.items)


@dataclass(frozen=True)
class Map:
    """A mapping with string keys, each key's line, and its own line."""

    entries: dict[str, Node]
    key_lines: dict[str, int]
    line: int
    duplicates: tuple[tuple[str, int], ...] = field(default=())

    def get(self, key: str) -> Node | None:
        return self.entries.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self.entries

    def names(self) -> list[str]:
        return list(self.entries)

    def key_line(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


Node = Scalar | Seq | Map


class SourceError(Exception):
    """The text is not YAML at all; carries the line PyYAML stopped at."""

    def __init__(self, message: str, line: int, *, syntax: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.syntax = syntax  # False: valid YAML, but not something a scenario can be


MAX_DEPTH = 64  # nesting levels; a scenario needs fewer than ten
TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep; a scenario needs far fewer"
TOO_MANY = f"expands to more than {MAX_NODES:,} values (aliases repeated inside aliases?)"


def parse(text: str) -> Node | None:
    """The document's tree, or None for an empty document."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        return None if root is None else _build(loader, root, 0, [MAX_NODES])
    except RecursionError:  # PyYAML composes recursively: far too deep even to read
        raise SourceError(TOO_DEEP, 1, syntax=False) from None
    except yaml.MarkedYAMLError as exc:
        from simulator.yaml_words import explain

        line, message = explain(exc)
        raise SourceError(message, line) from exc
    except yaml.YAMLError as exc:
        raise SourceError(str(exc), 1) from exc
    finally:
        loader.dispose()


def _build(loader: _Loader, node: yaml.Node, depth: int, budget: list[int]) -> Node:
    """The tree under `node`; aliases are followed, within `budget` nodes in all (an alias
    bomb expands past any budget: it is refused at the line of the node that went over)."""
    line = node.start_mark.line + 1
    if depth > MAX_DEPTH:
        raise SourceError(TOO_DEEP, line, syntax=False)
    budget[0] -= 1
    if budget[0] < 0:
        raise SourceError(TOO_MANY, line, syntax=False)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        entries: dict[str, Node] = {}
        key_lines: dict[str, int] = {}
        duplicates: list[tuple[str, int]] = []
        for key_node, value_node in node.value:
            key = str(loader.construct_object(key_node, deep=True))
            key_line = key_node.start_mark.line + 1
            if key in entries:
                duplicates.append((key, key_line))
            entries[key] = _build(loader, value_node, depth + 1, budget)
            key_lines[key] = key_line
        return Map(entries, key_lines, line, tuple(duplicates))
    if isinstance(node, yaml.SequenceNode):
        return Seq(tuple(_build(loader, item, depth + 1, budget) for item in node.value), line)
    value = loader.construct_object(node, deep=True)
    return Scalar(value, str(node.value), line)


def plain(node: Node) -> Any:
    """The node as plain Python data (dicts, lists, scalars), marks dropped."""
    if isinstance(node, Map):
        return {key: plain(value) for key, value in node.entries.items()}
    if isinstance(node, Seq):
        return [plain(item) for item in node.items]
    return node.value
