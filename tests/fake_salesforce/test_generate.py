"""Seeded generation and the `salesforce:` section loader."""

from __future__ import annotations

import time

import pytest

from fake_salesforce.generate import LoadError, generate, load_section, parse_document
from fake_salesforce.org import Org
from fake_salesforce.schema import MARKETO_SALES_INSIGHT


def people(org: Org, sobject: str, made: list[str]) -> list[tuple[str, str, str, bool]]:
    rows = [org.get(sobject, rid) or {} for rid in made]
    return [(r["Id"], r["Name"], r["Email"], r["HasOptedOutOfEmail"]) for r in rows]


def test_the_same_seed_gives_the_same_names_emails_and_ids() -> None:
    first, second = Org(), Org()
    one = people(first, "Contact", generate(first, "Contact", 200, opted_out=0.3, seed=7))
    two = people(second, "Contact", generate(second, "Contact", 200, opted_out=0.3, seed=7))
    assert one == two


def test_another_seed_gives_other_people() -> None:
    first, second = Org(), Org()
    one = people(first, "Contact", generate(first, "Contact", 50, seed=1))
    two = people(second, "Contact", generate(second, "Contact", 50, seed=2))
    assert [p[1] for p in one] != [p[1] for p in two]


def test_the_opted_out_fraction_sets_has_opted_out_of_email() -> None:
    org = Org()
    made = people(org, "Lead", generate(org, "Lead", 5000, opted_out=0.1, seed=3))
    share = sum(1 for p in made if p[3]) / len(made)
    assert 0.08 < share < 0.12
    assert all(p[2].count("@") == 1 for p in made)
    assert len({p[2] for p in made}) == len(made)  # emails are unique within a batch


def test_generated_leads_have_a_company_and_accounts_a_name() -> None:
    org = Org()
    [lead] = generate(org, "Lead", 1, seed=4)
    [account] = generate(org, "Account", 1, seed=4)
    assert (org.get("Lead", lead) or {})["Company"]
    assert (org.get("Account", account) or {})["Name"]


def test_one_hundred_thousand_records_take_a_few_seconds() -> None:
    org = Org()
    started = time.perf_counter()
    made = generate(org, "Contact", 100_000, opted_out=0.1, seed=7)
    assert len(made) == len(set(made)) == 100_000
    assert time.perf_counter() - started < 8  # about 1.3 s on an idle laptop


def test_generation_refuses_what_it_cannot_make() -> None:
    with pytest.raises(LoadError, match="type must be one of"):
        generate(Org(), "User", 1)
    with pytest.raises(LoadError, match="opted_out between 0 and 1"):
        generate(Org(), "Contact", 1, opted_out=1.5)


def test_a_whole_scenario_file_is_accepted_and_its_salesforce_section_loaded() -> None:
    section = parse_document(
        """
name: demo
salesforce:
  packages: [marketo_sales_insight]
  api_limit: 500
  read_only: [Contact.HasOptedOutOfEmail]
  records:
    - {ref: c1, type: Contact, LastName: Doe, Email: jane@example.com}
  generate:
    - {type: Lead, count: 10, opted_out: 0.5, seed: 7}
steps: []
"""
    )
    org = Org()
    loaded = load_section(org, section)
    assert org.packages == {MARKETO_SALES_INSIGHT}
    assert org.usage.limit == 500
    assert ("Contact", "HasOptedOutOfEmail") in org.read_only
    assert (org.get("Contact", loaded.refs["c1"]) or {})["Email"] == "jane@example.com"
    assert [(t, len(made)) for t, made in loaded.generated] == [("Lead", 10)]


@pytest.mark.parametrize(
    ("section", "complaint"),
    [
        ({"recods": []}, "unknown key(s) recods"),
        ({"records": [{"LastName": "Doe"}]}, "records[0]: a mapping with type"),
        ({"records": [{"ref": "x", "type": "Contact", "LastName": "A"},
                      {"ref": "x", "type": "Contact", "LastName": "B"}]}, "ref x is used twice"),
        ({"generate": [{"type": "Contact"}]}, "needs type: and count:"),
        ({"generate": [{"type": "Contact", "count": 1, "sede": 1}]}, "unknown key(s) sede"),
    ],
)  # fmt: skip
def test_a_section_that_cannot_load_says_which_entry(
    section: dict[str, object], complaint: str
) -> None:
    with pytest.raises(LoadError) as caught:
        load_section(Org(), section)
    assert complaint in str(caught.value)
