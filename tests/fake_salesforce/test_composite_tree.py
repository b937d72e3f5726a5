"""sObject Tree (`/composite/tree/<SObject>`): nested records with reference Ids, all or nothing."""

from __future__ import annotations

from typing import Any

import pytest

from fake_salesforce.fixture import FakeSalesforce

TREE = "/services/data/v59.0/composite/tree"


@pytest.fixture
def fake() -> FakeSalesforce:
    return FakeSalesforce()


def post(fake: FakeSalesforce, sobject: str, body: Any) -> Any:
    headers = {"Authorization": f"Bearer {fake.token()}"}
    return fake.session().post(f"{fake.instance_url}{TREE}/{sobject}", json=body, headers=headers)


def account(ref: str, name: str, *contacts: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"attributes": {"type": "Account", "referenceId": ref}, "Name": name}
    if contacts:
        out["Contacts"] = {"records": list(contacts)}
    return out


def contact(ref: str, **fields: Any) -> dict[str, Any]:
    return {"attributes": {"type": "Contact", "referenceId": ref}, **fields}


def test_a_tree_creates_parents_then_children_linked_and_lists_them_level_by_level(
    fake: FakeSalesforce,
) -> None:
    body = {
        "records": [
            account("a1", "One", contact("c1", LastName="Ann"), contact("c2", LastName="Bo")),
            account("a2", "Two", contact("c3", LastName="Cy")),
        ]
    }
    answer = post(fake, "Account", body)
    assert answer.status_code == 201
    out = answer.json()
    assert out["hasErrors"] is False
    assert [r["referenceId"] for r in out["results"]] == ["a1", "a2", "c1", "c2", "c3"]
    ids = {r["referenceId"]: r["id"] for r in out["results"]}
    assert fake.org.get("Contact", ids["c3"])["AccountId"] == ids["a2"]
    assert fake.org.get("Account", ids["a1"])["Name"] == "One"


def test_one_failing_record_creates_nothing_and_only_it_is_reported(fake: FakeSalesforce) -> None:
    body = {"records": [account("a1", "One", contact("c1", LastName="Ok"), contact("c2"))]}
    answer = post(fake, "Account", body)
    assert answer.status_code == 400
    assert answer.json() == {
        "hasErrors": True,
        "results": [
            {
                "referenceId": "c2",
                "errors": [
                    {
                        "statusCode": "REQUIRED_FIELD_MISSING",
                        "message": "Required fields are missing: [LastName]",
                        "fields": ["LastName"],
                    }
                ],
            }
        ],
    }
    assert fake.org.tables["Account"].rows == {} and fake.org.tables["Contact"].rows == {}


def test_duplicate_reference_ids_are_each_reported(fake: FakeSalesforce) -> None:
    body = {"records": [account("same", "One"), account("same", "Two")]}
    answer = post(fake, "Account", body)
    assert answer.status_code == 400
    assert [r["referenceId"] for r in answer.json()["results"]] == ["same", "same"]
    assert answer.json()["results"][0]["errors"][0]["statusCode"] == "INVALID_INPUT"
    assert fake.org.tables["Account"].rows == {}


def test_a_record_without_a_reference_id_or_of_another_type_is_invalid_input(
    fake: FakeSalesforce,
) -> None:
    missing = post(fake, "Account", {"records": [{"attributes": {"type": "Account"}, "Name": "x"}]})
    assert missing.status_code == 400 and missing.json()[0]["errorCode"] == "INVALID_INPUT"
    other = post(fake, "Account", {"records": [contact("c1", LastName="x")]})
    assert other.status_code == 400 and other.json()[0]["errorCode"] == "INVALID_INPUT"


def test_an_unknown_child_relationship_names_the_column(fake: FakeSalesforce) -> None:
    body = {"records": [{**account("a1", "One"), "Widgets": {"records": []}}]}
    answer = post(fake, "Account", body)
    assert answer.status_code == 400
    assert answer.json()[0]["message"] == "No such column 'Widgets' on sobject of type Account"


def test_more_than_200_records_is_refused(fake: FakeSalesforce) -> None:
    body = {"records": [account(f"a{k}", f"A{k}") for k in range(201)]}
    answer = post(fake, "Account", body)
    assert answer.status_code == 400 and answer.json()[0]["errorCode"] == "EXCEEDED_ID_LIMIT"
    assert fake.org.tables["Account"].rows == {}
