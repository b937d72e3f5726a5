"""An admin uses the console in Chromium: settings, finding a person, removing an unsubscribe."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from sync_core.model import Kind, Source, SyncField
from sync_core.runner import SEEN_KEY
from sync_core.web.settings_form import LAST_CHECK
from tests.browser.sync_site import ADMIN, Site, log_in, site_fixture  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


def _checked_without_package(site: Site) -> None:
    """What `sync-core check` stores for an org without the Marketo Sales Insight package."""
    fields = [
        {
            "sobject": o,
            "field": f,
            "selected": False,
            "exists": f == "HasOptedOutOfEmail",
            "updateable": f == "HasOptedOutOfEmail",
        }
        for o in ("Contact", "Lead")
        for f in ("HasOptedOutOfEmail", "mkto_si__Marketo_Sales_Opt_Out__c")
    ]
    state = {"at": site.clock().isoformat(), "fields": fields}
    site.service.store.set_state(LAST_CHECK, json.dumps(state))


def test_admin_turns_on_the_nightly_sync_at_a_time_in_their_zone(
    page: Any, site: Site, screenshot: Any
) -> None:
    _checked_without_package(site)
    log_in(page, site, "/settings")
    package = page.get_by_label("Marketo Sales Opt Out")
    assert package.is_disabled()
    assert "Contact has no field mkto_si__Marketo_Sales_Opt_Out__c" in page.inner_text("main")
    page.get_by_label("Sync unsubscribes with Salesforce every night").check()
    page.get_by_label("Time", exact=True).fill("21:30")
    page.get_by_label("Time zone").select_option("Europe/Amsterdam")
    page.get_by_role("button", name="Save settings").click()
    page.get_by_text("Settings saved").wait_for()
    screenshot(page, "settings")
    settings = site.service.settings()
    assert settings.nightly_sync and settings.nightly_at == "21:30"
    assert settings.timezone == "Europe/Amsterdam"
    assert settings.sync_fields == {SyncField.EMAIL_OPT_OUT}
    assert "21:30 CE" in page.locator("#next-run").inner_text()  # CET or CEST


def test_admin_finds_a_person_and_removes_the_unsubscribe_with_a_reason(
    page: Any, site: Site, screenshot: Any
) -> None:
    contact = site.contact(HasOptedOutOfEmail=True)
    person = site.service.add_person("jane@example.com", contact_id=contact, now=site.clock())
    site.service.add_person("john@example.com", now=site.clock())
    site.service.unsubscribe(person.id, Source.MANUAL, site.clock())
    log_in(page, site, "/people")
    page.get_by_label("Email or Salesforce Id").fill(contact[:15])  # a report's 15-char Id
    page.get_by_role("button", name="Search").click()
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and contact in rows.inner_text()
    page.get_by_role("link", name="jane@example.com").click()
    page.get_by_role("heading", name="Remove unsubscribe").wait_for()
    assert "Salesforce is not changed" in page.inner_text("main")
    page.get_by_role("button", name="Remove unsubscribe").click()
    assert page.get_by_label("Reason").evaluate("e => !e.validity.valid")  # required, not sent
    page.get_by_label("Reason").fill("Asked to hear from us again")
    page.get_by_role("button", name="Remove unsubscribe").click()
    page.get_by_text("Unsubscribe removed in Marketo Sales").wait_for()
    screenshot(page, "person")
    last = site.service.history(person.id)[-1]
    assert (last.kind, last.admin, last.reason) == (
        Kind.RESUBSCRIBE,
        ADMIN,
        "Asked to hear from us again",
    )
    assert site.opted_out(contact)  # Salesforce untouched
    first_row = page.locator("section", has_text="Unsubscribe history").locator("tbody tr").first
    assert "Asked to hear from us again" in first_row.inner_text()


def test_without_login_the_pages_show_but_change_nothing(page: Any, site: Site) -> None:
    page.goto(f"{site.url}/settings")
    assert page.get_by_label("Sync unsubscribes with Salesforce every night").is_disabled()
    assert page.get_by_role("button", name="Save settings").count() == 0
    page.get_by_role("link", name="log in", exact=True).click()
    assert page.url.startswith(f"{site.url}/login")


def test_keyboard_alone_reaches_the_search_and_a_person(page: Any, site: Site) -> None:
    site.service.add_person("kim@example.com", now=site.clock())
    page.goto(f"{site.url}/people")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    page.get_by_label("Email or Salesforce Id").focus()
    page.keyboard.type("kim")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="kim@example.com").focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="kim@example.com").wait_for()


def test_a_parked_push_shows_what_fixes_it_and_the_admin_retries_it(
    page: Any, site: Site, screenshot: Any
) -> None:
    now = site.clock()
    site.service.update_settings(now, nightly_sync=True, sync_fields=set(SyncField))
    person = site.service.add_person("pat@example.com", contact_id=site.contact(), now=now)
    site.service.unsubscribe(person.id, Source.MANUAL, now)
    site.service.push_due(site.clock() + timedelta(seconds=2))  # the org lacks the package field
    log_in(page, site, "/diagnostics")
    waiting = page.locator("section", has_text="Pushes not yet delivered")
    assert "Parked" in waiting.inner_text() and "pat@example.com" in waiting.inner_text()
    assert "install the Marketo Sales Insight package" in waiting.inner_text()
    screenshot(page, "diagnostics")
    page.get_by_role("button", name="Retry the push for pat@example.com").click()
    page.get_by_text("1 parked push queued again").wait_for()
    page.get_by_role("link", name="Runs").click()
    assert page.locator("tbody tr").first.locator("td").nth(1).inner_text() == "push"
    site.service.store.set_state(SEEN_KEY, site.clock().isoformat())  # as `run` beats
    page.get_by_role("link", name="Status").click()
    page.get_by_role("heading", name="Next nightly sync").wait_for()
    assert page.locator("#t-service + .big").inner_text() == "Running"
    screenshot(page, "status")
