"""jsforce works against a second org created through the control API, isolated from the first."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from fake_salesforce.control_client import ControlClient
from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.server import FakeServer

# The contract suite's Node runner, visible here as a fixture by being imported.
from tests.contract.conftest import NodeScriptError, run_node  # noqa: F401

RunNode = Callable[[str, dict[str, Any]], Any]

SCRIPT = """
const conn = new jsforce.Connection({ loginUrl: env.url, version: "59.0" });
const info = await conn.login(env.username, env.password);
const created = await conn.sobject("Contact").create(
  { LastName: "Second", Email: "s@example.com" });
const mine = await conn.query("SELECT Id, LastName FROM Contact");
let foreign = null;
try { await conn.sobject("Contact").retrieve(env.foreignId); }
catch (err) { foreign = err.errorCode; }
return { info, created, mine: mine.records.map(r => r.LastName), foreign };
"""


@pytest.fixture
def served() -> Iterator[tuple[FakeSalesforce, FakeServer]]:
    fake = FakeSalesforce(instance_url=None)
    with FakeServer(fake.app, threads=4) as server:
        yield fake, server


@pytest.mark.node
def test_jsforce_logs_in_to_a_second_org_and_sees_only_its_records(
    request: pytest.FixtureRequest, served: tuple[FakeSalesforce, FakeServer]
) -> None:
    node: RunNode = request.getfixturevalue("run_node")
    fake, server = served
    control = ControlClient(server.url)
    first_id = fake.org.create("Contact", {"LastName": "First"})
    second = control.create_org("second@example.com", password="pw2", securityToken="TK2")
    env = {
        "url": server.url,
        "username": "second@example.com",
        "password": "pw2TK2",
        "foreignId": first_id,
    }
    out = node(SCRIPT, env)
    assert out["info"]["organizationId"] == second["id"]
    assert out["mine"] == ["Second"]
    assert out["foreign"] == "NOT_FOUND"
    assert len(fake.org.tables["Contact"]) == 1  # the first org did not gain jsforce's record
    journal = control.for_org(second["id"]).journal
    assert journal.writes(out["created"]["id"]) == [
        {"LastName": "Second", "Email": "s@example.com"}
    ]


@pytest.mark.node
def test_jsforce_cannot_log_in_to_the_second_org_with_the_first_orgs_password(
    request: pytest.FixtureRequest, served: tuple[FakeSalesforce, FakeServer]
) -> None:
    node: RunNode = request.getfixturevalue("run_node")
    _, server = served
    ControlClient(server.url).create_org("second@example.com", password="pw2")
    env = {"url": server.url, "username": "second@example.com", "password": "passwordTOKEN"}
    with pytest.raises(NodeScriptError) as caught:
        node("const c = new jsforce.Connection({loginUrl: env.url});"
                 "await c.login(env.username, env.password);", env)  # fmt: skip
    assert "INVALID_LOGIN" in str(caught.value.error)
