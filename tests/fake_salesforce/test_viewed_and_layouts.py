"""SOQL `FOR VIEW` / `FOR REFERENCE` and `/recent`, `describe/layouts` (compact, approval and named
layouts too), and 405s that name the methods a resource does allow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time

from fake_salesforce.fixture import FakeSalesforce

V = "/services/data/v59.0"


def call(fake: FakeSalesforce, method: str, path: str, **kwargs: Any) -> Any:
    headers = {"Authorization": f"Bearer {fake.token()}"}
    return fake.session().request(
        method, f"{fake.instance_url}{V}{path}", headers=headers, **kwargs
    )


def soql(fake: FakeSalesforce, text: str) -> list[dict[str, Any]]:
    answer = call(fake, "GET", "/query", params={"q": text})
    assert answer.status_code == 200, answer.text
    records: list[dict[str, Any]] = answer.json()["records"]
    return records


def test_for_view_stamps_viewed_and_referenced_for_reference_only_referenced() -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with freeze_time(start) as frozen:
        fake = FakeSalesforce()
        seen = fake.org.create("Contact", {"LastName": "Seen"})
        cited = fake.org.create("Contact", {"LastName": "Cited"})
        modstamp = fake.org.get("Contact", seen)["SystemModstamp"]
        frozen.tick(timedelta(hours=1))
        soql(fake, f"SELECT Id FROM Contact WHERE Id = '{seen}' FOR VIEW")
        soql(fake, f"SELECT Id FROM Contact WHERE Id = '{cited}' FOR REFERENCE")
    viewed, referenced = fake.org.get("Contact", seen), fake.org.get("Contact", cited)
    assert viewed["LastViewedDate"] == viewed["LastReferencedDate"] == start + timedelta(hours=1)
    assert viewed["SystemModstamp"] == modstamp  # viewing is not a modification
    assert referenced["LastViewedDate"] is None
    assert referenced["LastReferencedDate"] == start + timedelta(hours=1)


def test_for_update_is_not_soql_the_api_takes(fake: FakeSalesforce) -> None:
    answer = call(fake, "GET", "/query", params={"q": "SELECT Id FROM Contact FOR UPDATE"})
    assert answer.status_code == 400 and answer.json()[0]["errorCode"] == "MALFORMED_QUERY"


def test_recent_lists_viewed_records_newest_first_with_a_limit() -> None:
    with freeze_time(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)) as frozen:
        fake = FakeSalesforce()
        account = fake.org.create("Account", {"Name": "Acme"})
        contact = fake.org.create("Contact", {"FirstName": "Ada", "LastName": "King"})
        fake.org.create("Contact", {"LastName": "Never"})
        soql(fake, f"SELECT Id FROM Account WHERE Id = '{account}' FOR VIEW")
        frozen.tick(timedelta(minutes=5))
        soql(fake, f"SELECT Id FROM Contact WHERE Id = '{contact}' FOR VIEW")
    recent = call(fake, "GET", "/recent").json()
    assert [(r["attributes"]["type"], r["Id"], r["Name"]) for r in recent] == [
        ("Contact", contact, "Ada King"),
        ("Account", account, "Acme"),
    ]
    assert recent[0]["attributes"]["url"] == f"{V}/sobjects/Contact/{contact}"
    assert [r["Id"] for r in call(fake, "GET", "/recent", params={"limit": "1"}).json()] == [
        contact
    ]


def test_describe_layouts_answers_a_layout_not_an_external_id_lookup(fake: FakeSalesforce) -> None:
    answer = call(fake, "GET", "/sobjects/Contact/describe/layouts")
    assert answer.status_code == 200
    body = answer.json()
    assert body["recordTypeMappings"] == [] and body["recordTypeSelectorRequired"] == [False]
    (layout,) = body["layouts"]
    assert layout["id"].startswith("00h") and len(layout["id"]) == 18
    (section,) = layout["detailLayoutSections"]
    names = [
        item["layoutComponents"][0]["value"]
        for row in section["layoutRows"]
        for item in row["layoutItems"]
    ]
    assert "LastName" in names and "Email" in names
    one = call(fake, "GET", "/sobjects/Contact/describe/layouts/012000000000000AAA")
    assert one.status_code == 200 and one.json()["id"] == layout["id"]
    other = call(fake, "GET", "/sobjects/Contact/describe/layouts/0125g000000AbCdAAF")
    assert other.status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/sobjects/Contact", "GET,HEAD,POST"),
        ("DELETE", "/query", "GET,HEAD"),
        ("DELETE", "/sobjects/Contact/describe", "GET,HEAD"),
    ],
)
def test_a_405_names_the_methods_allowed_and_never_the_one_refused(
    fake: FakeSalesforce, method: str, path: str, allowed: str
) -> None:
    answer = call(fake, method, path)
    assert answer.status_code == 405
    message = answer.json()[0]["message"]
    assert message == f"HTTP Method '{method}' not allowed. Allowed are {allowed}"


def test_a_get_of_a_sub_resource_the_fake_lacks_is_not_found(fake: FakeSalesforce) -> None:
    answer = call(fake, "GET", "/sobjects/Contact/quickActions")
    assert answer.status_code == 404 and answer.json()[0]["errorCode"] == "NOT_FOUND"


def test_a_layout_has_the_standard_buttons_and_a_quick_action_list(fake: FakeSalesforce) -> None:
    (layout,) = call(fake, "GET", "/sobjects/Account/describe/layouts").json()["layouts"]
    buttons = layout["buttonLayoutSection"]["detailButtons"]
    assert [b["name"] for b in buttons] == ["Edit", "Delete", "Clone"]
    assert all(b["custom"] is False and b["url"] is None for b in buttons)
    assert layout["quickActionList"] == {"quickActionListItems": []}


def test_compact_layouts_are_the_system_default_with_the_name_field(fake: FakeSalesforce) -> None:
    body = call(fake, "GET", "/sobjects/Account/describe/compactLayouts").json()
    (system,) = body["compactLayouts"]
    assert (system["name"], system["id"], system["objectType"]) == ("SYSTEM", None, "Account")
    assert [i["layoutComponents"][0]["value"] for i in system["fieldItems"]] == ["Name"]
    assert body["defaultCompactLayoutId"] is None
    (mapping,) = body["recordTypeCompactLayoutMappings"]
    assert (mapping["recordTypeId"], mapping["compactLayoutName"]) == (
        "012000000000000AAA",
        "SYSTEM",
    )


def test_an_org_without_approval_processes_has_no_approval_layouts(fake: FakeSalesforce) -> None:
    answer = call(fake, "GET", "/sobjects/Account/describe/approvalLayouts")
    assert (answer.status_code, answer.json()) == (200, {"approvalLayouts": []})


def test_user_has_the_standard_user_alt_named_layout_and_nothing_else_does(
    fake: FakeSalesforce,
) -> None:
    named = call(fake, "GET", "/sobjects/User/describe/namedLayouts/UserAlt")
    assert named.status_code == 200
    assert isinstance(named.json()["layouts"][0]["buttonLayoutSection"], dict)
    for path in (
        "/sobjects/User/describe/namedLayouts/Other",
        "/sobjects/Account/describe/namedLayouts/UserAlt",
    ):
        missing = call(fake, "GET", path)
        assert missing.status_code == 404 and missing.json()[0]["errorCode"] == "NOT_FOUND"
