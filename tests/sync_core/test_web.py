"""The console and unsubscribe page over Flask's test client: links, CSRF, login, one-click."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from sync_core.model import Kind, Source
from sync_core.service import SyncService
from sync_core.web import WebOptions, create_app
from sync_core.web.accounts import Accounts, hash_password, is_password
from sync_core.web.links import (
    LinkError,
    LinkProblem,
    mint_token,
    verify_token,
)
from tests.sync_core.conftest import FrozenClock

KEY = b"k" * 32
LOCAL = {"REMOTE_ADDR": "127.0.0.1"}
REMOTE = {"REMOTE_ADDR": "203.0.113.9"}


@pytest.fixture
def web(service: SyncService, clock: FrozenClock) -> Iterator[tuple[FlaskClient, list[Any]]]:
    pushed: list[Any] = []
    app = create_app(service, WebOptions(link_key=KEY), clock=clock, push=pushed.append)
    yield app.test_client(), pushed


def _csrf(client: FlaskClient, path: str = "/login") -> str:
    client.get(path, environ_base=LOCAL)
    with client.session_transaction() as session:
        return str(session["csrf"])


def _log_in(client: FlaskClient, service: SyncService, clock: FrozenClock) -> str:
    Accounts(service.store.engine).add("ops", "long enough password", clock())
    token = _csrf(client)
    form = {"username": "ops", "password": "long enough password", "csrf": token}
    assert client.post("/login", data=form, environ_base=LOCAL).status_code == 302
    return _csrf(client, "/")  # a login starts a fresh session, with a fresh token


def test_a_link_survives_only_untouched_and_in_time(clock: FrozenClock) -> None:
    token = mint_token(KEY, 7, "Jane@Example.com", clock() + timedelta(days=1))
    assert verify_token(KEY, token, "jane@example.com", clock()).person_id == 7
    person, stamp, signature = token.split(".")
    cases = {
        f"8.{stamp}.{signature}": LinkProblem.FORGED,
        f"{person}.{int(stamp) + 86400}.{signature}": LinkProblem.FORGED,
        f"{person}.{stamp}.{signature[:-1]}x": LinkProblem.FORGED,
        "7.soon.abc": LinkProblem.MALFORMED,
    }
    for altered, problem in cases.items():
        with pytest.raises(LinkError) as caught:
            verify_token(KEY, altered, "jane@example.com", clock())
        assert caught.value.problem is problem
    with pytest.raises(LinkError) as caught:
        verify_token(KEY, token, "other@example.com", clock())
    assert caught.value.problem is LinkProblem.FORGED
    with pytest.raises(LinkError) as caught:
        verify_token(KEY, token, "jane@example.com", clock() + timedelta(days=1))
    assert caught.value.problem is LinkProblem.EXPIRED


def test_a_password_hash_is_salted_scrypt_and_checks_only_the_password() -> None:
    first, second = hash_password("s3cret words"), hash_password("s3cret words")
    assert first.startswith("scrypt$") and first != second
    assert is_password("s3cret words", first) and not is_password("s3cret word", first)
    assert not is_password("s3cret words", "md5$whatever")


def test_a_get_never_unsubscribes_and_one_click_post_does(
    web: tuple[FlaskClient, list[Any]], service: SyncService, clock: FrozenClock
) -> None:
    client, pushed = web
    person = service.add_person("jane@example.com", contact_id="003000000000001", now=clock())
    token = mint_token(KEY, person.id, person.email, clock() + timedelta(days=1))
    assert client.get(f"/u/{token}").status_code == 200
    assert not service.person(person.id).unsubscribed
    answer = client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200 and service.person(person.id).unsubscribed
    assert service.history(person.id)[-1].source == Source.CLICKED_LINK
    assert len(pushed) == 1  # pushed at once
    client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"})
    assert [h.kind for h in service.history(person.id)] == [Kind.UNSUBSCRIBE] and len(pushed) == 1


def test_the_confirm_form_without_its_csrf_token_changes_nothing(
    web: tuple[FlaskClient, list[Any]], service: SyncService, clock: FrozenClock
) -> None:
    client, _ = web
    person = service.add_person("jane@example.com", now=clock())
    token = mint_token(KEY, person.id, person.email, clock() + timedelta(days=1))
    answer = client.post(f"/u/{token}", data={"reason": "x"})
    assert answer.status_code == 400 and not service.person(person.id).unsubscribed


def test_no_change_without_a_logged_in_admin_even_on_loopback(
    web: tuple[FlaskClient, list[Any]], service: SyncService, clock: FrozenClock
) -> None:
    client, _ = web
    person = service.add_person("jane@example.com", now=clock())
    service.unsubscribe(person.id, Source.MANUAL, clock())
    token = _csrf(client)
    form = {"csrf": token, "reason": "asked"}
    answer = client.post(f"/people/{person.id}/resubscribe", data=form, environ_base=LOCAL)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert service.person(person.id).unsubscribed
    settings = {"csrf": token, "nightly_sync": "on", "nightly_at": "21:00", "timezone": "UTC"}
    client.post("/settings", data=settings, environ_base=LOCAL)
    assert not service.settings().nightly_sync


def test_a_resubscribe_needs_a_reason_and_records_the_admin(
    web: tuple[FlaskClient, list[Any]], service: SyncService, clock: FrozenClock
) -> None:
    client, _ = web
    person = service.add_person("jane@example.com", now=clock())
    service.unsubscribe(person.id, Source.MANUAL, clock())
    token = _log_in(client, service, clock)
    url = f"/people/{person.id}/resubscribe"
    assert client.post(url, data={"csrf": token, "reason": " "}).status_code == 400
    assert service.person(person.id).unsubscribed
    client.post(url, data={"csrf": token, "reason": "asked by phone"})
    last = service.history(person.id)[-1]
    assert (last.kind, last.admin, last.reason) == (Kind.RESUBSCRIBE, "ops", "asked by phone")


def test_off_loopback_every_console_page_needs_a_login(
    service: SyncService, clock: FrozenClock
) -> None:
    options = WebOptions(link_key=KEY, loopback_only=False)
    client = create_app(service, options, clock=clock).test_client()
    for path in ("/", "/settings", "/people", "/diagnostics", "/runs"):
        answer = client.get(path, environ_base=LOCAL)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"], path
    person = service.add_person("jane@example.com", now=clock())
    token = mint_token(KEY, person.id, person.email, clock() + timedelta(days=1))
    assert client.get(f"/u/{token}", environ_base=REMOTE).status_code == 200  # recipients


def test_a_remote_caller_of_a_loopback_console_must_log_in(
    web: tuple[FlaskClient, list[Any]],
) -> None:
    client, _ = web
    assert client.get("/people", environ_base=LOCAL).status_code == 200
    assert client.get("/people", environ_base=REMOTE).status_code == 302


def test_a_wrong_password_is_refused_and_a_login_redirects_only_inside(
    web: tuple[FlaskClient, list[Any]], service: SyncService, clock: FrozenClock
) -> None:
    client, _ = web
    Accounts(service.store.engine).add("ops", "long enough password", clock())
    token = _csrf(client)
    bad = {"username": "ops", "password": "wrong password!", "csrf": token}
    assert client.post("/login", data=bad).status_code == 401
    good = {"username": "ops", "password": "long enough password", "csrf": token}
    answer = client.post("/login", data=good | {"next": "//evil.example/"})
    assert answer.headers["Location"] == "/"


def test_failed_logins_are_throttled_per_name_and_per_address_for_a_window(
    web: tuple[FlaskClient, list[Any]], service: SyncService, clock: FrozenClock
) -> None:
    client, _ = web
    Accounts(service.store.engine).add("ops", "long enough password", clock())
    token = _csrf(client)
    bad = {"username": "ops", "password": "wrong password!", "csrf": token}
    good = {"username": "ops", "password": "long enough password", "csrf": token}
    for _ in range(5):  # five guesses at one name from one address
        clock.now += timedelta(minutes=1)
        assert client.post("/login", data=bad, environ_base=REMOTE).status_code == 401
    refused = client.post("/login", data=good, environ_base=REMOTE)  # even the right one
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) == 11 * 60
    assert "Too many failed logins. Try again in 11 minutes." in refused.get_data(as_text=True)
    assert client.post("/login", data=good, environ_base=LOCAL).status_code == 302
    clock.now += timedelta(minutes=11)  # the first guess is out of the window
    good["csrf"] = _csrf(client)
    assert client.post("/login", data=good, environ_base=REMOTE).status_code == 302
    token = _csrf(client)
    clock.now += timedelta(minutes=15)  # every earlier failure is out of the window
    for name in (f"guess{n}" for n in range(20)):  # many names from one address
        spray = {"username": name, "password": "wrong password!", "csrf": token}
        assert client.post("/login", data=spray, environ_base=REMOTE).status_code == 401
    good["csrf"] = token
    assert client.post("/login", data=good, environ_base=REMOTE).status_code == 429


def test_a_nightly_run_page_lists_what_it_changed_on_each_side(
    web: tuple[FlaskClient, list[Any]], service: SyncService, clock: FrozenClock, org: Any
) -> None:
    from sync_core.model import SObject

    client, _ = web
    service.update_settings(clock(), nightly_sync=True)
    opted = org.create(SObject.CONTACT, HasOptedOutOfEmail=True)
    plain = org.create(SObject.CONTACT)
    service.add_person("from-sf@example.com", contact_id=opted, now=clock())
    ours = service.add_person("from-ms@example.com", contact_id=plain, now=clock())
    service.store.record_unsubscribe(ours.id, Source.MANUAL, clock(), None)
    report = service.run_nightly(clock())
    page = client.get(f"/runs/{report.run_id}", environ_base=LOCAL).get_data(as_text=True)
    salesforce, marketo = page.split("Changed in Marketo Sales")
    assert "from-ms@example.com" in salesforce and plain in salesforce
    assert "from-sf@example.com" in marketo and "from-ms@example.com" not in marketo
    listing = client.get("/runs", environ_base=LOCAL).get_data(as_text=True)
    assert f"#{report.run_id}" in listing and "nightly" in listing


def test_the_confirm_form_works_without_cookies_and_its_token_is_bound_to_the_link(
    service: SyncService, clock: FrozenClock
) -> None:
    import re

    app = create_app(service, WebOptions(link_key=KEY), clock=clock)
    client = app.test_client(use_cookies=False)
    jane = service.add_person("jane@example.com", now=clock())
    john = service.add_person("john@example.com", now=clock())
    links = [mint_token(KEY, p.id, p.email, clock() + timedelta(days=1)) for p in (jane, john)]
    page = client.get(f"/u/{links[0]}")
    assert "Set-Cookie" not in page.headers
    found = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True))
    assert found is not None
    wrong = client.post(f"/u/{links[1]}", data={"csrf": found.group(1)})
    assert wrong.status_code == 400 and not service.person(john.id).unsubscribed
    right = client.post(f"/u/{links[0]}", data={"csrf": found.group(1)})
    assert right.status_code == 200 and service.person(jane.id).unsubscribed


def test_status_says_whether_a_sync_service_is_running(
    web: tuple[FlaskClient, list[Any]], service: SyncService, clock: FrozenClock
) -> None:
    from sync_core.runner import SEEN_KEY

    client, _ = web
    page = client.get("/", environ_base=LOCAL).get_data(as_text=True)
    assert "Not running" in page
    service.store.set_state(SEEN_KEY, clock().isoformat())
    page = client.get("/", environ_base=LOCAL).get_data(as_text=True)
    assert "Running" in page and "Not running" not in page
    clock.now += timedelta(minutes=5)  # no heartbeat since
    assert "Not running" in client.get("/", environ_base=LOCAL).get_data(as_text=True)
