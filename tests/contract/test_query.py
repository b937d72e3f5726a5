"""simple-salesforce's query calls against the fake in-process: paging, queryAll, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from simple_salesforce import format_soql
from simple_salesforce.exceptions import SalesforceMalformedRequest

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.schema import MARKETO_SALES_INSIGHT


@pytest.fixture(scope="module")
def fake() -> FakeSalesforce:
    fake = FakeSalesforce()
    for i in range(4321):
        fake.org.create(
            "Contact",
            {
                "LastName": f"N{i:05d}",
                "Email": f"p{i}@example.com",
                "HasOptedOutOfEmail": i % 10 == 0,
            },
        )
    return fake


@pytest.fixture(scope="module")
def sf(fake: FakeSalesforce) -> Any:
    return fake.client()


def test_query_answers_the_first_page_with_a_root_relative_next_url(sf: Any) -> None:
    page = sf.query("SELECT Id, Email FROM Contact")
    assert (page["totalSize"], page["done"], len(page["records"])) == (4321, False, 2000)
    assert page["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")
    assert "/" not in page["nextRecordsUrl"].rsplit("/", 1)[1]


def test_query_all_iter_drains_every_page_in_id_order(sf: Any, fake: FakeSalesforce) -> None:
    ids = [r["Id"] for r in sf.query_all_iter("SELECT Id FROM Contact")]
    live = [
        rid
        for rid, row in fake.org.table("Contact").rows.items()
        if not fake.org.table("Contact").value(row, "IsDeleted")
    ]
    assert ids == live


def test_query_all_collects_records_with_total_size(sf: Any) -> None:
    result = sf.query_all("SELECT Id FROM Contact WHERE HasOptedOutOfEmail = true")
    assert (result["totalSize"], result["done"], len(result["records"])) == (433, True, 433)


def test_query_more_accepts_a_url_or_a_locator_for_query_and_query_all(sf: Any) -> None:
    page = sf.query("SELECT Id FROM Contact")
    by_url = sf.query_more(page["nextRecordsUrl"], identifier_is_url=True)
    locator = page["nextRecordsUrl"].rsplit("/", 1)[1]
    assert sf.query_more(locator)["records"] == by_url["records"]
    assert sf.query_more(locator, include_deleted=True)["records"] == by_url["records"]
    assert by_url["totalSize"] == 4321


def test_batch_size_header_is_honoured_within_salesforce_limits(sf: Any) -> None:
    page = sf.query("SELECT Id FROM Contact", headers={"Sforce-Query-Options": "batchSize=250"})
    assert len(page["records"]) == 250
    assert page["nextRecordsUrl"].endswith("-250")
    small = sf.query("SELECT Id FROM Contact", headers={"Sforce-Query-Options": "batchSize=10"})
    assert len(small["records"]) == 200


def test_urls_echo_the_client_api_version(fake: FakeSalesforce) -> None:
    client = fake.client(version="52.0")
    page = client.query("SELECT Id FROM Contact")
    assert page["nextRecordsUrl"].startswith("/services/data/v52.0/query/")
    assert page["records"][0]["attributes"]["url"].startswith("/services/data/v52.0/sobjects/")


def test_deleted_rows_appear_only_through_query_all(fake: FakeSalesforce, sf: Any) -> None:
    victim = fake.org.create("Contact", {"LastName": "Victim"})
    sf.Contact.delete(victim)
    text = format_soql("SELECT Id, IsDeleted FROM Contact WHERE Id = {}", victim)
    assert sf.query(text)["records"] == []
    deleted = sf.query_all(text, include_deleted=True)["records"]
    assert [(r["Id"], r["IsDeleted"]) for r in deleted] == [(victim, True)]


def test_count_and_count_of_id(sf: Any) -> None:
    counted = sf.query("SELECT COUNT() FROM Contact WHERE Email LIKE 'p1%'")
    assert (counted["totalSize"], counted["done"], counted["records"]) == (1111, True, [])
    aggregate = sf.query("SELECT COUNT(Id) FROM Contact WHERE HasOptedOutOfEmail = true")
    assert aggregate["records"][0]["expr0"] == 433
    assert aggregate["records"][0]["attributes"] == {"type": "AggregateResult"}


def test_is_sandbox_reads_the_organization(sf: Any) -> None:
    assert sf.is_sandbox() is False


def test_format_soql_values_are_bind_safe(fake: FakeSalesforce, sf: Any) -> None:
    tricky = "x' OR Email != null OR LastName = 'y"
    fake.org.create("Contact", {"LastName": tricky})
    result = sf.query_all(format_soql("SELECT LastName FROM Contact WHERE LastName = {}", tricky))
    assert [r["LastName"] for r in result["records"]] == [tricky]


def errors_of(call: Any) -> list[dict[str, Any]]:
    with pytest.raises(SalesforceMalformedRequest) as caught:
        call()
    content: list[dict[str, Any]] = caught.value.content
    return content


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("SELECT Id FRM Contact", "MALFORMED_QUERY"),
        ("SELECT Nope FROM Contact", "INVALID_FIELD"),
        ("SELECT Id FROM Nope", "INVALID_TYPE"),
        ("SELECT Id FROM Contact WHERE Id = 'xyz'", "INVALID_QUERY_FILTER_OPERATOR"),
        ("SELECT Id FROM Contact OFFSET 2001", "NUMBER_OUTSIDE_VALID_RANGE"),
        ("SELECT mkto_si__Marketo_Sales_Opt_Out__c FROM Contact", "INVALID_FIELD"),
    ],
)
def test_bad_queries_fail_with_salesforce_error_codes(sf: Any, text: str, code: str) -> None:
    assert errors_of(lambda: sf.query(text))[0]["errorCode"] == code


def test_package_field_is_queryable_once_installed() -> None:
    fake = FakeSalesforce(packages=(MARKETO_SALES_INSIGHT,))
    fake.org.create("Contact", {"LastName": "P"})
    page = fake.client().query("SELECT mkto_si__Marketo_Sales_Opt_Out__c FROM Contact")
    assert page["records"][0]["mkto_si__Marketo_Sales_Opt_Out__c"] is False


def test_locators_expire_after_15_idle_minutes_on_the_org_clock() -> None:
    fake = FakeSalesforce()
    for i in range(2500):
        fake.org.create("Contact", {"LastName": f"N{i}"})
    sf = fake.client()
    page = sf.query("SELECT Id FROM Contact")
    fake.org.clock.advance(timedelta(minutes=16))
    content = errors_of(lambda: sf.query_more(page["nextRecordsUrl"], identifier_is_url=True))
    assert content[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


def test_updated_and_deleted_report_the_window(fake: FakeSalesforce, sf: Any) -> None:
    start = fake.org.clock.now() - timedelta(minutes=1)
    created = fake.org.create("Contact", {"LastName": "Fresh"})
    doomed = fake.org.create("Contact", {"LastName": "Doomed"})
    fake.org.delete("Contact", doomed)
    # Changes in the current minute are not covered yet: let the minute pass.
    end = fake.org.clock.advance(timedelta(minutes=2))
    updated = sf.Contact.updated(start, end)
    assert created in updated["ids"] and doomed not in updated["ids"]
    assert updated["latestDateCovered"].endswith(":00.000+0000")
    deleted = sf.Contact.deleted(start, end)
    assert doomed in [d["id"] for d in deleted["deletedRecords"]]
    assert set(deleted) == {"deletedRecords", "earliestDateAvailable", "latestDateCovered"}


def test_naive_datetimes_are_refused_by_updated(sf: Any) -> None:
    naive = datetime.now(UTC).replace(tzinfo=None)  # simple-salesforce renders a trailing ':'
    assert errors_of(lambda: sf.Contact.updated(naive - timedelta(days=1), naive))


def test_start_after_end_is_an_invalid_replication_date(sf: Any) -> None:
    now = datetime.now(UTC)
    content = errors_of(lambda: sf.Contact.deleted(now, now - timedelta(hours=1)))
    assert content[0]["errorCode"] == "INVALID_REPLICATION_DATE"


def test_a_locator_alone_resumes_paging_under_another_version_as_jsforce_does(
    fake: FakeSalesforce, sf: Any
) -> None:
    page = sf.query("SELECT Id FROM Contact")
    locator = page["nextRecordsUrl"].split("/")[-1]  # jsforce keeps only the last segment
    session = fake.session()
    headers = {"Authorization": f"Bearer {fake.token()}"}
    url = f"{fake.instance_url}/services/data/v50.0/query/{locator}"
    answer = session.get(url, headers=headers).json()
    assert answer["records"][0]["attributes"]["url"].startswith("/services/data/v50.0/")
    assert answer["nextRecordsUrl"].startswith("/services/data/v50.0/query/")
    same = sf.query_more(locator)["records"]
    assert [r["Id"] for r in answer["records"]] == [r["Id"] for r in same]


def test_owner_name_comes_back_through_the_owner_lookup(sf: Any) -> None:
    record = sf.query("SELECT Owner.Name, CreatedBy.Name FROM Contact LIMIT 1")["records"][0]
    assert record["Owner"]["Name"] == "Integration User"
    assert record["CreatedBy"]["attributes"]["type"] == "User"
