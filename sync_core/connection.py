"""Reach an org from the config: which login host, which credentials, and the HTTP transport.

simple-salesforce only builds `https://{domain}.salesforce.com` URLs. A login URL outside
salesforce.com (a fake server, over http or TLS) is reached by a requests adapter of our own
that sends every request to that URL's origin instead (docs/salesforce-wire.md 1.5).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from sync_core.config import SECRETS, ConfigError, SalesforceConfig, read_secret
from sync_core.salesforce import SalesforceAdapter

SALESFORCE_SUFFIX = ".salesforce.com"


@dataclass(frozen=True)
class LoginTarget:
    """simple-salesforce's `domain`, and the origin every request goes to instead, if any."""

    domain: str = "login"
    origin: str | None = None

    def describe(self) -> str:
        return self.origin or f"https://{self.domain}{SALESFORCE_SUFFIX}"


def login_target(config: SalesforceConfig) -> LoginTarget:
    """The login URL (or instance URL) decides; else the domain; else production."""
    url = config.login_url or (None if config.domain else config.instance_url)
    if url is None:
        return LoginTarget(domain=_domain(config.domain or "login"))
    parts = urlsplit(url if "://" in url else f"https://{url}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"login URL {url!r} must be an http:// or https:// URL")
    host = parts.hostname.lower()
    if parts.scheme == "https" and host.endswith(SALESFORCE_SUFFIX) and parts.port is None:
        return LoginTarget(domain=host[: -len(SALESFORCE_SUFFIX)])
    return LoginTarget(origin=urlunsplit((parts.scheme, parts.netloc, "", "", "")))


def _domain(domain: str) -> str:
    domain = domain.strip().lower()
    if domain.endswith(SALESFORCE_SUFFIX):
        domain = domain[: -len(SALESFORCE_SUFFIX)]
    if not domain or "/" in domain or ":" in domain:
        raise ConfigError(f"SF_DOMAIN {domain!r} must look like login, test or acme.my")
    return domain


class OrgAdapter(HTTPAdapter):
    """Applies a default timeout and, for a non-Salesforce login URL, rewrites the origin."""

    def __init__(self, origin: str | None, timeout: float, ca_file: str | None = None) -> None:
        super().__init__()
        self.origin = origin
        self.timeout = timeout
        self.ca_file = ca_file

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        if self.origin is not None and request.url:
            parts = urlsplit(request.url)
            target = urlsplit(self.origin)
            request.url = urlunsplit(
                (target.scheme, target.netloc, parts.path, parts.query, parts.fragment)
            )
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        if self.ca_file is not None:
            # requests lets REQUESTS_CA_BUNDLE override session.verify; the config's CA wins.
            kwargs["verify"] = self.ca_file
        return super().send(request, *args, **kwargs)


def http_session(config: SalesforceConfig) -> requests.Session:
    """A session with our adapter mounted for both schemes and the private CA, if any."""
    target = login_target(config)
    ca_file = None
    if config.ca_file:
        path = Path(config.ca_file).expanduser()
        if not os.access(path, os.R_OK) or not path.is_file():
            raise ConfigError(f"cannot read the CA file {config.ca_file}")
        ca_file = str(path)
    session = requests.Session()
    adapter = OrgAdapter(target.origin, config.timeout_seconds, ca_file)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    if ca_file is not None:
        session.verify = ca_file
    return session


@dataclass(frozen=True)
class Credentials:
    """Who logs in and how; secret fields are hidden from repr."""

    method: str
    username: str
    password: str | None = field(default=None, repr=False)
    security_token: str | None = field(default=None, repr=False)
    consumer_key: str | None = None
    key_file: str | None = None

    def login(self, domain: str) -> dict[str, str]:
        """simple-salesforce's login keywords for this method (JWT bearer, or SOAP password)."""
        if self.method == "jwt":
            assert self.consumer_key is not None and self.key_file is not None
            keys = {"consumer_key": self.consumer_key, "privatekey_file": self.key_file}
        else:
            assert self.password is not None and self.security_token is not None
            keys = {"password": self.password, "security_token": self.security_token}
        return {"username": self.username, "domain": domain, **keys}


def credentials(config: SalesforceConfig, environ: Mapping[str, str] | None = None) -> Credentials:
    """JWT bearer when a key file is configured, otherwise password + security token."""
    env = os.environ if environ is None else environ
    if not config.username:
        raise ConfigError("no Salesforce username: set salesforce.username or SF_USERNAME")
    if config.jwt_key_file:
        if not config.consumer_key:
            raise ConfigError("JWT login needs the consumer key: set SF_CONSUMER_KEY")
        path = Path(config.jwt_key_file).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not a text file"
            raise ConfigError(f"cannot read the JWT key file {path}: {reason}") from None
        if "PRIVATE KEY" not in text:
            raise ConfigError(f"the JWT key file {path} holds no PEM private key")
        SECRETS.add(text.strip())
        return Credentials(
            "jwt", config.username, consumer_key=config.consumer_key, key_file=str(path)
        )
    password = read_secret(config.password_env, config.password_file, "password", env)
    token = _optional_secret(config, env)
    return Credentials("password", config.username, password=password, security_token=token)


def _optional_secret(config: SalesforceConfig, env: Mapping[str, str]) -> str:
    """The security token; empty is allowed (orgs that trust the caller's IP range need none)."""
    if config.security_token_file or env.get(config.security_token_env):
        return read_secret(
            config.security_token_env, config.security_token_file, "security token", env
        )
    return ""


def connect(
    config: SalesforceConfig, environ: Mapping[str, str] | None = None
) -> SalesforceAdapter:
    """Log in and return the gateway. Failures raise ConfigError or sync_core.errors types."""
    creds = credentials(config, environ)
    target = login_target(config)
    session = http_session(config)
    adapter = SalesforceAdapter.logging_in(
        creds.login(target.domain), version=config.api_version, session=session
    )
    SECRETS.add(getattr(adapter.sf, "session_id", None))
    return adapter
