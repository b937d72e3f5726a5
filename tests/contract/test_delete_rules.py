"""simple-salesforce, unmodified, over every transport: an Account's delete takes its contacts
to the recycle bin (queryAll finds them with IsDeleted), and a Restrict lookup's parent cannot
be deleted while it has children (DELETE_FAILED, as a 400 simple-salesforce raises)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from tests.contract.conftest import MODES, Target
from tests.fake_salesforce.schema.project import thing_project


def test_deleting_an_account_sends_its_contacts_to_the_recycle_bin(target: Target) -> None:
    sf = target.direct()
    account = sf.Account.create({"Name": "Acme"})["id"]
    contact = sf.Contact.create({"LastName": "Held", "AccountId": account})["id"]
    assert sf.Account.delete(account) == 204
    assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 0
    binned = sf.query_all(
        f"SELECT Id, IsDeleted, AccountId FROM Contact WHERE AccountId = '{account}'",
        include_deleted=True,
    )["records"]
    assert [(r["Id"], r["IsDeleted"]) for r in binned] == [(contact, True)]


@pytest.mark.parametrize("mode", MODES)
def test_a_parent_with_restricting_children_is_refused_with_delete_failed(
    make_target: Callable[..., Target], mode: str, tmp_path: Path
) -> None:
    restrict = "<deleteConstraint>Restrict</deleteConstraint>"
    project = thing_project(tmp_path, {"Keeper__c": ("Account", "Things", restrict)})
    sf = make_target(mode, schema=[project]).direct()
    account = sf.Account.create({"Name": "Acme"})["id"]
    thing = sf.Thing__c.create({"Name": "T1", "Keeper__c": account})["id"]
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Account.delete(account)
    assert caught.value.content == [
        {
            "errorCode": "DELETE_FAILED",
            "message": "Your attempt to delete Acme could not be completed because it is "
            "associated with the following things.: T1\n",
            "fields": [],
        }
    ]
    sf.Thing__c.delete(thing)
    assert sf.Account.delete(account) == 204
