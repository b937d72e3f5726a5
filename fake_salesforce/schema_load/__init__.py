"""The user's own schema loaded into the fake: SFDX source, Metadata API, describe JSON.

`load(path)` reads one project, package, folder or file into a `Schema`; `install(org, schema)`
adds its objects and fields to an org, where describe, SOQL and writes treat them exactly like
the built-in ones. Bad metadata raises `SchemaError` naming the file and the element.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from fake_salesforce.schema_load.apply import install
from fake_salesforce.schema_load.errors import SchemaError
from fake_salesforce.schema_load.model import Schema
from fake_salesforce.schema_load.reader import load

__all__ = ["Schema", "SchemaError", "install", "load", "load_all"]


def load_all(paths: Iterable[str | Path]) -> Schema:
    """Every path's schema merged, later paths adding to earlier ones."""
    schema = Schema()
    for path in paths:
        schema.merge(load(Path(path)))
    return schema
