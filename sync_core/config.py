"""The `sync-core.toml` file: where the store is, how to reach Salesforce, the engine's settings.

Secrets never live in the file: it names an environment variable or a file for each one, and
every secret read is registered with `Secrets` so output can be scrubbed of it.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from sync_core.model import API_VERSION, Settings

CONFIG_NAME = "sync-core.toml"
SETTING_TABLES = ("settings", "batching", "limits", "retry")
ENV_OVERRIDES = {
    "username": "SF_USERNAME",
    "domain": "SF_DOMAIN",
    "login_url": "SF_LOGIN_URL",
    "instance_url": "SF_INSTANCE_URL",
    "consumer_key": "SF_CONSUMER_KEY",
    "jwt_key_file": "SF_JWT_KEY_FILE",
    "ca_file": "SF_CA_FILE",
    "api_version": "SF_API_VERSION",
}
SALESFORCE_KEYS = frozenset(
    {
        *ENV_OVERRIDES,
        "timeout_seconds",
        "password_env",
        "password_file",
        "security_token_env",
        "security_token_file",
    }
)
SERVICE_KEYS = frozenset({"log_format", "catch_up_hours", "worker"})
WEB_KEYS = frozenset({"host", "port", "public_url", "link_secret_file", "link_days"})
LINK_SECRET_ENV = "SYNC_CORE_LINK_SECRET"
SETTING_KEYS = frozenset(f.name for f in fields(Settings))


class ConfigError(Exception):
    """The configuration cannot be used as it is; the message says which key and why."""


class Secrets:
    """Every secret value this process has read, so that any text can be scrubbed of them."""

    def __init__(self) -> None:
        self._values: set[str] = set()

    def add(self, value: str | None) -> None:
        """Remember a secret. One plain lowercase word ("password") is not scrubbed: it cannot
        be told from prose, and scrubbing it would mangle Salesforce's own error text."""
        if (
            value
            and len(value) >= 3
            and not (value.isascii() and value.isalpha() and value.islower())
        ):
            self._values.add(value)

    def redact(self, text: str) -> str:
        for value in sorted(self._values, key=len, reverse=True):
            text = text.replace(value, "***")
        return text


SECRETS = Secrets()


@dataclass(frozen=True)
class SalesforceConfig:
    """How to log in. Secret values are read lazily by `Credentials.resolve`."""

    login_url: str | None = None
    domain: str | None = None
    instance_url: str | None = None
    username: str | None = None
    timeout_seconds: float = 30.0
    consumer_key: str | None = None
    jwt_key_file: str | None = None
    ca_file: str | None = None
    api_version: str = API_VERSION
    password_env: str = "SF_PASSWORD"
    password_file: str | None = None
    security_token_env: str = "SF_SECURITY_TOKEN"
    security_token_file: str | None = None


@dataclass(frozen=True)
class ServiceConfig:
    log_format: str = "text"
    catch_up_hours: float = 2.0
    worker: str | None = None


@dataclass(frozen=True)
class WebConfig:
    """The console and unsubscribe page: where they listen, and the links' public address."""

    host: str = "127.0.0.1"
    port: int = 8325
    public_url: str = "http://127.0.0.1:8325"
    link_secret_file: str | None = None
    link_days: int = 90

    def link_secret(self, environ: Mapping[str, str]) -> str:
        """From `link_secret_file` if set, else $SYNC_CORE_LINK_SECRET (never the file)."""
        return read_secret(
            LINK_SECRET_ENV, self.link_secret_file, "unsubscribe link secret", environ
        )


@dataclass(frozen=True)
class Config:
    path: Path
    store_url: str
    salesforce: SalesforceConfig
    service: ServiceConfig
    settings: Mapping[str, Any] = field(default_factory=dict)
    web: WebConfig = field(default_factory=WebConfig)

    def apply_to(self, current: Settings) -> Settings:
        """The store's settings with every key this file pins replaced (validated)."""
        changes = dict(self.settings)
        if "sync_fields" in changes:
            changes["sync_fields"] = frozenset(changes["sync_fields"])
        try:
            return current.with_changes(**changes)
        except ValueError as exc:
            raise ConfigError(f"{self.path}: [settings] {exc}") from None


def load(path: Path, environ: Mapping[str, str] | None = None) -> Config:
    """Read and validate the file; environment variables override connection keys."""
    environ = os.environ if environ is None else environ
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"no config file at {path}; run `sync-core init` or pass --config PATH"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    _check_tables(path, raw)
    store = _table(path, raw, "store", frozenset({"url"}))
    url = str(environ.get("SYNC_CORE_STORE_URL") or store.get("url") or "sqlite:///sync-core.db")
    _register_url_password(path, url)
    return Config(
        path=path,
        store_url=_anchor_sqlite(url, path.parent),
        salesforce=_salesforce(path, raw, environ),
        service=_service(path, raw),
        settings=_settings(path, raw),
        web=_web(path, raw),
    )


