"""The standard "All" list views of the standard objects with tabs, over REST.

REST API Developer Guide, "List Views" (`/sobjects/<T>/listviews`: `listviews` each with `id`,
`developerName`, `label`, `describeUrl`, `resultsUrl`, `soqlCompatible`, `url`), "Describe List
Views" (`columns`, `orderBy`, `query`, `scope`, `sobjectType`, `whereCondition`), "List View
Results" (`columns`, `records` of `{"columns": [{fieldNameOrPath, value}]}`, `size`, `done`;
`limit` 25 by default, at most 2,000, and `offset`), and `/query?explain=<list view Id>` (the
plan of its query). An org has All Accounts, All Contacts, All Opportunities and All Open Leads
(scope everything, sorted by name then Id); custom objects carry list views only in their
metadata, which loaded schemas do not keep, so they have none here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fake_salesforce import ids
from fake_salesforce.errors import ApiError
from fake_salesforce.org import Org
from fake_salesforce.schema import ObjectSpec
from fake_salesforce.soql.engine import execute
from fake_salesforce.values import format_datetime

MAX_RESULTS = 2000
DEFAULT_RESULTS = 25
HIDDEN = ("Id", "CreatedDate", "LastModifiedDate", "SystemModstamp")
TEXT = frozenset({"string", "textarea", "email", "phone", "url", "picklist", "id", "reference"})


@dataclass(frozen=True)
class Standard:
    developer_name: str
    label: str
    columns: tuple[str, ...]
    where: str | None = None


STANDARD = {
    "Account": Standard("AllAccounts", "All Accounts", ("Name", "BillingState", "Phone", "Type")),
    "Contact": Standard("AllContacts", "All Contacts", ("Name", "Account.Name", "Phone", "Email")),
    "Opportunity": Standard(
        "AllOpportunities",
        "All Opportunities",
        ("Name", "Account.Name", "Amount", "CloseDate", "StageName"),
    ),
    "Lead": Standard(
        "AllOpenLeads",
        "All Open Leads",
        ("Name", "Company", "State", "Email", "Status"),
        "IsConverted = false",
    ),
}


def view_id(org: Org, spec: ObjectSpec) -> str:
    """A stable `00B` Id per object and org."""
    return ids.to18(f"00B{org.org_id[3:5]}{list(org.tables).index(spec.name) + 1:010d}")


def listing(org: Org, spec: ObjectSpec, base: str) -> dict[str, Any]:
    views = [info(org, spec, base)] if spec.name in STANDARD else []
    return {
        "done": True,
        "listviews": views,
        "nextRecordsUrl": None,
        "size": len(views),
        "sobjectType": spec.name,
    }


def info(org: Org, spec: ObjectSpec, base: str) -> dict[str, Any]:
    view = STANDARD[spec.name]
    url = f"{base}/sobjects/{spec.name}/listviews/{view_id(org, spec)}"
    return {
        "describeUrl": f"{url}/describe",
        "developerName": view.developer_name,
        "id": view_id(org, spec),
        "label": view.label,
        "resultsUrl": f"{url}/results",
        "soqlCompatible": True,
        "url": url,
    }


def require(org: Org, spec: ObjectSpec, list_view_id: str) -> Standard:
    if spec.name not in STANDARD or ids.normalize(list_view_id) != view_id(org, spec):
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    return STANDARD[spec.name]


def by_id(org: Org, list_view_id: str) -> tuple[ObjectSpec, Standard] | None:
    """The object and view of a list view Id (for `explain=`), or None."""
    for name in STANDARD:
        spec = org.object_spec(name)
        if spec is not None and ids.normalize(list_view_id) == view_id(org, spec):
            return spec, STANDARD[name]
    return None


def _exists(spec: ObjectSpec, path: str) -> bool:
    if "." in path:
        relationship = path.split(".")[0]
        return any(f.relationship_name == relationship for f in spec.fields)
    return spec.field(path) is not None


def _visible(spec: ObjectSpec, view: Standard) -> list[str]:
    return [c for c in view.columns if _exists(spec, c)]


def query(spec: ObjectSpec, view: Standard) -> str:
    select = ", ".join([*_visible(spec, view), *HIDDEN])
    where = f" WHERE {view.where}" if view.where else ""
    return (
        f"SELECT {select} FROM {spec.name}{where} ORDER BY Name ASC NULLS FIRST, Id ASC NULLS FIRST"
    )


def _column(spec: ObjectSpec, path: str, hidden: bool) -> dict[str, Any]:
    field = spec.field(path) if "." not in path else None
    kind = field.type if field is not None else "string"
    text = kind in TEXT
    return {
        "ascendingLabel": "A-Z" if text else "Low to High",
        "descendingLabel": "Z-A" if text else "High to Low",
        "fieldNameOrPath": path,
        "hidden": hidden,
        "label": field.label if field is not None else path,
        "searchable": text and not hidden,
        "selectListItem": path,
        "sortDirection": "ascending" if path == "Name" else None,
        "sortIndex": 0 if path == "Name" else None,
        "sortable": not hidden,
        "type": kind,
    }


def columns(spec: ObjectSpec, view: Standard) -> list[dict[str, Any]]:
    visible = _visible(spec, view)
    return [_column(spec, path, False) for path in visible] + [
        _column(spec, path, True) for path in HIDDEN
    ]


def describe(org: Org, spec: ObjectSpec, view: Standard) -> dict[str, Any]:
    order = [
        {"fieldNameOrPath": name, "nullsPosition": "first", "sortDirection": "ascending"}
        for name in ("Name", "Id")
    ]
    return {
        "columns": columns(spec, view),
        "id": view_id(org, spec),
        "orderBy": order,
        "query": query(spec, view),
        "relatedEntityId": None,
        "scope": "everything",
        "scopeEntityId": None,
        "sobjectType": spec.name,
        "whereCondition": None,
    }


def results(org: Org, spec: ObjectSpec, view: Standard, limit: int, offset: int) -> dict[str, Any]:
    found = execute(query(spec, view), org, org.clock.now(), org.timezone)
    names = found.columns()
    rows = found.flat_rows(offset, offset + limit)
    records = [{"columns": [_cell(n, v) for n, v in zip(names, row, strict=True)]} for row in rows]
    return {
        "columns": columns(spec, view),
        "developerName": view.developer_name,
        "done": offset + len(rows) >= found.total_size,
        "id": view_id(org, spec),
        "label": view.label,
        "records": records,
        "size": found.total_size,
    }


def _cell(name: str, value: Any) -> dict[str, Any]:
    return {"fieldNameOrPath": name, "value": _text(value)}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def page_bounds(limit: str | None, offset: str | None) -> tuple[int, int]:
    """`limit` (default 25, at most 2,000) and `offset` query parameters."""
    try:
        size = DEFAULT_RESULTS if limit is None else int(limit)
        skip = 0 if offset is None else int(offset)
    except ValueError:
        raise ApiError(
            400, "INVALID_QUERY_PARAMETER_VALUE", "limit and offset are numbers"
        ) from None
    if not 1 <= size <= MAX_RESULTS or skip < 0:
        raise ApiError(400, "INVALID_QUERY_PARAMETER_VALUE", f"limit must be 1 to {MAX_RESULTS}")
    return size, skip
