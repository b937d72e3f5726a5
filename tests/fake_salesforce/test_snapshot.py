"""Snapshots: an org exported as JSON and imported back is the same org, at any size."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from freezegun import freeze_time

from fake_salesforce import snapshot
from fake_salesforce.generate import generate
from fake_salesforce.org import Org
from fake_salesforce.registry import Registry
from fake_salesforce.schema import MARKETO_SALES_INSIGHT

START = datetime(2030, 3, 2, 17, 0, tzinfo=UTC)


def busy_org() -> Org:
    org = Org()
    org.install_package(MARKETO_SALES_INSIGHT)
    org.set_field_read_only("Contact", "HasOptedOutOfEmail")
    kept = org.create("Contact", {"LastName": "Doe", "Email": "doe@example.com"})
    gone = org.create("Lead", {"LastName": "Roe", "Company": "Acme"})
    org.delete("Lead", gone)
    org.update("Contact", kept, {"Title": "CEO"})
    org.faults.add({"kind": "error", "code": "UNABLE_TO_LOCK_ROW", "count": 2}, org.clock.now())
    org.usage.spend(org.clock.now())
    return org


def round_trip(org: Org) -> Org:
    text = json.dumps(snapshot.export_org(org))
    return snapshot.import_org(Registry(), json.loads(text))


def test_an_org_comes_back_exactly_deleted_records_log_counters_and_all() -> None:
    with freeze_time(START):
        org = busy_org()
        copy = round_trip(org)
        assert snapshot.export_org(copy) == snapshot.export_org(org)
        assert copy.org_id == org.org_id and copy.read_only == org.read_only
        assert copy.packages == {MARKETO_SALES_INSIGHT}
        assert list(copy.deleted_log("Lead")) == list(org.deleted_log("Lead"))
        assert copy.usage.used(START) == 1
        assert [r.count for r in copy.faults.rules] == [2]


def test_ids_minted_after_an_import_continue_where_the_org_left_off() -> None:
    with freeze_time(START):
        org = busy_org()
        copy = round_trip(org)
        assert copy.create("Contact", {"LastName": "X"}) == org.create("Contact", {"LastName": "X"})


def test_the_clock_comes_back_even_when_it_is_earlier_than_the_new_orgs() -> None:
    with freeze_time(START + timedelta(days=300)) as frozen:
        org = Org()
        org.clock.advance(timedelta(days=3))
        saved = snapshot.export_org(org)
        frozen.tick(timedelta(days=30))
        copy = snapshot.import_org(Registry(), saved)
        assert copy.clock.now() == START + timedelta(days=303)


def test_a_generated_100000_record_org_round_trips_and_compares_equal() -> None:
    org = Org()  # no freezegun here: its datetimes make 100,000 records several times slower
    generate(org, "Contact", 60_000, opted_out=0.1, seed=7)
    generate(org, "Lead", 40_000, opted_out=0.05, seed=8)
    original = snapshot.export_org(org)
    copy = round_trip(org)
    assert sum(len(t.rows) for t in copy.tables.values()) == 100_003  # + User, Org, Profile
    again = snapshot.export_org(copy)
    assert again.pop("clock") >= original.pop("clock")  # real time ran on; nothing else moved
    assert again == original
    assert copy.tables["Contact"].rows == org.tables["Contact"].rows


def test_reset_keeps_id_and_clock_and_drops_everything_else() -> None:
    with freeze_time(START):
        org = busy_org()
        org_id = org.org_id
        org.clock.advance(timedelta(hours=5))
        snapshot.reset_org(org)
        assert org.org_id == org_id
        assert org.clock.now() == START + timedelta(hours=5)
        assert len(org.tables["Contact"]) == 0 and org.packages == set()
        assert org.faults.rules == [] and org.read_only == set()


def test_state_is_saved_atomically_and_loaded_back_into_a_server(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with freeze_time(START):
        registry = Registry()
        first = registry.add_org()
        snapshot.import_into(first, snapshot.export_org(busy_org()))
        registry.orgs = {first.org_id: first}
        registry.add_org(credentials=snapshot.Credentials(username="second@example.com"))
        path.write_text("old contents")
        snapshot.save_state(registry, path)
        assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temp file left
        loaded = Registry()
        loaded.add_org()  # what `serve` starts with: replaced by the saved orgs
        snapshot.load_state(loaded, path)
        assert [snapshot.export_org(o) for o in loaded.orgs.values()] == [
            snapshot.export_org(o) for o in registry.orgs.values()
        ]


def test_a_failed_save_leaves_the_previous_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text("previous")
    registry = Registry()
    org = registry.add_org()
    org.settings.name = {"not": {"json", "able"}}  # type: ignore[assignment]
    with pytest.raises(TypeError):
        snapshot.save_state(registry, path)
    assert path.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_a_file_that_is_not_a_state_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text('{"hello": "world"}')
    with pytest.raises(snapshot.SnapshotError, match="not a fake-salesforce state file"):
        snapshot.load_state(Registry(), path)
