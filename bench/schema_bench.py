"""Loading the user's own schema: an SFDX project of 50 custom objects with 100 fields each.

    .venv/bin/python -m bench.schema_bench [--objects 50] [--fields 100] [--runs 5]

Every field type the loader knows is used in turn (lookups point at Account and at the
previous object); the figure is the best of several loads into a fresh org, parse and install.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from fake_salesforce.org import Org, OrgSettings

BUDGET_SECONDS = 1.0
OBJECT = """<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <label>{label}</label><pluralLabel>{label}s</pluralLabel>
    <nameField><label>{label} Name</label><type>Text</type></nameField>
    <sharingModel>ReadWrite</sharingModel>
</CustomObject>
"""
FIELD = """<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>{name}</fullName>
    <label>{name}</label>
{body}
</CustomField>
"""
VALUES = "".join(
    f"<value><fullName>V{n}</fullName><default>false</default><label>V{n}</label></value>"
    for n in range(10)
)
BODIES = [
    "<type>Text</type><length>80</length>",
    "<type>TextArea</type>",
    "<type>LongTextArea</type><length>32768</length><visibleLines>3</visibleLines>",
    "<type>Email</type>",
    "<type>Phone</type>",
    "<type>Url</type>",
    "<type>Number</type><precision>18</precision><scale>2</scale>",
    "<type>Currency</type><precision>16</precision><scale>2</scale>",
    "<type>Percent</type><precision>5</precision><scale>2</scale>",
    "<type>Checkbox</type><defaultValue>false</defaultValue>",
    "<type>Date</type>",
    "<type>DateTime</type>",
    f"<type>Picklist</type><valueSet><restricted>true</restricted>"
    f"<valueSetDefinition>{VALUES}</valueSetDefinition></valueSet>",
    f"<type>MultiselectPicklist</type><visibleLines>4</visibleLines><valueSet>"
    f"<valueSetDefinition>{VALUES}</valueSetDefinition></valueSet>",
    "<type>Text</type><length>40</length><externalId>true</externalId><unique>true</unique>",
    "<type>AutoNumber</type><displayFormat>N-{0000}</displayFormat>",
    "<type>Text</type><formula>&quot;constant&quot;</formula>",
]


def write_project(root: Path, objects: int, fields: int) -> Path:
    """An SFDX project under `root`: Obj0__c ... with `fields` custom fields each."""
    base = root / "force-app" / "main" / "default" / "objects"
    for o in range(objects):
        name = f"Obj{o}__c"
        folder = base / name / "fields"
        folder.mkdir(parents=True)
        (base / name / f"{name}.object-meta.xml").write_text(OBJECT.format(label=f"Obj {o}"))
        for f in range(fields):
            field = f"F{f}__c"
            (folder / f"{field}.field-meta.xml").write_text(
                FIELD.format(name=field, body=_body(o, f))
            )
    return root


def _body(o: int, f: int) -> str:
    if f == 0 or (f == 1 and o > 0):
        parent = "Account" if f == 0 else f"Obj{o - 1}__c"
        return (
            f"<type>Lookup</type><referenceTo>{parent}</referenceTo>"
            f"<relationshipName>Children{o}_{f}</relationshipName>"
        )
    return BODIES[f % len(BODIES)]


def load_seconds(root: Path, runs: int) -> tuple[float, float]:
    """Best wall-clock and best CPU seconds of `runs` loads into a new org (CPU time is the
    steadier figure on a machine other processes share)."""
    wall = cpu = float("inf")
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        Org(OrgSettings(schema=(str(root),)))
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.schema_bench")
    parser.add_argument("--objects", type=int, default=50)
    parser.add_argument("--fields", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--full", action="store_true", help="(the same figures)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = write_project(Path(tmp), args.objects, args.fields)
        empty = min(_empty_org() for _ in range(args.runs))
        wall, cpu = load_seconds(root, args.runs)
    verdict = "within" if wall < BUDGET_SECONDS else "OVER"
    print(
        f"schema load: {args.objects} objects x {args.fields} fields "
        f"({args.objects * args.fields} field files): best of {args.runs} {wall:.3f} s wall, "
        f"{cpu:.3f} s CPU (a new org without a schema {empty:.3f} s); {verdict} the "
        f"{BUDGET_SECONDS:.0f} s budget"
    )


def _empty_org() -> float:
    start = time.perf_counter()
    Org(OrgSettings())
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
