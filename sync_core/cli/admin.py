"""Administration subcommands: init, settings show|set, runs, diagnostics (and retry)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from sqlalchemy import select

from sync_core import config as config_file
from sync_core.cli.context import EXIT_OK, CliError, Context
from sync_core.model import RunRecord, Settings, SyncField
from sync_core.outbox import PARKED
from sync_core.ports import Database
from sync_core.tables import outbox, people

TRUE = {"true", "on", "yes", "1"}
FALSE = {"false", "off", "no", "0"}


def init(ctx: Context) -> int:
    path = ctx.config_path
    config_file.write_template(path, force=ctx.args.force)
    ctx.emit({"config": str(path)}, f"wrote {path}; edit it, then run `sync-core check`")
    return EXIT_OK


def settings_show(ctx: Context) -> int:
    current = ctx.service().settings()
    data = current.to_dict()
    pinned = sorted(ctx.config.settings)
    ctx.emit(
        {"settings": data, "pinned_in_config": pinned},
        lambda: "\n".join(
            f"{k} = {config_file.toml_value(v)}" + ("   (pinned in config)" if k in pinned else "")
            for k, v in data.items()
        ),
    )
    return EXIT_OK


def settings_set(ctx: Context) -> int:
    key = ctx.args.key
    known = {f.name: f for f in fields(Settings)}
    if key not in known:
        raise CliError(f"unknown setting {key!r}; known: {', '.join(sorted(known))}")
    value = parse_setting(key, ctx.args.value, Settings().to_dict()[key])
    service = ctx.service()
    try:
        updated = service.update_settings(ctx.clock(), **{key: value})
    except (ValueError, TypeError) as exc:
        raise CliError(f"{key}: {exc}") from None
    stored = updated.to_dict()[key]
    pinned = key in ctx.config.settings and config_file.pin_setting(ctx.config_path, key, stored)
    where = " (and in the config file, where it is pinned)" if pinned else ""
    ctx.emit(
        {key: stored, "pinned_in_config": pinned},
        f"{key} = {config_file.toml_value(stored)}{where}",
    )
    return EXIT_OK


def parse_setting(key: str, text: str, default: object) -> Any:
    """Turn the command line's text into the setting's type (by its default's type)."""
    raw = text.strip()
    if key == "sync_fields":
        names = [n.strip() for n in raw.split(",") if n.strip()]
        valid = {str(f) for f in SyncField}
        bad = [n for n in names if n not in valid]
        if bad or not names:
            raise CliError(f"sync_fields takes a comma list of {', '.join(sorted(valid))}")
        return frozenset(SyncField(n) for n in names)
    if isinstance(default, bool):
        if raw.lower() in TRUE | FALSE:
            return raw.lower() in TRUE
        raise CliError(f"{key} takes true or false, not {text!r}")
    try:
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
    except ValueError:
        raise CliError(f"{key} takes a number, not {text!r}") from None
    return raw


def runs(ctx: Context) -> int:
    records = ctx.service().runs(ctx.args.kind)[-ctx.args.limit :]
    ctx.emit([_run_dict(r) for r in records], lambda: _runs_text(ctx, records))
    return EXIT_OK


def _run_dict(run: RunRecord) -> dict[str, Any]:
    return {
        "id": run.id,
        "kind": str(run.kind),
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "duration_seconds": run.duration_seconds,
        "status": run.status,
        "owner": run.owner,
        "counts": run.counts,
        "detail": run.detail,
    }


def _runs_text(ctx: Context, records: list[RunRecord]) -> str:
    if not records:
        return "no runs yet"
    lines = []
    for run in records:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(run.counts.items()))
        stopped = run.detail.get("stopped")
        lines.append(
            f"#{run.id} {run.kind} {ctx.local_time(run.started_at)} {_took(run)}: {counts}"
            + (f"; stopped: {stopped}" if stopped else "")
        )
    return "\n".join(lines)


def _took(run: RunRecord) -> str:
    """How long the run took, or why it has no duration."""
    if run.status == "running":
        return "(in progress)"
    took = f"{run.duration_seconds:.1f} s"
    return f"(interrupted after {took})" if run.status == "interrupted" else f"({took})"


def diagnostics(ctx: Context) -> int:
    service = ctx.service()
    if ctx.args.action == "retry":
        person_id = ctx.find_person(ctx.args.person).id if ctx.args.person else None
        store = service.store
        count = store.requeue_parked(ctx.clock(), person_id)
        ctx.emit({"requeued": count}, f"{count} parked push(es) queued again; run `sync-core push`")
        return EXIT_OK
    entries = service.diagnostics()[-ctx.args.limit :]
    parked = _parked(service.store)
    emails = {p.id: p.email for p in service.people()}
    data = {
        "recent": [
            {
                "at": d.at,
                "code": d.code,
                "message": d.message,
                "email": emails.get(d.person_id) if d.person_id else None,
                "record_id": d.record_id,
                "run_id": d.run_id,
            }
            for d in entries
        ],
        "parked": parked,
        "pending": service.pending_pushes(),
    }
    ctx.emit(data, lambda: _diagnostics_text(ctx, data))
    return EXIT_OK


def _parked(store: Database) -> list[dict[str, Any]]:
    query = (
        select(outbox.c.id, people.c.email, outbox.c.attempts, outbox.c.last_code)
        .add_columns(outbox.c.last_message, outbox.c.created_at, outbox.c.due_at)
        .join(people, people.c.id == outbox.c.person_id)
        .where(outbox.c.state == PARKED)
        .order_by(outbox.c.id)
    )
    with store.engine.connect() as conn:
        return [
            {
                "email": r.email,
                "attempts": r.attempts,
                "code": r.last_code,
                "message": r.last_message,
                "since": r.created_at,
                "next_try": r.due_at,
            }
            for r in conn.execute(query)
        ]


def _diagnostics_text(ctx: Context, data: dict[str, Any]) -> str:
    lines = ["recent errors and notes:" if data["recent"] else "no recent errors"]
    for d in data["recent"]:
        who = f" {d['email']}" if d["email"] else ""
        lines.append(f"  {ctx.local_time(d['at'])}{who} {d['code']}: {d['message']}")
    lines.append(f"parked pushes: {len(data['parked'])} (retry with `sync-core diagnostics retry`)")
    lines += [
        f"  {p['email']} {p['code']}: {p['message']} (next try {p['next_try'].isoformat()})"
        for p in data["parked"]
    ]
    lines.append(f"pushes not yet delivered: {data['pending']}")
    return "\n".join(lines)
