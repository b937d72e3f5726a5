"""Semi-joins (`Id IN (SELECT ...)`) and anti-joins (`NOT IN`), through simple-salesforce:
the rows they keep, and Salesforce's restrictions on them."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest


@pytest.fixture
def accounts(sf: Any) -> dict[str, str]:
    made = {name: sf.Account.create({"Name": name})["id"] for name in ("Acme", "Bolt", "Core")}
    sf.Contact.create({"LastName": "Doe", "Title": "VP", "AccountId": made["Acme"]})
    sf.Contact.create({"LastName": "Roe", "Title": "CEO", "AccountId": made["Bolt"]})
    sf.Contact.create({"LastName": "Loner", "Title": "VP"})
    return made


def names(sf: Any, soql: str, key: str = "Name") -> list[str]:
    return [r[key] for r in sf.query(soql)["records"]]


def test_a_semi_join_keeps_the_records_the_subquery_points_at(
    sf: Any, accounts: dict[str, str]
) -> None:
    soql = (
        "SELECT Name FROM Account WHERE Id IN "
        "(SELECT AccountId FROM Contact WHERE Title = 'VP') ORDER BY Name"
    )
    assert names(sf, soql) == ["Acme"]
    everyone = "SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact) ORDER BY Name"
    assert names(sf, everyone) == ["Acme", "Bolt"]


def test_two_joins_in_the_top_level_and_chain_both_apply(sf: Any, accounts: dict[str, str]) -> None:
    soql = (
        "SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact) "
        "AND Id NOT IN (SELECT AccountId FROM Contact WHERE Title = 'CEO') AND Name != 'x'"
    )
    assert names(sf, soql) == ["Acme"]


def test_an_anti_join_keeps_the_rest_and_a_reference_field_can_be_the_operand(
    sf: Any, accounts: dict[str, str]
) -> None:
    soql = "SELECT Name FROM Account WHERE Id NOT IN (SELECT AccountId FROM Contact) ORDER BY Name"
    assert names(sf, soql) == ["Core"]
    by_reference = (
        "SELECT LastName FROM Contact WHERE AccountId IN "
        "(SELECT Id FROM Account WHERE Name = 'Bolt')"
    )
    assert names(sf, by_reference, "LastName") == ["Roe"]
    outside = (
        "SELECT LastName FROM Contact WHERE AccountId NOT IN "
        "(SELECT Id FROM Account WHERE Name = 'Bolt') AND Title = 'VP' ORDER BY LastName"
    )
    assert names(sf, outside, "LastName") == ["Doe", "Loner"]


def test_deleted_records_in_the_subquery_count_for_nothing(
    sf: Any, accounts: dict[str, str]
) -> None:
    roe = sf.query("SELECT Id FROM Contact WHERE LastName = 'Roe'")["records"][0]["Id"]
    sf.Contact.delete(roe)
    soql = "SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact)"
    assert names(sf, soql) == ["Acme"]


@pytest.mark.parametrize(
    ("soql", "code", "detail"),
    [
        (
            "SELECT Id FROM Contact WHERE Title IN (SELECT Id FROM Account)",
            "INVALID_FIELD",
            "Semi join and anti join operands must be Id or reference fields: Title",
        ),
        (
            "SELECT Id FROM Account WHERE Id IN (SELECT LastName FROM Contact)",
            "INVALID_FIELD",
            "Semi join and anti join operands must be Id or reference fields: LastName",
        ),
        (
            "SELECT Id FROM Account WHERE Id IN (SELECT Id FROM Contact)",
            "INVALID_FIELD",
            "The selected field 'Id' in the subquery and the left operand field 'Id' in the "
            "where expression in the outer query must point to the same object type.",
        ),
        (
            "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact "
            "WHERE Id IN (SELECT ContactId FROM Case))",
            "MALFORMED_QUERY",
            "Nesting of semi join sub-selects is not supported",
        ),
        (
            "SELECT Id FROM Contact WHERE Id IN (SELECT Id FROM Contact WHERE Title = 'VP')",
            "MALFORMED_QUERY",
            "The inner and outer selects should not be on the same object type",
        ),
        (
            "SELECT Id FROM Account WHERE Name = 'x' OR Id IN (SELECT AccountId FROM Contact)",
            "MALFORMED_QUERY",
            "Semi join sub-selects are not allowed with the 'OR' operator",
        ),
        (
            "SELECT Id FROM Account WHERE Name = 'x' AND (Name = 'y' OR "
            "Id IN (SELECT AccountId FROM Contact))",
            "MALFORMED_QUERY",
            "Semi join sub-selects are not allowed with the 'OR' operator",
        ),
        (
            "SELECT Id FROM Account WHERE Name = 'x' AND NOT Id IN (SELECT AccountId FROM Contact)",
            "MALFORMED_QUERY",
            "Semi join sub-selects are only allowed at the top level WHERE expressions and not "
            "in nested WHERE expressions.",
        ),
        (
            "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact) "
            "AND Id IN (SELECT AccountId FROM Case) AND Id NOT IN (SELECT AccountId FROM Contact)",
            "MALFORMED_QUERY",
            "No more than two semi join or anti join sub-selects are allowed in a WHERE clause",
        ),
        (
            "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact ORDER BY Id)",
            "MALFORMED_QUERY",
            "unexpected token: 'ORDER'",
        ),
        (
            "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact LIMIT 1)",
            "MALFORMED_QUERY",
            "unexpected token: 'LIMIT'",
        ),
        (
            "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Nothing__c)",
            "INVALID_TYPE",
            "sObject type 'Nothing__c' is not supported. If you are attempting to use a custom "
            "object, be sure to append the '__c' after the entity name. Please reference your "
            "WSDL or the describe call for the appropriate names.",
        ),
    ],
)
def test_salesforces_restrictions_on_semi_joins(sf: Any, soql: str, code: str, detail: str) -> None:
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query(soql)
    error = caught.value.content[0]
    assert (error["errorCode"], error["message"].splitlines()[-1]) == (code, detail)


def test_query_plans_and_column_metadata_answer_for_semi_joins(
    sf: Any, accounts: dict[str, str]
) -> None:
    soql = "SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact)"
    plans = sf.restful("query", params={"explain": soql})["plans"]
    assert plans[0]["leadingOperationType"] == "Index"
    assert plans[0]["cardinality"] == 2
    columns = sf.restful("query", params={"q": soql, "columns": "true"})["columnMetadata"]
    assert [c["columnName"] for c in columns] == ["Name"]


def test_statements_differing_only_in_subquery_strings_each_get_their_own(
    sf: Any, accounts: dict[str, str]
) -> None:
    soql = "SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Title = '{}')"
    assert names(sf, soql.format("VP")) == ["Acme"]
    assert names(sf, soql.format("CEO")) == ["Bolt"]
