"""Collections and composite through real clients: simple-salesforce (three transports), jsforce."""

from __future__ import annotations

from typing import Any

import pytest

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.server import FakeServer
from tests.contract.conftest import RunNode, Target

LOGIN = """
const conn = new jsforce.Connection({ loginUrl: env.url, version: "59.0" });
await conn.login(env.username, env.password);
"""


def node_env(fake: FakeSalesforce, served: FakeServer, **extra: Any) -> dict[str, Any]:
    creds = fake.org.credentials
    return {
        "url": served.url,
        "username": creds.username,
        "password": creds.password + creds.security_token,
        **extra,
    }


def test_simple_salesforce_collections_update_reports_per_record_failures(target: Target) -> None:
    sf = target.login()
    good = target.org.create("Contact", {"LastName": "Good"})
    records = [
        {"attributes": {"type": "Contact"}, "id": good, "HasOptedOutOfEmail": True},
        {"attributes": {"type": "Contact"}, "id": "003000000000000AAA", "Title": "x"},
    ]
    body = {"allOrNone": False, "records": records}
    ok, bad = sf.restful("composite/sobjects", method="PATCH", json=body)
    assert ok == {"id": good, "success": True, "errors": []}
    assert bad["success"] is False
    assert bad["errors"][0]["statusCode"] == "INVALID_CROSS_REFERENCE_KEY"
    assert target.org.get("Contact", good)["HasOptedOutOfEmail"] is True
    body["allOrNone"] = True
    records[0]["HasOptedOutOfEmail"] = False
    rolled, _ = sf.restful("composite/sobjects", method="PATCH", json=body)
    assert rolled["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert target.org.get("Contact", good)["HasOptedOutOfEmail"] is True


def test_simple_salesforce_composite_with_references(target: Target) -> None:
    sf = target.login()
    v = "/services/data/v59.0"
    body = {
        "compositeRequest": [
            {"method": "POST", "url": f"{v}/sobjects/Contact", "referenceId": "newContact",
             "body": {"LastName": "Comp"}},
            {"method": "GET", "url": f"{v}/sobjects/Contact/@{{newContact.id}}",
             "referenceId": "read"},
        ]
    }  # fmt: skip
    created, read = sf.restful("composite", method="POST", json=body)["compositeResponse"]
    assert read["body"]["Id"] == created["body"]["id"] and read["body"]["LastName"] == "Comp"


@pytest.mark.node
def test_jsforce_array_update_uses_collections_and_reports_each_record(
    run_node: RunNode, fake: FakeSalesforce, served: FakeServer
) -> None:
    good = fake.org.create("Contact", {"LastName": "Good"})
    script = LOGIN + """
    const partial = await conn.sobject("Contact").update([
      { Id: env.good, Title: "Updated" },
      { Id: env.good, Email: "not an email" },
    ]);
    const whole = await conn.sobject("Contact").update(
      [{ Id: env.good, Title: "Rolled back" }, { Id: env.good, Email: "still bad" }],
      { allOrNone: true });
    return { partial, whole };
    """  # fmt: skip
    out = run_node(script, node_env(fake, served, good=good))
    assert out["partial"][0] == {"id": good, "success": True, "errors": []}
    assert out["partial"][1]["errors"][0]["statusCode"] == "INVALID_EMAIL_ADDRESS"
    codes = [r["errors"][0]["statusCode"] for r in out["whole"]]
    assert codes == ["ALL_OR_NONE_OPERATION_ROLLED_BACK", "INVALID_EMAIL_ADDRESS"]
    assert fake.org.get("Contact", good)["Title"] == "Updated"
    calls = fake.org.journal.query(path="/services/data/v59.0/composite/sobjects")
    assert len(calls) == 2
