"""The HTTP surface clients rely on: versions, both slash forms, no redirects, limit headers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from simple_salesforce.exceptions import SalesforceRefusedRequest

from tests.contract.conftest import Target

VERSIONS = [f"{v}.0" for v in range(50, 63)]


def test_versions_list_needs_no_token_and_spans_v50_to_v62(target: Target) -> None:
    for path in ("/services/data/", "/services/data"):
        answer = target.raw("GET", path, token=None, allow_redirects=False)
        assert answer.status_code == 200
        listed = {v["version"] for v in answer.json()}
        assert set(VERSIONS) <= listed


@pytest.mark.parametrize("version", VERSIONS)
def test_every_version_serves_its_resource_map(target: Target, version: str) -> None:
    answer = target.raw("GET", f"/services/data/v{version}/", allow_redirects=False)
    assert answer.status_code == 200
    body = answer.json()
    assert body["sobjects"] == f"/services/data/v{version}/sobjects"
    assert body["identity"].endswith(f"/id/{target.org.org_id}/{target.org.user_id}")


@pytest.mark.parametrize(
    "path",
    ["sobjects", "sobjects/Contact", "sobjects/Contact/describe", "sobjects/Lead"],
)
def test_routes_answer_with_and_without_a_trailing_slash_without_redirects(
    target: Target, path: str
) -> None:
    for suffix in ("", "/"):
        answer = target.raw("GET", f"/services/data/v59.0/{path}{suffix}", allow_redirects=False)
        assert answer.status_code == 200, (path, suffix)


def test_record_urls_use_the_requested_version(target: Target) -> None:
    rid = target.direct().Contact.create({"LastName": "V"})["id"]
    record = target.raw("GET", f"/services/data/v52.0/sobjects/Contact/{rid}").json()
    assert record["attributes"]["url"] == f"/services/data/v52.0/sobjects/Contact/{rid}"


def test_every_rest_answer_carries_sforce_limit_info_starting_with_api_usage(
    target: Target,
) -> None:
    calls = [
        ("GET", "/services/data/v59.0/"),
        ("GET", "/services/data/v59.0/sobjects"),
        ("GET", "/services/data/v59.0/sobjects/Contact/describe"),
        ("POST", "/services/data/v59.0/sobjects/Contact"),
        ("GET", "/services/data/v59.0/sobjects/Contact/003000000000000AAA"),
        ("GET", "/services/data/v59.0/nothing/here"),
    ]
    for method, path in calls:
        answer = target.raw(method, path, json={"LastName": "L"} if method == "POST" else None)
        assert answer.headers["Sforce-Limit-Info"].startswith("api-usage="), path


def test_daily_limit_spent_is_403_request_limit_exceeded(
    make_target: Callable[..., Target],
) -> None:
    target = make_target("http", api_limit=3)
    sf = target.direct()
    for _ in range(3):
        sf.Contact.create({"LastName": "L"})
    with pytest.raises(SalesforceRefusedRequest) as failure:
        sf.Contact.create({"LastName": "L"})
    assert failure.value.content == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]
