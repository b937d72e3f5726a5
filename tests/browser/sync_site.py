"""A running sync-core console over a fake org: the service, its web app on loopback, an admin."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from fake_salesforce.fixture import FakeSalesforce
from sync_core.salesforce import SalesforceAdapter
from sync_core.service import SyncService
from sync_core.web import WebOptions, create_app
from sync_core.web.accounts import Accounts
from sync_core.web.links import link_url, mint_token

LINK_KEY = b"a-test-link-secret-of-32-bytes!!"
ADMIN = "ops@corp.example"
ADMIN_PASSWORD = "correct horse battery"
INSTANCE = "https://acme.my.salesforce.com"


class Clock:
    """The site's clock: real time plus a shift the test may move."""

    def __init__(self) -> None:
        self.shift = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.shift


@dataclass
class Site:
    url: str
    service: SyncService
    fake: FakeSalesforce
    clock: Clock

    def link(self, person_id: int, *, expires_in: timedelta = timedelta(days=30)) -> str:
        person = self.service.person(person_id)
        token = mint_token(LINK_KEY, person_id, person.email, self.clock() + expires_in)
        return link_url(self.url, token)

    def contact(self, **values: object) -> str:
        return self.fake.org.create("Contact", {"LastName": "Doe", **values})

    def opted_out(self, contact_id: str) -> bool:
        record = self.fake.org.get("Contact", contact_id)
        assert record is not None
        return bool(record["HasOptedOutOfEmail"])


def _never_sleep(seconds: float) -> None:
    raise AssertionError(f"nothing should wait in a browser test (asked {seconds}s)")


@pytest.fixture(name="site")
def site_fixture(tmp_path: Path, serve_wsgi: Callable[[Any], str]) -> Iterator[Site]:
    """The console and unsubscribe page served on 127.0.0.1, pushing at once to a fake org."""
    fake = FakeSalesforce()
    adapter = SalesforceAdapter.with_password(
        fake.username,
        fake.password,
        fake.security_token,
        session=fake.session(),
        sleep=_never_sleep,
    )
    clock = Clock()
    service = SyncService.open(
        f"sqlite:///{tmp_path / 'store.db'}", adapter, clock=clock, sleep=_never_sleep
    )
    Accounts(service.store.engine).add(ADMIN, ADMIN_PASSWORD, clock())
    options = WebOptions(public_url="http://127.0.0.1", link_key=LINK_KEY, instance_url=INSTANCE)
    app = create_app(service, options, clock=clock, push=service.push_due)
    url = serve_wsgi(app)
    yield Site(url, service, fake, clock)
    service.close()


def log_in(page: Any, site: Site, then: str = "/") -> None:
    page.goto(f"{site.url}/login?next={then}")
    page.get_by_label("Admin name").fill(ADMIN)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site.url}{then}")
