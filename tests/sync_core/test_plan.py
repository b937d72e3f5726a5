"""Table-driven tests of the pure planner: every rule of docs/behaviour.md sections 3 to 8."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync_core.model import (
    DEFAULT_PACKAGE_FIELD,
    Code,
    FieldInfo,
    OutboxItem,
    Person,
    RecordWrite,
    Settings,
    SfRecord,
    SObject,
    SyncField,
)
from sync_core.plan import (
    next_retry_delay,
    plan_nightly,
    plan_push,
    plan_requirements,
    plan_write_calls,
    read_calls,
)

E, M = SyncField.EMAIL_OPT_OUT, SyncField.MARKETO_SALES_OPT_OUT
BOTH = frozenset({E, M})
C1, C2, L1 = "003000000000001AAA", "003000000000002AAA", "00Q000000000001AAA"
NOW = datetime(2026, 3, 2, tzinfo=UTC)


def described(
    *, package: bool = True, updateable: bool = True
) -> dict[SObject, dict[str, FieldInfo]]:
    names = ["HasOptedOutOfEmail"] + ([DEFAULT_PACKAGE_FIELD] if package else [])
    return {o: {n: FieldInfo(n, updateable) for n in names} for o in SObject}


def settings(fields: frozenset[SyncField] = frozenset({E}), nightly: bool = True) -> Settings:
    return Settings(nightly_sync=nightly, sync_fields=fields)


# (Marketo Sales unsubscribed, Salesforce true fields, selected fields)
#   -> (person unsubscribed by the run, fields written true on the record)
UNION_ROWS = [
    (False, frozenset(), frozenset({E}), False, frozenset()),
    (True, frozenset(), frozenset({E}), False, frozenset({E})),
    (False, frozenset({E}), frozenset({E}), True, frozenset()),
    (True, frozenset({E}), frozenset({E}), False, frozenset()),
    (False, frozenset({M}), frozenset({E}), False, frozenset()),  # unselected field ignored
    (False, frozenset({M}), frozenset({M}), True, frozenset()),
    (True, frozenset(), BOTH, False, BOTH),
    (True, frozenset({E}), BOTH, False, frozenset({M})),
    (False, frozenset({E}), BOTH, True, frozenset({M})),
    (False, frozenset({M}), BOTH, True, frozenset({E})),
    (False, BOTH, BOTH, True, frozenset()),
    (True, BOTH, BOTH, False, frozenset()),
]


@pytest.mark.parametrize(("ms", "sf", "selected", "unsubscribes", "writes"), UNION_ROWS)
def test_nightly_plan_is_the_grow_only_union(
    ms: bool,
    sf: frozenset[SyncField],
    selected: frozenset[SyncField],
    unsubscribes: bool,
    writes: frozenset[SyncField],
) -> None:
    person = Person(1, "a@example.com", contact_id=C1, unsubscribed=ms)
    records = {C1: SfRecord(C1, SObject.CONTACT, sf)} if sf else {}
    plan = plan_nightly([person], records, settings(selected), described())
    assert bool(plan.unsubscribes) is unsubscribes
    assert plan.writes == ((RecordWrite(SObject.CONTACT, C1, writes, (1,)),) if writes else ())
    assert all(w.fields for w in plan.writes)  # never a write of false, never a no-op write


def test_a_lead_shared_through_a_contact_and_lead_link_ties_both_people() -> None:
    both = Person(1, "a@x", contact_id=C1, lead_id=L1)
    lead_only = Person(2, "b@x", lead_id=L1, unsubscribed=True)
    plan = plan_nightly([both, lead_only], {}, settings(), described())
    assert [u.person_id for u in plan.unsubscribes] == [1]
    assert {w.record_id for w in plan.writes} == {C1, L1}


def test_nothing_is_ever_set_false_or_resubscribed() -> None:
    people = [
        Person(i, f"{i}@x", contact_id=f"003{i:012d}AAA", unsubscribed=i % 2 == 0)
        for i in range(40)
    ]
    records = {
        p.contact_id: SfRecord(
            p.contact_id, SObject.CONTACT, frozenset({E}) if p.id % 3 else frozenset()
        )
        for p in people
        if p.contact_id
    }
    plan = plan_nightly(people, records, settings(BOTH), described())
    unsubscribed = {u.person_id for u in plan.unsubscribes}
    assert not unsubscribed & {p.id for p in people if p.unsubscribed}
    for person in people:
        said = person.unsubscribed or person.id % 3 != 0
        assert (person.id in unsubscribed) == (said and not person.unsubscribed)


@pytest.mark.parametrize(
    ("person", "code"),
    [
        (Person(1, "a@x", unsubscribed=True), Code.NO_SALESFORCE_ID),
        (Person(1, "a@x", contact_id=C1, unsubscribed=True, link_broken=True), Code.LINK_BROKEN),
        (Person(1, "a@x", lead_id=L1, link_broken=True), Code.LINK_BROKEN),
    ],
)
def test_people_who_cannot_take_part_are_skipped_with_a_reason(person: Person, code: str) -> None:
    plan = plan_nightly([person], {}, settings(), described())
    assert [s.code for s in plan.skips] == [code]
    assert plan.writes == () and plan.unsubscribes == ()


def test_person_linked_to_both_is_written_on_the_contact_and_the_lead_counts_as_salesforce() -> (
    None
):
    person = Person(1, "a@x", contact_id=C1, lead_id=L1)
    records = {L1: SfRecord(L1, SObject.LEAD, frozenset({E}))}
    plan = plan_nightly([person], records, settings(), described())
    assert [u.person_id for u in plan.unsubscribes] == [1]
    assert plan.writes == (RecordWrite(SObject.CONTACT, C1, frozenset({E}), (1,)),)


def test_two_people_on_one_record_share_one_write_and_one_answer() -> None:
    people = [Person(1, "a@x", lead_id=L1, unsubscribed=True), Person(2, "b@x", lead_id=L1)]
    plan = plan_nightly(people, {}, settings(), described())
    assert plan.writes == (RecordWrite(SObject.LEAD, L1, frozenset({E}), (1, 2)),)
    assert [u.person_id for u in plan.unsubscribes] == [2]
    plan = plan_nightly(
        people, {L1: SfRecord(L1, SObject.LEAD, frozenset({E}))}, settings(), described()
    )
    assert [u.person_id for u in plan.unsubscribes] == [2] and plan.writes == ()


@pytest.mark.parametrize(
    ("fields", "package", "updateable", "codes"),
    [
        (frozenset({E}), False, True, []),
        (frozenset({M}), False, True, [Code.MISSING_FIELD] * 2),
        (BOTH, False, True, [Code.MISSING_FIELD] * 2),
        (BOTH, True, False, [Code.READ_ONLY_FIELD] * 4),
        (BOTH, True, True, []),
    ],
)
def test_configuration_errors_are_found_before_any_write(
    fields: frozenset[SyncField], package: bool, updateable: bool, codes: list[str]
) -> None:
    person = Person(1, "a@x", contact_id=C1, unsubscribed=True)
    plan = plan_nightly(
        [person], {}, settings(fields), described(package=package, updateable=updateable)
    )
    assert [p.code for p in plan.problems] == codes
    if codes:
        assert plan.writes == () and plan.unsubscribes == ()


def test_field_names_in_describe_match_case_insensitively() -> None:
    lower = {o: {"hasoptedoutofemail": FieldInfo("hasoptedoutofemail", True)} for o in SObject}
    assert plan_requirements(settings(), lower) == ()


def test_package_field_name_is_configurable_in_one_place() -> None:
    custom = Settings(nightly_sync=True, sync_fields=BOTH, package_field="ns__Opt__c")
    found = {
        o: {n: FieldInfo(n, True) for n in ("HasOptedOutOfEmail", "ns__Opt__c")} for o in SObject
    }
    assert plan_requirements(custom, found) == ()
    assert custom.names()[M] == "ns__Opt__c"


@pytest.mark.parametrize(
    ("nightly", "selected", "pushed"),
    [
        (False, frozenset({E}), frozenset({E})),
        (False, frozenset({M}), frozenset({E})),
        (False, BOTH, frozenset({E})),
        (True, frozenset({M}), frozenset({M})),
        (True, BOTH, BOTH),
    ],
)
def test_push_fields_follow_the_nightly_setting(
    nightly: bool, selected: frozenset[SyncField], pushed: frozenset[SyncField]
) -> None:
    item = OutboxItem(10, 1, NOW, NOW)
    plan = plan_push([item], {1: Person(1, "a@x", contact_id=C1)}, settings(selected, nightly))
    assert plan.batches == ((RecordWrite(SObject.CONTACT, C1, pushed, (1,)),),)
    assert plan.item_ids == {C1: (10,)}


def test_push_batches_hold_at_most_200_records_and_merge_items_per_record() -> None:
    people = {i: Person(i, f"{i}@x", contact_id=f"003{i:012d}AAA") for i in range(450)}
    items = [OutboxItem(i, i, NOW, NOW) for i in range(450)]
    items.append(OutboxItem(999, 0, NOW, NOW))
    plan = plan_push(items, people, settings())
    assert [len(b) for b in plan.batches] == [200, 200, 50]
    assert plan.item_ids[people[0].contact_id or ""] == (0, 999)


def test_push_parks_items_of_people_without_an_id() -> None:
    plan = plan_push([OutboxItem(5, 1, NOW, NOW)], {1: Person(1, "a@x")}, settings())
    assert plan.batches == () and [(i, s.code) for i, s in plan.parked] == [
        (5, Code.NO_SALESFORCE_ID)
    ]


@pytest.mark.parametrize(
    ("attempts", "low", "high"),
    [(1, 2, 2.4), (2, 4, 4.8), (3, 8, 9.6), (9, 512, 614.4), (10, 900, 900), (50, 900, 900)],
)
def test_backoff_doubles_from_seconds_and_is_capped(attempts: int, low: float, high: float) -> None:
    config = Settings()
    for jitter in (0.0, 0.5, 0.999):
        delay = next_retry_delay(attempts, config, jitter)
        assert timedelta(seconds=low) <= delay <= timedelta(seconds=high)


@pytest.mark.parametrize(
    ("contacts", "leads", "calls"),
    [(0, 0, 0), (1, 0, 1), (150, 50, 1), (150, 51, 2), (2001, 10, 6), (2001, 2001, 10)],
)
def test_write_cost_uses_collections_below_the_threshold_and_bulk_above(
    contacts: int, leads: int, calls: int
) -> None:
    writes = [RecordWrite(SObject.CONTACT, f"c{i}", frozenset({E})) for i in range(contacts)]
    writes += [RecordWrite(SObject.LEAD, f"l{i}", frozenset({E})) for i in range(leads)]
    assert plan_write_calls(writes, Settings()) == calls


def test_read_cost_is_pages_of_2000_by_rest_or_one_job_by_bulk() -> None:
    assert [read_calls(n, False) for n in (0, 2000, 2001)] == [1, 1, 2]
    assert [read_calls(n, True) for n in (0, 50_000, 50_001)] == [3, 3, 4]


@pytest.mark.parametrize(
    "changes",
    [
        {"sync_fields": frozenset()},
        {"nightly_at": "8pm"},
        {"timezone": "Mars/Olympus"},
        {"collection_size": 201},
    ],
)
def test_invalid_settings_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Settings().with_changes(**changes)


def test_settings_defaults_follow_behaviour_section_2() -> None:
    default = Settings()
    assert (default.nightly_sync, default.sync_fields) == (False, frozenset({E}))
    assert (default.nightly_at, default.timezone) == ("20:00", "America/Los_Angeles")
    assert Settings.from_dict(default.to_dict()) == default


@st.composite
def _worlds(draw: st.DrawFn) -> tuple[list[Person], dict[str, SfRecord], Settings]:
    records = {
        f"003{i:012d}AAA": SfRecord(
            f"003{i:012d}AAA", SObject.CONTACT, frozenset(draw(st.sets(st.sampled_from([E, M]))))
        )
        for i in range(draw(st.integers(1, 6)))
    }
    ids = sorted(records)
    people = [
        Person(
            n,
            f"{n}@x",
            contact_id=draw(st.sampled_from([None, *ids])),
            unsubscribed=draw(st.booleans()),
        )
        for n in range(draw(st.integers(0, 8)))
    ]
    fields = frozenset(draw(st.sets(st.sampled_from([E, M]), min_size=1)))
    return people, {k: v for k, v in records.items() if v.opted_out}, settings(fields)


@given(_worlds())
def test_applying_a_plan_converges_and_planning_again_changes_nothing(
    world: tuple[list[Person], dict[str, SfRecord], Settings],
) -> None:
    people, records, config = world
    plan = plan_nightly(people, records, config, described())
    pulled = {u.person_id for u in plan.unsubscribes}
    after_people = [replace(p, unsubscribed=p.unsubscribed or p.id in pulled) for p in people]
    after = dict(records)
    for write in plan.writes:
        held = after[write.record_id].opted_out if write.record_id in after else frozenset()
        after[write.record_id] = SfRecord(write.record_id, write.sobject, held | write.fields)
    for person in after_people:
        if person.contact_id is None:
            continue
        before_sf = records.get(person.contact_id)
        sharing = [p for p in people if p.contact_id == person.contact_id]
        said = any(p.unsubscribed for p in sharing) or bool(
            before_sf and before_sf.opted_out & config.sync_fields
        )
        held = after.get(person.contact_id)
        synced = held is not None and config.sync_fields <= held.opted_out
        assert person.unsubscribed == said and synced == said
    again = plan_nightly(after_people, after, config, described())
    assert again.writes == () and again.unsubscribes == ()
