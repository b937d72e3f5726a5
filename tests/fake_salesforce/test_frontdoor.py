"""The single-access frontdoor: a one-time link that opens the org console where the Salesforce
UI path it names would have landed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fake_salesforce.fixture import FakeSalesforce


def _link(fake: FakeSalesforce, start: str | None = None, token: str | None = None) -> str:
    params = {"redirect_uri": start} if start else {}
    answer = fake.session().get(
        f"{fake.instance_url}/services/oauth2/singleaccess",
        params=params,
        headers={"Authorization": f"Bearer {token or fake.token()}"},
    )
    assert answer.status_code == 200, answer.text
    uri: str = answer.json()["frontdoor_uri"]
    assert uri.startswith(f"{fake.instance_url}/secur/frontdoor.jsp?otp=")
    return uri


def _opens(fake: FakeSalesforce, uri: str) -> tuple[int, str | None]:
    answer = fake.session().get(uri, allow_redirects=False)
    return answer.status_code, answer.headers.get("Location")


@pytest.fixture
def fake() -> FakeSalesforce:
    return FakeSalesforce()


def test_a_link_opens_the_console_page_for_the_ui_path_it_names(fake: FakeSalesforce) -> None:
    org = fake.org.org_id
    contact = fake.org.create("Contact", {"LastName": "Doe"})
    cases = {
        None: f"/_fake/ui/{org}/Contact",
        "/lightning/o/account/list": f"/_fake/ui/{org}/Account",
        f"/lightning/r/Contact/{contact}/view": f"/_fake/ui/{org}/Contact/{contact}",
        f"/{contact[:15]}": f"/_fake/ui/{org}/Contact/{contact}",
        "/lightning/setup/SetupOneHome/home": f"/_fake/ui/{org}/Contact",
        "/lightning/o/Nothing__c/list": f"/_fake/ui/{org}/Contact",
    }
    for start, page in cases.items():
        assert _opens(fake, _link(fake, start)) == (302, page), start


def test_a_link_works_once_and_for_a_minute(fake: FakeSalesforce) -> None:
    used = _link(fake)
    assert _opens(fake, used)[0] == 302
    assert _opens(fake, used)[0] == 401
    late = _link(fake)
    fake.org.clock.advance(timedelta(seconds=61))
    assert _opens(fake, late)[0] == 401


def test_a_dead_token_gets_no_link_and_a_live_one_opens_the_older_sid_form(
    fake: FakeSalesforce,
) -> None:
    refused = fake.session().get(
        f"{fake.instance_url}/services/oauth2/singleaccess",
        headers={"Authorization": "Bearer not-a-token"},
    )
    assert refused.status_code == 401 and refused.json()[0]["errorCode"] == "INVALID_SESSION_ID"
    opened = _opens(fake, f"{fake.instance_url}/secur/frontdoor.jsp?sid={fake.token()}")
    assert opened == (302, f"/_fake/ui/{fake.org.org_id}/Contact")
    assert _opens(fake, f"{fake.instance_url}/secur/frontdoor.jsp?sid=nope")[0] == 401
