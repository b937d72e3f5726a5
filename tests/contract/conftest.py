"""Real clients against the fake: in-process, over plain HTTP and over HTTPS, and jsforce via Node.

Fixtures other contract tests use:
- `target`: one fake org reached three ways (params `in_process`, `http`, `https`); a `Target`
  gives `.fake`, `.org`, `.session()`, `.base_url`, `.login()` (SOAP), `.direct()`, `.raw(...)`.
- `make_target(mode, **fake_kwargs)`: the same for a fake built with other settings (packages...).
- `served`: a `FakeServer` over plain HTTP for the default fake (jsforce uses its `.url`).
- `run_node(script_text, env)`: runs an async JS snippet with `jsforce` and `env` in scope and
  returns what it returns; a thrown error becomes `NodeScriptError` with jsforce's fields.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce

from fake_salesforce.fixture import API_VERSION, FakeSalesforce
from fake_salesforce.org import Org
from fake_salesforce.schema import MARKETO_SALES_INSIGHT
from fake_salesforce.server import FakeServer, TlsFiles, make_certificate
from fake_salesforce.transport import rewriting_session

MODES = ("in_process", "http", "https")
RunNode = Callable[[str, dict[str, Any]], Any]  # the `run_node` fixture
# A jsforce connection to the served fake (`env.url`, `env.token`), Bulk polls kept short.
JSFORCE_CONNECT = """
const conn = new jsforce.Connection({ instanceUrl: env.url, accessToken: env.token,
                                      version: "59.0" });
conn.bulk.pollInterval = 20;
conn.bulk2.pollInterval = 20;
"""
NODE_DIR = Path(__file__).parent / "node"


@dataclass
class Target:
    """One fake reached through one transport, with the arguments simple-salesforce needs."""

    mode: str
    fake: FakeSalesforce
    base_url: str
    domain: str
    session: Callable[[], requests.Session]

    @property
    def org(self) -> Org:
        return self.fake.org

    def login(self, **kwargs: Any) -> Salesforce:
        """simple-salesforce logged in with username, password and security token (SOAP)."""
        creds = self.org.credentials
        return Salesforce(
            username=kwargs.pop("username", creds.username),
            password=kwargs.pop("password", creds.password),
            security_token=kwargs.pop("security_token", creds.security_token),
            domain=self.domain,
            session=self.session(),
            version=API_VERSION,
            **kwargs,
        )

    def direct(self, token: str | None = None) -> Salesforce:
        """simple-salesforce given an access token and instance URL, no login call."""
        return Salesforce(
            instance_url=self.base_url,
            session_id=token if token is not None else self.fake.token(),
            session=self.session(),
            version=API_VERSION,
        )

    def raw(
        self, method: str, path: str, token: str | None = "", **kwargs: Any
    ) -> requests.Response:
        """One HTTP call as a client would send it; `token=None` sends no Authorization."""
        headers = dict(kwargs.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {token or self.fake.token()}"
        return self.session().request(method, self.base_url + path, headers=headers, **kwargs)


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_certificate(tmp_path_factory.mktemp("tls"))


def _connect(stack: ExitStack, mode: str, fake: FakeSalesforce, tls: TlsFiles) -> Target:
    if mode == "in_process":
        assert fake.instance_url is not None
        return Target(mode, fake, fake.instance_url, "fake.my", fake.session)
    server = stack.enter_context(FakeServer(fake.app, tls=tls if mode == "https" else None))
    if mode == "http":
        return Target(mode, fake, server.url, "fake.my", lambda: rewriting_session(server.url))

    def verified() -> requests.Session:
        session = requests.Session()
        session.verify = str(tls.ca_file)
        session.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise override `verify`
        return session

    # simple-salesforce's login URL is https://{domain}.salesforce.com/...: this domain turns it
    # into https://127.0.0.1:PORT/sf.salesforce.com/... (docs/salesforce-wire.md 1.5, way 3).
    return Target(mode, fake, server.url, f"127.0.0.1:{server.port}/sf", verified)


@pytest.fixture
def make_target(tls_files: TlsFiles) -> Iterator[Callable[..., Target]]:
    with ExitStack() as stack:

        def make(mode: str, **fake_kwargs: Any) -> Target:
            if mode != "in_process":
                fake_kwargs.setdefault("instance_url", None)  # answer with the served URL
            return _connect(stack, mode, FakeSalesforce(**fake_kwargs), tls_files)

        yield make


@pytest.fixture(params=MODES)
def target(request: pytest.FixtureRequest, make_target: Callable[..., Target]) -> Target:
    return make_target(request.param, packages=(MARKETO_SALES_INSIGHT,))


@pytest.fixture
def fake() -> FakeSalesforce:
    return FakeSalesforce(packages=(MARKETO_SALES_INSIGHT,), instance_url=None)


@pytest.fixture
def served(fake: FakeSalesforce) -> Iterator[FakeServer]:
    with FakeServer(fake.app, threads=4) as server:
        yield server


class NodeScriptError(Exception):
    """A JS snippet threw; `.error` holds name, errorCode, message and data."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(f"{error.get('name')}: {error.get('message')}")
        self.error = error
        self.error_code = error.get("errorCode")


def _node_missing_reason() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not (NODE_DIR / "node_modules" / "jsforce").is_dir():
        return "jsforce is not installed: run `make node-deps`"
    return None


@pytest.fixture
def run_node() -> Callable[[str, dict[str, Any]], Any]:
    reason = _node_missing_reason()
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)

    def run(script_text: str, env: dict[str, Any]) -> Any:
        completed = subprocess.run(
            ["node", str(NODE_DIR / "run.js")],
            input=script_text,
            capture_output=True,
            text=True,
            timeout=60,
            cwd=NODE_DIR,
            env={**os.environ, "FAKE_SF_ENV": json.dumps(env), "NODE_NO_WARNINGS": "1"},
            check=False,
        )
        if completed.returncode != 0 or not completed.stdout:
            raise AssertionError(f"node failed ({completed.returncode}): {completed.stderr}")
        outcome = json.loads(completed.stdout)
        if not outcome["ok"]:
            raise NodeScriptError(outcome["error"])
        return outcome["result"]

    return run
