"""Per-record DML for sObject Collections and the Bulk APIs: one SaveResult per record.

Each record succeeds or fails on its own (its writes undone on failure); with allOrNone the
whole set is undone when one fails, and the others report ALL_OR_NONE_OPERATION_ROLLED_BACK
(docs/salesforce-wire.md 4.1). Errors carry `statusCode`, not `errorCode`.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from fake_salesforce import ids
from fake_salesforce.errors import ApiError
from fake_salesforce.schema import ObjectSpec

if TYPE_CHECKING:
    from fake_salesforce.org import Org

ROLLED_BACK = ApiError(
    400,
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using "
    "AllOrNone header",
    [],
)


@dataclass(slots=True)
class Outcome:
    """What happened to one record: its Id (when known), success, created, or the error.
    (Not frozen: a frozen dataclass costs ~1 us a record to build, a Bulk job makes 100,000.)"""

    record_id: str | None
    error: ApiError | None = None
    created: bool = False
    written: Mapping[str, Any] | None = None

    @property
    def success(self) -> bool:
        return self.error is None

    def body(self, with_created: bool = False) -> dict[str, Any]:
        """The JSON SaveResult: `{"id","success","errors"[,"created"]}`, no id when unknown."""
        out: dict[str, Any] = {}
        if self.record_id is not None:
            out["id"] = self.record_id
        out["success"] = self.success
        out["errors"] = [] if self.error is None else [self.error.record_error()]
        if with_created:
            out["created"] = self.created
        return out


Operation = Callable[[], Outcome]


class _RollBack(Exception):
    """Raised inside the all-or-none transaction to undo every write."""


def run_all(org: Org, operations: Sequence[Operation], all_or_none: bool) -> list[Outcome]:
    """Run each operation in order; with `all_or_none` undo them all if any one failed."""
    if not all_or_none:
        return [_guarded(org, op) for op in operations]
    outcomes: list[Outcome] = []
    try:
        with org.transaction():
            outcomes = [_guarded(org, op) for op in operations]
            if all(o.success for o in outcomes):
                return outcomes
            raise _RollBack
    except _RollBack:
        return [o if not o.success else _rolled_back(o) for o in outcomes]


def _rolled_back(outcome: Outcome) -> Outcome:
    # A record created and then undone has no Id any more.
    rid = None if outcome.created else outcome.record_id
    return Outcome(rid, ROLLED_BACK, outcome.created)


def _guarded(org: Org, operation: Operation) -> Outcome:
    # No transaction per record: each Org write validates before it writes, so a failing
    # record has written nothing (and a transaction per row is a third of a bulk job's time).
    try:
        return operation()
    except ApiError as exc:
        created = getattr(exc, "created", False)
        return Outcome(getattr(exc, "record_id", None), _as_record_error(exc), created)


def _as_record_error(exc: ApiError) -> ApiError:
    if exc.error_code == "NOT_FOUND" and exc.status == 404:
        # A well-formed Id of another object, or of nothing: per record this is a bad reference.
        return ApiError(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [])
    return exc


def _failed(record_id: str | None, error: ApiError) -> ApiError:
    error.record_id = record_id  # type: ignore[attr-defined]
    return error


def insert(org: Org, spec: ObjectSpec, values: Mapping[str, Any]) -> Operation:
    def run() -> Outcome:
        record_id = org.create(spec.name, values)
        return Outcome(record_id, created=True, written=values)

    return run


def _require_id(value: Any, verb: str, known: Container[str] = ()) -> str:
    if not isinstance(value, str) or not value:
        raise ApiError(400, "MISSING_ARGUMENT", f"Id not specified in an {verb} call", [])
    if value in known:  # already a stored, canonical 18-character Id
        return value
    rid = ids.normalize(value)
    if rid is None:
        raise ApiError(400, "MALFORMED_ID", f"malformed id {value}", [])
    return rid


def update(org: Org, spec: ObjectSpec, values: Mapping[str, Any]) -> Operation:
    """Update by the record's `Id` (any casing of the key), the rest are field values."""

    def run() -> Outcome:
        key = next((k for k in values if k.lower() == "id"), None)
        rid = _require_id(values.get(key) if key else None, "update", org.table(spec.name).rows)
        body = {k: v for k, v in values.items() if k != key}
        try:
            org.update(spec.name, rid, body)
        except ApiError as exc:
            raise _failed(rid, _as_record_error(exc)) from None
        return Outcome(rid, written=body)

    return run


