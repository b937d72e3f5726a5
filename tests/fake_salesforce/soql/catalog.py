"""A small in-memory catalog for engine tests: standard objects as Tables, rows set directly."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fake_salesforce import ids
from fake_salesforce.schema import ObjectSpec, visible_spec
from fake_salesforce.standard_objects import STANDARD_OBJECTS
from fake_salesforce.table import Table

T0 = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


class Catalog:
    """Tables for the standard objects; package fields visible only when installed."""

    def __init__(self, packages: frozenset[str] = frozenset()) -> None:
        self.tables = {s.name: Table(s) for s in STANDARD_OBJECTS}
        self.packages = packages
        self.minter = ids.IdMinter("8d")

    def object_spec(self, name: str) -> ObjectSpec | None:
        for table in self.tables.values():
            if table.spec.name.lower() == name.lower():
                return visible_spec(table.spec, self.packages)
        return None

    def table(self, name: str) -> Table:
        return self.tables[name]

    def object_names(self) -> list[str]:
        return list(self.tables)

    def add(self, sobject: str, **values: Any) -> str:
        table = self.tables[sobject]
        record_id = self.minter.mint(table.spec.key_prefix)
        stamp = values.pop("stamp", T0)
        audit = {"CreatedDate": stamp, "LastModifiedDate": stamp, "SystemModstamp": stamp}
        table.insert(record_id, {**audit, **values})
        return record_id
