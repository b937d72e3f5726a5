"""A new Developer Edition org's sample records, on request: the fixture's `sample_data=True`,
`fake-salesforce serve --sample-data`, the control API's `sampleData` and the pytest marker."""

from __future__ import annotations

from typing import Any

import pytest

from fake_salesforce import sample_data
from fake_salesforce.cli import _registry, build_parser
from fake_salesforce.fixture import FakeSalesforce

COUNTS = {"Account": 12, "Contact": 20, "Opportunity": 30, "Lead": 18}


def _counts(sf: Any) -> dict[str, int]:
    return {name: sf.query(f"SELECT COUNT() FROM {name}")["totalSize"] for name in COUNTS}


def test_an_org_is_empty_unless_asked_and_then_holds_the_sample_records() -> None:
    assert set(_counts(FakeSalesforce().client()).values()) == {0}
    sf = FakeSalesforce(sample_data=True).client()
    assert _counts(sf) == COUNTS
    assert {len(rows) for rows in (sample_data.ACCOUNTS, sample_data.CONTACTS)} == {12, 20}


def test_the_sample_records_are_related_as_in_a_developer_edition_org() -> None:
    sf = FakeSalesforce(sample_data=True).client()
    deals = sf.query_all(
        "SELECT Name, Account.Name, StageName, CloseDate FROM Opportunity "
        "ORDER BY Account.Name, CloseDate DESC"
    )["records"]
    names = [d["Account"]["Name"] for d in deals]
    assert names == sorted(names) and all(d["CloseDate"] for d in deals)
    won = [d["Name"] for d in deals if d["StageName"] == "Closed Won"]
    assert "Edge Emergency Generator" in won
    (uk,) = sf.query("SELECT Parent.Name FROM Account WHERE Name = 'United Oil & Gas, UK'")[
        "records"
    ]
    assert uk["Parent"]["Name"] == "United Oil & Gas Corp."
    rose = sf.query("SELECT Account.Name, Email FROM Contact WHERE LastName = 'Gonzalez'")
    assert rose["records"][0]["Account"]["Name"] == "Edge Communications"
    children = sf.query(
        "SELECT Name, (SELECT LastName FROM Contacts) FROM Account WHERE Name = 'GenePoint'"
    )["records"][0]
    assert [c["LastName"] for c in children["Contacts"]["records"]] == ["Frank"]


def test_sample_records_are_ordinary_records_and_a_reset_brings_them_back() -> None:
    fake = FakeSalesforce(sample_data=True)
    sf = fake.client()
    lead = sf.query("SELECT Id FROM Lead WHERE LastName = 'Boxer'")["records"][0]["Id"]
    sf.Lead.delete(lead)
    assert _counts(sf)["Lead"] == COUNTS["Lead"] - 1
    fake.control().reset()
    assert _counts(sf) == COUNTS


def test_the_control_api_and_serve_take_sample_data_and_refuse_a_non_boolean() -> None:
    fake = FakeSalesforce()
    made = fake.control().create_org("second@example.com", sampleData=True)
    assert len(fake.registry.orgs[made["id"]].tables["Account"]) == COUNTS["Account"]
    answer = fake.session().post(
        f"{fake.instance_url}/_fake/orgs",
        json={"username": "third@example.com", "sampleData": "yes"},
    )
    assert answer.status_code == 400 and "sampleData: true or false" in answer.text
    args = build_parser().parse_args(["serve", "--sample-data"])
    served = _registry(args).default_org
    assert len(served.tables["Opportunity"]) == COUNTS["Opportunity"]


@pytest.mark.fake_salesforce(sample_data=True)
def test_the_pytest_marker_asks_for_them(fake_salesforce: Any) -> None:
    assert len(fake_salesforce.org.tables["Contact"]) == COUNTS["Contact"]
