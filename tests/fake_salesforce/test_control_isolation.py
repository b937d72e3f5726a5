"""Many orgs on one server stay isolated under any interleaving of calls (a property test)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from simple_salesforce.exceptions import SalesforceGeneralError, SalesforceResourceNotFound

from fake_salesforce.control_client import ControlClient
from fake_salesforce.fixture import DEFAULT_INSTANCE, FakeSalesforce

ORGS = (0, 1)
steps = st.lists(
    st.tuples(
        st.sampled_from(ORGS),
        st.sampled_from(["create", "update", "delete", "peek", "advance", "outage", "reset"]),
        st.text(alphabet="abcdefghij", min_size=1, max_size=6),
    ),
    max_size=25,
)


class World:
    """Two orgs on one fake, what each should hold, and a client per org."""

    def __init__(self) -> None:
        self.fake = FakeSalesforce()
        second = self.fake.add_org(username="second@example.com")
        self.orgs = [self.fake.org, second]
        self.clients = [self.fake.client(org) for org in self.orgs]
        session = self.fake.session()
        self.controls = [
            ControlClient(DEFAULT_INSTANCE, session=session, org=o.org_id) for o in self.orgs
        ]
        self.model: list[dict[str, str]] = [{}, {}]

    def apply(self, who: int, action: str, text: str) -> None:
        sf, model, other = self.clients[who], self.model[who], self.model[1 - who]
        if action == "create":
            model[sf.Contact.create({"LastName": text})["id"]] = text
        elif action == "update" and model:
            record_id = sorted(model)[0]
            sf.Contact.update(record_id, {"LastName": text})
            model[record_id] = text
        elif action == "delete" and model:
            record_id = sorted(model)[-1]
            sf.Contact.delete(record_id)
            del model[record_id]
        elif action == "peek" and other:
            record_id = next(iter(other))
            try:  # another org's record is simply not there
                sf.Contact.get(record_id)
                raise AssertionError(f"org {who} read {record_id} of the other org")
            except SalesforceResourceNotFound:
                pass
        elif action == "advance":
            self.controls[who].advance(seconds=len(text) * 3600)
        elif action == "outage":
            self.controls[who].add_fault({"kind": "outage", "count": 1})
            try:
                sf.query("SELECT Id FROM Contact")
                raise AssertionError("the outage did not hit its own org")
            except SalesforceGeneralError:
                pass
        elif action == "reset":
            self.controls[who].reset()
            model.clear()

    def check(self) -> None:
        for who, sf in enumerate(self.clients):
            rows = sf.query_all("SELECT Id, LastName FROM Contact")["records"]
            assert {r["Id"]: r["LastName"] for r in rows} == self.model[who]
            org_id = self.orgs[who].org_id
            assert {e.org_id for e in self.orgs[who].journal.entries} <= {org_id}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_orgs_on_one_server_never_see_each_others_records_faults_or_clock(
    plan: list[tuple[int, str, str]],
) -> None:
    world = World()
    clocks_before = [o.clock.now() for o in world.orgs]
    advanced = [False, False]
    for who, action, text in plan:
        world.apply(who, action, text)
        advanced[who] = advanced[who] or action == "advance"
    world.check()
    for who, org in enumerate(world.orgs):
        if not advanced[who]:  # only real seconds passed, never another org's hours
            assert (org.clock.now() - clocks_before[who]).total_seconds() < 600


def test_a_token_of_one_org_cannot_read_the_other_orgs_data() -> None:
    world = World()
    record_id = world.clients[1].Contact.create({"LastName": "Secret"})["id"]
    response = world.fake.session().get(
        f"{DEFAULT_INSTANCE}/services/data/v59.0/sobjects/Contact/{record_id}",
        headers={"Authorization": f"Bearer {world.fake.token(world.orgs[0])}"},
    )
    assert response.status_code == 404
    rows: Any = world.clients[0].query("SELECT Id FROM Contact")
    assert rows["totalSize"] == 0
