"""What a schema load produces: new objects, and custom fields for objects the org has."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from fake_salesforce.schema import FieldSpec, ObjectSpec

# Global value sets by name: the active values in order, and the default one (or None).
ValueSets = dict[str, tuple[tuple[str, ...], str | None]]


@dataclass(frozen=True)
class ObjectSource:
    """One object as read from metadata files, before it is turned into specs."""

    name: str
    element: ET.Element | None  # the CustomObject element (None: fields only)
    path: Path
    fields: list[tuple[ET.Element, str, Path]]


@dataclass
class Schema:
    """Custom objects to add, and fields to add to existing (standard) objects.

    `origins` names the file each object and field came from, so an error found when the
    schema meets an org (a lookup to an unknown object) still points at the file.
    """

    objects: dict[str, ObjectSpec] = field(default_factory=dict)
    extensions: dict[str, list[FieldSpec]] = field(default_factory=dict)
    origins: dict[tuple[str, str], str] = field(default_factory=dict)
    child_names: dict[tuple[str, str], str] = field(default_factory=dict)
    child_rules: dict[tuple[str, str], str] = field(default_factory=dict)  # Cascade/Restrict

    def merge(self, other: Schema) -> None:
        self.objects.update(other.objects)
        for name, fields in other.extensions.items():
            self.extensions.setdefault(name, []).extend(fields)
        self.origins.update(other.origins)
        self.child_names.update(other.child_names)
        self.child_rules.update(other.child_rules)
