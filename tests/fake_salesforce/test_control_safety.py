"""The control API answers loopback callers only, unless a control token is set: then only it."""

from __future__ import annotations

import pytest

from fake_salesforce.control_client import ControlClient, ControlError
from fake_salesforce.fixture import DEFAULT_INSTANCE, FakeSalesforce


def test_a_caller_from_another_address_is_refused_without_a_control_token() -> None:
    client = FakeSalesforce().app.test_client()
    response = client.get("/_fake/clock", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 403
    assert response.get_json()["error"] == "CONTROL_LOOPBACK_ONLY"


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "127.8.9.10"])
def test_loopback_callers_are_answered_without_a_token(address: str) -> None:
    client = FakeSalesforce().app.test_client()
    response = client.get("/_fake/clock", environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 200


def test_with_a_control_token_every_caller_must_send_it_even_on_loopback() -> None:
    client = FakeSalesforce(control_token="s3cret").app.test_client()
    local = client.get("/_fake/clock", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    wrong = client.get("/_fake/clock", headers={"X-Fake-Control-Token": "guess"})
    assert (local.status_code, wrong.status_code) == (401, 401)
    remote = client.get(
        "/_fake/clock",
        headers={"X-Fake-Control-Token": "s3cret"},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert remote.status_code == 200


def test_the_control_client_sends_its_token_and_reports_a_refusal() -> None:
    fake = FakeSalesforce(control_token="s3cret")
    good = ControlClient(DEFAULT_INSTANCE, token="s3cret", session=fake.session())
    assert good.now()
    bad = ControlClient(DEFAULT_INSTANCE, session=fake.session())
    with pytest.raises(ControlError) as caught:
        bad.now()
    assert (caught.value.status, caught.value.error) == (401, "CONTROL_TOKEN_REQUIRED")


def test_control_calls_need_no_salesforce_session_and_are_not_journaled() -> None:
    fake = FakeSalesforce()
    ControlClient(DEFAULT_INSTANCE, session=fake.session()).advance(seconds=5)
    assert fake.org.journal.entries == []
