"""Every control operation, in-process and over a real socket, through the Python control client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from fake_salesforce.control_client import ControlClient, ControlError
from fake_salesforce.fixture import DEFAULT_INSTANCE, FakeSalesforce
from fake_salesforce.schema import MARKETO_SALES_INSIGHT, MSO_FIELD
from fake_salesforce.server import FakeServer
from fake_salesforce.transport import rewriting_session

FUTURE = datetime(2030, 3, 2, 17, 0, tzinfo=UTC)  # later than any real now


@dataclass
class Side:
    """One fake reached one way: its control client and a simple-salesforce login."""

    fake: FakeSalesforce
    control: ControlClient
    session: Callable[[], requests.Session]

    def login(self, username: str | None = None, password: str = "password") -> Any:
        return Salesforce(
            username=username or self.fake.username,
            password=password,
            security_token="TOKEN",
            domain="fake.my",
            session=self.session(),
            version="59.0",
        )


@pytest.fixture(params=["in_process", "http"])
def side(request: pytest.FixtureRequest) -> Iterator[Side]:
    if request.param == "in_process":
        fake = FakeSalesforce()
        yield Side(fake, ControlClient(DEFAULT_INSTANCE, session=fake.session()), fake.session)
        return
    fake = FakeSalesforce(instance_url=None)
    with FakeServer(fake.app, threads=4) as server:
        yield Side(fake, ControlClient(server.url), lambda: rewriting_session(server.url))


def test_orgs_are_created_listed_and_deleted(side: Side) -> None:
    made = side.control.create_org("second@example.com", packages=[MARKETO_SALES_INSIGHT])
    assert made["packages"] == [MARKETO_SALES_INSIGHT]
    assert {o["username"] for o in side.control.orgs()} == {
        "admin@example.com",
        "second@example.com",
    }
    assert side.login("second@example.com").query("SELECT Id FROM Contact")["totalSize"] == 0
    side.control.delete_org(made["id"])
    assert [o["username"] for o in side.control.orgs()] == ["admin@example.com"]


def test_a_second_org_with_a_taken_username_is_refused(side: Side) -> None:
    with pytest.raises(ControlError) as caught:
        side.control.create_org("admin@example.com")
    assert (caught.value.status, caught.value.error) == (409, "DUPLICATE_USERNAME")


def test_an_unknown_org_is_a_404_naming_it(side: Side) -> None:
    with pytest.raises(ControlError) as caught:
        side.control.for_org("nobody@example.com").now()
    assert caught.value.status == 404
    assert "nobody@example.com" in caught.value.message


def test_records_load_from_yaml_with_refs_and_generated_bulk(side: Side) -> None:
    loaded = side.control.load(
        """
salesforce:
  packages: [marketo_sales_insight]
  records:
    - {ref: a1, type: Account, Name: Acme}
    - {ref: c1, type: Contact, LastName: Doe, Email: jane@example.com, AccountId: a1}
    - {ref: l1, type: Lead, LastName: Roe, Company: Acme, HasOptedOutOfEmail: true}
  generate:
    - {type: Contact, count: 50, opted_out: 0.2, seed: 7}
