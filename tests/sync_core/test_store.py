"""The SQL store on SQLite (memory and file) and on a real PostgreSQL the suite starts itself."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text, update

from sync_core.model import Diagnostic, Kind, RunKind, Settings, SObject, Source, SyncField
from sync_core.service import SyncService
from sync_core.store import MIGRATIONS, SqlStore, migrate, open_store
from sync_core.tables import people
from tests.pg_cluster import fresh_database
from tests.sync_core.memory_org import MemoryOrg

T0 = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
LEASE = timedelta(seconds=Settings().lease_seconds)


@pytest.fixture(params=["sqlite-file", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        cluster: str = request.getfixturevalue("postgres_url")
        url = fresh_database(cluster, f"t_{uuid.uuid4().hex[:12]}")
        return url.replace("postgresql+psycopg://", "postgresql://")  # the bare form works too
    return f"sqlite:///{tmp_path / 'sync.db'}"


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    opened = open_store(store_url)
    yield opened
    opened.close()


def _newest_revision() -> str:
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory(str(MIGRATIONS)).get_current_head())


def test_opening_migrates_to_the_newest_schema_and_reopening_keeps_the_data(
    store_url: str,
) -> None:
    first = open_store(store_url)
    person = first.add_person("a@example.com", "003000000000001AAA", None, T0)
    first.close()
    second = open_store(store_url)
    with second.engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    tables = set(inspect(second.engine).get_table_names())
    assert version == _newest_revision()
    assert {"people", "history", "outbox", "runs", "diagnostics", "settings"} <= tables
    assert {"admins", "admin_sessions"} <= tables
    assert second.person(person.id) == person
    second.close()


def test_a_database_from_the_first_release_is_upgraded_in_place(store_url: str) -> None:
    engine = create_engine(store_url)
    migrate(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO people (email, unsubscribed, link_broken, created_at, changed_at)"
                " VALUES ('old@example.com', true, false, :t, :t)"
            ),
            {"t": T0.replace(tzinfo=None) if store_url.startswith("sqlite") else T0},
        )
    engine.dispose()
    store = open_store(store_url)
    person = store.find_person("old@example.com")
    assert person is not None and person.unsubscribed
    assert store.salesforce_writes(person.id) == []
    store.close()


def test_an_unfinished_run_of_an_older_store_is_upgraded_as_running(store_url: str) -> None:
    engine = create_engine(store_url)
    migrate(engine, "0003")
    at = T0.replace(tzinfo=None) if store_url.startswith("sqlite") else T0
    with engine.begin() as conn:
        for finished in (at, None):
            conn.execute(
                text(
                    "INSERT INTO runs (kind, started_at, finished_at, counts, detail)"
                    " VALUES ('nightly', :t, :f, '{}', '{}')"
                ),
                {"t": at, "f": finished},
            )
    engine.dispose()
    store = open_store(store_url)
    assert [r.status for r in store.runs()] == ["done", "running"]
    assert store.close_interrupted(T0 + timedelta(hours=1)) == [2]  # no owner, no heartbeat
    assert [r.status for r in store.runs()] == ["done", "interrupted"]
    store.close()


def test_an_unsubscribe_its_history_and_its_push_are_stored_together(store: SqlStore) -> None:
    person = store.add_person("a@example.com", "003000000000001AAA", None, T0)
    assert store.record_unsubscribe(person.id, Source.BOUNCE, T0, T0 + timedelta(seconds=1))
    assert not store.record_unsubscribe(person.id, Source.MANUAL, T0, T0)
    assert store.person(person.id).unsubscribed
    assert [(h.kind, h.source, h.at) for h in store.history(person.id)] == [
        (Kind.UNSUBSCRIBE, Source.BOUNCE, T0)
    ]
    assert store.pending_count() == 1 and store.next_due() == T0 + timedelta(seconds=1)


def test_a_failed_capture_leaves_nothing_behind(store: SqlStore) -> None:
    with pytest.raises(KeyError):
        store.record_unsubscribe(999, Source.MANUAL, T0, T0)
    assert store.pending_count() == 0 and store.history(999) == []


def test_claimed_items_are_leased_to_one_worker_until_the_lease_ends(store: SqlStore) -> None:
    people = [store.add_person(f"{i}@x.com", f"003{i:012d}AAA", None, T0) for i in range(5)]
    for person in people:
        store.record_unsubscribe(person.id, Source.MANUAL, T0, T0)
    first = store.claim_due(T0, 3, "a")
    second = store.claim_due(T0, 10, "b")
    assert len(first) == 3 and len(second) == 2
    assert store.claim_due(T0 + timedelta(seconds=5), 10, "c") == []
    assert store.next_due() == T0 + LEASE
    store.finish_items([i.id for i in first], "a", T0)
    again = store.claim_due(T0 + LEASE, 10, "c")
    assert sorted(i.id for i in again) == sorted(i.id for i in second)


def test_retry_park_and_requeue(store: SqlStore) -> None:
    person = store.add_person("a@x.com", "003000000000001AAA", None, T0)
    store.record_unsubscribe(person.id, Source.MANUAL, T0, T0)
    (item,) = store.claim_due(T0, 10, "a")
    later = T0 + timedelta(seconds=4)
    store.retry_items({item.id: later}, "a", "UNABLE_TO_LOCK_ROW", "locked")
    assert store.next_due() == later
    (item,) = store.claim_due(later, 10, "a")
    assert item.attempts == 1
    slow = later + timedelta(hours=1)
    store.park_items([item.id], "a", "FIELD_CUSTOM_VALIDATION_EXCEPTION", "no", slow)
    assert store.next_due() == slow and store.pending_count() == 1
    assert store.outbox_states(person.id) == [("parked", "FIELD_CUSTOM_VALIDATION_EXCEPTION")]
    assert store.requeue_parked(later, person.id) == 1 and store.next_due() == later


def test_a_parked_item_is_claimed_again_on_its_slow_retry_and_not_before(store: SqlStore) -> None:
    person = store.add_person("a@x.com", "003000000000001AAA", None, T0)
    store.record_unsubscribe(person.id, Source.MANUAL, T0, T0)
    (item,) = store.claim_due(T0, 10, "a")
    slow = T0 + timedelta(hours=1)
    store.park_items([item.id], "a", "INSUFFICIENT_ACCESS_OR_READONLY", "read-only", slow)
    assert store.claim_due(slow - timedelta(seconds=1), 10, "a") == []
    (again,) = store.claim_due(slow, 10, "a")
    assert (again.id, again.attempts, again.last_code) == (
        item.id, 1, "INSUFFICIENT_ACCESS_OR_READONLY",
    )  # fmt: skip


def test_a_resubscribe_cancels_the_persons_undelivered_pushes(store: SqlStore) -> None:
    person = store.add_person("a@x.com", "003000000000001AAA", None, T0)
    store.record_unsubscribe(person.id, Source.MANUAL, T0, T0)
    store.record_resubscribe(person.id, "admin@x.com", "asked", T0)
    assert store.pending_count() == 0 and store.next_due() is None
    assert store.claim_due(T0, 10, "a") == []
    assert store.outbox_states(person.id) == [("done", "RESUBSCRIBED")]


def test_claiming_cancels_an_item_whose_person_is_no_longer_unsubscribed(store: SqlStore) -> None:
    """Delivery is decided by the person's state at claim time, whoever changed it."""
    resubscribed = store.add_person("a@x.com", "003000000000001AAA", None, T0)
    kept = store.add_person("b@x.com", "003000000000002AAA", None, T0)
    for person in (resubscribed, kept):
        store.record_unsubscribe(person.id, Source.MANUAL, T0, T0)
    with store.engine.begin() as conn:  # as another process would, without cancelling
        conn.execute(
            update(people).where(people.c.id == resubscribed.id).values(unsubscribed=False)
        )
    (item,) = store.claim_due(T0, 10, "a")
    assert item.person_id == kept.id
    assert store.outbox_states(resubscribed.id) == [("done", "RESUBSCRIBED")]


