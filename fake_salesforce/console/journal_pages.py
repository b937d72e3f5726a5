"""The request journal in the console: every API call the org answered, newest first, live.

Filter by status (an exact code, or a class such as `4xx`) and by path (a substring, or a glob
with `*`); each entry's page shows the request and response bodies. The list polls
`journal/rows?after=N` every two seconds (a few lines of inline script, no library) and adds the
new rows on top; without script the page is complete and a Refresh link reloads it.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from typing import Any

from flask import render_template, request

from fake_salesforce.console import ConsoleError, bp, exchanges
from fake_salesforce.console.display import pretty_body
from fake_salesforce.console.pages import common, find_org
from fake_salesforce.journal import Entry
from fake_salesforce.org import Org

SHOWN = 200  # newest entries listed


def matching(entries: Iterable[Entry], status: str, path: str) -> list[Entry]:
    """Entries whose status matches `status` (`404`, `4xx`, blank) and whose path contains
    `path` (or matches it, when it has a `*`), newest first."""
    status = status.strip().lower()
    path = path.strip()
    found = []
    for e in entries:
        if status and not _status_matches(e.status, status):
            continue
        if path and not (fnmatch.fnmatchcase(e.path, path) if "*" in path else path in e.path):
            continue
        found.append(e)
    found.reverse()
    return found


def _status_matches(code: int, wanted: str) -> bool:
    if len(wanted) == 3 and wanted.endswith("xx"):
        return str(code)[0] == wanted[0]
    return str(code) == wanted


def _filtered(org: Org, after: int = 0) -> list[Entry]:
    entries = [e for e in list(org.journal.entries) if e.seq > after]
    return matching(entries, request.args.get("status", ""), request.args.get("path", ""))


@bp.get("/<org_ref>/journal")
def journal(org_ref: str) -> str:
    org = find_org(org_ref)
    found = _filtered(org)
    return render_template(
        "fake_console/journal.html",
        entries=found[:SHOWN],
        total=len(found),
        calls=sum(1 for e in found if e.counted),
        last_seq=org.journal.last_seq(),
        status=request.args.get("status", ""),
        path=request.args.get("path", ""),
        **common(org),
    )


@bp.get("/<org_ref>/journal/rows")
def journal_rows(org_ref: str) -> tuple[str, int, dict[str, str]]:
    """The rows after `after` (the polling script's request), and the new last seq."""
    org = find_org(org_ref)
    try:
        after = int(request.args.get("after", "0"))
    except ValueError:
        raise ConsoleError(400, "after: a journal sequence number") from None
    html = render_template("fake_console/_journal_rows.html", entries=_filtered(org, after),
                           **common(org))  # fmt: skip
    return html, 200, {"X-Last-Seq": str(org.journal.last_seq())}


@bp.get("/<org_ref>/journal/<int:seq>")
def journal_entry(org_ref: str, seq: int) -> str:
    org = find_org(org_ref)
    entry = next((e for e in list(org.journal.entries) if e.seq == seq), None)
    if entry is None:
        raise ConsoleError(404, f"The journal has no entry {seq}.")
    exchange = exchanges().get(org.org_id, seq)
    bodies: dict[str, Any] = {}
    if exchange is not None:
        bodies = {
            "request": pretty_body(bytes(exchange.request_body), exchange.request_type),
            "request_size": exchange.request_size,
            "response": pretty_body(bytes(exchange.response_body), exchange.response_type),
            "response_size": exchange.response_size,
            "ms": exchange.ms,
        }
    return render_template(
        "fake_console/entry.html", entry=entry, bodies=bodies, exchange=exchange, **common(org)
    )
