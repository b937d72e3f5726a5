"""A fake Salesforce in one object: an app, its default org, and clients wired to it in-process.

fake = FakeSalesforce(packages=("marketo_sales_insight",), schema=["force-app"])
sf = fake.client()                     # simple-salesforce, logged in through SOAP
contact_id = fake.org.create("Contact", {"LastName": "Doe"})
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import requests
from flask import Flask

from fake_salesforce.app import create_app
from fake_salesforce.control_client import ControlClient
from fake_salesforce.org import Credentials, Org, OrgSettings
from fake_salesforce.registry import Registry
from fake_salesforce.transport import in_process_session

DEFAULT_INSTANCE = "https://fake.my.salesforce.com"
API_VERSION = "59.0"


class FakeSalesforce:
    """One server with one org (more with `add_org`), reachable in-process by `session()`."""

    def __init__(
        self,
        *,
        username: str = "admin@example.com",
        password: str = "password",
        security_token: str = "TOKEN",
        packages: Iterable[str] = (),
        api_limit: int = 15000,
        timezone: str = "America/Los_Angeles",
        session_seconds: int = 7200,
        instance_url: str | None = DEFAULT_INSTANCE,
        control_token: str | None = None,
        schema: Iterable[str | os.PathLike[str]] = (),
        sample_data: bool = False,
    ) -> None:
        self.registry = Registry()
        self.org = self.add_org(
            schema=schema,
            sample_data=sample_data,
            username=username,
            password=password,
            security_token=security_token,
            packages=packages,
            api_limit=api_limit,
            timezone=timezone,
            session_seconds=session_seconds,
        )
        self.instance_url = instance_url
        self.app: Flask = create_app(
            self.registry, instance_url=instance_url, control_token=control_token
        )

    def add_org(
        self,
        *,
        username: str,
        password: str = "password",
        security_token: str = "TOKEN",
        packages: Iterable[str] = (),
        api_limit: int = 15000,
        timezone: str = "America/Los_Angeles",
        session_seconds: int = 7200,
        name: str = "Fake Org",
        schema: Iterable[str | os.PathLike[str]] = (),
        sample_data: bool = False,
    ) -> Org:
        """Another isolated org; `schema` loads SFDX, Metadata API or describe JSON paths;
        `sample_data` gives it a new Developer Edition org's sample records."""
        settings = OrgSettings(
            name=name,
            timezone=timezone,
            api_limit=api_limit,
            session_seconds=session_seconds,
            packages=frozenset(packages),
            schema=tuple(os.fspath(p) for p in schema),
            sample_data=sample_data,
        )
        credentials = Credentials(
            username=username,
            password=password,
            security_token=security_token,
            consumer_key=f"consumer-{username}",
            consumer_secret=f"secret-{username}",
        )
        return self.registry.add_org(settings, credentials)

    @property
    def username(self) -> str:
        return self.org.credentials.username

    @property
    def password(self) -> str:
        return self.org.credentials.password

    @property
    def security_token(self) -> str:
        return self.org.credentials.security_token

    def session(self) -> requests.Session:
        """A requests session answered by this fake without a socket."""
        return in_process_session(self.app)

    def control(self, org: Org | None = None) -> ControlClient:
        """The control API of this fake in process (`org`: another org than the default)."""
        return ControlClient(
            self.instance_url or DEFAULT_INSTANCE, token=self.app.config.get("CONTROL_TOKEN"),
            session=self.session(),
            org=None if org is None else org.org_id, api_session=self.session,
        )  # fmt: skip

    def client(self, org: Org | None = None, version: str = API_VERSION, **kwargs: Any) -> Any:
        """A simple-salesforce client logged in to `org` (the default org) through SOAP."""
        from simple_salesforce.api import Salesforce

        org = org or self.org
        creds = org.credentials
        return Salesforce(
            username=creds.username,
            password=creds.password,
            security_token=creds.security_token,
            session=self.session(),
            version=version,
            **kwargs,
        )

    def token(self, org: Org | None = None) -> str:
        """A fresh access token for `org`, for clients given a session id directly."""
        return self.registry.issue(org or self.org).token
