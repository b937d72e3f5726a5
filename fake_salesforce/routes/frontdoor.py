"""Opening the org in a browser: the single-access frontdoor, as `sf org open` asks for it.

`GET|POST /services/oauth2/singleaccess[?redirect_uri=...]` with a Bearer token answers
`{"frontdoor_uri": ".../secur/frontdoor.jsp?otp=...&startURL=..."}` (Salesforce Help, "Generate
a Frontdoor URL to Bridge into UI Sessions"); the code in it works once, for a minute.
`GET /secur/frontdoor.jsp` with that `otp` (or a live token as `sid`, the older form) opens the
org console, on the page that stands for `startURL` where there is one: an object's list
(`/lightning/o/Contact/list`), a record (`/lightning/r/Contact/003.../view` or `/003...`), else
the org's home. A used, expired or unknown code is a 401 page.
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, current_app, redirect, request
from werkzeug.wrappers import Response as WerkzeugResponse

from fake_salesforce import ids
from fake_salesforce.errors import ApiError
from fake_salesforce.org import Org
from fake_salesforce.registry import Registry
from fake_salesforce.routes.auth import instance_url
from fake_salesforce.routes.context import json_response

bp = Blueprint("frontdoor", __name__)
CONSOLE = "/_fake/ui"
_OBJECT_PAGE = re.compile(r"^/lightning/[or]/(\w+)(?:/(\w{15,18}))?(?:/|$)")
_RECORD_PAGE = re.compile(r"^/(\w{15}|\w{18})/?$")


def _registry() -> Registry:
    registry: Registry = current_app.config["REGISTRY"]
    return registry


@bp.route("/services/oauth2/singleaccess", methods=["GET", "POST"])
def single_access() -> Response:
    header = request.headers.get("Authorization", "")
    org = _registry().resolve(header.partition(" ")[2].strip())
    if org is None:
        raise ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")
    query = {"otp": _registry().one_time_code(org)}
    start = request.values.get("redirect_uri")
    if start:
        query["startURL"] = start
    uri = f"{instance_url()}/secur/frontdoor.jsp?{urlencode(query, quote_via=quote)}"
    return json_response({"frontdoor_uri": uri})


@bp.get("/secur/frontdoor.jsp")
def frontdoor() -> Response | WerkzeugResponse:
    otp, sid = request.args.get("otp"), request.args.get("sid")
    org = _registry().redeem(otp) if otp else _registry().resolve(sid or "")
    if org is None:
        page = "<!doctype html><title>Session expired</title><p>This link has expired or was used."
        return Response(page, 401, content_type="text/html; charset=utf-8")
    return redirect(console_page(org, request.args.get("startURL", "")))


def console_page(org: Org, start: str) -> str:
    """The org console's page for a Salesforce UI path (`startURL`)."""
    home = f"{CONSOLE}/{org.org_id}/Contact"
    found = _OBJECT_PAGE.match(start)
    if found:
        sobject = org.canonical(found.group(1))
        if sobject is None:
            return home
        page = f"{CONSOLE}/{org.org_id}/{sobject}"
        record = ids.normalize(found.group(2) or "")
        return f"{page}/{escape(record)}" if record else page
    found = _RECORD_PAGE.match(start)
    record = ids.normalize(found.group(1)) if found else None
    if record:
        owner = next((n for n, t in org.tables.items() if record in t), None)
        if owner is not None:
            return f"{CONSOLE}/{org.org_id}/{owner}/{record}"
    return home
