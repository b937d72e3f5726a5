"""What keeps a big Bulk update on the column-at-a-time path: 15-character Ids, and collection
paused for as long as any thread's job runs."""

from __future__ import annotations

import gc
import threading

from fake_salesforce import bulk_apply
from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.org import Org
from fake_salesforce.save_results import Outcome


def _org_with(count: int) -> tuple[Org, list[str]]:
    fake = FakeSalesforce()
    org = fake.org
    made = [org.create("Contact", {"LastName": f"L{n}"}) for n in range(count)]
    return org, made


def _no_slow_rows(row: list[str]) -> Outcome:
    raise AssertionError(f"row {row} took the per-record path")


def test_an_update_naming_records_by_15_character_ids_stays_on_the_fast_path() -> None:
    org, made = _org_with(4)
    spec = org.require_spec("Contact")
    fields = [spec.field("Id"), spec.field("Title")]
    rows = [[rid[:15], f"T{n}"] for n, rid in enumerate(made)]
    outcomes = bulk_apply.update_rows(org, spec, fields, rows, _no_slow_rows)  # type: ignore[arg-type]
    assert outcomes is not None
    assert [o.record_id for o in outcomes] == made  # results name the 18-character Id
    assert [(org.get("Contact", rid) or {})["Title"] for rid in made] == ["T0", "T1", "T2", "T3"]


def test_a_15_and_an_18_character_id_of_one_record_in_one_update_keep_the_last_value() -> None:
    org, made = _org_with(2)
    spec = org.require_spec("Contact")
    fields = [spec.field("Id"), spec.field("Title")]
    rows = [[made[0][:15], "first"], [made[1], "other"], [made[0], "last"]]
    outcomes = bulk_apply.update_rows(org, spec, fields, rows, _no_slow_rows)  # type: ignore[arg-type]
    assert outcomes is not None and outcomes.failed_count() == 0
    assert (org.get("Contact", made[0]) or {})["Title"] == "last"


def test_collection_stays_paused_until_the_last_threads_pause_ends() -> None:
    assert gc.isenabled()
    inside, release = threading.Event(), threading.Event()

    def long_job() -> None:
        with bulk_apply.gc_paused():
            inside.set()
            release.wait(10)

    worker = threading.Thread(target=long_job)
    worker.start()
    inside.wait(10)
    with bulk_apply.gc_paused():  # a short upload in another thread, over first
        assert not gc.isenabled()
    assert not gc.isenabled()  # the long job still runs: collection stays off
    release.set()
    worker.join(10)
    assert gc.isenabled()
