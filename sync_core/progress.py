"""Progress bars (rich) for work a person waits on; silent under --json or off a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from sync_core import ports

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


class DetailColumn(ProgressColumn):
    """Text read afresh at every refresh, e.g. the API calls a run has made so far."""

    def __init__(self, detail: Callable[[], str]) -> None:
        super().__init__()
        self.detail = detail

    def render(self, task: Task) -> Text:
        return Text(self.detail())


@contextmanager
def phased_progress(
    label: str, stream: TextIO, enabled: bool, detail: Callable[[], str] | None = None
) -> Iterator[ports.Progress]:
    """A live line for a run in phases (a nightly run): yields `progress(phase, done, total)`.

    While a phase's size is unknown the bar pulses and counts; once known it fills to 100%.
    """
    if not enabled:
        yield ports.no_progress
        return
    columns: list[ProgressColumn] = [
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(bar_width=20),
        TaskProgressColumn(),
        MofNCompleteColumn(),
    ]
    if detail is not None:
        columns.append(DetailColumn(detail))
    columns.append(TimeElapsedColumn())
    with Progress(*columns, console=Console(file=stream), transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(phase: str, done: int, total: int | None) -> None:
            bar.update(task, description=phase, completed=done, total=total)

        yield update