def test_settings_runs_diagnostics_and_state_round_trip(store: SqlStore) -> None:
    assert store.settings() == Settings()
    chosen = Settings(nightly_sync=True, sync_fields=frozenset(SyncField), timezone="Europe/Berlin")
    store.save_settings(chosen, T0)
    assert store.settings() == chosen
    run = store.start_run(RunKind.NIGHTLY, T0)
    store.finish_run(run, T0 + timedelta(minutes=1), {"writes": 3}, {"mode": "full"})
    (record,) = store.runs(RunKind.NIGHTLY)
    assert (record.counts, record.detail, record.finished_at) == (
        {"writes": 3},
        {"mode": "full"},
        T0 + timedelta(minutes=1),
    )
    person = store.add_person("a@x.com", None, None, T0)
    store.add_diagnostics([Diagnostic(T0, "NO_SALESFORCE_ID", "none", person.id, None, run)])
    assert store.diagnostics(person.id)[0].at.tzinfo is not None
    store.set_state("k", "v")
    assert store.get_state("k") == "v"
    store.set_state("k", None)
    assert store.get_state("k") is None


def test_naive_datetimes_are_refused(store: SqlStore) -> None:
    with pytest.raises(Exception, match="naive"):
        store.add_person("a@x.com", None, None, datetime(2026, 1, 1))  # noqa: DTZ001


