"""Metadata XML read safely: no DTD, so no entity expansion or external entities.

Salesforce metadata files never carry a DOCTYPE, so a file that does is refused before parsing
(what defusedxml's `forbid_dtd` does); the stdlib parser then sees only plain elements.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from fake_salesforce.schema_load.errors import SchemaError

NS = "{http://soap.sforce.com/2006/04/metadata}"
XMLNS = b' xmlns="http://soap.sforce.com/2006/04/metadata"'
MAX_BYTES = 5_000_000


def read_xml(path: Path) -> ET.Element:
    """The root element of a metadata file, its namespace stripped from every tag."""
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as exc:
        raise SchemaError(path, None, f"cannot read the file ({exc.strerror})") from None
    if len(data) > MAX_BYTES:  # read no further than one byte past the limit
        raise SchemaError(path, None, f"the file is larger than {MAX_BYTES} bytes")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise SchemaError(path, None, "a DOCTYPE or ENTITY declaration is not allowed")
    try:
        root = ET.fromstring(data.replace(XMLNS, b"", 1))  # the metadata namespace, dropped
    except ET.ParseError as exc:
        raise SchemaError(path, None, f"not well-formed XML ({exc})") from None
    if root.tag.startswith(NS):  # declared some other way (a prefix): strip it everywhere
        for element in root.iter():
            if isinstance(element.tag, str) and element.tag.startswith(NS):
                element.tag = element.tag[len(NS) :]
    return root


def text(element: ET.Element, tag: str, default: str | None = None) -> str | None:
    """The stripped text of the first child `tag`, or `default` when it is absent or empty."""
    child = element.find(tag)
    if child is None or child.text is None or not child.text.strip():
        return default
    return child.text.strip()


def flag(element: ET.Element, tag: str, default: bool = False) -> bool:
    value = text(element, tag)
    return default if value is None else value.lower() == "true"
