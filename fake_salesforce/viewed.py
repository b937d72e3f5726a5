"""When the user last viewed or referenced records: SOQL `FOR VIEW` / `FOR REFERENCE` stamp
them, `/recent` lists them (REST API Developer Guide, "Recently Viewed Items")."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fake_salesforce.org import Org


def mark_viewed(org: Org, sobject: str, record_ids: Iterable[str], mode: str) -> None:
    """SOQL `FOR VIEW` stamps LastViewedDate and LastReferencedDate with now, `FOR
    REFERENCE` LastReferencedDate only (SOQL reference, "FOR VIEW", "FOR REFERENCE");
    neither is a modification, so SystemModstamp stays."""
    table = org.tables[org.require_spec(sobject).name]
    names = ["LastReferencedDate"] + (["LastViewedDate"] if mode == "VIEW" else [])
    slots = [table.slots[n] for n in names if n in table.slots]
    now = org.clock.now()
    for rid in record_ids:
        row = table.rows.get(rid)
        if row is not None:
            for slot in slots:
                row[slot] = now


def recently_viewed(org: Org, limit: int) -> list[tuple[str, str]]:
    """(sObject, Id) of the records last viewed or referenced, newest first (`/recent`)."""
    seen: list[tuple[datetime, str, str]] = []
    for name, table in org.tables.items():
        if "LastReferencedDate" not in table.slots:
            continue
        viewed, referenced = table.slots["LastViewedDate"], table.slots["LastReferencedDate"]
        deleted = table.slots["IsDeleted"]
        for rid, row in table.rows.items():
            stamps = [s for s in (row[viewed], row[referenced]) if s is not None]
            if stamps and not row[deleted]:
                seen.append((max(stamps), name, rid))
    seen.sort(key=lambda item: item[0], reverse=True)
    return [(name, rid) for _, name, rid in seen[:limit]]
