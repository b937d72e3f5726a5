"""A recipient opens the link from a sales email in Chromium: the GET asks, the POST captures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sync_core.model import Kind, Source
from tests.browser.sync_site import Site, site_fixture  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


def test_recipient_confirms_and_the_push_reaches_the_fake_org(
    page: Any, site: Site, screenshot: Any
) -> None:
    contact = site.contact(Email="jane@example.com")
    person = site.service.add_person("jane@example.com", contact_id=contact, now=site.clock())
    page.goto(site.link(person.id))
    assert page.get_by_role("heading", level=1).inner_text() == "Unsubscribe from sales emails"
    assert "jane@example.com" in page.locator("main").inner_text()
    screenshot(page, "unsubscribe")
    assert not site.service.person(person.id).unsubscribed  # the GET changed nothing
    page.get_by_label("Why are you leaving?").fill("Too many emails")
    page.get_by_role("button", name="Unsubscribe").click()
    page.get_by_role("heading", name="You are unsubscribed").wait_for()
    entry = site.service.history(person.id)[-1]
    assert (entry.kind, entry.source, entry.reason) == (
        Kind.UNSUBSCRIBE,
        Source.CLICKED_LINK,
        "Too many emails",
    )
    assert site.opted_out(contact)
    assert site.service.pending_pushes() == 0


def test_confirming_in_two_tabs_records_one_unsubscribe(page: Any, site: Site) -> None:
    person = site.service.add_person("two@example.com", contact_id=site.contact(), now=site.clock())
    other = page.context.new_page()
    for tab in (page, other):
        tab.goto(site.link(person.id))
    for tab in (page, other):
        tab.get_by_role("button", name="Unsubscribe").click()
        tab.get_by_role("heading", name="You are unsubscribed").wait_for()
    assert "already unsubscribed" in other.locator("main").inner_text()
    assert [h.kind for h in site.service.history(person.id)] == [Kind.UNSUBSCRIBE]


def test_an_altered_link_changes_nothing_and_says_so(page: Any, site: Site) -> None:
    contact = site.contact()
    person = site.service.add_person("alt@example.com", contact_id=contact, now=site.clock())
    link = site.link(person.id)
    forged = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    response = page.goto(forged)
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "This link is not valid"
    assert page.get_by_role("button", name="Unsubscribe").count() == 0
    other_person = link.replace(f"/u/{person.id}.", f"/u/{person.id + 1}.")
    page.goto(other_person)
    assert page.get_by_role("heading", level=1).inner_text() == "This link is not valid"
    assert site.service.history(person.id) == [] and not site.opted_out(contact)


def test_an_expired_link_changes_nothing_and_says_so(
    page: Any, site: Site, screenshot: Any
) -> None:
    contact = site.contact()
    person = site.service.add_person("old@example.com", contact_id=contact, now=site.clock())
    link = site.link(person.id, expires_in=timedelta(days=1))
    page.goto(link)  # valid today: the form is shown
    site.clock.shift = timedelta(days=2)
    page.get_by_role("button", name="Unsubscribe").click()  # confirmed after it expired
    assert page.get_by_role("heading", level=1).inner_text() == "This link has expired"
    screenshot(page, "unsubscribe-expired")
    response = page.goto(link)
    assert response is not None and response.status == 410
    assert site.service.history(person.id) == [] and not site.opted_out(contact)
