"""Bulk API 1.0 CSV batches on the wire: several batches of one job applied in upload order,
each answering for its own rows; a batch whose header is unusable fails alone."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from fake_salesforce.fixture import FakeSalesforce

ASYNC = "/services/async/59.0/job"
NS = "http://www.force.com/2009/06/asyncapi/dataload"


def call(fake: FakeSalesforce, method: str, path: str, body: str = "", kind: str = "xml") -> Any:
    types = {"xml": "application/xml; charset=UTF-8", "csv": "text/csv; charset=UTF-8"}
    headers = {"X-SFDC-Session": fake.token(), "Content-Type": types[kind]}
    return fake.session().request(
        method, f"{fake.instance_url}{ASYNC}{path}", data=body.encode(), headers=headers
    )


def tag(text: str, name: str) -> list[str]:
    return re.findall(rf"<{name}>([^<]*)</{name}>", text)


def test_batches_apply_in_upload_order_and_each_answers_for_its_rows(
    fake: FakeSalesforce,
) -> None:
    rid = fake.org.create("Contact", {"LastName": "Before"})
    job_xml = (
        f'<jobInfo xmlns="{NS}"><operation>update</operation><object>Contact</object>'
        "<contentType>CSV</contentType></jobInfo>"
    )
    created = call(fake, "POST", "", job_xml)
    assert created.status_code == 201 and created.headers["Content-Type"] == "application/xml"
    job = tag(created.text, "id")[0]
    first = call(fake, "POST", f"/{job}/batch", f"Id,LastName\n{rid},First\n", "csv")
    second = call(
        fake, "POST", f"/{job}/batch", f"Id,LastName\n{rid},Second\n{rid[:3]}x,Bad\n", "csv"
    )
    broken = call(fake, "POST", f"/{job}/batch", "Id,Nope__c\nx,y\n", "csv")
    ids = [tag(r.text, "id")[0] for r in (first, second, broken)]
    listing = call(fake, "GET", f"/{job}/batch").text
    assert tag(listing, "state") == ["Completed", "Completed", "Failed"]
    assert tag(listing, "stateMessage") == ["InvalidBatch : Field name not found : Nope__c"]
    assert fake.org.get("Contact", rid)["LastName"] == "Second"  # the later batch wins

    def results(batch: str) -> list[dict[str, str]]:
        answer = call(fake, "GET", f"/{job}/batch/{batch}/result")
        assert answer.headers["Content-Type"] == "text/csv"
        return list(csv.DictReader(io.StringIO(answer.text)))

    assert results(ids[0]) == [{"Id": rid, "Success": "true", "Created": "false", "Error": ""}]
    good, bad = results(ids[1])
    assert good["Id"] == rid and good["Success"] == "true"
    assert bad["Success"] == "false" and bad["Error"].startswith("MALFORMED_ID")
    info = call(fake, "GET", f"/{job}").text
    assert tag(info, "numberRecordsProcessed") == ["3"] and tag(info, "numberRecordsFailed") == [
        "1"
    ]


def query_job(fake: FakeSalesforce, chunking: str) -> Any:
    body = (
        f'<jobInfo xmlns="{NS}"><operation>query</operation><object>Account</object>'
        "<contentType>CSV</contentType></jobInfo>"
    )
    headers = {
        "X-SFDC-Session": fake.token(),
        "Content-Type": "application/xml",
        "Sforce-Enable-PKChunking": chunking,
    }
    url = f"{fake.instance_url}{ASYNC}"
    return fake.session().post(url, data=body.encode(), headers=headers)


def test_pk_chunking_takes_tap_salesforces_header_and_refuses_a_bad_chunk_size(
    fake: FakeSalesforce,
) -> None:
    for k in range(3):
        fake.org.create("Account", {"Name": f"A{k}"})
    job = tag(query_job(fake, "true; chunkSize=2; parent=Account").text, "id")[0]
    call(fake, "POST", f"/{job}/batch", "SELECT Id FROM Account", "csv")
    states = tag(call(fake, "GET", f"/{job}/batch").text, "state")
    assert states == ["NotProcessed", "Completed", "Completed"]
    refused = query_job(fake, "chunkSize=250001")
    assert (
        refused.status_code == 400 and "<exceptionCode>InvalidJob</exceptionCode>" in refused.text
    )
    plain = tag(query_job(fake, "false").text, "id")[0]
    call(fake, "POST", f"/{plain}/batch", "SELECT Id FROM Account", "csv")
    assert tag(call(fake, "GET", f"/{plain}/batch").text, "state") == ["Completed"]
