"""What every subcommand shares: the parsed arguments, the config, the service, and output.

Opening is lazy: `init` needs no config, people commands need no Salesforce login.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError

from sync_core import config as config_file
from sync_core.config import SECRETS, Config
from sync_core.ids import BadId
from sync_core.model import Person
from sync_core.ports import Clock
from sync_core.salesforce import SalesforceAdapter
from sync_core.service import SyncService

EXIT_OK = 0
EXIT_FAILED = 1  # the command ran and found a problem (not ready, errors in a run)
EXIT_USAGE = 2  # bad arguments, config, file or person
EXIT_UNAVAILABLE = 3  # the store or Salesforce cannot be reached or refused the login


class CliError(Exception):
    """A one-line error for the user, with the exit code it deserves."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    args: argparse.Namespace
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    clock: Clock = utc_now
    _config: Config | None = None
    _service: SyncService | None = None

    @property
    def json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    @property
    def config_path(self) -> Path:
        given = getattr(self.args, "config", None)
        return Path(given) if given else Path.cwd() / config_file.CONFIG_NAME

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = config_file.load(self.config_path, self.environ)
        return self._config

    def service(self, *, salesforce: bool = False, worker: str | None = None) -> SyncService:
        """The service over the configured store, with the config's pinned settings applied."""
        if self._service is None:
            self._service = self._open_store(worker)
        if salesforce and self._service.gateway is None:
            self._service.gateway = self.gateway()
        return self._service

    def _open_store(self, worker: str | None) -> SyncService:
        cfg = self.config
        try:
            service = SyncService.open(cfg.store_url, clock=self.clock, worker=worker or _worker())
        except SQLAlchemyError as exc:
            raise CliError(f"cannot open the store: {_first_line(exc)}", EXIT_UNAVAILABLE) from None
        current = service.settings()
        wanted = cfg.apply_to(current)
        if wanted != current:
            changes = {k: v for k, v in wanted.to_dict().items() if current.to_dict()[k] != v}
            service.update_settings(self.clock(), **changes)
        return service

    def gateway(self) -> SalesforceAdapter:
        from sync_core.connection import connect

        return connect(self.config.salesforce, self.environ)

    def close(self) -> None:
        if self._service is not None:
            self._service.close()

    # output -------------------------------------------------------------------------------

    def emit(self, data: Any, text: str | Callable[[], str]) -> None:
        """JSON for scripts under --json, otherwise the text; both scrubbed of secrets."""
        if self.json:
            rendered = json.dumps(data, indent=2, sort_keys=True, default=_json_default)
        else:
            rendered = text() if callable(text) else text
        if rendered:
            self.stdout.write(SECRETS.redact(rendered.rstrip("\n")) + "\n")

    def local_time(self, value: datetime) -> str:
        """A time for people: in the configured zone, to the second (--json keeps UTC ISO)."""
        zone = ZoneInfo(self.service().settings().timezone)
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z")

    def find_person(self, key: str) -> Person:
        service = self.service()
        person = None
        if key.isdigit():
            try:
                person = service.person(int(key))
            except KeyError:
                person = None
        try:
            person = person or service.find(key)
        except BadId as exc:
            raise CliError(str(exc)) from None
        if person is None:
            raise CliError(f"no person with email, Id or number {key!r}")
        return person


def _worker() -> str:
    return f"{os.uname().nodename}:{os.getpid()}"


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(str(v) for v in value)
    return str(value)


def person_dict(person: Person) -> dict[str, Any]:
    return {
        "id": person.id,
        "email": person.email,
        "contact_id": person.contact_id,
        "lead_id": person.lead_id,
        "unsubscribed": person.unsubscribed,
        "link_broken": person.link_broken,
    }
