"""Progress bars (rich) for work a person waits on; silent under --json or off a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

Advance = Callable[[int], None]


def wants_progress(stream: TextIO, json_output: bool) -> bool:
    """Only a person watching a terminal gets a bar; scripts and logs get none."""
    isatty = getattr(stream, "isatty", None)
    return not json_output and bool(isatty and isatty())


@contextmanager
def progress_bar(label: str, total: int | None, stream: TextIO, enabled: bool) -> Iterator[Advance]:
    """Yield `advance(n)`; draws a bar on `stream` when enabled, else does nothing."""
    if not enabled:
        yield lambda _n: None
        return
    console = Console(file=stream)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n: progress.advance(task, n)


@contextmanager
def spinner(label: str, stream: TextIO, enabled: bool) -> Iterator[None]:
    """A status line for a wait of unknown length (a nightly run over a large org)."""
    if not enabled:
        yield
        return
    with Console(file=stream).status(label):
        yield
