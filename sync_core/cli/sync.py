"""Salesforce-facing subcommands: check, push, nightly (and its dry run)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sync_core.claim import NightlyBusy
from sync_core.cli.context import EXIT_FAILED, EXIT_OK, CliError, Context
from sync_core.model import NightlyReport, Person, PushReport, RecordWrite, SObject, SyncField
from sync_core.plan import plan_requirements
from sync_core.progress import phased_progress, wants_progress
from sync_core.salesforce import SalesforceAdapter
from sync_core.web.settings_form import LAST_CHECK


def check(ctx: Context) -> int:
    service = ctx.service(salesforce=True)
    gateway = service.gateway
    assert isinstance(gateway, SalesforceAdapter)
    settings = service.settings()
    described = {o: gateway.describe_fields(o) for o in SObject}
    problems = [p.message for p in plan_requirements(settings, described)]
    fields = [
        _field_state(settings.api_name(f), o, described[o], f in settings.sync_fields)
        for o in SObject
        for f in sorted(SyncField)
    ]
    everyone = service.people()
    usage = gateway.api_usage()
    if not settings.nightly_sync:
        problems.append("the nightly sync is off (sync-core settings set nightly_sync true)")
    if usage and usage[1] and usage[1] - usage[0] < settings.api_headroom * usage[1]:
        problems.append(f"API usage {usage[0]}/{usage[1]} is inside the reserved headroom")
    data = {
        "org": _org(gateway, ctx),
        "api_usage": {"used": usage[0], "allocation": usage[1]} if usage else None,
        "api_headroom": settings.api_headroom,
        "nightly_sync": settings.nightly_sync,
        "fields": fields,
        "people": len(everyone),
        "without_salesforce_id": sum(1 for p in everyone if not p.record_ids),
        "link_broken": sum(1 for p in everyone if p.link_broken),
        "problems": problems,
        "ready": not problems,
    }
    # The console's Settings page offers only the fields this check found usable.
    service.store.set_state(
        LAST_CHECK, json.dumps({"at": ctx.clock().isoformat(), "fields": fields})
    )
    ctx.emit(data, lambda: _check_text(data))
    return EXIT_OK if not problems else EXIT_FAILED


def _field_state(name: str, sobject: SObject, described: Any, selected: bool) -> dict[str, Any]:
    info = {k.lower(): v for k, v in described.items()}.get(name.lower())
    return {
        "sobject": str(sobject),
        "field": name,
        "selected": selected,
        "exists": info is not None,
        "updateable": bool(info and info.updateable),
    }


def _org(gateway: SalesforceAdapter, ctx: Context) -> dict[str, Any]:
    session = str(getattr(gateway.sf, "session_id", "") or "")
    org_id = session.split("!", 1)[0] if session.startswith("00D") else None
    return {
        "instance": str(getattr(gateway.sf, "sf_instance", "")),
        "org_id": org_id,
        "username": ctx.config.salesforce.username,
    }


def _check_text(data: dict[str, Any]) -> str:
    org = data["org"]
    usage = data["api_usage"]
    lines = [
        f"org: {org['instance']} (org {org['org_id'] or 'unknown'}) as {org['username']}",
        f"API usage: {usage['used']} of {usage['allocation']} today, "
        f"{data['api_headroom']:.0%} kept as headroom"
        if usage
        else "API usage: not reported by the org",
        f"nightly sync: {'on' if data['nightly_sync'] else 'off'}",
    ]
    for f in data["fields"]:
        mark = "selected" if f["selected"] else "not selected"
        state = "missing" if not f["exists"] else "updateable" if f["updateable"] else "read-only"
        lines.append(f"  {f['sobject']}.{f['field']}: {state} ({mark})")
    lines.append(
        f"people: {data['people']}, {data['without_salesforce_id']} without a Salesforce Id, "
        f"{data['link_broken']} with a broken link"
    )
    lines += [f"problem: {p}" for p in data["problems"]]
    lines.append("ready: the nightly sync can run" if data["ready"] else "not ready")
    return "\n".join(lines)


def push(ctx: Context) -> int:
    service = ctx.service(salesforce=True)
    service.store.close_interrupted(ctx.clock())  # a push killed half-way is not "running"
    window = service.settings().push_window_seconds
    # Fresh captures wait out a grouping window; a one-off drain includes them.
    report = service.push_due(ctx.clock() + timedelta(seconds=window))
    outbox = {"pending": service.pending_pushes(), "parked_pending": service.parked_pushes()}
    data = _push_dict(report) | outbox
    ctx.emit(data, lambda: _push_text(data))
    # The exit code tells what the outbox holds afterwards, whichever run left it so: 0 only
    # when every captured unsubscribe has reached Salesforce.
    return EXIT_OK if not data["pending"] else EXIT_FAILED


def _push_dict(report: PushReport) -> dict[str, Any]:
    return {
        "delivered": report.delivered,
        "retrying": report.retrying,
        "parked": report.parked,
        "calls": report.calls,
        "errors": [d.as_detail() for d in report.errors],
    }


def _push_text(data: dict[str, Any]) -> str:
    lines = [
        f"delivered {data['delivered']}, retrying {data['retrying']}, parked {data['parked']} "
        f"({data['calls']} API calls); {data['pending']} still pending, "
        f"{data['parked_pending']} of them parked"
    ]
    lines += [f"  {e['record'] or '-'} {e['code']}: {e['message']}" for e in data["errors"]]
    return "\n".join(lines)


def nightly(ctx: Context) -> int:
    service = ctx.service(salesforce=True)
    bar = wants_progress(ctx.stderr, ctx.json)
    label = "planning the nightly run" if ctx.args.dry_run else "running the nightly sync"
    try:
        gateway = service.gateway
        assert gateway is not None
        calls = gateway.calls
        with (
            service.store.nightly_lock(exclusive=not ctx.args.dry_run, clock=ctx.clock),
            phased_progress(
                label, ctx.stderr, bar, lambda: f"{gateway.calls - calls} API calls"
            ) as progress,
        ):
            report = service.run_nightly(
                ctx.clock(), dry_run=ctx.args.dry_run, full=ctx.args.full, progress=progress
            )
    except NightlyBusy as exc:
        raise CliError(str(exc), EXIT_FAILED) from None
    people = {p.id: p for p in service.people()}
    data = nightly_dict(report, people)
    ctx.emit(data, lambda: nightly_text(data))
    return EXIT_OK if report.ok else EXIT_FAILED


def _write(write: RecordWrite, people: dict[int, Person]) -> dict[str, Any]:
    return {
        "sobject": str(write.sobject),
        "record_id": write.record_id,
        "fields": sorted(str(f) for f in write.fields),
        "people": [people[i].email for i in write.person_ids if i in people],
    }


def nightly_dict(report: NightlyReport, people: dict[int, Person]) -> dict[str, Any]:
    plan = report.plan
    return {
        "dry_run": report.dry_run,
        "run_id": report.run_id,
        "mode": str(report.mode) if report.mode else None,
        "salesforce_writes": [_write(w, people) for w in plan.writes],
        "local_unsubscribes": [
            {"email": people[u.person_id].email, "record_id": u.record_id}
            for u in plan.unsubscribes
            if u.person_id in people
        ],
        "skipped": [
            {"email": people[s.person_id].email, "code": s.code, "message": s.message}
            for s in plan.skips
            if s.person_id in people
        ],
        "problems": [p.message for p in plan.problems],
        "read_calls": report.calls,
        "estimated_write_calls": report.estimated_write_calls,
        "records_read": report.reads,
        "writes_done": report.writes_done,
        "unsubscribed": report.unsubscribed,
        "errors": [d.as_detail() for d in report.errors],
        "stopped": report.stopped,
        "left": report.left,
        "ok": report.ok,
    }


def nightly_text(data: dict[str, Any]) -> str:
    head = "dry run: nothing was written" if data["dry_run"] else f"nightly run #{data['run_id']}"
    lines = [f"{head} ({data['mode'] or 'no'} read, {data['records_read']} records read)"]
    lines += [f"problem: {p}" for p in data["problems"]]
    verb = "would set" if data["dry_run"] else "set"
    lines.append(f"Salesforce: {len(data['salesforce_writes'])} record(s) to change")
    for w in data["salesforce_writes"]:
        lines.append(
            f"  {verb} {', '.join(w['fields'])} true on {w['sobject']} {w['record_id']} "
            f"({', '.join(w['people'])})"
        )
    lines.append(f"Marketo Sales: {len(data['local_unsubscribes'])} person(s) to unsubscribe")
    verb = "would unsubscribe" if data["dry_run"] else "unsubscribed"
    lines += [f"  {verb} {u['email']} ({u['record_id']})" for u in data["local_unsubscribes"]]
    if data["skipped"]:
        lines.append(f"skipped: {len(data['skipped'])}")
        lines += [f"  {s['code']}: {s['message']}" for s in data["skipped"]]
    if data["dry_run"]:
        lines.append(
            f"API calls: {data['read_calls']} to read, about "
            f"{data['estimated_write_calls']} more to write"
        )
    else:
        lines.append(f"written {data['writes_done']}, API calls {data['read_calls']}")
    lines += [f"error: {e['record'] or '-'} {e['code']}: {e['message']}" for e in data["errors"]]
    if data["stopped"]:
        lines.append(f"stopped: {data['stopped']} ({data['left']} writes left)")
    return "\n".join(lines)
