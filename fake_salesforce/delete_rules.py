"""What deleting a record does to the records that look up to it, and what undeleting it
brings back.

Each lookup says what its parent's delete does (`FieldSpec.delete_constraint`):
- Cascade (master-detail fields, a lookup's `Cascade`, Contact's and Opportunity's AccountId):
  the children go to the recycle bin with the parent and come back with it (Help, "Object
  Relationships Overview"; "Delete Accounts"). A detail deleted with its master cannot be
  undeleted on its own: UNDELETE_FAILED; a detail already in the recycle bin when its master
  is deleted becomes hard-deleted, out of queryAll's reach (Knowledge 000386040).
- Restrict: deleting a parent that still has live children fails, DELETE_FAILED "Your attempt
  to delete <name> could not be completed because it is associated with the following
  <children>.: <names>" (Help, "Lookup Relationship Options"; the REST error as observed).
- SetNull: the children's lookup is cleared. It is a system change, so SystemModstamp moves
  and LastModifiedDate does not (Object Reference, "System Fields"). Undeleting the parent
  restores the lookups that were not replaced meanwhile (Apex Developer Guide, "Undelete").
A hardDelete takes the records deleted with the parent out of the recycle bin too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from fake_salesforce.errors import ApiError
from fake_salesforce.schema import ObjectSpec

if TYPE_CHECKING:
    from fake_salesforce.org import Org


@dataclass(frozen=True)
class ChildLookup:
    """A lookup from `child.field` to a parent object, with what the parent's delete does."""

    child: str
    field: str
    rule: str  # SetNull, Restrict or Cascade
    master_detail: bool


def child_lookups(specs: Iterable[ObjectSpec]) -> dict[str, list[ChildLookup]]:
    """For each parent object, the lookups on it that its deletes act on."""
    out: dict[str, list[ChildLookup]] = {}
    for spec in specs:
        for f in spec.fields:
            if f.type != "reference" or f.delete_constraint is None:
                continue
            master_detail = f.cascade_delete and not f.nillable  # as describe's relationshipOrder
            link = ChildLookup(spec.name, f.name, f.delete_constraint, master_detail)
            for parent in f.reference_to:
                out.setdefault(parent, []).append(link)
    return out


@dataclass
class Deletion:
    """What one delete took with it: records deleted with it ({Id: (sObject, through a
    master-detail field)}) and lookups it cleared ((child sObject, child Id, field, parent Id))."""

    cascaded: dict[str, tuple[str, bool]] = field(default_factory=dict)
    cleared: list[tuple[str, str, str, str]] = field(default_factory=list)


class Deletions:
    """The org's ledger of deletes that reached other records, by the Id that was deleted."""

    def __init__(self) -> None:
        self.by_top: dict[str, Deletion] = {}
        self.top_of: dict[str, str] = {}  # a record deleted with another -> that one's Id

    def note(self, top: str, deletion: Deletion) -> None:
        self.by_top[top] = deletion
        self.top_of.update(dict.fromkeys(deletion.cascaded, top))

    def forget(self, top: str) -> Deletion | None:
        deletion = self.by_top.pop(top, None)
        for rid in deletion.cascaded if deletion else ():
            self.top_of.pop(rid, None)
        return deletion

    def release(self, rid: str) -> tuple[str, tuple[str, bool]] | None:
        """Take one record out of the delete that took it (it came back on its own)."""
        top = self.top_of.pop(rid, None)
        if top is None:
            return None
        return top, self.by_top[top].cascaded.pop(rid)

    def as_json(self) -> dict[str, Any]:
        return {
            top: {
                "cascaded": [[rid, obj, md] for rid, (obj, md) in d.cascaded.items()],
                "cleared": [list(entry) for entry in d.cleared],
            }
            for top, d in self.by_top.items()
        }

    def restore(self, data: dict[str, Any]) -> None:
        self.by_top.clear()
        self.top_of.clear()
        for top, d in data.items():
            cascaded = {rid: (obj, bool(md)) for rid, obj, md in d["cascaded"]}
            cleared = [(c, rid, f, p) for c, rid, f, p in d["cleared"]]
            self.note(top, Deletion(cascaded, cleared))


def delete(org: Org, sobject: str, rid: str) -> None:
    """Delete a live record and act on its children: all of it or, on DELETE_FAILED, none."""
    cascaded = _cascade(org, sobject, rid)
    records = [(sobject, rid)] + [(obj, child) for child, (obj, _) in cascaded.items()]
    cleared = _cleared(org, records)
    now = org.clock.now()
    for obj, record_id in records:
        _mark(org, obj, record_id, now, deleted=True)
    going = {record_id for _, record_id in records}
    for obj, record_id in records:
        _purge_binned_details(org, obj, record_id, going)
    for child_obj, child_id, field_name, _ in cleared:
        org.apply_changes(child_obj, child_id, {field_name: None, "SystemModstamp": now})
    if cascaded or cleared:
        org.deletions.note(rid, Deletion(cascaded, cleared))
        org.log_undo(("call", partial(org.deletions.forget, rid)))


def _cascade(org: Org, sobject: str, rid: str) -> dict[str, tuple[str, bool]]:
    """Every live record deleted with this one, parents before children: {Id: (sObject,
    reached through a master-detail field)}."""
    out: dict[str, tuple[str, bool]] = {}
    queue = [(sobject, rid)]
    while queue:
        parent_obj, parent_id = queue.pop(0)
        for link in org.child_lookups.get(parent_obj, ()):
            if link.rule != "Cascade":
                continue
            for child in live_children(org, link, parent_id):
                if child != rid and child not in out:
                    out[child] = (link.child, link.master_detail)
                    queue.append((link.child, child))
    return out


