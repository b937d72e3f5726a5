"""/limits and the daily allocation through real clients (simple-salesforce, jsforce)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceRefusedRequest

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.server import FakeServer
from tests.contract.conftest import Target
from tests.contract.test_composite import LOGIN, node_env

RunNode = Callable[[str, dict[str, Any]], Any]


def test_simple_salesforce_limits_and_usage_header(target: Target) -> None:
    sf = target.login()
    limits = sf.limits()
    assert limits["DailyApiRequests"]["Max"] == 15000
    used = 15000 - limits["DailyApiRequests"]["Remaining"]
    assert sf.api_usage["api-usage"].used == used
    assert limits["DailyBulkV2QueryJobs"] == {"Max": 10000, "Remaining": 10000}


def test_simple_salesforce_is_refused_when_the_allocation_is_spent_until_the_day_ends(
    make_target: Callable[..., Target],
) -> None:
    target = make_target("http", api_limit=2, timezone="UTC")
    sf = target.login()
    sf.limits()
    sf.limits()
    with pytest.raises(SalesforceRefusedRequest) as refused:
        sf.restful("composite/sobjects", method="POST", json={"records": []})
    assert refused.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    target.org.clock.advance(timedelta(days=1))
    assert sf.limits()["DailyApiRequests"]["Remaining"] == 1


@pytest.mark.node
def test_jsforce_reads_limits_and_sees_request_limit_exceeded(
    run_node: RunNode, served: FakeServer, fake: FakeSalesforce
) -> None:
    fake.org.usage.limit = 3
    script = LOGIN + """
    const limits = await conn.limits();
    await conn.limits();
    try { await conn.limits(); await conn.limits(); } catch (err) {
      return { limits, code: err.errorCode, message: err.message };
    }
    return { limits };
    """  # fmt: skip
    out = run_node(script, node_env(fake, served))
    assert out["limits"]["DailyApiRequests"] == {"Max": 3, "Remaining": 2}
    assert out["code"] == "REQUEST_LIMIT_EXCEEDED"
    assert out["message"] == "TotalRequests Limit exceeded."
