"""The org console's record pages: orgs, an object's records (search, paging), one record.

A record is edited as a Salesforce user edits it on its page: only updateable fields are
offered, and the save goes through `Org.update`, the same checks an API PATCH meets (types,
lengths, read-only fields, required fields), with Salesforce's error shown beside the field.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from fake_salesforce import ids
from fake_salesforce.console import ConsoleError, bp, registry
from fake_salesforce.console.display import form_value, layout, local_time, shown
from fake_salesforce.errors import ApiError
from fake_salesforce.history import acting_as
from fake_salesforce.org import Org
from fake_salesforce.schema import FieldSpec, ObjectSpec

PAGE_SIZE = 25
CONSOLE_ACTOR = "console:Console user"
LIST_COLUMNS = ("Name", "Email", "HasOptedOutOfEmail", "mkto_si__Marketo_Sales_Opt_Out__c")
OBJECTS = ("Contact", "Lead", "Account", "User")


def find_org(org_ref: str) -> Org:
    found = registry().orgs.get(ids.normalize(org_ref) or org_ref)
    if found is None:
        raise ConsoleError(404, f"There is no org {org_ref} on this server.")
    return found


def find_spec(org: Org, sobject: str) -> ObjectSpec:
    spec = org.object_spec(sobject)
    if spec is None:
        raise ConsoleError(404, f"The org has no object {sobject}.")
    return spec


def common(org: Org) -> dict[str, Any]:
    """What every org page's frame shows: the org, its clock and its API usage."""
    now = org.clock.now()
    return {
        "org": org,
        "now": local_time(org, now),
        "used": org.usage.used(now),
        "limit": org.settings.api_limit,
        "objects": OBJECTS,
        "local_time": lambda when: local_time(org, when),
    }


@bp.get("/")
def orgs() -> str:
    listed = [(org, {name: org.table(name).live_count() for name in OBJECTS})
              for org in registry().orgs.values()]  # fmt: skip
    if len(listed) == 1:
        org = listed[0][0]
        return render_template("fake_console/orgs.html", orgs=listed, **common(org))
    return render_template("fake_console/orgs.html", orgs=listed, org=None, objects=OBJECTS)


@bp.get("/<org_ref>/<sobject>")
def records(org_ref: str, sobject: str) -> str:
    org = find_org(org_ref)
    spec = find_spec(org, sobject)
    search = request.args.get("q", "").strip()
    page = max(1, _int(request.args.get("page"), 1))
    with org.lock:
        rows = _matching(org, spec, search)
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(page, pages)
    columns = [spec.field(name) for name in LIST_COLUMNS if spec.field(name) is not None]
    return render_template(
        "fake_console/records.html",
        spec=spec,
        columns=columns,
        rows=rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        total=len(rows),
        search=search,
        page=page,
        pages=pages,
        shown=lambda f, v: shown(org, f, v),
        **common(org),
    )


def _matching(org: Org, spec: ObjectSpec, search: str) -> list[dict[str, Any]]:
    """Live records whose Id, name or email contains `search` (any case), newest first."""
    table = org.tables[spec.name]
    wanted = search.lower()
    keys = [n for n in ("Id", "Name", "Email", "Username") if spec.field(n) is not None]
    found = []
    for row in table.rows.values():
        if table.value(row, "IsDeleted"):
            continue
        record = table.as_dict(row, spec.fields)
        if not wanted or any(wanted in str(record.get(k) or "").lower() for k in keys):
            found.append(record)
    found.sort(key=lambda r: (r.get("CreatedDate") is not None, r.get("CreatedDate"), r["Id"]),
               reverse=True)  # fmt: skip
    return found


def _int(text: str | None, default: int) -> int:
    try:
        return int(text or default)
    except ValueError:
        return default


@bp.route("/<org_ref>/<sobject>/<record_id>", methods=["GET", "POST"])
def record(org_ref: str, sobject: str, record_id: str) -> str | Response:
    org = find_org(org_ref)
    spec = find_spec(org, sobject)
    error: ApiError | None = None
    editing = request.args.get("edit") == "1"
    if request.method == "POST":
        error = _save(org, spec, record_id)
        if error is None:
            return redirect(url_for(".record", org_ref=org.org_id, sobject=spec.name,
                                    record_id=record_id, saved=1), code=303)  # fmt: skip
        editing = True
    with org.lock:
        values = org.get(spec.name, record_id)
    if values is None:
        raise ConsoleError(404, f"No live {spec.name} {record_id} in this org.")
    return render_template(
        "fake_console/record.html",
        spec=spec,
        record=values,
        fields=layout(spec.fields),
        editing=editing,
        error=error,
        posted=request.form if error else None,
        history=org.history.of(values["Id"]),
        shown=lambda f, v: shown(org, f, v),
        form_value=form_value,
        saved=request.args.get("saved") == "1",
        **common(org),
    ), (400 if error else 200)  # type: ignore[return-value]


def _save(org: Org, spec: ObjectSpec, record_id: str) -> ApiError | None:
    """Apply the edit form as a PATCH of the fields the user changed; Salesforce's error if
    the org refuses it."""
    with org.lock:
        current = org.get(spec.name, record_id)
        if current is None:
            raise ConsoleError(404, f"No live {spec.name} {record_id} in this org.")
        body = _changed_fields(spec, current)
        if not body:
            return None
        try:
            with acting_as(CONSOLE_ACTOR), org.transaction():
                org.update(spec.name, record_id, body)
        except ApiError as exc:
            return exc
    return None


def _changed_fields(spec: ObjectSpec, current: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for f in spec.fields:
        if not f.updateable or f.calculated or f.name not in request.form.getlist("shown"):
            continue
        value = _posted(f)
        if value != _posted_form_of(f, current.get(f.name)):
            body[f.name] = value
    return body


def _posted(f: FieldSpec) -> Any:
    """The form's value as a JSON body would carry it: booleans from the checkbox, numbers as
    numbers when they parse (else the text, which the org rejects as an API call's would be),
    blank as null."""
    if f.type == "boolean":
        return request.form.get(f.name) == "on"
    text = request.form.get(f.name, "").strip()
    if text == "":
        return None
    if f.type in ("double", "currency", "percent", "int"):
        try:
            return int(text) if f.type == "int" else float(text)
        except ValueError:
            return text
    return text


def _posted_form_of(f: FieldSpec, value: Any) -> Any:
    if f.type == "boolean":
        return bool(value)
    if value is None or value == "":
        return None
    if f.type in ("double", "currency", "percent", "int"):
        return value
    return form_value(value)
