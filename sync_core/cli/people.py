"""People subcommands: import a CSV, list, show one with its trail, unsubscribe, resubscribe."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, update

from sync_core.cli.context import EXIT_OK, CliError, Context, person_dict
from sync_core.ids import is_id_shaped, to18
from sync_core.model import Person, Source
from sync_core.ports import Store
from sync_core.progress import progress_bar, wants_progress
from sync_core.roster import RosterError, Row, read_roster
from sync_core.runner import service_running
from sync_core.tables import people

IMPORT_CHUNK = 1_000


def people_import(ctx: Context) -> int:
    path = Path(ctx.args.file)
    try:
        rows = read_roster(path)
    except RosterError as exc:
        if ctx.json:  # every bad line, for a script to fix them all at once
            problems = [{"line": p.line, "message": p.message} for p in exc.problems]
            ctx.emit({"imported": 0, "problems": problems}, "")
        raise CliError(str(exc)) from None
    service = ctx.service()
    store = service.store
    counts, relinked = _import(ctx, store, rows)
    now = ctx.clock()
    for person_id in relinked:
        store.requeue_parked(now, person_id)
    counts["rows"] = len(rows)
    ctx.emit(
        counts,
        f"imported {len(rows)} rows: {counts['added']} added, {counts['relinked']} relinked, "
        f"{counts['unchanged']} unchanged",
    )
    return EXIT_OK


def _import(ctx: Context, store: Store, rows: list[Row]) -> tuple[dict[str, int], list[int]]:
    """All rows in one transaction: new people inserted, changed Ids relinked (clears broken)."""
    now = ctx.clock()
    counts = {"added": 0, "relinked": 0, "unchanged": 0}
    relinked: list[int] = []
    with (
        store.engine.begin() as conn,
        progress_bar(
            "importing", len(rows), ctx.stderr, wants_progress(ctx.stderr, ctx.json)
        ) as advance,
    ):
        for start in range(0, len(rows), IMPORT_CHUNK):
            chunk = rows[start : start + IMPORT_CHUNK]
            emails = [r.email for r in chunk]
            query = select(people).where(people.c.email.in_(emails))
            known = {row.email: row for row in conn.execute(query)}
            fresh: list[dict[str, Any]] = []
            for row in chunk:
                existing = known.get(row.email)
                if existing is None:
                    fresh.append(_new(row, now))
                elif _merge(conn, existing, row, now):
                    relinked.append(existing.id)
                    counts["relinked"] += 1
                else:
                    counts["unchanged"] += 1
            if fresh:
                conn.execute(insert(people), fresh)
                counts["added"] += len(fresh)
            advance(len(chunk))
    return counts, relinked


def _merge(conn: Connection, existing: Any, row: Row, now: datetime) -> bool:
    """Give a known person the row's Ids; True when that relinks it (clears a broken link).

    Both sides are compared in the 18-character form: a row giving the 15-character form of
    the Id already linked is no relink (docs/behaviour.md 3.4)."""
    stored = (_id18(existing.contact_id), _id18(existing.lead_id))
    ids = {"contact_id": row.contact_id or stored[0], "lead_id": row.lead_id or stored[1]}
    where = people.c.id == existing.id
    if (ids["contact_id"], ids["lead_id"]) == stored:
        if stored != (existing.contact_id, existing.lead_id):  # kept in the 18-character form
            conn.execute(update(people).where(where).values(ids))
        return False
    conn.execute(update(people).where(where).values(**ids, link_broken=False, changed_at=now))
    return True


def _id18(stored: str | None) -> str | None:
    """A stored Id in its 18-character form (a store written before Ids were normalised may
    hold 15-character ones; a value that is no Id at all is kept as it is)."""
    if stored is None or len(stored) != 15 or not is_id_shaped(stored):
        return stored
    return to18(stored)


def _new(row: Row, now: Any) -> dict[str, Any]:
    return {
        "email": row.email,
        "contact_id": row.contact_id,
        "lead_id": row.lead_id,
        "unsubscribed": False,
        "link_broken": False,
        "created_at": now,
        "changed_at": now,
    }


def people_list(ctx: Context) -> int:
    everyone = ctx.service().people()
    if ctx.args.unsubscribed:
        everyone = [p for p in everyone if p.unsubscribed]
    if ctx.args.no_id:
        everyone = [p for p in everyone if not p.record_ids]
    ctx.emit([person_dict(p) for p in everyone], lambda: _table(everyone))
    return EXIT_OK


def _table(everyone: list[Person]) -> str:
    if not everyone:
        return "no people"
    lines = [f"{'#':>6}  {'email':<36} {'contact':<18} {'lead':<18} state"]
    for p in everyone:
        state = "unsubscribed" if p.unsubscribed else "subscribed"
        if p.link_broken:
            state += ", link broken"
        lines.append(
            f"{p.id:>6}  {p.email:<36} {p.contact_id or '-':<18} {p.lead_id or '-':<18} {state}"
        )
    return "\n".join(lines)


def person_show(ctx: Context) -> int:
    person = ctx.find_person(ctx.args.person)
    service = ctx.service()
    history = service.history(person.id)
    diagnostics = service.diagnostics(person.id)
    data = person_dict(person) | {
        "history": [
            {
                "at": h.at,
                "kind": str(h.kind),
                "source": str(h.source) if h.source else None,
                "admin": h.admin,
                "reason": h.reason,
            }
            for h in history
        ],
        "diagnostics": [
            {"at": d.at, "code": d.code, "message": d.message, "record_id": d.record_id}
            for d in diagnostics
        ],
    }
    ctx.emit(data, lambda: _show_text(ctx, person, data))
    return EXIT_OK


def _show_text(ctx: Context, person: Person, data: dict[str, Any]) -> str:
    state = "unsubscribed" if person.unsubscribed else "subscribed"
    lines = [
        f"person #{person.id} {person.email}: {state}",
        f"  Contact {person.contact_id or '-'}  Lead {person.lead_id or '-'}"
        + ("  (link broken: relink to resume)" if person.link_broken else ""),
        "history:" if data["history"] else "history: none",
    ]
    for h in data["history"]:
        who = f" by {h['admin']}: {h['reason']}" if h["admin"] else f" ({h['source']})"
        lines.append(f"  {ctx.local_time(h['at'])}  {h['kind']}{who}")
    if data["diagnostics"]:
        lines.append("diagnostics:")
        lines += [
            f"  {ctx.local_time(d['at'])}  {d['code']}: {d['message']}" for d in data["diagnostics"]
        ]
    return "\n".join(lines)


def person_link(ctx: Context) -> int:
    """Link a person to a Contact and/or Lead, given in the 15- or 18-character form; the
    18-character one is stored (docs/behaviour.md 3.4). Parked pushes of the person are due
    again."""
    if not ctx.args.contact and not ctx.args.lead:
        raise CliError("person link needs --contact ID and/or --lead ID")
    person = ctx.find_person(ctx.args.person)
    try:
        linked = ctx.service().link(
            person.id, contact_id=ctx.args.contact, lead_id=ctx.args.lead, now=ctx.clock()
        )
    except ValueError as exc:
        raise CliError(str(exc)) from None
    text = f"{linked.email}: Contact {linked.contact_id or '-'}  Lead {linked.lead_id or '-'}"
    ctx.emit(person_dict(linked), text)
    return EXIT_OK


def unsubscribe(ctx: Context) -> int:
    person = ctx.find_person(ctx.args.person)
    source = Source(ctx.args.source)
    changed = ctx.service().unsubscribe(person.id, source, ctx.clock())
    data = person_dict(ctx.service().person(person.id)) | {"changed": changed}
    delivery = (
        "the running service delivers it within seconds"
        if service_running(ctx.service().store, ctx.clock())
        else "run `sync-core push`, or start the service with `sync-core run`"
    )
    text = (
        f"{person.email} unsubscribed ({source}); the push is queued: {delivery}"
        if changed
        else f"{person.email} was already unsubscribed; nothing changed"
    )
    ctx.emit(data, text)
    return EXIT_OK


def resubscribe(ctx: Context) -> int:
    person = ctx.find_person(ctx.args.person)
    try:
        changed = ctx.service().resubscribe(person.id, ctx.args.by, ctx.args.reason, ctx.clock())
    except ValueError as exc:
        raise CliError(str(exc)) from None
    data = person_dict(ctx.service().person(person.id)) | {"changed": changed}
    text = (
        f"{person.email} resubscribed by {ctx.args.by}. Salesforce is not changed: clear its "
        "opt-out too before the nightly run, or the run unsubscribes them again"
        if changed
        else f"{person.email} was not unsubscribed; nothing changed"
    )
    ctx.emit(data, text)
    return EXIT_OK
