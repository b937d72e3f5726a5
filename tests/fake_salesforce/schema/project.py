"""The schemas under tests/schemas: an SFDX project, a Metadata API package, describe JSON;
and small projects written on the fly."""

from __future__ import annotations

from pathlib import Path

SCHEMAS = Path(__file__).parents[2] / "schemas"
SFDX = SCHEMAS / "sfdx_project"
MDAPI = SCHEMAS / "mdapi_package"
DESCRIBE = SCHEMAS / "describe"

OBJECT = """<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <label>Thing</label><pluralLabel>Things</pluralLabel>
    <nameField><label>Thing Name</label><type>Text</type></nameField>
</CustomObject>
"""
LOOKUP = """<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>{name}</fullName><label>{name}</label><type>Lookup</type>
    <referenceTo>{parent}</referenceTo><relationshipName>{children}</relationshipName>
    {extra}
</CustomField>
"""


def thing_project(root: Path, lookups: dict[str, tuple[str, str, str]]) -> Path:
    """A project under `root` with one object, Thing__c, and its lookups: {field: (parent,
    the children's relationship name, more CustomField elements such as deleteConstraint)}."""
    folder = root / "objects" / "Thing__c"
    (folder / "fields").mkdir(parents=True)
    (folder / "Thing__c.object-meta.xml").write_text(OBJECT)
    for name, (parent, children, extra) in lookups.items():
        text = LOOKUP.format(name=name, parent=parent, children=children, extra=extra)
        (folder / "fields" / f"{name}.field-meta.xml").write_text(text)
    return root
