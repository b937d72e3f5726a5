"""An org owns all of its state: Bulk jobs are typed members, not side tables keyed by org, and
the org does not import the operations (lead conversion) that act on it."""

from __future__ import annotations

import subprocess
import sys

from fake_salesforce.bulk_jobs import BulkStore
from fake_salesforce.bulk_v1_jobs import BatchJobs
from fake_salesforce.org import Org


def test_each_org_holds_its_own_bulk_jobs_as_members() -> None:
    first, second = Org(), Org()
    assert isinstance(first.bulk, BulkStore) and isinstance(first.bulk_v1, BatchJobs)
    job = first.bulk.new_job("insert", "Contact", "59.0")
    v1 = first.bulk_v1.create(
        "insert", first.require_spec("Contact"), "59.0",
        external_id=None, concurrency="Parallel", content_type="CSV", pk_chunk=None,
    )  # fmt: skip
    assert job.id in first.bulk.jobs and v1.id in first.bulk_v1.jobs
    assert second.bulk.jobs == {} and second.bulk_v1.jobs == {}


def test_the_org_module_does_not_import_lead_conversion() -> None:
    probe = "import sys, fake_salesforce.org; print('fake_salesforce.lead_convert' in sys.modules)"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "False"
