"""A whole org as JSON and back, exactly: records (deleted ones too), delete log, Id counters,
packages, read-only fields, clock, usage and faults; and a server's orgs saved to one file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fake_salesforce import ids
from fake_salesforce.org import Credentials, Org, OrgSettings
from fake_salesforce.registry import Registry
from fake_salesforce.table import Table
from fake_salesforce.usage import ApiUsage

ORG_FORMAT = "fake-salesforce-org/1"
STATE_FORMAT = "fake-salesforce-state/1"
Codec = Callable[[Any], Any]


class SnapshotError(ValueError):
    """A file or document that is not a snapshot this version can load."""


def _encoder(ftype: str) -> Codec | None:
    if ftype in ("datetime", "date"):
        return lambda v: None if v is None else v.isoformat()
    return None


def _decoder(ftype: str) -> Codec | None:
    if ftype == "datetime":
        return lambda v: None if v is None else datetime.fromisoformat(v)
    if ftype == "date":
        return lambda v: None if v is None else date.fromisoformat(v)
    return None


def _export_table(table: Table) -> dict[str, Any]:
    names = [f.name for f in table.spec.fields]
    codecs = [(i, c) for i, f in enumerate(table.spec.fields) if (c := _encoder(f.type))]
    rows = []
    for row in table.rows.values():
        out = list(row)
        for i, encode in codecs:
            out[i] = encode(out[i])
        rows.append(out)
    return {"fields": names, "rows": rows}


def export_org(org: Org) -> dict[str, Any]:
    """Everything needed to rebuild `org` exactly, as JSON-ready data."""
    with org.lock:
        now = org.clock.now()
        return {
            "format": ORG_FORMAT,
            "org_id": org.org_id,
            "user_id": org.user_id,
            "settings": {**asdict(org.settings), "packages": sorted(org.settings.packages)},
            "credentials": asdict(org.credentials),
            "clock": now.isoformat(),
            "packages": sorted(org.packages),
            "read_only": sorted([obj, name] for obj, name in org.read_only),
            "id_counters": org.minter.state(),
            "auto_numbers": sorted([obj, name, n] for (obj, name), n in org.auto_numbers.items()),
            "usage": {"used": org.usage.used(now), "total": org.usage.total},
            "faults": [rule.as_json() for rule in org.faults.active(now)],
            "tables": {name: _export_table(t) for name, t in org.tables.items()},
            "deleted": {
                name: {rid: when.isoformat() for rid, when in log.items()}
                for name, log in org.deleted_at.items()
                if log
            },
            "deletions": org.deletions.as_json(),
        }


def _import_table(table: Table, data: Mapping[str, Any]) -> None:
    names = list(data["fields"])
    unknown = [n for n in names if n not in table.slots]
    if unknown:
        raise SnapshotError(f"{table.spec.name} has no field(s) {', '.join(unknown)}")
    specs = [table.spec.fields[table.slots[n]] for n in names]
    decoders = [(i, c) for i, f in enumerate(specs) if (c := _decoder(f.type))]
    defaults = [f.default for f in specs]
    for values in data["rows"]:
        for i, decode in decoders:
            values[i] = decode(values[i])
        changed = {n: v for n, v, d in zip(names, values, defaults, strict=True) if v != d}
        table.insert(values[0], changed)


def import_into(org: Org, data: Mapping[str, Any]) -> None:
    """Make `org` (the same object, so live handles stay valid) what `data` describes."""
    if data.get("format") != ORG_FORMAT:
        raise SnapshotError(f"not an org snapshot ({ORG_FORMAT}): format {data.get('format')!r}")
    schema = tuple(data["settings"].get("schema", ()))
    settings = {
        **data["settings"],
        "packages": frozenset(data["settings"]["packages"]),
        "schema": schema,
    }
    missing = [path for path in schema if path not in org.settings.schema]
    if missing:  # the snapshot's custom objects and fields, from the same files
        org.load_schema(missing)
    tables = {name: Table(t.spec) for name, t in org.tables.items()}
    for name, table_data in data["tables"].items():
        if name not in tables:
            raise SnapshotError(f"unknown sObject in snapshot: {name}")
        _import_table(tables[name], table_data)
    with org.lock:
        org.settings = OrgSettings(**settings)
        org.credentials = Credentials(**data["credentials"])
        org.org_id, org.user_id = data["org_id"], data["user_id"]
        org.minter = ids.IdMinter(org.org_id[3:5])
        org.minter.restore(data["id_counters"])
        org.auto_numbers = {(obj, name): n for obj, name, n in data.get("auto_numbers", ())}
        org.packages = set(data["packages"])
        org.read_only = {(obj, name) for obj, name in data["read_only"]}
        org.tables = tables
        org.deleted_at = {name: {} for name in tables}
        for name, log in data.get("deleted", {}).items():
            org.deleted_at[name] = {rid: datetime.fromisoformat(w) for rid, w in log.items()}
        org.deletions.restore(data.get("deletions", {}))
        org.cursors = {}
        now = datetime.fromisoformat(data["clock"])
        org.clock.restore(now)
        org.usage = ApiUsage(org.settings.api_limit, org.settings.timezone)
        org.usage.set_used(now, int(data["usage"]["used"]))
        org.usage.total = int(data["usage"]["total"])
        org.faults.restore(data.get("faults", ()), now)
        org.faults.dead_tokens.clear()
        org.journal.clear()


def import_org(registry: Registry, data: Mapping[str, Any]) -> Org:
    """A new org in `registry`, built from a snapshot (its Id and credentials included)."""
    if data.get("org_id") in registry.orgs:
        raise SnapshotError(f"the server already holds org {data['org_id']}")
    org = registry.add_org(OrgSettings(), Credentials(**data["credentials"]))
    registry.orgs.pop(org.org_id)
    try:
        import_into(org, data)
    finally:
        registry.orgs[org.org_id] = org
    return org


def reset_org(org: Org) -> None:
    """Back to a new org with the same Id, credentials and settings; the clock stays."""
    with org.lock:
        now = org.clock.now()
        fresh = Org(org.settings, org.credentials, pod=org.org_id[3:5])
        data = export_org(fresh)
        data["clock"] = now.isoformat()
        import_into(org, data)


def save_state(registry: Registry, path: Path) -> None:
    """Every org of the server to `path`, atomically (a temp file renamed over it)."""
    document = {"format": STATE_FORMAT, "orgs": [export_org(o) for o in registry.orgs.values()]}
    path = Path(path)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(document, out, separators=(",", ":"))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def load_state(registry: Registry, path: Path) -> None:
    """Replace the registry's orgs with those saved in `path`."""
    with open(path, encoding="utf-8") as source:
        document = json.load(source)
    if not isinstance(document, dict) or document.get("format") != STATE_FORMAT:
        raise SnapshotError(f"{path} is not a fake-salesforce state file ({STATE_FORMAT})")
    for org_id in list(registry.orgs):
        registry.remove_org(org_id)
    for data in document["orgs"]:
        import_org(registry, data)