"""
    )
    refs = loaded["refs"]
    contact = side.control.record("Contact", refs["c1"])
    assert contact["AccountId"] == refs["a1"]
    assert side.control.record("Lead", refs["l1"])["HasOptedOutOfEmail"] is True
    [batch] = loaded["generated"]
    assert batch["type"] == "Contact" and len(batch["ids"]) == 50
    sf = side.login()
    assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 51
    assert MSO_FIELD in {f["name"] for f in sf.Contact.describe()["fields"]}


def test_records_load_from_json_and_a_bad_record_says_which(side: Side) -> None:
    loaded = side.control.load({"records": [{"ref": "c1", "type": "Contact", "LastName": "Doe"}]})
    assert set(loaded["refs"]) == {"c1"}
    with pytest.raises(ControlError) as caught:
        side.control.load({"records": [{"type": "Contact", "Email": "x@example.com"}]})
    assert caught.value.status == 400
    assert "records[0]: REQUIRED_FIELD_MISSING" in caught.value.message


def test_reset_empties_the_org_but_keeps_its_id_login_and_clock(side: Side) -> None:
    side.control.load({"records": [{"type": "Contact", "LastName": "Doe"}]})
    side.control.install_package(MARKETO_SALES_INSIGHT)
    side.control.add_fault({"kind": "outage"})
    later = side.control.advance(seconds=3600)
    before = side.control.orgs()[0]
    side.control.reset()
    after = side.control.orgs()[0]
    assert after["id"] == before["id"] and after["packages"] == []
    assert side.control.faults() == []
    assert side.control.now() >= later
    assert side.login().query("SELECT COUNT() FROM Contact")["totalSize"] == 0


def test_export_and_import_restore_the_org_exactly(side: Side) -> None:
    loaded = side.control.load({"records": [{"ref": "c1", "type": "Contact", "LastName": "Doe"}]})
    sf = side.login()
    sf.Contact.delete(loaded["refs"]["c1"])
    saved = side.control.export()
    side.control.reset()
    side.control.import_(saved)
    restored = side.control.export()
    assert restored.pop("clock") >= saved.pop("clock")  # the clock ran on; all else is equal
    assert restored == saved
    assert side.control.record("Contact", loaded["refs"]["c1"])["IsDeleted"] is True


def test_packages_install_and_uninstall_the_opt_out_field(side: Side) -> None:
    sf = side.login()
    side.control.install_package(MARKETO_SALES_INSIGHT)
    assert MSO_FIELD in {f["name"] for f in sf.Lead.describe()["fields"]}
    side.control.uninstall_package(MARKETO_SALES_INSIGHT)
    assert MSO_FIELD not in {f["name"] for f in sf.Lead.describe()["fields"]}


def test_an_unknown_package_is_refused(side: Side) -> None:
    with pytest.raises(ControlError) as caught:
        side.control.install_package("no_such_package")
    assert caught.value.status == 400


def test_a_lead_converts_into_a_new_contact_and_account(side: Side) -> None:
    refs = side.control.load(
        {
            "records": [
                {
                    "ref": "l1",
                    "type": "Lead",
                    "LastName": "Roe",
                    "FirstName": "Ann",
                    "Company": "Acme",
                    "Email": "roe@example.com",
                    "HasOptedOutOfEmail": True,
                }
            ]
        }
    )["refs"]
    result = side.control.convert_lead(refs["l1"])
    lead = side.control.record("Lead", refs["l1"])
    assert lead["IsConverted"] is True and lead["ConvertedDate"]
    assert lead["ConvertedContactId"] == result["contactId"]
    assert lead["ConvertedAccountId"] == result["accountId"]
    contact = side.control.record("Contact", result["contactId"])
    assert (contact["FirstName"], contact["Email"]) == ("Ann", "roe@example.com")
    assert contact["HasOptedOutOfEmail"] is True
    assert contact["AccountId"] == result["accountId"]
    assert side.control.record("Account", result["accountId"])["Name"] == "Acme"
    with pytest.raises(SalesforceMalformedRequest) as caught:
        side.login().Lead.update(refs["l1"], {"Title": "CEO"})
    assert caught.value.content[0]["errorCode"] == "CANNOT_UPDATE_CONVERTED_LEAD"


def test_a_lead_merges_into_a_given_contact_filling_blanks_only(side: Side) -> None:
    side.control.install_package(MARKETO_SALES_INSIGHT)
    refs = side.control.load(
        {
            "records": [
                {"ref": "c1", "type": "Contact", "LastName": "Doe", "Email": "keep@example.com"},
                {
                    "ref": "l1",
                    "type": "Lead",
                    "LastName": "Roe",
                    "Company": "Acme",
                    "Title": "CTO",
                    "Email": "lead@example.com",
                    "HasOptedOutOfEmail": True,
                    MSO_FIELD: True,
                },
            ]
        }
    )["refs"]
    result = side.control.convert_lead(refs["l1"], contact_id=refs["c1"])
    contact = side.control.record("Contact", refs["c1"])
    assert result["contactId"] == refs["c1"]
    assert (contact["LastName"], contact["Email"], contact["Title"]) == (
        "Doe",
        "keep@example.com",
        "CTO",
    )
    assert contact["HasOptedOutOfEmail"] is True
    assert contact[MSO_FIELD] is False  # the package field carries over only when mapped


def test_the_package_field_carries_over_when_mapped(side: Side) -> None:
    side.control.install_package(MARKETO_SALES_INSIGHT)
    refs = side.control.load(
        {
            "records": [
                {"ref": "l1", "type": "Lead", "LastName": "Roe", "Company": "Acme", MSO_FIELD: True}
            ]
        }
    )["refs"]
    result = side.control.convert_lead(refs["l1"], map_package_field=True)
    assert side.control.record("Contact", result["contactId"])[MSO_FIELD] is True


def test_undelete_brings_a_record_back_from_the_recycle_bin(side: Side) -> None:
    sf = side.login()
    record_id = sf.Contact.create({"LastName": "Doe"})["id"]
    sf.Contact.delete(record_id)
    with pytest.raises(SalesforceResourceNotFound):
        sf.Contact.get(record_id)
    side.control.undelete("Contact", record_id)
    assert sf.Contact.get(record_id)["LastName"] == "Doe"
    with pytest.raises(ControlError) as caught:
        side.control.undelete("Contact", record_id)
    assert caught.value.error == "UNDELETE_FAILED"


def test_a_read_only_field_fails_writes_with_invalid_field_for_insert_update(side: Side) -> None:
    sf = side.login()
    record_id = sf.Contact.create({"LastName": "Doe"})["id"]
    side.control.set_field_read_only("Contact", "HasOptedOutOfEmail")
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Contact.update(record_id, {"HasOptedOutOfEmail": True})
    assert caught.value.content[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    side.control.set_field_read_only("Contact", "HasOptedOutOfEmail", False)
    assert sf.Contact.update(record_id, {"HasOptedOutOfEmail": True}) == 204


def test_the_clock_is_read_set_and_advanced_and_drives_system_modstamp(side: Side) -> None:
    assert side.control.set_clock(FUTURE) == FUTURE
    moved = side.control.advance(by="+2h")  # the org clock runs on in real time meanwhile
    assert FUTURE + timedelta(hours=2) <= moved < FUTURE + timedelta(hours=2, seconds=30)
    sf = side.login()
    record_id = sf.Contact.create({"LastName": "Doe"})["id"]
    stamp = sf.Contact.get(record_id)["SystemModstamp"]
    assert stamp.startswith("2030-03-02T19:00:")


def test_the_clock_never_goes_backwards_and_says_so(side: Side) -> None:
    side.control.set_clock(FUTURE)
    with pytest.raises(ControlError) as caught:
        side.control.set_clock(FUTURE - timedelta(days=1))
    assert caught.value.status == 409
    assert "never goes backwards" in caught.value.message
    with pytest.raises(ControlError) as negative:
        side.control.advance(seconds=-5)
    assert negative.value.status == 409


def test_faults_are_added_listed_removed_and_cleared(side: Side) -> None:
    first = side.control.add_fault({"kind": "error", "code": "UNABLE_TO_LOCK_ROW", "count": 2})
    side.control.add_fault({"kind": "latency", "ms": 800, "until": "+10m"})
    assert [f["kind"] for f in side.control.faults()] == ["error", "latency"]
    side.control.remove_fault(first["id"])
    assert [f["kind"] for f in side.control.faults()] == ["latency"]
    side.control.clear_faults()
    assert side.control.faults() == []
    with pytest.raises(ControlError) as caught:
        side.control.add_fault({"kind": "error"})
    assert caught.value.status == 400


def test_the_journal_is_queried_by_method_path_record_and_time(side: Side) -> None:
    sf = side.login()
    start = side.control.set_clock(FUTURE)
    record_id = sf.Contact.create({"LastName": "Doe"})["id"]
    sf.Contact.update(record_id, {"Title": "CEO"})
    sf.query("SELECT Id FROM Contact")
    journal = side.control.journal
    assert [e.method for e in journal.query(record=record_id)] == ["POST", "PATCH", "GET"]
    assert len(journal.query(method="PATCH")) == 1
    assert len(journal.query(path="*/query*")) == 1
    assert len(journal.query(since=start)) == 3
    assert journal.query(until=start - timedelta(seconds=1)) == []
    assert journal.writes(record_id) == [{"LastName": "Doe"}, {"Title": "CEO"}]
    assert journal.counts() == {"api_calls": 3, "writes": 2}
    journal.clear()
    assert journal.query() == []


def test_sessions_expire_on_demand_and_a_login_client_recovers(side: Side) -> None:
    sf = side.login()
    assert side.control.expire_sessions() >= 1
    assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 0


def test_api_usage_can_be_set_near_the_limit(side: Side) -> None:
    assert side.control.set_usage(used=9, limit=10) == {"used": 9, "limit": 10}
    sf = side.login()
    sf.query("SELECT Id FROM Contact")
    with pytest.raises(SalesforceRefusedRequest) as caught:
        sf.query("SELECT Id FROM Contact")
    assert caught.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"


def test_advancing_past_the_session_lifetime_expires_tokens_and_login_clients_recover(
    side: Side,
) -> None:
    sf = side.login()
    old_token = sf.session_id
    side.control.advance(seconds=7200 + 1)
    assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 0  # re-logged in
    assert sf.session_id != old_token
    assert side.fake.registry.resolve(old_token) is None


def test_the_daily_allocation_comes_back_when_the_clock_reaches_the_next_org_day(
    side: Side,
) -> None:
    side.control.set_clock("2030-03-02T12:00:00-08:00")
    side.control.set_usage(used=5, limit=5)
    sf = side.login()
    with pytest.raises(SalesforceRefusedRequest) as caught:
        sf.query("SELECT Id FROM Contact")
    assert caught.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    side.control.advance(by="+13h")  # past midnight in America/Los_Angeles
    assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 0
