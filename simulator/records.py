"""Salesforce field rules for scenario values: the field exists in the org and takes the value.

The catalog the fake publishes is the authority, so a scenario cannot name a field the org
does not have (a package field before the package is installed, a typo).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from fake_salesforce.catalog import ObjectInfo, catalog
from simulator.problems import Problems, hint
from simulator.source import Map, Node, Scalar

_OBJECTS: Mapping[str, ObjectInfo] = catalog().objects
OBJECTS = tuple(_OBJECTS)  # every sObject a scenario may name


def object_spec(sobject: str, packages: Collection[str] | None = None) -> ObjectInfo:
    """The sObject as an org with these packages sees it (None: every package installed)."""
    spec = _OBJECTS[sobject]
    return spec if packages is None else spec.visible(packages)


class FieldRules:
    """Checks record fields against the fake's catalog, reporting to `problems`."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems

    def check_values(
        self,
        sobject: str,
        fields: Mapping[str, Node],
        where: Map,
        packages: Collection[str] | None,
        creating: bool,
    ) -> None:
        """Every field exists (given the packages) and is writable, with a value of its type."""
        spec = object_spec(sobject, packages)
        for name, node in fields.items():
            line = where.key_line(name)
            field = spec.field(name)
            if field is None:
                self._unknown(line, sobject, name, spec, packages)
                continue
            if field.name != name:
                self.problems.add(line, f'field "{name}" is spelt "{field.name}" in Salesforce')
            writable = field.createable if creating else field.updateable
            if not writable:
                self.problems.add(line, f"{sobject}.{field.name} is read-only in Salesforce")
            self._value(node, sobject, field.name, field.type)
        if creating:
            self._required(sobject, spec, fields, where)

    def _required(
        self, sobject: str, spec: ObjectInfo, fields: Mapping[str, Node], where: Map
    ) -> None:
        given = {name.lower() for name in fields}
        missing = [
            f.name for f in spec.fields if f.required_on_create and f.name.lower() not in given
        ]
        if missing:
            self.problems.add(where.line, f"a {sobject} needs {', '.join(missing)}")

    def check_names(
        self, sobject: str, names: Mapping[str, int], packages: Collection[str] | None
    ) -> None:
        """Every field name exists on the sObject (for expectations: any field may be read)."""
        spec = object_spec(sobject, packages)
        for name, line in names.items():
            if spec.field(name) is None:
                self._unknown(line, sobject, name, spec, packages)

    def qualified(self, node: Node, where: str) -> tuple[str, str] | None:
        """`Contact.HasOptedOutOfEmail` as (sobject, field), if the field exists somewhere."""
        text = self.problems.text(node, where)
        if text is None:
            return None
        sobject, _, name = text.partition(".")
        if sobject not in _OBJECTS or not name:
            self.problems.add(
                node.line, f'{where}: "{text}" is not Object.Field, e.g. Contact.HasOptedOutOfEmail'
            )
            return None
        field = object_spec(sobject).field(name)
        if field is None:
            self._unknown(node.line, sobject, name, object_spec(sobject), None)
            return None
        return sobject, field.name

    def _unknown(
        self,
        line: int,
        sobject: str,
        name: str,
        spec: ObjectInfo,
        packages: Collection[str] | None,
    ) -> None:
        full = object_spec(sobject).field(name)
        if full is not None and full.package is not None:
            self.problems.add(
                line,
                f'{sobject}.{full.name} exists only once the package "{full.package}" is installed',
            )
            return
        names = [f.name for f in spec.fields]
        self.problems.add(line, f'{sobject} has no field "{name}"{hint(name, names)}')

    def _value(self, node: Node, sobject: str, name: str, kind: str) -> None:
        value = node.value if isinstance(node, Scalar) else node
        if kind == "boolean" and not isinstance(value, bool):
            self.problems.add(node.line, f"{sobject}.{name} is a checkbox: true or false")
        elif kind != "boolean" and not isinstance(node, Scalar):
            self.problems.add(node.line, f"{sobject}.{name} takes a single value")
