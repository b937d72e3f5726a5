"""`/tabs` and `/theme`: the standard object tabs and the icons and colours that go with them.

REST API Developer Guide, "Tabs": a list of the tabs the user can see, each with `colors`,
`custom`, `iconUrl`, `icons`, `label`, `miniIconUrl`, `name` (`standard-<Object>`),
`sobjectName` and `url` (the object's list page, `/<key prefix>/o`). "Themes": `themeItems`,
one per object, `name` the object, with the same `colors` and `icons` (null for an object with
no tab of its own). The fake's tabs are the standard objects with tabs in Salesforce: Account,
Contact, Lead and Opportunity (custom objects get a tab only from a CustomTab, which schemas
loaded here do not carry); colours are the Lightning (`theme4`) ones.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from fake_salesforce.routes.context import current_org, json_response
from fake_salesforce.schema import ObjectSpec

bp = Blueprint("tabs", __name__, url_prefix="/services/data/v<version:version>")

# object -> (Classic icon stem, Lightning icon stem, Lightning colour)
TABBED = {
    "Account": ("accounts", "account", "7F8DE1"),
    "Contact": ("contacts", "contact", "A094ED"),
    "Lead": ("leads", "lead", "F88962"),
    "Opportunity": ("opportunities", "opportunity", "FCB95B"),
}


@bp.url_value_preprocessor
def _drop_version(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values:
        values.pop("version", None)


def _base() -> str:
    return request.host_url.rstrip("/")


def _colors(name: str) -> list[dict[str, str]]:
    return [{"color": TABBED[name][2], "context": "primary", "theme": "theme4"}]


def _icon(base: str, path: str, size: int, theme: str, kind: str = "image/png") -> dict[str, Any]:
    url = f"{base}/img/icon/{path}"
    return {"contentType": kind, "height": size, "theme": theme, "url": url, "width": size}


def _icons(name: str, base: str) -> list[dict[str, Any]]:
    classic, lightning, _ = TABBED[name]
    return [
        _icon(base, f"{classic}32.png", 32, "theme3"),
        _icon(base, f"{classic}16.png", 16, "theme3"),
        _icon(base, f"t4v35/standard/{lightning}.svg", 0, "theme4", "image/svg+xml"),
        _icon(base, f"t4v35/standard/{lightning}_60.png", 60, "theme4"),
        _icon(base, f"t4v35/standard/{lightning}_120.png", 120, "theme4"),
    ]


def tab_of(spec: ObjectSpec, base: str) -> dict[str, Any]:
    """The DescribeTab of an object in TABBED (also the SOAP describeTabs() tab)."""
    classic = TABBED[spec.name][0]
    return {
        "colors": _colors(spec.name),
        "custom": False,
        "iconUrl": f"{base}/img/icon/{classic}32.png",
        "icons": _icons(spec.name, base),
        "label": spec.label_plural,
        "miniIconUrl": f"{base}/img/icon/{classic}16.png",
        "name": f"standard-{spec.name}",
        "sobjectName": spec.name,
        "url": f"{base}/{spec.key_prefix}/o",
    }


def _specs() -> list[ObjectSpec]:
    org = current_org()
    return [s for name in org.tables if (s := org.object_spec(name)) is not None]


@bp.get("/tabs")
def tabs() -> Response:
    return json_response([tab_of(s, _base()) for s in _specs() if s.name in TABBED])


@bp.get("/theme")
def theme() -> Response:
    items = [
        {
            "colors": _colors(s.name) if s.name in TABBED else None,
            "icons": _icons(s.name, _base()) if s.name in TABBED else None,
            "name": s.name,
        }
        for s in _specs()
    ]
    return json_response({"themeItems": items})
