"""`/tabs` and `/theme` as the REST API Developer Guide shows them: the standard object tabs
with their icons and colours, and a theme item per object."""

from __future__ import annotations

from typing import Any

import pytest

from fake_salesforce.fixture import FakeSalesforce


@pytest.fixture
def fake() -> FakeSalesforce:
    return FakeSalesforce()


def get(fake: FakeSalesforce, path: str) -> Any:
    headers = {"Authorization": f"Bearer {fake.token()}"}
    answer = fake.session().get(f"{fake.instance_url}/services/data/v59.0{path}", headers=headers)
    assert answer.status_code == 200
    return answer.json()


def test_tabs_are_the_standard_object_tabs_with_their_list_pages(fake: FakeSalesforce) -> None:
    tabs = {t["name"]: t for t in get(fake, "/tabs")}
    assert set(tabs) == {
        "standard-Account",
        "standard-Contact",
        "standard-Lead",
        "standard-Opportunity",
    }
    account = tabs["standard-Account"]
    assert (account["label"], account["sobjectName"], account["custom"]) == (
        "Accounts",
        "Account",
        False,
    )
    assert account["url"] == f"{fake.instance_url}/001/o"
    assert account["iconUrl"].endswith("/img/icon/accounts32.png")
    assert {i["width"] for i in account["icons"]} == {0, 16, 32, 60, 120}
    assert account["colors"] == [{"color": "7F8DE1", "context": "primary", "theme": "theme4"}]


def test_the_theme_has_an_item_per_object_with_colours_only_where_there_is_a_tab(
    fake: FakeSalesforce,
) -> None:
    items = {i["name"]: i for i in get(fake, "/theme")["themeItems"]}
    assert {"Account", "Contact", "User", "Organization"} <= set(items)
    assert items["Contact"]["colors"][0]["color"] == "A094ED"
    assert items["Contact"]["icons"][0]["contentType"] == "image/png"
    assert (items["User"]["colors"], items["User"]["icons"]) == (None, None)