def test_the_whole_service_runs_on_this_store(store_url: str) -> None:
    org = MemoryOrg(clock=lambda: T0)
    service = SyncService.open(store_url, org, sleep=lambda _: None)
    service.update_settings(T0, nightly_sync=True)
    pushed = org.create(SObject.CONTACT)
    pulled = org.create(SObject.LEAD, HasOptedOutOfEmail=True)
    a = service.add_person("a@example.com", contact_id=pushed, now=T0).id
    b = service.add_person("b@example.com", lead_id=pulled, now=T0).id
    service.unsubscribe(a, Source.CLICKED_LINK, T0)
    assert service.push_due(T0 + timedelta(seconds=1)).delivered == 1
    report = service.run_nightly(T0 + timedelta(hours=3))
    assert report.ok and report.unsubscribed == 1 and service.person(b).unsubscribed
    assert org.value(pushed) and [r.kind for r in service.runs()] == ["push", "nightly"]
    service.close()


def test_the_nightly_selections_find_unsubscribed_and_awaiting_people(store: SqlStore) -> None:
    quiet = store.add_person("quiet@example.com", "003000000000001AAA", None, T0)
    pushed = store.add_person("pushed@example.com", "003000000000002AAA", None, T0)
    imported = store.add_person("imported@example.com", None, None, T0)
    store.record_unsubscribe(pushed.id, Source.CLICKED_LINK, T0, T0 + timedelta(seconds=1))
    store.record_unsubscribe(imported.id, Source.IMPORT, T0, None)
    assert [p.id for p in store.people_unsubscribed()] == [pushed.id, imported.id]
    assert store.people_awaiting_delivery() == {pushed.id}
    store.settle_items([pushed.id], T0)
    assert store.people_awaiting_delivery() == set()
    assert quiet.id not in {p.id for p in store.people_unsubscribed()}


def test_latest_codes_agree_for_a_few_people_and_for_thousands(store: SqlStore) -> None:
    store.add_people(({"email": f"p{i}@example.com"} for i in range(2_500)), T0)
    ids = [p.id for p in store.people()]
    notes = [Diagnostic(T0, f"CODE_{i % 3}", "note", person_id) for i, person_id in enumerate(ids)]
    notes += [Diagnostic(T0, "NEWEST", "note", person_id) for person_id in ids[::7]]
    store.add_diagnostics(notes)
    many = store.latest_codes(ids)  # one pass over everyone
    few = store.latest_codes(ids[:300])  # IN lists
    assert len(many) == 2_500 and few == {k: many[k] for k in ids[:300]}
    assert many[ids[0]] == "NEWEST" and many[ids[1]] == "CODE_1"
    assert store.latest_codes(ids[1:2]) == {ids[1]: "CODE_1"}


def test_the_third_migration_indexes_the_nightly_selections(store_url: str) -> None:
    engine = create_engine(store_url)
    migrate(engine, "0002")
    before = {i["name"] for i in inspect(engine).get_indexes("people")}
    migrate(engine)
    after = {i["name"] for i in inspect(engine).get_indexes("people")}
    engine.dispose()
    assert {"ix_people_unsubscribed", "ix_people_link_broken"} <= after - before
