"""Pure decisions: which fields a run may write, what a nightly run changes, how pushes batch.

No I/O and no clock reads here; callers pass everything in (docs/behaviour.md sections 3 to 8).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import timedelta

from sync_core.model import (
    Code,
    ConfigProblem,
    FieldInfo,
    LocalUnsubscribe,
    NightlyPlan,
    OutboxItem,
    Person,
    PushPlan,
    RecordWrite,
    Relink,
    Settings,
    SfRecord,
    Skip,
    SObject,
    SyncField,
)

Described = Mapping[SObject, Mapping[str, FieldInfo]]

BULK_INGEST_CALLS = 5  # create job, upload, close, one status poll, failed results
BULK_QUERY_CALLS = 3  # create job, one status poll, one results page (per 50,000 rows)
REST_QUERY_PAGE = 2_000
BULK_RESULT_PAGE = 50_000


def plan_requirements(settings: Settings, described: Described) -> tuple[ConfigProblem, ...]:
    """Every selected field must exist on Contact and Lead and be updateable (requirement 3.2)."""
    problems: list[ConfigProblem] = []
    for sobject in SObject:
        fields = {name.lower(): info for name, info in described.get(sobject, {}).items()}
        for sync_field in sorted(settings.sync_fields):
            name = settings.api_name(sync_field)
            info = fields.get(name.lower())
            if info is None:
                message = f"{sobject}.{name} does not exist (is the package installed?)"
                problems.append(ConfigProblem(sobject, name, Code.MISSING_FIELD, message))
            elif not info.updateable:
                message = f"{sobject}.{name} is not updateable by the integration user"
                problems.append(ConfigProblem(sobject, name, Code.READ_ONLY_FIELD, message))
    return tuple(problems)


def plan_nightly(
    people: Iterable[Person],
    records: Mapping[str, SfRecord],
    settings: Settings,
    described: Described,
) -> NightlyPlan:
    """The grow-only union of docs/behaviour.md section 5 over what both sides hold.

    `records` holds every record read whose selected fields matter; a linked record absent
    from it is taken as all-false (a full read only returns opted-out records). People who
    share a record (or are tied through a Contact and a Lead) reach the same answer in one
    run: once the record is written, the next run would pull the others anyway.
    """
    problems = plan_requirements(settings, described)
    if problems:
        return NightlyPlan(problems=problems)
    active: list[Person] = []
    skips: list[Skip] = []
    for person in sorted(people, key=lambda p: p.id):
        skip = skip_reason(person)
        if skip is None:
            active.append(person)
        else:
            skips.append(skip)
    opted = _opted_out_groups(active, records, settings)
    wanted: dict[str, set[SyncField]] = {}
    owners: dict[str, list[int]] = {}
    sobjects: dict[str, SObject] = {}
    unsubscribes: list[LocalUnsubscribe] = []
    for person in active:
        target = person.target
        assert target is not None
        sobject, record_id = target
        if not opted(record_id):
            continue
        if not person.unsubscribed:
            unsubscribes.append(LocalUnsubscribe(person.id, record_id))
        held = records[record_id].opted_out if record_id in records else frozenset()
        missing = settings.sync_fields - held
        if missing:
            wanted.setdefault(record_id, set()).update(missing)
            owners.setdefault(record_id, []).append(person.id)
            sobjects[record_id] = sobject
    writes = tuple(
        RecordWrite(sobjects[rid], rid, frozenset(fields), tuple(owners[rid]))
        for rid, fields in sorted(wanted.items())
    )
    return NightlyPlan(writes=writes, unsubscribes=tuple(unsubscribes), skips=tuple(skips))


def plan_conversions(
    people: Iterable[Person], records: Mapping[str, SfRecord]
) -> tuple[tuple[Relink, ...], dict[str, SfRecord]]:
    """Converted Leads (docs/behaviour.md 7): their frozen values count for nothing, so they leave
    `records`; a person linked to one and to no Contact is relinked to its ConvertedContactId.

    Returns the relinks and the records that still speak for their people."""
    live = {rid: r for rid, r in records.items() if not r.converted}
    relinks = tuple(
        Relink(person.id, person.lead_id, records[person.lead_id].converted_contact)
        for person in sorted(people, key=lambda p: p.id)
        if person.lead_id is not None
        and person.contact_id is None
        and not person.link_broken
        and person.lead_id in records
        and records[person.lead_id].converted
    )
    return relinks, live


def _opted_out_groups(
    people: Sequence[Person], records: Mapping[str, SfRecord], settings: Settings
) -> Callable[[str], bool]:
    """Union-find over linked records: a group is opted out if any record in it has a
    selected field true or any person linked into it is unsubscribed.

    Only people linked to two records join groups; everyone else is a group of one record.
    """
    parent: dict[str, str] = {}  # roots are absent

    def root(node: str) -> str:
        path = []
        while node in parent:
            path.append(node)
            node = parent[node]
        for step in path:
            parent[step] = node
        return node

    for person in people:
        ids = person.record_ids
        if len(ids) > 1:
            first, second = root(ids[0]), root(ids[1])
            if first != second:
                parent[second] = first
    fields = settings.sync_fields
    said: set[str] = set()
    for person in people:
        ids = person.record_ids
        says = person.unsubscribed or any(
            (record := records.get(record_id)) is not None and record.opted_out & fields
            for record_id in ids
        )
        if says:
            said.add(root(ids[0]))
    return lambda record_id: root(record_id) in said


def skip_reason(person: Person) -> Skip | None:
    """Requirement 3.3 and section 7: no Id, or a broken link, means the person sits out."""
    if not person.record_ids:
        return Skip(person.id, Code.NO_SALESFORCE_ID, f"{person.email} has no Salesforce Id")
    if person.link_broken:
        message = f"{person.email}: linked record is deleted or merged; relink to resume"
        return Skip(person.id, Code.LINK_BROKEN, message)
    return None


def probe_target(item: OutboxItem, person: Person) -> tuple[SObject, str] | None:
    """A broken link's slow retry writes to the record anyway: with the nightly sync off only
    a write can tell that the record was undeleted (docs/behaviour.md 4, never parked for good).
    The first try of a capture does not: the link was just found broken."""
    if not person.link_broken or item.attempts == 0:
        return None
    if person.contact_id:
        return SObject.CONTACT, person.contact_id
    if person.lead_id:
        return SObject.LEAD, person.lead_id
    return None


def plan_push(
    items: Sequence[OutboxItem], people: Mapping[int, Person], settings: Settings
) -> PushPlan:
    """Turn due outbox items into sObject Collections batches of at most collection_size,
    Contacts before Leads (docs/behaviour.md 4)."""
    fields = settings.push_fields
    by_record: dict[str, RecordWrite] = {}
    item_ids: dict[str, tuple[int, ...]] = {}
    parked: list[tuple[int, Skip]] = []
    for item in items:
        person = people[item.person_id]
        skip = skip_reason(person)
        target = person.target or probe_target(item, person)
        if target is None:
            assert skip is not None
            parked.append((item.id, skip))
            continue
        sobject, record_id = target
        known = by_record.get(record_id)
        owners = (*known.person_ids, person.id) if known else (person.id,)
        by_record[record_id] = RecordWrite(sobject, record_id, fields, owners)
        item_ids[record_id] = (*item_ids.get(record_id, ()), item.id)
    # Grouped by object type, capture order kept within each: a request holds at most two
    # type chunks, never the more than 10 that Salesforce refuses (docs/salesforce-wire.md 4.1).
    order = list(SObject)
    writes = sorted(by_record.values(), key=lambda w: order.index(w.sobject))
    size = settings.collection_size
    batches = tuple(tuple(writes[i : i + size]) for i in range(0, len(writes), size))
    return PushPlan(batches=batches, item_ids=item_ids, parked=tuple(parked))


def plan_write_calls(writes: Sequence[RecordWrite], settings: Settings) -> int:
    """API calls the writes cost: Bulk 2.0 ingest per large object, Collections for the rest."""
    rest = 0
    calls = 0
    for sobject in SObject:
        count = sum(1 for w in writes if w.sobject is sobject)
        if count > settings.bulk_write_threshold:
            calls += BULK_INGEST_CALLS
        else:
            rest += count
    return calls + math.ceil(rest / settings.collection_size)


def uses_bulk_write(count: int, settings: Settings) -> bool:
    return count > settings.bulk_write_threshold


def read_calls(rows: int, bulk: bool) -> int:
    """Minimum calls to read `rows` rows: REST pages of 2,000, or one Bulk 2.0 query job."""
    if bulk:
        return BULK_QUERY_CALLS - 1 + max(1, math.ceil(rows / BULK_RESULT_PAGE))
    return max(1, math.ceil(rows / REST_QUERY_PAGE))


def next_retry_delay(attempts: int, settings: Settings, jitter: float) -> timedelta:
    """Exponential backoff from the base, doubling, capped; `jitter` in [0, 1) adds up to 20%.

    Jitter only ever lengthens the wait, so a retry never comes faster than the backoff.
    """
    exponent = max(0, attempts - 1)
    delay = min(settings.backoff_cap_seconds, settings.backoff_base_seconds * 2.0**exponent)
    spread = min(settings.backoff_cap_seconds - delay, delay * 0.2 * jitter)
    return timedelta(seconds=delay + max(0.0, spread))
