"""Bulk API 2.0 on the wire: job states, CSV upload and results, query paging, polling settings."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
import requests

from fake_salesforce.fixture import FakeSalesforce

JOBS = "/services/data/v59.0/jobs"


class Wire:
    """Raw HTTP calls as the Bulk 2.0 clients make them."""

    def __init__(self, fake: FakeSalesforce) -> None:
        self.fake = fake
        self.http = fake.session()
        self.auth = {"Authorization": f"Bearer {fake.token()}"}

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {**self.auth, **kwargs.pop("headers", {})}
        return self.http.request(method, self.fake.instance_url + path, headers=headers, **kwargs)

    def ingest(self, operation: str, data: str, **extra: Any) -> str:
        body = {"object": "Contact", "operation": operation, "contentType": "CSV", **extra}
        job = self.call("POST", f"{JOBS}/ingest", json=body).json()
        assert job["state"] == "Open"
        upload = self.call(
            "PUT",
            f"{JOBS}/ingest/{job['id']}/batches",
            data=data.encode(),
            headers={"Content-Type": "text/csv"},
        )
        assert (upload.status_code, upload.content) == (201, b"")
        closed = self.call("PATCH", f"{JOBS}/ingest/{job['id']}", json={"state": "UploadComplete"})
        assert closed.json()["state"] == "UploadComplete"
        return str(job["id"])

    def info(self, job_id: str, kind: str = "ingest") -> dict[str, Any]:
        answer: dict[str, Any] = self.call("GET", f"{JOBS}/{kind}/{job_id}").json()
        return answer

    def rows(self, job_id: str, kind: str) -> list[dict[str, str]]:
        text = self.call("GET", f"{JOBS}/ingest/{job_id}/{kind}").text
        return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def wire(fake: FakeSalesforce) -> Wire:
    return Wire(fake)


def test_an_insert_job_goes_from_open_to_job_complete_on_the_first_poll(wire: Wire) -> None:
    job_id = wire.ingest("insert", "LastName,Email\nAda,ada@example.com\n,nolast@example.com\n")
    info = wire.info(job_id)
    assert info["state"] == "JobComplete"
    assert (info["numberRecordsProcessed"], info["numberRecordsFailed"]) == (2, 1)
    assert info["contentUrl"] == f"services/data/v59.0/jobs/ingest/{job_id}/batches"
    assert info["jobType"] == "V2Ingest" and info["apiVersion"] == 59.0
    (good,) = wire.rows(job_id, "successfulResults")
    assert good["sf__Created"] == "true" and good["LastName"] == "Ada"
    assert wire.fake.org.get("Contact", good["sf__Id"])["Email"] == "ada@example.com"
    (bad,) = wire.rows(job_id, "failedResults")
    assert bad["sf__Id"] == ""
    assert bad["sf__Error"] == (
        "REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --"
    )
    assert wire.call("GET", f"{JOBS}/ingest/{job_id}/unprocessedrecords").text == (
        '"LastName","Email"\n'
    )


def test_na_clears_a_field_and_an_empty_value_leaves_it(wire: Wire, fake: FakeSalesforce) -> None:
    rid = fake.org.create("Contact", {"LastName": "A", "Email": "a@example.com", "Title": "T"})
    job_id = wire.ingest("update", f"Id,Email,Title,HasOptedOutOfEmail\n{rid},#N/A,,true\n")
    assert wire.info(job_id)["numberRecordsFailed"] == 0
    record = fake.org.get("Contact", rid)
    assert (record["Email"], record["Title"], record["HasOptedOutOfEmail"]) == (None, "T", True)


def test_an_update_of_a_missing_record_fails_that_row_only(
    wire: Wire, fake: FakeSalesforce
) -> None:
    rid = fake.org.create("Contact", {"LastName": "A"})
    job_id = wire.ingest("update", f"Id,Title\n{rid},ok\n003000000000000AAA,no\n")
    assert wire.info(job_id)["numberRecordsFailed"] == 1
    (bad,) = wire.rows(job_id, "failedResults")
    assert bad["sf__Error"].startswith("INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:")
    assert bad["sf__Id"] == "003000000000000AAA"
    assert fake.org.get("Contact", rid)["Title"] == "ok"


def test_upsert_on_an_external_id_and_hard_delete(wire: Wire, fake: FakeSalesforce) -> None:
    rid = fake.org.create("Contact", {"LastName": "Old", "External_Id__c": "E1"})
    job_id = wire.ingest(
        "upsert",
        "External_Id__c,LastName\nE1,New\nE2,Fresh\n",
        externalIdFieldName="External_Id__c",
    )
    assert wire.info(job_id)["state"] == "JobComplete"
    created = {r["LastName"]: r["sf__Created"] for r in wire.rows(job_id, "successfulResults")}
    assert created == {"New": "false", "Fresh": "true"}
    assert fake.org.get("Contact", rid)["LastName"] == "New"
    wire.info(wire.ingest("hardDelete", f"Id\n{rid}\n"))
    assert fake.org.get("Contact", rid) is None


def test_a_column_the_object_lacks_fails_the_whole_job(wire: Wire) -> None:
    job_id = wire.ingest("insert", "LastName,Nope__c\nA,b\n")
    info = wire.info(job_id)
    assert info["state"] == "Failed"
    assert info["errorMessage"] == "InvalidBatch : Field name not found : Nope__c"


def test_jobs_can_take_several_polls_and_org_clock_seconds(
    wire: Wire, fake: FakeSalesforce
) -> None:
    settings = fake.org.bulk.settings
    settings.polls_to_complete, settings.job_seconds = 3, 60
    job_id = wire.ingest("insert", "LastName\nSlow\n")
    states = [wire.info(job_id)["state"] for _ in range(3)]
    assert states == ["InProgress", "InProgress", "InProgress"]
    assert len(fake.org.table("Contact")) == 0
    fake.org.clock.advance(timedelta(seconds=60))
    assert wire.info(job_id)["state"] == "JobComplete"
    assert len(fake.org.table("Contact")) == 1


def test_abort_leaves_rows_unprocessed_and_delete_answers_204(
    wire: Wire, fake: FakeSalesforce
) -> None:
    fake.org.bulk.settings.polls_to_complete = 5
    job_id = wire.ingest("insert", "LastName\nA\nB\n")
    aborted = wire.call("PATCH", f"{JOBS}/ingest/{job_id}", json={"state": "Aborted"}).json()
    assert aborted["state"] == "Aborted"
    assert [r["LastName"] for r in wire.rows(job_id, "unprocessedrecords")] == ["A", "B"]
    again = wire.call("PATCH", f"{JOBS}/ingest/{job_id}", json={"state": "Aborted"})
    assert again.status_code == 400
    listed = wire.call("GET", f"{JOBS}/ingest").json()
    assert [j["id"] for j in listed["records"]] == [job_id] and listed["done"] is True
    deleted = wire.call("DELETE", f"{JOBS}/ingest/{job_id}")
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert wire.call("GET", f"{JOBS}/ingest/{job_id}").status_code == 404


def test_a_second_upload_after_close_is_refused(wire: Wire) -> None:
    job_id = wire.ingest("insert", "LastName\nA\n")
    again = wire.call("PUT", f"{JOBS}/ingest/{job_id}/batches", data=b"LastName\nB\n")
    assert again.status_code == 409 and again.json()[0]["errorCode"] == "INVALIDJOBSTATE"


def seed(fake: FakeSalesforce, count: int) -> None:
    for i in range(count):
        fake.org.create("Contact", {"LastName": f"L{i:03d}", "Email": f"p{i}@example.com"})


def test_a_query_job_answers_json_even_when_csv_is_accepted(wire: Wire) -> None:
    body = {"operation": "query", "query": "SELECT Id FROM Contact"}
    answer = wire.call("POST", f"{JOBS}/query", json=body, headers={"Accept": "text/csv"})
    assert answer.headers["Content-Type"].startswith("application/json")
    job = answer.json()
    assert (job["state"], job["object"], job["jobType"]) == ("UploadComplete", "Contact", "V2Query")


def test_query_results_page_by_max_records_with_a_null_locator_last(
    wire: Wire, fake: FakeSalesforce
) -> None:
    seed(fake, 5)
    soql = "SELECT Id, LastName, CreatedDate, HasOptedOutOfEmail FROM Contact ORDER BY LastName"
    job = wire.call("POST", f"{JOBS}/query", json={"operation": "query", "query": soql}).json()
    assert wire.info(job["id"], "query")["state"] == "JobComplete"
    pages, locator = [], ""
    while locator != "null":
        params = {"maxRecords": 2, **({"locator": locator} if locator else {})}
        page = wire.call("GET", f"{JOBS}/query/{job['id']}/results", params=params)
        pages.append(page)
        locator = page.headers["Sforce-Locator"]
    assert [p.headers["Sforce-NumberOfRecords"] for p in pages] == ["2", "2", "1"]
    lines = pages[0].text.split("\n")
    assert lines[0] == '"Id","LastName","CreatedDate","HasOptedOutOfEmail"'
    first = next(csv.reader([lines[1]]))
    assert first[1] == "L000" and first[2].endswith("Z") and first[3] == "false"
    assert lines[1].startswith('"') and "\r" not in pages[0].text


def test_query_results_before_completion_are_412_and_under_another_version_409(
    wire: Wire, fake: FakeSalesforce
) -> None:
    fake.org.bulk.settings.polls_to_complete = 2
    body = {"operation": "query", "query": "SELECT Id FROM Contact"}
    job = wire.call("POST", f"{JOBS}/query", json=body).json()
    early = wire.call("GET", f"{JOBS}/query/{job['id']}/results")
    assert early.status_code == 412 and early.json()[0]["errorCode"] == "JOB_NOT_COMPLETE"
    assert wire.info(job["id"], "query")["state"] == "InProgress"
    assert wire.info(job["id"], "query")["state"] == "JobComplete"
    other = wire.call("GET", f"/services/data/v60.0/jobs/query/{job['id']}/results")
    assert other.status_code == 409


def test_a_bad_query_is_refused_when_the_job_is_created(wire: Wire) -> None:
    body = {"operation": "query", "query": "SELECT Nope FROM Contact"}
    answer = wire.call("POST", f"{JOBS}/query", json=body)
    assert answer.status_code == 400 and answer.json()[0]["errorCode"] == "INVALID_FIELD"


def test_query_all_includes_deleted_rows(wire: Wire, fake: FakeSalesforce) -> None:
    rid = fake.org.create("Contact", {"LastName": "Gone"})
    fake.org.delete("Contact", rid)
    for operation, count in (("query", "0"), ("queryAll", "1")):
        body = {"operation": operation, "query": "SELECT Id FROM Contact"}
        job = wire.call("POST", f"{JOBS}/query", json=body).json()
        wire.info(job["id"], "query")
        page = wire.call("GET", f"{JOBS}/query/{job['id']}/results")
        assert page.headers["Sforce-NumberOfRecords"] == count


def test_an_update_job_journals_each_written_record_once_on_the_poll_that_ran_it(
    wire: Wire, fake: FakeSalesforce
) -> None:
    ids = [fake.org.create("Contact", {"LastName": f"N{n}"}) for n in range(3)]
    job_id = wire.ingest(
        "update",
        f"Id,Title,HasOptedOutOfEmail\n{ids[0]},Boss,true\n{ids[1]},,no\n"
        f"003000000000000AAA,x,\n{ids[2]},#N/A,\n",
    )
    start = fake.org.journal.last_seq()
    assert wire.info(job_id)["numberRecordsFailed"] == 1
    wire.info(job_id)  # a second poll writes nothing more
    (poll, again) = fake.org.journal.query(after_seq=start)
    assert poll.method == "GET" and poll.path.endswith(job_id)
    assert [rid for rid, _ in poll.written] == [ids[0], ids[1], ids[2]]
    assert list(poll.records) == [ids[0], ids[1], ids[2]]
    assert not again.written and not again.records
    fake.org.journal.assert_written_once(ids[0], {"Title": "Boss", "HasOptedOutOfEmail": True})
    assert fake.org.journal.writes(ids[1]) == [{"HasOptedOutOfEmail": False}]
    assert fake.org.journal.writes(ids[2]) == [{"Title": None}]
    assert fake.org.journal.counts(after_seq=start)["writes"] == 3
    assert poll.as_json()["written"][0] == {
        "id": ids[0],
        "fields": {"Title": "Boss", "HasOptedOutOfEmail": True},
    }


def test_results_keep_upload_order_when_failures_and_successes_interleave(
    wire: Wire, fake: FakeSalesforce
) -> None:
    ids = [fake.org.create("Contact", {"LastName": f"N{n}"}) for n in range(4)]
    fake.org.delete("Contact", ids[2])
    rows = [
        (ids[0], "a@example.com"),
        (ids[1], "not-an-email"),
        (ids[2], "c@example.com"),
        (ids[3][:15], "d@example.com"),
    ]
    job_id = wire.ingest("update", "Id,Email\n" + "".join(f"{r},{e}\n" for r, e in rows))
    assert wire.info(job_id)["numberRecordsFailed"] == 2
    good = wire.rows(job_id, "successfulResults")
    assert [(g["sf__Id"], g["Id"], g["sf__Created"]) for g in good] == [
        (ids[0], ids[0], "false"),
        (ids[3], ids[3][:15], "false"),
    ]
    bad = wire.rows(job_id, "failedResults")
    assert [(b["sf__Id"], b["sf__Error"].split(":")[0]) for b in bad] == [
        (ids[1], "INVALID_EMAIL_ADDRESS"),
        (ids[2], "ENTITY_IS_DELETED"),
    ]
    assert fake.org.get("Contact", ids[3])["Email"] == "d@example.com"


def test_an_upsert_matching_several_records_names_them_as_salesforce_does(
    wire: Wire, fake: FakeSalesforce
) -> None:
    first = fake.org.create("Contact", {"LastName": "A", "External_Id__c": "E1"})
    second = fake.org.create("Contact", {"LastName": "B", "External_Id__c": "E1"})
    job_id = wire.ingest(
        "upsert", "External_Id__c,Title\nE1,x\n", externalIdFieldName="External_Id__c"
    )
    assert wire.info(job_id)["numberRecordsFailed"] == 1
    (bad,) = wire.rows(job_id, "failedResults")
    low, high = sorted([first, second])
    assert bad["sf__Error"] == (
        "DUPLICATE_EXTERNAL_ID:External Id: more than one record found for external id field: "
        f"[{low}, {high}]:External_Id__c --"
    )
