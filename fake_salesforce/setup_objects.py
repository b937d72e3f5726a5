"""Setup objects an org stores as records: the integration user's Profile, and the Streaming
API's PushTopic and StreamingChannel (Object Reference, "Profile", "PushTopic",
"StreamingChannel"). Profiles are read through the API, never made or changed by it; the fake
serves no CometD endpoint that would deliver the streaming objects' events.
"""

from __future__ import annotations

from fake_salesforce.schema import FieldSpec, ObjectSpec
from fake_salesforce.standard_fields import audit_fields, id_field, owner_field

SYSTEM_ADMINISTRATOR = "System Administrator"

PROFILE = ObjectSpec(
    "Profile",
    "Profile",
    "Profiles",
    "00e",
    (
        id_field(),
        FieldSpec("Name", "Name", "string", 255, nillable=False),
        FieldSpec(
            "UserType",
            "User Type",
            "picklist",
            40,
            picklist=("Standard", "PowerPartner", "CsnOnly", "Guest"),
            restricted_picklist=True,
        ),
        FieldSpec("Description", "Description", "string", 255),
        *audit_fields(),
    ),
    createable=False,
    updateable=False,
    deletable=False,
    undeletable=False,
)


def _flag(name: str, label: str) -> FieldSpec:
    return FieldSpec(name, label, "boolean", nillable=False, default=True, defaulted_on_create=True)


PUSH_TOPIC = ObjectSpec(
    "PushTopic",
    "Push Topic",
    "Push Topics",
    "0IF",
    (
        id_field(),
        FieldSpec("Name", "Topic Name", "string", 25, nillable=False),
        FieldSpec("Query", "SOQL Query", "string", 1300, nillable=False),
        FieldSpec("ApiVersion", "API Version", "double", nillable=False, precision=18, scale=1),
        _flag("IsActive", "Is Active"),
        FieldSpec("NotifyForFields", "Notify For Fields", "picklist", 255,
                  picklist=("All", "Referenced", "Select", "Where"),
                  default="Referenced", defaulted_on_create=True, nillable=False),
        _flag("NotifyForOperationCreate", "Create"),
        _flag("NotifyForOperationUpdate", "Update"),
        _flag("NotifyForOperationDelete", "Delete"),
        _flag("NotifyForOperationUndelete", "Undelete"),
        FieldSpec("Description", "Description", "string", 400),
        *audit_fields(),
    ),
)  # fmt: skip
STREAMING_CHANNEL = ObjectSpec(
    "StreamingChannel",
    "Streaming Channel",
    "Streaming Channels",
    "0M6",
    (
        id_field(),
        FieldSpec("Name", "Streaming Channel Name", "string", 80, nillable=False),
        FieldSpec("Description", "Description", "string", 255),
        owner_field(),
        *audit_fields(),
    ),
)
