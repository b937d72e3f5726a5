"""Deleting an Account takes its contacts and opportunities to the recycle bin and undeleting
it brings them back; a parent account's delete clears ParentId on its child accounts, and its
undelete restores it. Every way in (REST, composite, Bulk 1.0 and 2.0, hardDelete) agrees."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceResourceNotFound

from fake_salesforce.errors import ApiError
from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.snapshot import export_org, import_into


def _account_with_children(sf: Any, name: str = "Acme") -> tuple[str, list[str], str]:
    account = sf.Account.create({"Name": name})["id"]
    contacts = [
        sf.Contact.create({"LastName": f"C{n}", "AccountId": account})["id"] for n in range(2)
    ]
    opportunity = sf.Opportunity.create(
        {
            "Name": "Deal",
            "StageName": "Prospecting",
            "CloseDate": "2026-12-31",
            "AccountId": account,
        }
    )["id"]
    return account, contacts, opportunity


def _live(sf: Any, sobject: str) -> list[str]:
    return sorted(r["Id"] for r in sf.query_all(f"SELECT Id FROM {sobject}")["records"])


def _binned(sf: Any, sobject: str) -> list[str]:
    soql = f"SELECT Id FROM {sobject} WHERE IsDeleted = true"
    return sorted(r["Id"] for r in sf.query_all(soql, include_deleted=True)["records"])


def test_deleting_an_account_deletes_its_contacts_and_opportunities(sf: Any) -> None:
    account, contacts, opportunity = _account_with_children(sf)
    other = sf.Contact.create(
        {"LastName": "Elsewhere", "AccountId": sf.Account.create({"Name": "Other"})["id"]}
    )["id"]
    loner = sf.Contact.create({"LastName": "Loner"})["id"]
    assert sf.Account.delete(account) == 204
    assert _live(sf, "Contact") == sorted([other, loner])
    assert _live(sf, "Opportunity") == []
    assert _binned(sf, "Contact") == sorted(contacts)
    assert _binned(sf, "Opportunity") == [opportunity]
    with pytest.raises(SalesforceResourceNotFound):
        sf.Contact.get(contacts[0])


def test_the_contacts_deleted_with_an_account_are_in_the_deleted_log(
    fake: FakeSalesforce, sf: Any
) -> None:
    account, contacts, _ = _account_with_children(sf)
    start = fake.org.clock.now() - timedelta(minutes=5)
    fake.org.clock.advance(timedelta(minutes=1))
    sf.Account.delete(account)
    fake.org.clock.advance(timedelta(minutes=5))
    deleted = sf.Contact.deleted(start, fake.org.clock.now())["deletedRecords"]
    assert sorted(r["id"] for r in deleted) == sorted(contacts)


def test_undeleting_an_account_restores_the_contacts_and_opportunities_deleted_with_it(
    fake: FakeSalesforce, sf: Any
) -> None:
    account, contacts, opportunity = _account_with_children(sf)
    sf.Contact.delete(contacts[0])  # deleted on its own first: it stays in the bin
    sf.Account.delete(account)
    assert _binned(sf, "Contact") == sorted(contacts)
    fake.org.undelete("Account", account)
    assert _live(sf, "Contact") == [contacts[1]]
    assert _live(sf, "Opportunity") == [opportunity]
    assert _binned(sf, "Contact") == [contacts[0]]
    assert sf.Contact.get(contacts[1])["AccountId"] == account


def test_a_contact_deleted_with_its_account_can_come_back_on_its_own_and_stays_back(
    fake: FakeSalesforce, sf: Any
) -> None:
    account, contacts, _ = _account_with_children(sf)
    sf.Account.delete(account)
    fake.org.undelete("Contact", contacts[0])
    sf.Contact.delete(contacts[0])  # now deleted on its own: no longer the account's
    fake.org.undelete("Account", account)
    assert _live(sf, "Contact") == [contacts[1]]


def test_account_describe_shows_cascade_on_its_child_relationships_not_on_the_field(
    sf: Any,
) -> None:
    children = {r["relationshipName"]: r for r in sf.Account.describe()["childRelationships"]}
    assert children["Contacts"]["cascadeDelete"] is True
    assert children["Opportunities"]["cascadeDelete"] is True
    assert children["ChildAccounts"]["cascadeDelete"] is False
    assert not any(r["restrictedDelete"] for r in children.values())
    field = next(f for f in sf.Contact.describe()["fields"] if f["name"] == "AccountId")
    assert (field["cascadeDelete"], field["restrictedDelete"]) == (False, False)


def test_deleting_a_parent_account_clears_parent_id_without_touching_last_modified_date(
    fake: FakeSalesforce, sf: Any
) -> None:
    parent = sf.Account.create({"Name": "Parent"})["id"]
    child = sf.Account.create({"Name": "Child", "ParentId": parent})["id"]
    before = sf.Account.get(child)
    fake.org.clock.advance(timedelta(minutes=3))
    sf.Account.delete(parent)
    after = sf.Account.get(child)
    assert after["ParentId"] is None
    assert after["LastModifiedDate"] == before["LastModifiedDate"]
    assert after["SystemModstamp"] > before["SystemModstamp"]
    fake.org.undelete("Account", parent)
    assert sf.Account.get(child)["ParentId"] == parent


def test_undelete_does_not_restore_a_parent_id_replaced_meanwhile(
    fake: FakeSalesforce, sf: Any
) -> None:
    parent, other = (sf.Account.create({"Name": n})["id"] for n in ("Parent", "Other"))
    child = sf.Account.create({"Name": "Child", "ParentId": parent})["id"]
    sf.Account.delete(parent)
    sf.Account.update(child, {"ParentId": other})
    fake.org.undelete("Account", parent)
    assert sf.Account.get(child)["ParentId"] == other


def test_a_composite_all_or_none_delete_that_fails_leaves_the_contacts_live(sf: Any) -> None:
    account, contacts, opportunity = _account_with_children(sf)
    missing = contacts[0][:-3] + "zzz"
    result = sf.restful(
        "composite/sobjects",
        method="DELETE",
        params={"ids": f"{account},{missing}", "allOrNone": "true"},
    )
    assert [r["success"] for r in result] == [False, False]
    assert _live(sf, "Contact") == sorted(contacts)
    assert _live(sf, "Opportunity") == [opportunity]
    assert _binned(sf, "Contact") == []


def test_a_composite_delete_takes_the_contacts_with_the_account(sf: Any) -> None:
    account, contacts, _ = _account_with_children(sf)
    result = sf.restful("composite/sobjects", method="DELETE", params={"ids": account})
    assert [r["success"] for r in result] == [True]
    assert _binned(sf, "Contact") == sorted(contacts)


def test_bulk_2_delete_of_accounts_deletes_their_contacts(sf: Any) -> None:
    first, contacts, _ = _account_with_children(sf, "First")
    _, kept, _ = _account_with_children(sf, "Second")
    (result,) = sf.bulk2.Account.delete(records=[{"Id": first}], wait=0)
    assert result["numberRecordsFailed"] == 0
    assert _live(sf, "Contact") == sorted(kept)
    assert _binned(sf, "Contact") == sorted(contacts)


def test_bulk_1_delete_of_accounts_deletes_their_opportunities(sf: Any) -> None:
    account, _, opportunity = _account_with_children(sf)
    (outcome,) = sf.bulk.Account.delete([{"Id": account}])
    assert outcome["success"] is True
    assert _binned(sf, "Opportunity") == [opportunity]


@pytest.mark.parametrize("api", ["bulk", "bulk2"])
def test_a_hard_deleted_account_takes_its_contacts_out_of_the_recycle_bin(
    fake: FakeSalesforce, sf: Any, api: str
) -> None:
    account, contacts, _ = _account_with_children(sf)
    if api == "bulk2":
        sf.bulk2.Account.hard_delete(records=[{"Id": account}], wait=0)
    else:
        sf.bulk.Account.hard_delete([{"Id": account}])
    assert _binned(sf, "Contact") == []
    assert _binned(sf, "Opportunity") == []
    with pytest.raises(ApiError) as caught:
        fake.org.undelete("Contact", contacts[0])
    assert caught.value.error_code == "INVALID_CROSS_REFERENCE_KEY"


def test_a_snapshot_keeps_what_an_account_delete_took_with_it(
    fake: FakeSalesforce, sf: Any
) -> None:
    account, contacts, _ = _account_with_children(sf)
    sf.Account.delete(account)
    copy = FakeSalesforce()
    import_into(copy.org, export_org(fake.org))
    assert _binned(copy.client(), "Contact") == sorted(contacts)
    copy.org.undelete("Account", account)
    assert _live(copy.client(), "Contact") == sorted(contacts)
