"""`describe/layouts` as Salesforce answers it for an object without record types.

REST API Developer Guide, "sObject Describe Layouts": `GET .../sobjects/<SObject>/describe/layouts`
answers `layouts` (one page layout here), `recordTypeMappings` (empty: the org has no record
types) and `recordTypeSelectorRequired` ([false]); `.../describe/layouts/<recordTypeId>` answers
the one layout for the master record type `012000000000000AAA`. The layout shows every field
the user can see, two to a row, in one "Information" section, with the standard Edit, Delete and
Clone buttons.

"sObject Describe Compact Layouts": an object with no compact layout of its own has only the
system default (`name` "SYSTEM", `id` null, the name field), `defaultCompactLayoutId` null.
"sObject Describe Approval Layouts": an org without approval processes has none.
"sObject Describe Named Layouts": the standard named layout is User's `UserAlt`.
"""

from __future__ import annotations

from typing import Any

from fake_salesforce.schema import FieldSpec, ObjectSpec

MASTER_RECORD_TYPE = "012000000000000AAA"
COLUMNS = 2
STANDARD_BUTTONS = (("Edit", "Edit"), ("Delete", "Delete"), ("Clone", "Clone"))
NAMED_LAYOUTS = {"User": ("UserAlt",)}


def _item(field: FieldSpec, tab: int) -> dict[str, Any]:
    return {
        "editableForNew": field.createable,
        "editableForUpdate": field.updateable,
        "label": field.label,
        "layoutComponents": [
            {"displayLines": 1, "tabOrder": tab, "type": "Field", "value": field.name}
        ],
        "placeholder": False,
        "required": field.required_on_create,
    }


def _section(spec: ObjectSpec, editable: bool) -> dict[str, Any]:
    fields = [f for f in spec.fields if f.name != "Id" and (f.updateable or not editable)]
    items = [_item(f, k + 1) for k, f in enumerate(fields)]
    rows = [
        {"layoutItems": items[k : k + COLUMNS], "numItems": len(items[k : k + COLUMNS])}
        for k in range(0, len(items), COLUMNS)
    ]
    return {
        "collapsed": False,
        "columns": COLUMNS,
        "heading": "Information",
        "layoutRows": rows,
        "layoutSectionId": None,
        "parentLayoutId": None,
        "rows": len(rows),
        "tabOrder": "TopToBottom",
        "useCollapsibleSection": False,
        "useHeading": True,
    }


def layout(spec: ObjectSpec, layout_id: str) -> dict[str, Any]:
    """The object's one page layout."""
    return {
        "buttonLayoutSection": {
            "detailButtons": [_button(n, label) for n, label in STANDARD_BUTTONS]
        },
        "detailLayoutSections": [_section(spec, editable=False)],
        "editLayoutSections": [_section(spec, editable=True)],
        "feedView": None,
        "highlightsPanelLayoutSection": None,
        "id": layout_id,
        "multirowEditLayoutSections": [],
        "offlineLinks": [],
        "quickActionList": {"quickActionListItems": []},
        "relatedContent": None,
        "relatedLists": [],
        "saveOptions": [],
    }


def describe_layouts(spec: ObjectSpec, layout_id: str) -> dict[str, Any]:
    return {
        "layouts": [layout(spec, layout_id)],
        "recordTypeMappings": [],
        "recordTypeSelectorRequired": [False],
    }


def _button(name: str, label: str) -> dict[str, Any]:
    """A standard DescribeLayoutButton (no custom content, no window settings)."""
    unset = ("behavior", "colors", "content", "contentSource", "encoding", "height", "icons")
    flags = ("custom", "menubar", "overridden", "resizeable", "scrollbars", "showsLocation")
    return {
        **dict.fromkeys(unset),
        **dict.fromkeys(flags, False),
        "label": label,
        "name": name,
        "showsStatus": False,
        "toolbar": False,
        "url": None,
        "width": None,
        "windowPosition": None,
    }


def compact_layouts(spec: ObjectSpec) -> dict[str, Any]:
    """The system default compact layout, mapped to the master record type."""
    names = [f for f in spec.fields if f.name == "Name"] or [spec.fields[0]]
    system = {
        "actions": [],
        "fieldItems": [_item(f, k + 1) for k, f in enumerate(names)],
        "id": None,
        "imageItems": [],
        "label": "System Default",
        "name": "SYSTEM",
        "objectType": spec.name,
    }
    mapping = {
        "available": True,
        "compactLayoutId": None,
        "compactLayoutName": "SYSTEM",
        "recordTypeId": MASTER_RECORD_TYPE,
        "recordTypeName": "Master",
    }
    return {
        "compactLayouts": [system],
        "defaultCompactLayoutId": None,
        "recordTypeCompactLayoutMappings": [mapping],
    }


def approval_layouts() -> dict[str, Any]:
    """No approval processes, so no approval layouts."""
    return {"approvalLayouts": []}


def has_named_layout(spec: ObjectSpec, name: str) -> bool:
    return name in NAMED_LAYOUTS.get(spec.name, ())
