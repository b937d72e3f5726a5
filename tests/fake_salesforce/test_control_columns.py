"""Reading many records at once, and the public client's in-process and served forms."""

from __future__ import annotations

from typing import Any

from simple_salesforce.api import Salesforce

from fake_salesforce.control_client import ControlClient
from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.server import FakeServer

MSO = "mkto_si__Marketo_Sales_Opt_Out__c"


def test_columns_gives_the_asked_fields_of_every_live_record_by_id(fake: FakeSalesforce) -> None:
    control = fake.control()
    keep = fake.org.create("Contact", {"LastName": "Doe", "Email": "d@example.com"})
    gone = fake.org.create("Contact", {"LastName": "Roe", "HasOptedOutOfEmail": True})
    fake.org.delete("Contact", gone)
    rows = control.columns("Contact", ["Email", "HasOptedOutOfEmail"])
    assert rows == {keep: {"Email": "d@example.com", "HasOptedOutOfEmail": False}}


def test_columns_leaves_out_a_field_whose_package_is_not_installed(fake: FakeSalesforce) -> None:
    control = fake.control()
    record = fake.org.create("Lead", {"LastName": "Doe", "Company": "Acme"})
    assert control.columns("Lead", ["HasOptedOutOfEmail", MSO]) == {
        record: {"HasOptedOutOfEmail": False}
    }
    control.install_package("marketo_sales_insight")
    assert control.columns("Lead", [MSO]) == {record: {MSO: False}}


def test_columns_of_an_unknown_object_is_not_found(fake: FakeSalesforce) -> None:
    data = fake.session().get(f"{fake.instance_url}/_fake/records/Nope?fields=Name")
    assert data.status_code == 404


def test_the_in_process_control_client_addresses_the_org_it_was_given() -> None:
    fake = FakeSalesforce()
    other = fake.add_org(username="other@example.com")
    fake.control(other).load({"records": [{"ref": "c", "type": "Contact", "LastName": "X"}]})
    assert len(other.table("Contact").rows) == 1
    assert not fake.org.table("Contact").rows


def _login(control: ControlClient, org: dict[str, Any]) -> Any:
    return Salesforce(
        username=org["username"], password=org["password"], security_token=org["securityToken"],
        session=control.api_session(), version="59.0",
    )  # fmt: skip


def test_api_session_reaches_the_salesforce_api_in_process_and_served() -> None:
    fake = FakeSalesforce()
    with FakeServer(fake.app) as server:
        for control in (fake.control(), ControlClient(server.url)):
            org = control.create_org(f"u{id(control)}@example.com")
            created = _login(control, org).Contact.create({"LastName": "Doe"})
            assert control.for_org(org["id"]).record("Contact", created["id"])["LastName"] == "Doe"