def _cleared(org: Org, records: list[tuple[str, str]]) -> list[tuple[str, str, str, str]]:
    """The SetNull lookups to clear when `records` are deleted (the first is the one asked
    for); DELETE_FAILED when a Restrict lookup holds a child that is not deleted too."""
    gone = {rid for _, rid in records}
    cleared: list[tuple[str, str, str, str]] = []
    for parent_obj, parent_id in records:
        for link in org.child_lookups.get(parent_obj, ()):
            if link.rule == "Cascade":
                continue
            kept = [c for c in live_children(org, link, parent_id) if c not in gone]
            if kept and link.rule == "Restrict":
                raise restricted(org, *records[0], link, kept)
            cleared += [(link.child, c, link.field, parent_id) for c in kept]
    return cleared


def _purge_binned_details(org: Org, sobject: str, rid: str, going: set[str]) -> None:
    """A master's details deleted before it cannot come back once it is deleted too: they
    leave the recycle bin (undone with the transaction)."""
    for link in org.child_lookups.get(sobject, ()):
        if not link.master_detail:
            continue
        table = org.tables[link.child]
        for child in children(org, link, rid, deleted=True):
            if child in going or child in org.deletions.top_of:
                continue
            org.log_undo(("call", partial(table.insert_rows, [table.rows[child]])))
            table.remove(child)
            forgotten = org.deletions.forget(child)
            if forgotten is not None:
                org.log_undo(("call", partial(org.deletions.note, child, forgotten)))


def live_children(org: Org, link: ChildLookup, parent_id: str) -> list[str]:
    """The live records whose `link.field` holds `parent_id`, in Id order."""
    return children(org, link, parent_id, deleted=False)


def children(org: Org, link: ChildLookup, parent_id: str, deleted: bool) -> list[str]:
    """The records whose `link.field` holds `parent_id`, live or deleted, in Id order."""
    table = org.tables[link.child]
    found = table.lookup(link.field, [parent_id])
    if found is None:  # a lookup without an index: scan
        slot = table.slots[link.field]
        found = {rid for rid, row in table.rows.items() if row[slot] == parent_id}
    flag = table.slots["IsDeleted"]
    return sorted(r for r in found if bool(table.rows[r][flag]) is deleted)


def restricted(org: Org, sobject: str, rid: str, link: ChildLookup, kept: list[str]) -> ApiError:
    """DELETE_FAILED naming the record, the children's object (plural, lower case) and them."""
    child = org.tables[link.child]
    names = ", ".join(_name(org, link.child, c) for c in kept)
    plural = child.spec.label_plural.lower()
    return ApiError(
        400,
        "DELETE_FAILED",
        f"Your attempt to delete {_name(org, sobject, rid)} could not be completed because it "
        f"is associated with the following {plural}.: {names}\n",
        [],
    )


def _name(org: Org, sobject: str, rid: str) -> str:
    table = org.tables[sobject]
    name = table.value(table.rows[rid], "Name") if "Name" in table.slots else None
    return str(name) if name else rid


def _mark(org: Org, sobject: str, rid: str, now: datetime, deleted: bool) -> None:
    """Into the recycle bin (and the delete log) or out of it."""
    org.apply_changes(
        sobject, rid, {"IsDeleted": deleted, "SystemModstamp": now, "LastModifiedDate": now}
    )
    if deleted:
        org.deleted_at[sobject][rid] = now
        org.log_undo(("undelete-log", (sobject, rid)))
    else:
        org.deleted_at[sobject].pop(rid, None)


def undelete(org: Org, sobject: str, rid: str) -> None:
    """Bring a deleted record back with what its delete took: the records deleted with it and
    the lookups it cleared that still hold nothing."""
    top = org.deletions.top_of.get(rid)
    if top is not None and org.deletions.by_top[top].cascaded[rid][1]:
        raise ApiError(400, "UNDELETE_FAILED", "Entity is not in the recycle bin")
    now = org.clock.now()
    _mark(org, sobject, rid, now, deleted=False)
    released = org.deletions.release(rid)
    if released is not None:
        top, entry = released
        org.log_undo(("call", partial(_unrelease, org, top, rid, entry)))
    deletion = org.deletions.forget(rid)
    if deletion is None:
        return
    org.log_undo(("call", partial(org.deletions.note, rid, deletion)))
    for child, (child_obj, _) in deletion.cascaded.items():
        table = org.tables[child_obj]
        row = table.rows.get(child)
        if row is not None and table.value(row, "IsDeleted"):
            _mark(org, child_obj, child, now, deleted=False)
    for child_obj, child, field_name, parent in deletion.cleared:
        table = org.tables[child_obj]
        row = table.rows.get(child)
        if row is not None and table.value(row, field_name) is None:
            org.apply_changes(child_obj, child, {field_name: parent, "SystemModstamp": now})


def _unrelease(org: Org, top: str, rid: str, entry: tuple[str, bool]) -> None:
    org.deletions.by_top[top].cascaded[rid] = entry
    org.deletions.top_of[rid] = top


def purge(org: Org, sobject: str, record_ids: Iterable[str]) -> None:
    """Empty deleted records, and the records deleted with them, out of the recycle bin."""
    for rid in record_ids:
        deletion = org.deletions.forget(rid)
        taken = deletion.cascaded.items() if deletion else ()
        for target, name in [(rid, sobject), *((child, obj) for child, (obj, _) in taken)]:
            table = org.tables[name]
            row = table.rows.get(target)
            if row is not None and table.value(row, "IsDeleted"):
                table.remove(target)
