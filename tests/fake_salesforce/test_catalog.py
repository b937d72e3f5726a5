"""The published catalog says what describe says: fields, their access, and package fields."""

from __future__ import annotations

import pytest

from fake_salesforce.catalog import catalog
from fake_salesforce.fixture import FakeSalesforce

PACKAGE = "marketo_sales_insight"


@pytest.mark.parametrize("sobject", ["Contact", "Lead", "Account"])
def test_the_catalog_lists_the_fields_describe_gives_with_every_package_installed(
    sobject: str,
) -> None:
    described = FakeSalesforce(packages=[PACKAGE]).client().restful(f"sobjects/{sobject}/describe")
    expected = {f["name"]: (f["createable"], f["updateable"]) for f in described["fields"]}
    listed = catalog().objects[sobject].fields
    assert {f.name: (f.createable, f.updateable) for f in listed} == expected


def test_a_package_field_is_visible_only_with_its_package() -> None:
    contact = catalog().objects["Contact"]
    field = contact.field("mkto_si__marketo_sales_opt_out__c")
    assert field is not None and field.package == PACKAGE
    assert contact.visible(()).field(field.name) is None
    assert contact.visible([PACKAGE]).field(field.name) == field


def test_names_match_case_insensitively_and_come_back_as_salesforce_spells_them() -> None:
    email = catalog().objects["Contact"].field("EMAIL")
    assert email is not None and email.name == "Email"


def test_the_packages_are_those_an_org_can_install() -> None:
    fake = FakeSalesforce()
    for package in catalog().packages:
        fake.org.install_package(package)
    assert set(catalog().packages) == set(fake.org.packages) == {PACKAGE}


def test_the_catalog_reads_as_json() -> None:
    data = catalog().as_json()
    assert data["packages"] == [PACKAGE]
    last_name = next(f for f in data["objects"]["Contact"] if f["name"] == "LastName")
    assert last_name["requiredOnCreate"] is True
