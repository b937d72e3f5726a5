"""jsforce 3 from npm, unmodified, logs in over plain HTTP and works with Contacts."""

from __future__ import annotations

from typing import Any

import pytest

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.server import FakeServer
from tests.contract.conftest import NodeScriptError, RunNode

SOAP_LOGIN = """
const conn = new jsforce.Connection({ loginUrl: env.url, version: "59.0" });
const info = await conn.login(env.username, env.password);
"""


def _env(fake: FakeSalesforce, served: FakeServer) -> dict[str, Any]:
    creds = fake.org.credentials
    return {
        "url": served.url,
        "username": creds.username,
        "password": creds.password + creds.security_token,
        "clientId": creds.consumer_key,
        "clientSecret": creds.consumer_secret,
    }


@pytest.mark.node
def test_jsforce_soap_login_and_contact_crud(
    run_node: RunNode, fake: FakeSalesforce, served: FakeServer
) -> None:
    script = (
        SOAP_LOGIN
        + """
    const contacts = conn.sobject("Contact");
    const created = await contacts.create({ LastName: "Node", Email: "n@example.com" });
    const read = await contacts.retrieve(created.id);
    const updated = await contacts.update({ Id: created.id, HasOptedOutOfEmail: true });
    const reread = await contacts.retrieve(created.id);
    const removed = await contacts.destroy(created.id);
    return { info, instanceUrl: conn.instanceUrl, created, read, updated, reread, removed,
             usage: conn.limitInfo.apiUsage };
    """
    )
    out = run_node(script, _env(fake, served))
    assert out["info"] == {
        "id": fake.org.user_id,
        "organizationId": fake.org.org_id,
        "url": out["info"]["url"],
    }
    assert out["instanceUrl"] == served.url
    rid = out["created"]["id"]
    assert out["created"]["success"] is True and len(rid) == 18
    assert out["read"]["LastName"] == "Node" and out["read"]["HasOptedOutOfEmail"] is False
    assert out["updated"] == {"id": rid, "success": True, "errors": []}
    assert out["reread"]["HasOptedOutOfEmail"] is True
    assert out["removed"]["success"] is True
    assert fake.org.get("Contact", rid) is None
    assert out["usage"]["limit"] == 15000 and out["usage"]["used"] >= 5


@pytest.mark.node
def test_jsforce_sees_salesforce_error_codes(
    run_node: RunNode, fake: FakeSalesforce, served: FakeServer
) -> None:
    script = SOAP_LOGIN + 'await conn.sobject("Contact").create({ FirstName: "NoLast" });'
    with pytest.raises(NodeScriptError) as failure:
        run_node(script, _env(fake, served))
    assert failure.value.error_code == "REQUIRED_FIELD_MISSING"


@pytest.mark.node
def test_jsforce_wrong_password_is_invalid_login(
    run_node: RunNode, fake: FakeSalesforce, served: FakeServer
) -> None:
    env = {**_env(fake, served), "password": "wrong"}
    with pytest.raises(NodeScriptError) as failure:
        run_node(SOAP_LOGIN, env)
    assert "INVALID_LOGIN" in str(failure.value)


@pytest.mark.node
def test_jsforce_oauth_password_grant_and_describe(
    run_node: RunNode, fake: FakeSalesforce, served: FakeServer
) -> None:
    script = """
    const conn = new jsforce.Connection({
      oauth2: { loginUrl: env.url, clientId: env.clientId, clientSecret: env.clientSecret },
      version: "50.0",
    });
    const info = await conn.login(env.username, env.password);
    const meta = await conn.describe("Lead");
    return { info, fields: meta.fields.map((f) => f.name) };
    """
    out = run_node(script, _env(fake, served))
    assert out["info"]["organizationId"] == fake.org.org_id
    assert "mkto_si__Marketo_Sales_Opt_Out__c" in out["fields"]
    assert "IsConverted" in out["fields"]


@pytest.mark.node
def test_jsforce_query_with_auto_fetch_follows_every_page(
    run_node: RunNode, fake: FakeSalesforce, served: FakeServer
) -> None:
    for i in range(4500):
        fake.org.create("Contact", {"LastName": f"Page{i:04d}", "HasOptedOutOfEmail": i % 2 == 0})
    script = (
        SOAP_LOGIN
        + """
    const soql = "SELECT Id, LastName FROM Contact WHERE HasOptedOutOfEmail = true";
    const result = await conn.query(soql, { autoFetch: true, maxFetch: 10000 });
    const names = result.records.map((r) => r.LastName);
    return { count: names.length, first: names[0], last: names[names.length - 1],
             totalSize: result.totalSize, done: result.done };
    """
    )
    before = fake.org.journal.last_seq()
    out = run_node(script, _env(fake, served))
    assert out == {
        "count": 2250,
        "first": "Page0000",
        "last": "Page4498",
        "totalSize": 2250,
        "done": True,
    }
    pages = fake.org.journal.query(path="/services/data/v59.0/query*", after_seq=before)
    assert len(pages) == 2  # the first page and one nextRecordsUrl, in the client's version