def _check_tables(path: Path, raw: Mapping[str, Any]) -> None:
    known = {"store", "salesforce", "service", "web", *SETTING_TABLES}
    for name in raw:
        if name not in known:
            raise ConfigError(f"{path}: unknown table [{name}]{_suggest(name, known)}")


def _table(path: Path, raw: Mapping[str, Any], name: str, keys: frozenset[str]) -> dict[str, Any]:
    table = raw.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{name}] must be a table")
    for key in table:
        if key not in keys:
            raise ConfigError(f"{path}: unknown key {name}.{key}{_suggest(key, keys)}")
    return dict(table)


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _register_url_password(path: Path, url: str) -> None:
    """A password written into the store URL is still a secret: keep it out of every output."""
    try:
        password = make_url(url).password
    except ArgumentError:
        raise ConfigError(f"{path}: store.url is not a database URL") from None
    SECRETS.add(str(password) if password else None)


def _anchor_sqlite(url: str, base: Path) -> str:
    """A relative SQLite path is taken relative to the config file, not the working directory."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or ":memory:" in url:
        return url
    target = url[len(prefix) :]
    if not target or Path(target).is_absolute():
        return url
    return prefix + str((base / target).resolve())


def _salesforce(path: Path, raw: Mapping[str, Any], environ: Mapping[str, str]) -> SalesforceConfig:
    table = _table(path, raw, "salesforce", SALESFORCE_KEYS)
    if environ.get("SF_LOGIN_URL") or environ.get("SF_DOMAIN"):
        # Where to log in is one choice: the environment's replaces the file's entirely.
        table.pop("login_url", None)
        table.pop("domain", None)
    for key, variable in ENV_OVERRIDES.items():
        if environ.get(variable):
            table[key] = environ[variable]
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key == "timeout_seconds":
            values[key] = _number(path, f"salesforce.{key}", value, 0.001, 600.0)
        elif not isinstance(value, str):
            raise ConfigError(f"{path}: salesforce.{key} must be a string")
        elif value.strip():
            values[key] = value.strip()
    version = values.get("api_version", API_VERSION).removeprefix("v")
    if not re.fullmatch(r"\d{2,3}\.0", version):
        raise ConfigError(f"{path}: salesforce.api_version must look like 59.0, got {version!r}")
    values["api_version"] = version
    return SalesforceConfig(**values)


def _number(path: Path, key: str, value: object, low: float, high: float) -> float:
    """A finite number in [low, high] (TOML also allows nan and inf)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{path}: {key} must be a number")
    if not math.isfinite(value) or not low <= value <= high:
        raise ConfigError(f"{path}: {key} must be between {low:g} and {high:g}, got {value!r}")
    return float(value)


def _service(path: Path, raw: Mapping[str, Any]) -> ServiceConfig:
    table = _table(path, raw, "service", SERVICE_KEYS)
    log_format = table.get("log_format", "text")
    if log_format not in ("text", "json"):
        raise ConfigError(f'{path}: service.log_format must be "text" or "json"')
    hours = _number(path, "service.catch_up_hours", table.get("catch_up_hours", 2.0), 0.0, 168.0)
    worker = table.get("worker")
    return ServiceConfig(str(log_format), hours, str(worker) if worker else None)


def _web(path: Path, raw: Mapping[str, Any]) -> WebConfig:
    table = _table(path, raw, "web", WEB_KEYS)
    for key in ("port", "link_days"):
        if key in table and (isinstance(table[key], bool) or not isinstance(table[key], int)):
            raise ConfigError(f"{path}: web.{key} must be a whole number")
    for key in ("host", "public_url", "link_secret_file"):
        if key in table and not isinstance(table[key], str):
            raise ConfigError(f"{path}: web.{key} must be a string")
    url = str(table.get("public_url", WebConfig.public_url))
    if not re.match(r"https?://[^/\s]+", url):
        raise ConfigError(f"{path}: web.public_url must be an http(s) URL, got {url!r}")
    if not 1 <= int(table.get("port", 8325)) <= 65535 or int(table.get("link_days", 90)) < 1:
        raise ConfigError(f"{path}: web.port must be 1..65535 and web.link_days at least 1")
    return WebConfig(**table)


def _settings(path: Path, raw: Mapping[str, Any]) -> dict[str, Any]:
    pinned: dict[str, Any] = {}
    for name in SETTING_TABLES:
        for key, value in _table(path, raw, name, SETTING_KEYS).items():
            pinned[key] = value
    try:
        Settings().with_changes(
            **{k: frozenset(v) if k == "sync_fields" else v for k, v in pinned.items()}
        )
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return pinned


def read_secret(
    env_name: str | None, file_name: str | None, what: str, env: Mapping[str, str]
) -> str:
    """A secret from its file (if configured) or environment variable; registered for redaction."""
    if file_name:
        try:
            value = Path(file_name).expanduser().read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"cannot read the {what} file {file_name}: {exc.strerror}") from None
    elif env_name and env.get(env_name):
        value = env[env_name]
    else:
        where = f"environment variable {env_name}" if env_name else "a file"
        raise ConfigError(f"no {what}: set {where} (never put it in the config file)")
    SECRETS.add(value)
    return value


