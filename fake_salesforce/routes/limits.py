"""`/limits`: the org's allocations and what is left of them today (docs/salesforce-wire.md 7.1).

DailyApiRequests comes from the org's API usage (this call included); Bulk batches and query
jobs from its Bulk store; data storage from its record count at 2 KB a record.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from fake_salesforce.org import Org
from fake_salesforce.routes.context import current_org, json_response

bp = Blueprint("limits", __name__, url_prefix="/services/data/v<version:version>")

# Developer Edition allocations (Max) for the limits that do not move in the fake.
FIXED: dict[str, int] = {
    "ActiveScratchOrgs": 3,
    "AnalyticsExternalDataSizeMB": 40960,
    "ConcurrentAsyncGetReportInstances": 200,
    "ConcurrentEinsteinDataInsightsStoryCreation": 5,
    "ConcurrentEinsteinDiscoveryStoryCreation": 2,
    "ConcurrentSyncReportRuns": 20,
    "DailyAnalyticsDataflowJobExecutions": 60,
    "DailyAsyncApexExecutions": 250000,
    "DailyAsyncApexTests": 500,
    "DailyDurableGenericStreamingApiEvents": 10000,
    "DailyDurableStreamingApiEvents": 10000,
    "DailyGenericStreamingApiEvents": 10000,
    "DailyStandardVolumePlatformEvents": 10000,
    "DailyStreamingApiEvents": 10000,
    "DailyWorkflowEmails": 390,
    "FileStorageMB": 20,
    "HourlyAsyncReportRuns": 1200,
    "HourlyDashboardRefreshes": 200,
    "HourlyDashboardResults": 5000,
    "HourlyDashboardStatuses": 999999999,
    "HourlyLongTermIdMapping": 100000,
    "HourlyODataCallout": 10000,
    "HourlyPublishedPlatformEvents": 50000,
    "HourlyPublishedStandardVolumePlatformEvents": 50000,
    "HourlySyncReportRuns": 500,
    "HourlyTimeBasedWorkflow": 50,
    "MassEmail": 10,
    "MonthlyPlatformEventsUsageEntitlement": 0,
    "Package2VersionCreates": 6,
    "PermissionSets": 1500,
    "SingleEmail": 15,
    "StreamingApiConcurrentClients": 20,
}
DAILY_BULK_BATCHES = 15000
DAILY_BULK_QUERY_JOBS = 10000
BULK_QUERY_STORAGE_MB = 976562
DATA_STORAGE_MB = 5
RECORD_KB = 2


@bp.url_value_preprocessor
def _drop_version(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values:
        values.pop("version", None)


@bp.get("/limits")
def limits() -> Response:
    return json_response(org_limits(current_org()))


@bp.get("/limits/recordCount")
def record_count() -> Response:
    """Live records of each object named in `sObjects` (every object when it is absent), in
    Salesforce's shape: `{"sObjects": [{"count", "name"}]}`. Names the org lacks are left out,
    as Salesforce ignores them; deleted records (in the recycle bin) are not counted."""
    org = current_org()
    asked = request.args.get("sObjects")
    if asked is None:
        names = sorted(n for n in org.tables if n != "Organization")
    else:
        wanted = {n.strip().lower() for n in asked.split(",") if n.strip()}
        names = sorted(n for n in org.tables if n.lower() in wanted)
    counts = [{"count": org.tables[name].live_count(), "name": name} for name in names]
    return json_response({"sObjects": counts})


def org_limits(org: Org) -> dict[str, dict[str, Any]]:
    """Every limit as `{"Max", "Remaining"}`, sorted by name as Salesforce lists them."""
    now = org.clock.now()
    store = org.bulk
    day = store.today()
    records = sum(
        len(table) for name, table in org.tables.items() if name not in ("User", "Organization")
    )
    used_mb = records * RECORD_KB // 1024
    out = {name: {"Max": high, "Remaining": high} for name, high in FIXED.items()}
    out |= {
        "DailyApiRequests": {"Max": org.usage.limit, "Remaining": org.usage.remaining(now)},
        "DailyBulkApiBatches": _left(DAILY_BULK_BATCHES, store.batches.get(day, 0)),
        "DailyBulkApiRequests": _left(DAILY_BULK_BATCHES, store.batches.get(day, 0)),
        "DailyBulkV2QueryJobs": _left(DAILY_BULK_QUERY_JOBS, store.query_jobs.get(day, 0)),
        "DailyBulkV2QueryFileStorageMB": _left(BULK_QUERY_STORAGE_MB, 0),
        "DataStorageMB": _left(DATA_STORAGE_MB, used_mb),
    }
    return dict(sorted(out.items()))


def _left(high: int, used: int) -> dict[str, int]:
    return {"Max": high, "Remaining": max(0, high - used)}
