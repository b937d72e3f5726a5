"""What a fresh fake org offers: its standard sObjects, their fields, and the installable packages.

The public description for clients that check names before they call (the scenario loader
says "Contact has no field Emial" before anything runs): a field exists, is createable or
updateable, is required on create, and may come with a package; describe gives the same facts
over HTTP for one object of one org at a time (docs/salesforce-wire.md 8).

    from fake_salesforce.catalog import catalog
    contact = catalog().objects["Contact"]
    contact.field("email").name          # "Email" (names match case-insensitively)
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from fake_salesforce.schema import PACKAGES, FieldSpec, ObjectSpec
from fake_salesforce.standard_objects import STANDARD_OBJECTS


@dataclass(frozen=True)
class FieldInfo:
    """One field as describe reports it, reduced to what a caller checks before a write."""

    name: str
    type: str
    createable: bool
    updateable: bool
    required_on_create: bool
    package: str | None = None  # the package that adds it; None for a standard field

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "createable": self.createable,
            "updateable": self.updateable,
            "requiredOnCreate": self.required_on_create,
            "package": self.package,
        }


@dataclass(frozen=True)
class ObjectInfo:
    """One sObject with every field it can have (package fields included)."""

    name: str
    fields: tuple[FieldInfo, ...]
    _by_lower: Mapping[str, FieldInfo] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_lower", {f.name.lower(): f for f in self.fields})

    def field(self, name: str) -> FieldInfo | None:
        """The field named `name`, case-insensitively (Salesforce's API names are)."""
        return self._by_lower.get(name.lower())

    def visible(self, packages: Collection[str]) -> ObjectInfo:
        """The object as an org with these packages installed sees it."""
        kept = tuple(f for f in self.fields if f.package is None or f.package in packages)
        return self if len(kept) == len(self.fields) else ObjectInfo(self.name, kept)


@dataclass(frozen=True)
class Catalog:
    """Every standard sObject by name, and the names of the packages an org can install."""

    objects: Mapping[str, ObjectInfo]
    packages: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "objects": {
                name: [f.as_json() for f in obj.fields] for name, obj in self.objects.items()
            },
            "packages": list(self.packages),
        }


@cache
def catalog() -> Catalog:
    """The catalog of a fresh org (a user's loaded schema adds to an org, not to this)."""
    return Catalog(
        objects={spec.name: _object(spec) for spec in STANDARD_OBJECTS},
        packages=tuple(sorted(PACKAGES)),
    )


def _object(spec: ObjectSpec) -> ObjectInfo:
    return ObjectInfo(spec.name, tuple(_field(f) for f in spec.fields))


def _field(spec: FieldSpec) -> FieldInfo:
    return FieldInfo(
        name=spec.name,
        type=spec.type,
        createable=spec.createable,
        updateable=spec.updateable,
        required_on_create=spec.required_on_create,
        package=spec.package,
    )
