"""`/services/data/` (no auth) and the resource map of one version."""

from __future__ import annotations

from flask import Blueprint, Response, request

from fake_salesforce.routes.context import current_org, json_response

bp = Blueprint("versions", __name__)

_RELEASES = {
    50.0: "Winter '21",
    51.0: "Spring '21",
    52.0: "Summer '21",
    53.0: "Winter '22",
    54.0: "Spring '22",
    55.0: "Summer '22",
    56.0: "Winter '23",
    57.0: "Spring '23",
    58.0: "Summer '23",
    59.0: "Winter '24",
    60.0: "Spring '24",
    61.0: "Summer '24",
    62.0: "Winter '25",
}
RESOURCES = (
    "tooling",
    "metadata",
    "eclair",
    "folders",
    "prechatForms",
    "chatter",
    "tabs",
    "appMenu",
    "quickActions",
    "queryAll",
    "commerce",
    "wave",
    "iot",
    "analytics",
    "search",
    "identity",
    "composite",
    "parameterizedSearch",
    "fingerprint",
    "theme",
    "nouns",
    "domino",
    "event",
    "serviceTemplates",
    "recent",
    "connect",
    "licensing",
    "limits",
    "process",
    "async-queries",
    "query",
    "jobs",
    "match",
    "emailConnect",
    "compactLayouts",
    "knowledgeManagement",
    "sobjects",
    "actions",
    "support",
)


def version_list() -> list[dict[str, str]]:
    return [
        {"label": label, "url": f"/services/data/v{v:.1f}", "version": f"{v:.1f}"}
        for v, label in _RELEASES.items()
    ]


@bp.get("/services/data")
def list_versions() -> Response:
    return json_response(version_list())


@bp.get("/services/data/v<version:version>")
def resources(version: str) -> Response:
    org = current_org()
    base = f"/services/data/v{version}"
    body = {name: f"{base}/{name}" for name in RESOURCES}
    body["identity"] = f"{request.host_url.rstrip('/')}/id/{org.org_id}/{org.user_id}"
    return json_response(body)
