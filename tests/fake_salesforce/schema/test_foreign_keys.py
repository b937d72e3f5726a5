"""A parent named by its external Id instead of its record Id, in every way a write can name
one: a REST or composite body (`"Fans"`-side lookup `Favourite_Widget__r: {Code__c: ...}`), a
Bulk CSV column `Favourite_Widget__r.Code__c`, a Bulk 1.0 XML element nested under the
relationship name."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceOperationError

from fake_salesforce.fixture import FakeSalesforce

ASYNC = "/services/async/59.0/job"
NS = "http://www.force.com/2009/06/asyncapi/dataload"


@pytest.fixture
def widgets(sf: Any) -> dict[str, str]:
    return {code: sf.Widget__c.create({"Name": code, "Size__c": "S", "Code__c": code})["id"]
            for code in ("W-1", "W-2")}  # fmt: skip


def _error(raised: pytest.ExceptionInfo[SalesforceMalformedRequest]) -> dict[str, Any]:
    content: list[dict[str, Any]] = raised.value.content  # type: ignore[assignment]
    return content[0]


def test_a_rest_body_names_the_parent_by_external_id_on_create_and_update(
    sf: Any, widgets: dict[str, str]
) -> None:
    made = sf.Contact.create({"LastName": "Fan", "Favourite_Widget__r": {"Code__c": "W-1"}})
    assert sf.Contact.get(made["id"])["Favourite_Widget__c"] == widgets["W-1"]
    sf.Contact.update(made["id"], {"favourite_widget__r": {"Code__c": "W-2"}})
    assert sf.Contact.get(made["id"])["Favourite_Widget__c"] == widgets["W-2"]
    sf.Contact.update(made["id"], {"Favourite_Widget__r": {"Code__c": None}})
    assert sf.Contact.get(made["id"])["Favourite_Widget__c"] is None


@pytest.mark.parametrize(
    ("reference", "code", "message"),
    [
        ({"Code__c": "W-9"}, "INVALID_FIELD",
         "Foreign key external ID: W-9 not found for field Code__c in entity Widget__c"),
        ({"Name": "W-1"}, "INVALID_FIELD",
         "Field name provided, Name is not an External ID or indexed field for Widget__c"),
        ({"Code__c": "W-1", "Serial__c": "1"}, "INVALID_FIELD",
         "More than 1 field provided in an external foreign key reference in entity: Widget__c"),
    ],
)  # fmt: skip
def test_a_parent_that_cannot_be_found_that_way_is_salesforces_error(
    sf: Any, widgets: dict[str, str], reference: dict[str, str], code: str, message: str
) -> None:
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.Contact.create({"LastName": "Fan", "Favourite_Widget__r": reference})
    assert (_error(raised)["errorCode"], _error(raised)["message"]) == (code, message)
    assert sf.query("SELECT Id FROM Contact")["totalSize"] == 0


def test_a_deleted_parent_is_not_found_by_its_external_id(sf: Any, widgets: dict[str, str]) -> None:
    sf.Widget__c.delete(widgets["W-1"])
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.Contact.create({"LastName": "Fan", "Favourite_Widget__r": {"Code__c": "W-1"}})
    assert "not found for field Code__c" in _error(raised)["message"]


def test_a_composite_collection_resolves_each_record_and_fails_only_the_unknown(
    sf: Any, widgets: dict[str, str]
) -> None:
    records = [
        {"attributes": {"type": "Contact"}, "LastName": "A", "Favourite_Widget__r": {"Code__c": c}}
        for c in ("W-2", "W-404")
    ]
    answer = sf.restful("composite/sobjects", method="POST",
                        json={"allOrNone": False, "records": records})  # fmt: skip
    assert answer[0]["success"] is True
    assert answer[1]["success"] is False
    assert answer[1]["errors"][0]["statusCode"] == "INVALID_FIELD"
    found = sf.query("SELECT Favourite_Widget__c FROM Contact")["records"]
    assert [r["Favourite_Widget__c"] for r in found] == [widgets["W-2"]]


def test_a_bulk_2_csv_column_names_the_parent_by_external_id(
    fake: FakeSalesforce, sf: Any, widgets: dict[str, str]
) -> None:
    column = "Favourite_Widget__r.Code__c"
    data = [
        {"LastName": n, column: c} for n, c in (("One", "W-1"), ("Two", "W-404"), ("Three", ""))
    ]
    (result,) = sf.bulk2.Contact.insert(records=data)
    assert result["numberRecordsProcessed"] == 3 and result["numberRecordsFailed"] == 1
    failed = sf.bulk2.Contact.get_failed_records(result["job_id"])
    (row,) = list(csv.DictReader(io.StringIO(failed)))
    assert row["sf__Error"].startswith("INVALID_FIELD:Foreign key external ID: W-404 not found")
    assert row["Favourite_Widget__r.Code__c"] == "W-404"
    rows = sf.query("SELECT LastName, Favourite_Widget__c FROM Contact ORDER BY LastName")
    assert [(r["LastName"], r["Favourite_Widget__c"]) for r in rows["records"]] == [
        ("One", widgets["W-1"]),
        ("Three", None),
    ]


def test_an_unknown_relationship_column_fails_the_job_as_an_unknown_field(sf: Any) -> None:
    data = [{"LastName": "One", "Favourite_Gadget__r.Code__c": "W-1"}]
    with pytest.raises(SalesforceOperationError) as raised:
        sf.bulk2.Contact.insert(records=data)
    assert "InvalidBatch : Field name not found : Favourite_Gadget__r.Code__c" in str(raised.value)


def _async(fake: FakeSalesforce, method: str, path: str, body: str) -> Any:
    headers = {"X-SFDC-Session": fake.token(), "Content-Type": "application/xml; charset=UTF-8"}
    return fake.session().request(
        method, f"{fake.instance_url}{ASYNC}{path}", data=body.encode(), headers=headers
    )


def test_a_bulk_1_xml_record_nests_the_parents_external_id_under_the_relationship(
    fake: FakeSalesforce, sf: Any, widgets: dict[str, str]
) -> None:
    job = _async(fake, "POST", "", f'<jobInfo xmlns="{NS}"><operation>insert</operation>'
                 "<object>Contact</object><contentType>XML</contentType></jobInfo>")  # fmt: skip
    (job_id,) = re.findall(r"<id>(\w+)</id>", job.text)
    batch = (
        f'<sObjects xmlns="{NS}"><sObject><LastName>Nested</LastName>'
        "<Favourite_Widget__r><Code__c>W-2</Code__c></Favourite_Widget__r></sObject></sObjects>"
    )
    added = _async(fake, "POST", f"/{job_id}/batch", batch)
    (batch_id,) = re.findall(r"<id>(\w+)</id>", added.text)
    results = _async(fake, "GET", f"/{job_id}/batch/{batch_id}/result", "").text
    assert "<success>true</success>" in results, results
    (row,) = sf.query("SELECT Favourite_Widget__c FROM Contact")["records"]
    assert row["Favourite_Widget__c"] == widgets["W-2"]