TEMPLATE = """\
# sync-core configuration (TOML). Every sync-core command reads ./sync-core.toml,
# or the file given with --config PATH. Secrets never go in this file: name an
# environment variable (*_env) or a file (*_file) for each one instead.

[store]
# SQLAlchemy URL of the engine's database. A relative SQLite path is taken
# relative to this file. For several `sync-core run` processes use PostgreSQL:
#   url = "postgresql+psycopg://sync@db.example.com/sync"
# (its password from ~/.pgpass or PGPASSWORD, not from this file)
url = "sqlite:///sync-core.db"

[salesforce]
# Where to log in (SF_LOGIN_URL overrides): https://login.salesforce.com for
# production, https://test.salesforce.com for a sandbox, your My Domain
# (https://acme.my.salesforce.com), or a fake server (http://127.0.0.1:8080).
login_url = "https://login.salesforce.com"
# SF_DOMAIN ("login", "test", "acme.my") may be given instead of a login URL.
# instance_url = "https://acme.my.salesforce.com"   # SF_INSTANCE_URL
# The integration user (SF_USERNAME overrides).
username = ""
timeout_seconds = 30
# Password login: the password and the security token are read from these
# environment variables, or from the files named by *_file (one line each).
password_env = "SF_PASSWORD"
# password_file = "/run/secrets/sf_password"
security_token_env = "SF_SECURITY_TOKEN"
# security_token_file = "/run/secrets/sf_security_token"
# OAuth 2.0 JWT bearer login instead of a password (SF_CONSUMER_KEY,
# SF_JWT_KEY_FILE): the connected app's consumer key and the private key file.
# consumer_key = ""
# jwt_key_file = "/etc/sync-core/jwt-private-key.pem"
# A private certificate authority, e.g. the one `fake-salesforce serve --tls`
# prints (SF_CA_FILE overrides).
# ca_file = "/path/to/ca.pem"
# The REST API version to speak (SF_API_VERSION overrides); 59.0 unless set.
# api_version = "59.0"

[settings]
# Settings > Admin Settings > Unsubscribes > Integrations (docs/behaviour.md 2).
# A key set here is pinned: every command applies it to the store, and
# `sync-core settings set` rewrites it here. Comment a key out to manage it
# with `sync-core settings set` only.
nightly_sync = false
# "email_opt_out" (HasOptedOutOfEmail) and/or "marketo_sales_opt_out"
sync_fields = ["email_opt_out"]
nightly_at = "20:00"
timezone = "America/Los_Angeles"
package_field = "mkto_si__Marketo_Sales_Opt_Out__c"

[batching]
# Records per sObject Collections request (Salesforce allows at most 200).
collection_size = 200
# Above these many records, read or write through Bulk API 2.0 instead.
bulk_read_threshold = 10000
bulk_write_threshold = 2000
# How long a fresh unsubscribe may wait to be grouped with others (seconds).
push_window_seconds = 1.0

[limits]
# Share of the org's daily API allocation left for other integrations: the
# nightly run stops before using it.
api_headroom = 0.10

[retry]
backoff_base_seconds = 2.0
backoff_cap_seconds = 900.0
# A push parked on a permanent error (read-only field, validation rule, locked record) is
# tried again this often, whether the nightly sync is on or off, and at once when the
# settings change, the person is relinked, the record is undeleted or an admin asks.
parked_retry_seconds = 3600.0

[web]
# The admin console and the unsubscribe page (`sync-core web`, and `sync-core run`).
# Bound to 127.0.0.1; another address (--host) requires a login for every page.
host = "127.0.0.1"
port = 8325
# The address recipients reach the unsubscribe page at (links are minted with it).
public_url = "http://127.0.0.1:8325"
# The links' signing secret: from $SYNC_CORE_LINK_SECRET, or from this file.
# link_secret_file = "/run/secrets/sync_core_link_secret"
# Days an unsubscribe link stays valid.
link_days = 90

[service]
# `sync-core run`: "text" or "json" log lines (--log-format overrides).
log_format = "text"
# A nightly run missed while the service was down runs on start within this window.
catch_up_hours = 2
"""


def write_template(path: Path, *, force: bool = False) -> None:
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists; pass --force to overwrite it")
    try:
        path.write_text(TEMPLATE, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror}") from None


def toml_value(value: object) -> str:
    """A scalar or list of strings as TOML text (all a setting can be)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple | set | frozenset):
        return "[" + ", ".join(toml_value(v) for v in sorted(value, key=str)) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def pin_setting(path: Path, key: str, value: object) -> bool:
    """Rewrite `key = ...` in the file's setting tables if it is pinned there; True if so."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    table = None
    for number, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            table = stripped.strip("[]").strip()
            continue
        name = stripped.split("=", 1)[0].strip()
        if table in SETTING_TABLES and "=" in stripped and name == key:
            lines[number] = f"{key} = {toml_value(value)}\n"
            path.write_text("".join(lines), encoding="utf-8")
            return True
    return False
