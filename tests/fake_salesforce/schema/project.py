"""The schemas under tests/schemas: an SFDX project, a Metadata API package, describe JSON."""

from __future__ import annotations

from pathlib import Path

SCHEMAS = Path(__file__).parents[2] / "schemas"
SFDX = SCHEMAS / "sfdx_project"
MDAPI = SCHEMAS / "mdapi_package"
DESCRIBE = SCHEMAS / "describe"
