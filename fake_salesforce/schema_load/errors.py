"""The one error a schema load raises: which file, which element, what is wrong."""

from __future__ import annotations

from pathlib import Path


class SchemaError(ValueError):
    """Bad or unsupported metadata, named by file and element (never a traceback)."""

    def __init__(self, path: Path | str, element: str | None, problem: str) -> None:
        where = f"{path}" if element is None else f"{path}: {element}"
        super().__init__(f"{where}: {problem}")
        self.path = str(path)
        self.element = element
        self.problem = problem
