"""sObject Tree (`POST /composite/tree/<SObject>`): nested records created all or nothing.

REST API Developer Guide, "sObject Tree" and "sObject Tree Response Body": root records are of
the URL's type, children sit under their parent's child relationship name as `{"records":
[...]}`, every record carries `attributes.type` and a unique `attributes.referenceId`; at most
200 records and 5 levels. Success answers 201 `{"hasErrors": false, "results": [{referenceId,
id}]}` level by level (the roots, then their children); any failure creates nothing and answers
400 with only the failing records (`{referenceId, errors}`), one per duplicate referenceId.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fake_salesforce.errors import ApiError
from fake_salesforce.org import Org
from fake_salesforce.schema import ObjectSpec
from fake_salesforce.soql.fields import child_relationship

MAX_RECORDS = 200
MAX_DEPTH = 5


@dataclass
class Node:
    """One record of the tree: its type, reference, own fields and where its parent Id goes."""

    spec: ObjectSpec
    reference: str
    values: dict[str, Any]
    parent: int | None = None  # index of the parent node
    lookup: str | None = None  # the child's field that takes the parent's Id


class _Failed(Exception):
    """Raised inside the transaction so every record created so far is undone."""


def flatten(org: Org, root: ObjectSpec, body: dict[str, Any]) -> list[Node]:
    """The tree's records, level by level; a malformed tree raises Salesforce's error."""
    records = _records(body, "records")
    nodes: list[Node] = []
    Pending = tuple[ObjectSpec, dict[str, Any], int | None, str | None]
    level: list[Pending] = [(root, r, None, None) for r in records]
    depth = 1
    while level:
        if depth > MAX_DEPTH:
            raise ApiError(400, "INVALID_INPUT", f"Exceeded max depth {MAX_DEPTH}")
        below: list[Pending] = []
        for spec, record, parent, lookup in level:
            node = _node(org, spec, record, parent, lookup)
            nodes.append(node)
            for child_spec, child, child_lookup in _children(org, spec, record):
                below.append((child_spec, child, len(nodes) - 1, child_lookup))
        level, depth = below, depth + 1
    if len(nodes) > MAX_RECORDS:
        raise ApiError(400, "EXCEEDED_ID_LIMIT", f"Exceeded max limit of records {MAX_RECORDS}", [])
    return nodes


def _records(holder: dict[str, Any], key: str) -> list[dict[str, Any]]:
    records = holder.get(key)
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ApiError(400, "JSON_PARSER_ERROR", f"{key}: expected a list of sObjects")
    return records


def _node(
    org: Org, spec: ObjectSpec, record: dict[str, Any], parent: int | None, lookup: str | None
) -> Node:
    attributes = record.get("attributes")
    if not isinstance(attributes, dict):
        raise ApiError(400, "INVALID_INPUT", "Include an attributes property for each record")
    kind = attributes.get("type")
    if not isinstance(kind, str) or org.canonical(kind) != spec.name:
        raise ApiError(
            400, "INVALID_INPUT", f"Record type {kind} does not match the expected {spec.name}"
        )
    reference = attributes.get("referenceId")
    if not isinstance(reference, str) or not reference:
        raise ApiError(400, "INVALID_INPUT", "Include a reference ID for each record")
    values = {k: v for k, v in record.items() if k != "attributes" and not _is_children(v)}
    return Node(spec, reference, values, parent, lookup)


def _is_children(value: Any) -> bool:
    return isinstance(value, dict) and "records" in value


def _children(
    org: Org, spec: ObjectSpec, record: dict[str, Any]
) -> list[tuple[ObjectSpec, dict[str, Any], str]]:
    out = []
    for key, value in record.items():
        if not _is_children(value):
            continue
        found = child_relationship(org, spec, key)  # describe's childRelationships
        if found is None:
            raise ApiError(
                400,
                "INVALID_FIELD",
                f"No such column '{key}' on sobject of type {spec.name}",
                [key],
            )
        out += [(found[0], child, found[1].name) for child in _records(value, "records")]
    return out


def create(org: Org, nodes: list[Node]) -> tuple[bool, list[dict[str, Any]]]:
    """Create every node in order, or none: (has errors, results as Salesforce lists them)."""
    duplicates = _duplicates(nodes)
    if duplicates:
        return True, duplicates
    created: list[str | None] = []
    failures: list[dict[str, Any]] = []
    try:
        with org.transaction():
            for node in nodes:
                created.append(_create_one(org, node, created, failures))
            if failures:
                raise _Failed
    except _Failed:
        return True, failures
    results = [
        {"referenceId": n.reference, "id": rid} for n, rid in zip(nodes, created, strict=True)
    ]
    return False, results


def _create_one(
    org: Org, node: Node, created: list[str | None], failures: list[dict[str, Any]]
) -> str | None:
    values = dict(node.values)
    if node.parent is not None and node.lookup is not None:
        parent_id = created[node.parent]
        if parent_id is None:
            return None  # its parent failed: nothing to hang it on, the parent is reported
        values[node.lookup] = parent_id
    try:
        return org.create(node.spec.name, values)
    except ApiError as exc:
        failures.append({"referenceId": node.reference, "errors": [exc.record_error()]})
        return None


def _duplicates(nodes: list[Node]) -> list[dict[str, Any]]:
    seen: dict[str, int] = {}
    for node in nodes:
        seen[node.reference] = seen.get(node.reference, 0) + 1
    error = {
        "statusCode": "INVALID_INPUT",
        "message": "Duplicate ReferenceId provided in the request",
        "fields": [],
    }
    return [{"referenceId": n.reference, "errors": [error]} for n in nodes if seen[n.reference] > 1]