def delete(org: Org, spec: ObjectSpec | None, record_id: Any) -> Operation:
    """Delete by Id; with no `spec` the object is found from the Id's key prefix."""

    def run() -> Outcome:
        known = org.table(spec.name).rows if spec is not None else ()
        rid = _require_id(record_id, "delete", known)
        target = spec or _spec_of(org, rid)
        try:
            org.delete(target.name, rid)
        except ApiError as exc:
            raise _failed(rid, _as_record_error(exc)) from None
        return Outcome(rid, written={"IsDeleted": True})

    return run


def _spec_of(org: Org, record_id: str) -> ObjectSpec:
    for name, table in org.tables.items():
        if record_id.startswith(table.spec.key_prefix) and record_id in table:
            spec = org.object_spec(name)
            if spec is not None:
                return spec
    raise _failed(
        record_id, ApiError(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [])
    )


def external_field(spec: ObjectSpec, name: str) -> str:
    """The canonical name of an external-Id (or idLookup) field, or Salesforce's 404."""
    field = spec.field(name)
    if field is None or not (field.external_id or field.id_lookup):
        raise ApiError(
            404,
            "NOT_FOUND",
            f"Provided external ID field does not exist or is not accessible: {name}",
        )
    return field.name


def upsert(org: Org, spec: ObjectSpec, field: str, values: Mapping[str, Any]) -> Operation:
    """Match on `field` (canonical external-Id name): update one match, create on none."""

    def run() -> Outcome:
        key = next(
            (k for k in values if (f := spec.field(k)) is not None and f.name == field), None
        )
        value = values.get(key) if key else None
        if value in (None, "") and field == "Id":
            # Upsert on Id with no Id: Salesforce creates the record.
            body = {k: v for k, v in values.items() if k != key}
            return _inserted(org, spec, body)
        if value in (None, ""):
            raise ApiError(
                400, "MISSING_ARGUMENT", f"{field} not specified in an upsert call", [field]
            )
        found = external_matches(org, spec, field, str(value))
        if len(found) > 1:
            raise ApiError(
                400,
                "DUPLICATE_EXTERNAL_ID",
                f"{_label(spec, field)}: more than one record found for external id field: "
                f"[{', '.join(found)}]",
                [field],
            )
        if found:
            body = {k: v for k, v in values.items() if k != key}
            try:
                org.update(spec.name, found[0], body)
            except ApiError as exc:
                raise _failed(found[0], _as_record_error(exc)) from None
            return Outcome(found[0], written=body)
        if field == "Id":
            raise ApiError(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [])
        return _inserted(org, spec, values)

    return run


def _inserted(org: Org, spec: ObjectSpec, values: Mapping[str, Any]) -> Outcome:
    """An upsert that matched nothing creates the record. Its UpsertResult says `created`
    even when the insert fails or is rolled back: Salesforce decides insert-or-update before
    it saves (jsforce's own suite asserts `created: true` on rolled-back collection upserts)."""
    try:
        return replace(insert(org, spec, values)(), created=True)
    except ApiError as exc:
        exc.created = True  # type: ignore[attr-defined]
        raise


def _label(spec: ObjectSpec, name: str) -> str:
    found = spec.field(name)
    return found.label if found is not None else name


def external_matches(org: Org, spec: ObjectSpec, field: str, value: Any) -> list[str]:
    """The live records whose external-Id `field` (canonical name, or `Id`) holds `value`."""
    table = org.table(spec.name)
    if field == "Id":
        rid = ids.normalize(str(value))
        found = {rid} if rid and rid in table else set()
    else:
        found = table.lookup(field, [value]) or set()
    return sorted(r for r in found if not table.value(table.rows[r], "IsDeleted"))
