"""The state of both systems before the first step: settings, records, people, generated bulk.

Initial unsubscribes are history, not new captures: they queue no push.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from simulator.actions import engine_settings
from simulator.model import SettingsChange
from simulator.orgs import Generated
from sync_core.model import Source

if TYPE_CHECKING:
    from simulator.run import Simulation


def populate(sim: Simulation) -> None:
    scenario = sim.scenario
    settings = scenario.settings
    change = SettingsChange(
        settings.nightly_sync, settings.sync_fields, settings.nightly_at, settings.timezone
    )
    sim.service.update_settings(sim.now, **engine_settings(change))
    for sobject, field in scenario.read_only:
        sim.side.set_field_read_only(sobject, field, True)
    for record in scenario.records:
        sim.refs.records[record.ref] = (record.type, sim.side.seed(record.type, record.fields))
    for person in scenario.people:
        ids = {
            sim.refs.records[r][0]: sim.refs.records[r][1][: person.id_length]
            for r in person.salesforce
        }
        made = sim.service.add_person(
            person.email, contact_id=ids.get("Contact"), lead_id=ids.get("Lead"), now=sim.now
        )
        sim.refs.people[person.ref] = made.id
        if person.unsubscribed:
            source = Source(person.source.value)
            sim.service.store.record_unsubscribe(made.id, source, sim.now, None)
    generated = [
        record
        for batch in scenario.record_batches
        for record in sim.side.generate(batch.type, batch.count, batch.opted_out, batch.seed)
    ]
    for people in scenario.people_batches:
        rng = random.Random(people.seed)
        rows = [_person_row(record, people.link, people.unsubscribed, rng) for record in generated]
        store: Any = sim.service.store
        store.add_people(rows, sim.now)


def _person_row(
    record: Generated, link: float, unsubscribed: float, rng: random.Random
) -> dict[str, Any]:
    linked = rng.random() < link
    key = "contact_id" if record.type == "Contact" else "lead_id"
    return {
        "email": record.email,
        key: record.id if linked else None,
        "unsubscribed": rng.random() < unsubscribed,
    }
