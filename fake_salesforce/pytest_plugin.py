"""pytest fixtures for a fresh fake Salesforce org per test: in-process, served, or a live server.

Registered through the `pytest11` entry point. Importing this module imports nothing heavy: the
fake is built inside the fixtures, so every pytest run that has the plugin installed stays fast.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import requests

    from fake_salesforce.control_client import ControlClient, RemoteJournal
    from fake_salesforce.fixture import FakeSalesforce
    from fake_salesforce.journal import Journal
    from fake_salesforce.org import Org

URL_OPTION = "--fake-salesforce-url"
TOKEN_OPTION = "--fake-salesforce-control-token"
CA_OPTION = "--fake-salesforce-ca"
SCHEMA_INI = "fake_salesforce_schema"
LOGIN_DOMAIN = "fake.my"  # simple-salesforce's login host becomes fake.my.salesforce.com


@dataclass
class SalesforceOrg:
    """One fresh org for one test: how to log in, the control API, the journal, a client."""

    username: str
    password: str
    security_token: str
    control: ControlClient
    journal: Journal | RemoteJournal
    session: Callable[[], requests.Session]
    domain: str = LOGIN_DOMAIN
    org: Org | None = None  # in-process and served modes only: the org object itself
    fake: FakeSalesforce | None = None
    url: str | None = None  # the server's base URL (served and live modes)
    extras: dict[str, Any] = field(default_factory=dict)

    def client(self, **kwargs: Any) -> Any:
        """simple-salesforce logged in to this org (SOAP login, as most code does)."""
        from simple_salesforce.api import Salesforce

        return Salesforce(
            username=self.username,
            password=self.password,
            security_token=self.security_token,
            domain=self.domain,
            session=self.session(),
            version=kwargs.pop("version", "59.0"),
            **kwargs,
        )


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("fake_salesforce", "fake Salesforce org")
    group.addoption(URL_OPTION, help="run fake_salesforce tests against this running server")
    group.addoption(TOKEN_OPTION, help="the control token that server was started with")
    group.addoption(CA_OPTION, help="CA file for an https server URL")
    parser.addini(
        SCHEMA_INI,
        "schema paths (SFDX project, Metadata API package, describe JSON) every fake org "
        "loads, relative to the rootdir",
        type="paths",
        default=[],
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "fake_salesforce(server=False, packages=(), schema=(), sample_data=False, "
        "api_limit=15000, timezone=...): "
        "how the fake_salesforce fixture builds the org (server=True serves it over HTTP; "
        f"schema= paths replace the {SCHEMA_INI} ini option's)",
    )
    config.addinivalue_line(
        "markers",
        "salesforce_live(url, token=None, ca=None): run against a running fake server "
        f"(a fresh org is created on it); {URL_OPTION} does the same for every test",
    )


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker("fake_salesforce")
    options: dict[str, Any] = dict(marker.kwargs) if marker else {}
    options.setdefault("packages", ())
    if "schema" not in options:
        options["schema"] = [str(p) for p in request.config.getini(SCHEMA_INI)]
    return options


def _live(request: pytest.FixtureRequest) -> dict[str, Any] | None:
    marker = request.node.get_closest_marker("salesforce_live")
    config = request.config
    url = (marker.kwargs.get("url") if marker else None) or config.getoption(URL_OPTION)
    if marker is None and url is None:
        return None
    if not url:
        raise pytest.UsageError(f"salesforce_live needs url= or {URL_OPTION}")
    kwargs = marker.kwargs if marker else {}
    return {
        "url": url,
        "token": kwargs.get("token") or config.getoption(TOKEN_OPTION),
        "ca": kwargs.get("ca") or config.getoption(CA_OPTION),
    }


@pytest.fixture
def fake_salesforce(request: pytest.FixtureRequest) -> Iterator[SalesforceOrg]:
    """A fresh org for this test (in-process unless marked or pointed at a live server)."""
    options, live = _options(request), _live(request)
    if live is not None:
        yield from _live_org(live, options)
    elif options.pop("server", False):
        yield from _served_org(options)
    else:
        yield _in_process_org(options)


@pytest.fixture
def salesforce(fake_salesforce: SalesforceOrg) -> Any:
    """A simple-salesforce client logged in to the test's org."""
    return fake_salesforce.client()


@pytest.fixture
def salesforce_control(fake_salesforce: SalesforceOrg) -> ControlClient:
    """The control API of the test's org as Python methods (clock, faults, records...)."""
    return fake_salesforce.control


@pytest.fixture
def salesforce_journal(fake_salesforce: SalesforceOrg) -> Journal | RemoteJournal:
    """Every API request the test's org answered."""
    return fake_salesforce.journal


def _build(options: dict[str, Any], instance_url: str | None) -> FakeSalesforce:
    from fake_salesforce.fixture import FakeSalesforce

    kwargs = {k: v for k, v in options.items() if k not in ("server",)}
    return FakeSalesforce(instance_url=instance_url, **kwargs)


def _handle(fake: FakeSalesforce, session: Callable[[], requests.Session], url: str) -> Any:
    from fake_salesforce.control_client import ControlClient

    return SalesforceOrg(
        username=fake.username,
        password=fake.password,
        security_token=fake.security_token,
        control=ControlClient(url, session=session(), org=fake.org.org_id),
        journal=fake.org.journal,
        session=session,
        org=fake.org,
        fake=fake,
    )


def _in_process_org(options: dict[str, Any]) -> SalesforceOrg:
    from fake_salesforce.fixture import DEFAULT_INSTANCE

    fake = _build(options, DEFAULT_INSTANCE)
    handle: SalesforceOrg = _handle(fake, fake.session, DEFAULT_INSTANCE)
    return handle


def _served_org(options: dict[str, Any]) -> Iterator[SalesforceOrg]:
    from fake_salesforce.server import FakeServer
    from fake_salesforce.transport import rewriting_session

    fake = _build(options, None)
    with FakeServer(fake.app, threads=4) as server:
        handle: SalesforceOrg = _handle(fake, lambda: rewriting_session(server.url), server.url)
        handle.url = server.url
        yield handle


def _live_org(live: dict[str, Any], options: dict[str, Any]) -> Iterator[SalesforceOrg]:
    from fake_salesforce.control_client import ControlClient
    from fake_salesforce.transport import rewriting_session

    url: str = live["url"].rstrip("/")

    def session() -> requests.Session:
        made = rewriting_session(url)
        if live["ca"]:
            made.verify = live["ca"]
        return made

    admin = ControlClient(url, token=live["token"], session=session())
    username = f"pytest-{uuid.uuid4().hex[:12]}@fake-salesforce.test"
    names = {"api_limit": "apiLimit", "timezone": "timezone", "session_seconds": "sessionSeconds",
             "sample_data": "sampleData"}  # fmt: skip
    settings = {names[k]: v for k, v in options.items() if k in names}
    schema = [str(p) for p in options.get("schema", ())]
    made = admin.create_org(
        username, packages=list(options.get("packages", ())), schema=schema, **settings
    )
    control = admin.for_org(made["id"])
    try:
        yield SalesforceOrg(
            username=username,
            password=made["password"],
            security_token=made["securityToken"],
            control=control,
            journal=control.journal,
            session=session,
            url=url,
        )
    finally:
        admin.delete_org(made["id"])
