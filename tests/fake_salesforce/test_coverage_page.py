"""docs/coverage.md stays true: routes against the url_map, SOQL and codes against the fake."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceError

from fake_salesforce.app import create_app
from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.schema_load.fields import TYPES
from tests.fake_salesforce.schema.project import SFDX

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "coverage.md").read_text()
SOURCE = {p: p.read_text() for p in (ROOT / "fake_salesforce").rglob("*.py")}
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def section(title: str) -> str:
    return PAGE.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def served_routes() -> set[tuple[str, str]]:
    app = create_app()
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in (rule.methods or set()) - IGNORED_METHODS
    }


def listed(title: str) -> list[tuple[str, str]]:
    found = re.findall(r"^\| `([A-Z]+) (/[^`]*)` \|", section(title), re.M)
    return [(method, path) for method, path in found]


def test_every_served_route_is_listed_and_nothing_else() -> None:
    served, page = served_routes(), set(listed("Served routes"))
    missing = sorted(served - page, key=lambda r: (r[1], r[0]))
    paste = "\n".join(f"| `{m} {rule}` | ... |" for m, rule in missing)
    assert not missing, f"docs/coverage.md lacks served routes; add under Served routes:\n{paste}"
    assert not page - served, (
        f"docs/coverage.md lists routes the app does not serve: {page - served}"
    )


def test_each_route_is_listed_once() -> None:
    rows = listed("Served routes")
    assert len(rows) == len(set(rows))


@pytest.mark.parametrize(("method", "path"), listed("Not served"))
def test_what_the_page_says_is_not_served_is_answered_404_or_405(method: str, path: str) -> None:
    fake = FakeSalesforce()
    response = fake.session().request(
        method,
        f"{fake.instance_url}{path}",
        headers={"Authorization": f"Bearer {fake.token()}", "X-SFDC-Session": fake.token()},
        json={},
    )
    assert response.status_code in (404, 405), response.text


def soql_examples() -> list[tuple[str, bool]]:
    rows = re.findall(r"^\| `(SELECT [^`]*)` \| (yes|no)\b", section("SOQL"), re.M)
    return [(query, verdict == "yes") for query, verdict in rows]


@pytest.fixture(scope="module")
def sf() -> Any:
    fake = FakeSalesforce(schema=[SFDX])  # the examples on custom objects use its Widget__c
    account = fake.org.create("Account", {"Name": "Acme"})
    fake.org.create("Contact", {"LastName": "Doe", "Email": "a@example.com", "AccountId": account})
    return fake.client()


@pytest.mark.parametrize(("query", "works"), soql_examples())
def test_each_soql_example_works_or_fails_as_the_page_says(
    sf: Any, query: str, works: bool
) -> None:
    if works:
        assert "records" in sf.query(query)
    else:
        with pytest.raises(SalesforceError) as caught:
            sf.query(query)
        assert caught.value.status == 400


def test_the_page_has_soql_examples_of_both_kinds() -> None:
    verdicts = {works for _, works in soql_examples()}
    assert verdicts == {True, False}


def codes(verdict: str) -> set[str]:
    pattern = rf"^\| `([A-Z_]+)` \| [^|]+ \| {verdict} \|"
    return set(re.findall(pattern, section("Error codes"), re.M))


def test_every_error_code_the_fake_raises_is_marked_yes() -> None:
    raised = re.compile(r'ApiError(?:\.of)?\(\s*(?:\d{3},\s*)?"([A-Z][A-Z_]+)"')
    found = {code for text in SOURCE.values() for code in raised.findall(text)}
    assert found - codes("yes") == set()


def test_every_code_marked_yes_is_in_the_source_and_no_code_is_marked_twice() -> None:
    text = "\n".join(SOURCE.values())
    assert {c for c in codes("yes") if f'"{c}"' not in text} == set()
    kinds = [codes("yes"), codes("no"), codes("fault only")]
    assert sum(len(k) for k in kinds) == len(set().union(*kinds))


def test_the_schema_section_lists_every_field_type_the_loader_reads_and_no_other() -> None:
    rows = re.findall(r"^\| `([A-Za-z]+)` \| ([a-z]+) \|", section("Your own schema"), re.M)
    assert {name: kind for name, kind in rows} == {name: t for name, (t, _) in TYPES.items()}
