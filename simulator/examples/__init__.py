"""The scenario library, shipped inside the package so an installed wheel can run it.

`path("default")` is the file of `scenarios/default.yaml` wherever the package lives: in a
checkout it is the repository's `scenarios/` folder, in a wheel the copy built into it.
"""

from __future__ import annotations

from pathlib import Path

_SHIPPED = Path(__file__).resolve().parent
_CHECKOUT = _SHIPPED.parents[1] / "scenarios"


def folder() -> Path:
    """Where the library's YAML files are in this installation."""
    return _SHIPPED if any(_SHIPPED.glob("*.yaml")) else _CHECKOUT


def names() -> list[str]:
    """The scenarios of the library, by name (the file name without `.yaml`)."""
    return sorted(p.stem for p in folder().glob("*.yaml"))


def path(name: str) -> Path:
    """The file of the named scenario; `KeyError` with the known names when there is none."""
    found = folder() / f"{name}.yaml"
    if not found.is_file():
        raise KeyError(f"no scenario {name!r} in the library (known: {', '.join(names())})")
    return found
