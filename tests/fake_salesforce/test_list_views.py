"""List views over REST as the REST API Developer Guide shows them: the standard "All" view of
each standard object with a tab, its describe, its results page by page, its query plan."""

from __future__ import annotations

from typing import Any

import pytest

from fake_salesforce.fixture import FakeSalesforce

V = "/services/data/v59.0"


@pytest.fixture
def fake() -> FakeSalesforce:
    fake = FakeSalesforce()
    for name, state in (("Beta", "CA"), ("Alpha", None), ("Gamma", "NY")):
        fake.org.create("Account", {"Name": name, "BillingState": state})
    return fake


def get(fake: FakeSalesforce, path: str, status: int = 200) -> Any:
    headers = {"Authorization": f"Bearer {fake.token()}"}
    answer = fake.session().get(f"{fake.instance_url}{V}{path}", headers=headers)
    assert answer.status_code == status, answer.text
    return answer.json()


def all_accounts(fake: FakeSalesforce) -> dict[str, Any]:
    (view,) = get(fake, "/sobjects/Account/listviews")["listviews"]
    return dict(view)


def test_accounts_have_the_standard_all_accounts_view(fake: FakeSalesforce) -> None:
    listing = get(fake, "/sobjects/Account/listviews")
    assert (listing["done"], listing["size"], listing["sobjectType"]) == (True, 1, "Account")
    view = all_accounts(fake)
    assert (view["developerName"], view["label"]) == ("AllAccounts", "All Accounts")
    assert view["id"].startswith("00B") and view["soqlCompatible"] is True
    assert view["resultsUrl"] == f"{V}/sobjects/Account/listviews/{view['id']}/results"
    assert get(fake, f"/sobjects/Account/listviews/{view['id']}") == view


def test_objects_without_a_standard_view_list_none_and_unknown_ids_are_not_found(
    fake: FakeSalesforce,
) -> None:
    assert get(fake, "/sobjects/User/listviews")["listviews"] == []
    view_id = all_accounts(fake)["id"]
    missing = get(fake, f"/sobjects/Contact/listviews/{view_id}/describe", status=404)
    assert missing[0]["errorCode"] == "NOT_FOUND"


def test_describe_gives_the_columns_order_and_query(fake: FakeSalesforce) -> None:
    view_id = all_accounts(fake)["id"]
    described = get(fake, f"/sobjects/Account/listviews/{view_id}/describe")
    shown = [c["fieldNameOrPath"] for c in described["columns"] if not c["hidden"]]
    assert shown == ["Name", "BillingState", "Phone", "Type"]
    assert described["query"] == (
        "SELECT Name, BillingState, Phone, Type, Id, CreatedDate, LastModifiedDate, "
        "SystemModstamp FROM Account ORDER BY Name ASC NULLS FIRST, Id ASC NULLS FIRST"
    )
    assert [o["fieldNameOrPath"] for o in described["orderBy"]] == ["Name", "Id"]
    assert (described["scope"], described["sobjectType"]) == ("everything", "Account")


def test_results_come_sorted_by_name_a_page_at_a_time(fake: FakeSalesforce) -> None:
    view_id = all_accounts(fake)["id"]
    first = get(fake, f"/sobjects/Account/listviews/{view_id}/results?limit=2")
    assert (first["size"], first["done"], first["label"]) == (3, False, "All Accounts")
    rows = [{c["fieldNameOrPath"]: c["value"] for c in r["columns"]} for r in first["records"]]
    assert [(r["Name"], r["BillingState"]) for r in rows] == [("Alpha", None), ("Beta", "CA")]
    rest = get(fake, f"/sobjects/Account/listviews/{view_id}/results?limit=2&offset=2")
    assert rest["done"] is True and len(rest["records"]) == 1
    bad = get(fake, f"/sobjects/Account/listviews/{view_id}/results?limit=0", status=400)
    assert bad[0]["errorCode"] == "INVALID_QUERY_PARAMETER_VALUE"


def test_explain_takes_a_list_view_id(fake: FakeSalesforce) -> None:
    view_id = all_accounts(fake)["id"]
    (plan,) = get(fake, f"/query/?explain={view_id}")["plans"]
    assert (plan["leadingOperationType"], plan["sobjectType"]) == ("TableScan", "Account")
    assert plan["sobjectCardinality"] == 3
