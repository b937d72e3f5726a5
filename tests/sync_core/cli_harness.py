"""A `sync-core` command line against a fake org served over HTTP, with a temporary SQLite store.

`cli` runs `sync_core.cli.main` in-process (stdout and stderr captured) in a directory holding
a config made by `sync-core init`, pointed at the fake; every output is kept for secret greps.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.server import FakeServer
from sync_core.cli import main

PASSWORD = "Hunter2-Sekret-pw-77"
TOKEN = "TokXYZ123abcSecret"
USERNAME = "integration@corp.example"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@dataclass
class Cli:
    fake: FakeSalesforce
    url: str
    home: Path
    capsys: pytest.CaptureFixture[str]
    outputs: list[str] = field(default_factory=list)

    @property
    def config(self) -> Path:
        return self.home / "sync-core.toml"

    def __call__(self, *args: str) -> Result:
        self.capsys.readouterr()
        code = main(list(args))
        captured = self.capsys.readouterr()
        self.outputs += [captured.out, captured.err]
        return Result(code, captured.out, captured.err)

    def edit(self, **values: str) -> None:
        """Set `key = value` lines (values are TOML text) in the config file."""
        text = self.config.read_text()
        for key, value in values.items():
            text, count = re.subn(
                rf"^#? ?{key} = .*$", f"{key} = {value}", text, count=1, flags=re.M
            )
            assert count == 1, key
        self.config.write_text(text)

    def contact(self, email: str, **values: object) -> str:
        return self.fake.org.create("Contact", {"LastName": "Doe", "Email": email, **values})

    def lead(self, email: str, **values: object) -> str:
        body = {"LastName": "Poe", "Company": "Acme", "Email": email, **values}
        return self.fake.org.create("Lead", body)

    def value(self, sobject: str, record_id: str, name: str = "HasOptedOutOfEmail") -> Any:
        found = self.fake.org.get(sobject, record_id)
        assert found is not None
        return found[name]

    def people_csv(self, text: str, name: str = "people.csv") -> str:
        path = self.home / name
        path.write_text(text)
        return str(path)


@pytest.fixture(name="served")
def served_fixture() -> Iterator[tuple[FakeSalesforce, str]]:
    fake = FakeSalesforce(
        username=USERNAME,
        password=PASSWORD,
        security_token=TOKEN,
        packages=("marketo_sales_insight",),
        instance_url=None,
    )
    with FakeServer(fake.app, port=0) as server:
        yield fake, server.url


@pytest.fixture(name="cli")
def cli_fixture(
    served: tuple[FakeSalesforce, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Cli:
    fake, url = served
    monkeypatch.chdir(tmp_path)
    for name in ("SF_LOGIN_URL", "SF_DOMAIN", "SF_USERNAME", "SF_JWT_KEY_FILE", "SF_CA_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SF_PASSWORD", PASSWORD)
    monkeypatch.setenv("SF_SECURITY_TOKEN", TOKEN)
    harness = Cli(fake, url, tmp_path, capsys)
    assert harness("init").code == 0
    harness.edit(login_url=f'"{url}"', username=f'"{USERNAME}"', nightly_sync="true")
    return harness
