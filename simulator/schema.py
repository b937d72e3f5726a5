"""The scenario format's vocabulary: every key, step kind and enumerated value the loader accepts.

The loader validates against these names and docs/scenarios.md documents exactly them (a test
compares both ways), so the page and the code cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fake_salesforce.catalog import catalog

TOP = ("name", "description", "clock", "settings", "salesforce", "marketo_sales", "steps")
CLOCK = ("start",)
SETTINGS = ("nightly_sync", "sync_fields", "nightly_at", "timezone")
SALESFORCE = ("packages", "api_limit", "read_only", "records", "generate")
RECORD = ("ref", "type")  # plus the sObject's own fields, by API name
RECORD_BATCH = ("type", "count", "opted_out", "seed")
MARKETO_SALES = ("people", "generate")
PERSON = ("ref", "email", "salesforce", "id_length", "unsubscribed", "source")
PEOPLE_BATCH = ("link", "unsubscribed", "seed")


@dataclass(frozen=True)
class StepKind:
    """One action a step can take: the keys of its mapping (none: a plain value) and which of
    them are required. The loader reads the step with `StepReader.read_<name>`, the runner does
    it with the `Actions` performer registered for its dataclass (docs/scenarios.md, "Steps")."""

    name: str
    arguments: tuple[str, ...] = ()
    required: tuple[str, ...] = ()


# The step table: every action a step may take, in the order docs/scenarios.md lists them.
STEPS: Mapping[str, StepKind] = {
    kind.name: kind
    for kind in (
        StepKind("unsubscribe", ("person", "source"), ("person",)),
        StepKind("resubscribe", ("person", "by", "reason"), ("person", "by", "reason")),
        StepKind("link", ("person", "salesforce", "id_length"), ("person", "salesforce")),
        StepKind("salesforce_update", ("record", "fields"), ("record", "fields")),
        StepKind("salesforce_create", ("ref", "type", "fields"), ("ref", "type")),
        StepKind("salesforce_delete", ("record",), ("record",)),
        StepKind("salesforce_undelete", ("record",), ("record",)),
        StepKind("convert_lead", ("lead", "contact_ref"), ("lead", "contact_ref")),
        StepKind("settings"),
        StepKind("install_package"),
        StepKind("uninstall_package"),
        StepKind("field_access", ("field", "updateable"), ("field", "updateable")),
        StepKind(
            "fault",
            (
                *("kind", "code", "mode", "count", "until", "rate", "seed", "ms"),
                *("method", "sobject", "path"),
            ),
            ("kind",),
        ),
        StepKind("clear_faults"),
        StepKind("run_nightly"),
        StepKind("restart_service", ("down_for",), ("down_for",)),
        StepKind("expect"),
    )
}
STEP_KINDS = tuple(STEPS)
STEP = ("at", *STEP_KINDS)
# Arguments of the step kinds whose value is a mapping.
STEP_ARGUMENTS: Mapping[str, tuple[str, ...]] = {
    kind.name: kind.arguments for kind in STEPS.values() if kind.arguments
}

FAULT_KINDS = ("outage", "error", "latency", "session_expired", "drop")
DROP_MODES = ("incomplete", "reset", "protocol", "tls")
HTTP_METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
ERROR_CODES = (
    "UNABLE_TO_LOCK_ROW",
    "REQUEST_LIMIT_EXCEEDED",
    "SERVER_UNAVAILABLE",
    "UNKNOWN_EXCEPTION",
    "INVALID_SESSION_ID",
    "INVALID_FIELD",
    "INVALID_FIELD_FOR_INSERT_UPDATE",
    "FIELD_CUSTOM_VALIDATION_EXCEPTION",
    "ENTITY_IS_LOCKED",
    "ENTITY_IS_DELETED",
    "NOT_FOUND",
    "INSUFFICIENT_ACCESS_OR_READONLY",
    "CANNOT_UPDATE_CONVERTED_LEAD",
    "QUERY_TIMEOUT",
)

EXPECT = (
    "salesforce",
    "marketo_sales",
    "history",
    "diagnostics",
    "runs",
    "api_calls",
    "writes",
    "converged",
    "pending_pushes",
    "parked_pushes",
)
EXPECT_PERSON = ("unsubscribed", "source", "salesforce")
EXPECT_HISTORY = ("kind", "source", "by", "reason", "at")
EXPECT_DIAGNOSTICS = ("includes", "count")
EXPECT_DIAGNOSTIC = ("person", "record", "code")
EXPECT_RUNS = ("nightly", "push")
EXPECT_API_CALLS = ("max", "min")

HISTORY_KINDS = ("unsubscribe", "resubscribe")
RECORD_TYPES = ("Contact", "Lead")
PACKAGES = catalog().packages  # the packages the fake can install, from its catalog

# Every list above by the name docs/scenarios.md uses for it in `<!-- vocabulary: NAME -->`.
VOCABULARY: Mapping[str, tuple[str, ...]] = {
    "top": TOP,
    "clock": CLOCK,
    "settings": SETTINGS,
    "salesforce": SALESFORCE,
    "record": RECORD,
    "record_batch": RECORD_BATCH,
    "marketo_sales": MARKETO_SALES,
    "person": PERSON,
    "people_batch": PEOPLE_BATCH,
    "step": STEP,
    **{f"step.{kind}": args for kind, args in STEP_ARGUMENTS.items()},
    "fault_kind": FAULT_KINDS,
    "expect": EXPECT,
    "expect.marketo_sales": EXPECT_PERSON,
    "expect.history": EXPECT_HISTORY,
    "expect.diagnostics": EXPECT_DIAGNOSTICS,
    "expect.diagnostic": EXPECT_DIAGNOSTIC,
    "expect.runs": EXPECT_RUNS,
    "expect.api_calls": EXPECT_API_CALLS,
}
