"""A developer whose test ran against the fake opens the org console in Chromium: the record the
test wrote, the journal of its requests (live), and an edit the org validates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from simple_salesforce.api import Salesforce

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.schema import MARKETO_SALES_INSIGHT
from fake_salesforce.transport import rewriting_session

pytestmark = pytest.mark.browser


class Served:
    """A fake org served on loopback, with an API client a test would use against it."""

    def __init__(self, serve_wsgi: Callable[[Any], str]) -> None:
        self.fake = FakeSalesforce(packages={MARKETO_SALES_INSIGHT})
        self.org = self.fake.org
        self.url = serve_wsgi(self.fake.app)
        creds = self.org.credentials
        self.api: Any = Salesforce(
            username=creds.username,
            password=creds.password,
            security_token=creds.security_token,
            session=rewriting_session(self.url),
        )

    def ui(self, path: str = "") -> str:
        return f"{self.url}/_fake/ui/{self.org.org_id}{path}"


@pytest.fixture
def served(serve_wsgi: Callable[[Any], str]) -> Served:
    return Served(serve_wsgi)


def _people(served: Served) -> str:
    names = [("Jane", "Doe"), ("Ravi", "Iyer"), ("Ana", "Lima"), ("Tom", "Berg"), ("Mei", "Chen")]
    ids = [
        served.api.Contact.create(
            {"FirstName": first, "LastName": last, "Email": f"{first.lower()}@example.com",
             "Title": "Buyer", "Phone": "+1 415 555 0100"}
        )["id"]
        for first, last in names
    ]  # fmt: skip
    served.api.Contact.update(ids[0], {"HasOptedOutOfEmail": True})
    return str(ids[0])


def test_the_console_shows_the_record_a_test_wrote_and_its_history(
    page: Any, served: Served, screenshot: Any
) -> None:
    jane = _people(served)
    page.goto(served.ui("/Contact"))
    page.get_by_label("Search this list").fill("jane@")
    page.get_by_label("Search this list").press("Enter")
    page.get_by_role("link", name="Jane Doe").click()
    page.get_by_role("heading", name="Jane Doe").wait_for()
    assert page.locator("#v-HasOptedOutOfEmail").inner_text().strip().endswith("Yes")
    assert "Marketo Sales Opt Out" in page.inner_text("main")
    history = page.locator("#history").inner_text()
    assert "Email Opt Out" in history and "engine" in history and "admin@example.com" in history
    assert jane in page.inner_text(".facts")
    screenshot(page, "fake-org-record")


def test_the_journal_shows_a_tests_requests_live_with_their_bodies(
    page: Any, served: Served, screenshot: Any
) -> None:
    jane = _people(served)
    page.goto(served.ui("/journal"))
    rows = page.locator("#journal-rows tr")
    before = rows.count()
    served.api.Contact.update(jane, {"Title": "Head of Buying"})  # while the page is open
    page.wait_for_function(f"document.querySelectorAll('#journal-rows tr').length > {before}")
    newest = rows.first
    assert "PATCH" in newest.inner_text() and "204" in newest.inner_text()
    screenshot(page, "fake-org-journal")
    newest.get_by_role("link").click()
    page.get_by_role("heading", name="Request body").wait_for()
    assert '"Title": "Head of Buying"' in page.locator("pre.body").first.inner_text()


def test_editing_the_opt_out_on_the_record_page_goes_through_the_orgs_validation(
    page: Any, served: Served
) -> None:
    jane = _people(served)
    page.goto(served.ui(f"/Contact/{jane}"))
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Marketo Sales Opt Out").check()
    page.get_by_label("Last Name").fill("")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("alert").wait_for()
    assert "REQUIRED_FIELD_MISSING" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Last Name").get_attribute("aria-invalid") == "true"
    assert served.org.get("Contact", jane)["mkto_si__Marketo_Sales_Opt_Out__c"] is False  # type: ignore[index]
    page.get_by_label("Last Name").fill("Doe-Smith")
    page.get_by_label("Last Name").press("Enter")  # the keyboard submits the form
    page.get_by_text("was saved").wait_for()
    record = served.org.get("Contact", jane)
    assert record is not None and record["mkto_si__Marketo_Sales_Opt_Out__c"] is True
    assert "user" in page.locator("#history li").first.inner_text()
