"""Describe metadata: the properties clients read, types, permissions and package fields."""

from __future__ import annotations

import pytest

from fake_salesforce.describe import describe_global, describe_object, field_entry, global_entry
from fake_salesforce.org import Org, OrgSettings
from fake_salesforce.schema import MARKETO_SALES_INSIGHT, MSO_FIELD, visible_spec
from fake_salesforce.standard_objects import CONTACT, LEAD, ORGANIZATION, STANDARD_OBJECTS

# docs/salesforce-wire.md 8: every property of a describe field entry.
FIELD_PROPERTIES = set(
    [
        "aggregatable",
        "aiPredictionField",
        "autoNumber",
        "byteLength",
        "calculated",
        "calculatedFormula",
        "cascadeDelete",
        "caseSensitive",
        "compoundFieldName",
        "controllerName",
        "createable",
        "custom",
        "defaultValue",
        "defaultValueFormula",
        "defaultedOnCreate",
        "dependentPicklist",
        "deprecatedAndHidden",
        "digits",
        "displayLocationInDecimal",
        "encrypted",
        "externalId",
        "extraTypeInfo",
        "filterable",
        "filteredLookupInfo",
        "formulaTreatNullNumberAsZero",
        "groupable",
        "highScaleNumber",
        "htmlFormatted",
        "idLookup",
        "inlineHelpText",
        "label",
        "length",
        "mask",
        "maskType",
        "name",
        "nameField",
        "namePointing",
        "nillable",
        "permissionable",
        "picklistValues",
        "polymorphicForeignKey",
        "precision",
        "queryByDistance",
        "referenceTargetField",
        "referenceTo",
        "relationshipName",
        "relationshipOrder",
        "restrictedDelete",
        "restrictedPicklist",
        "scale",
        "searchPrefilterable",
        "soapType",
        "sortable",
        "type",
        "unique",
        "updateable",
        "writeRequiresMasterRead",
    ]
)
GLOBAL_PROPERTIES = set(
    [
        "name",
        "label",
        "labelPlural",
        "keyPrefix",
        "custom",
        "createable",
        "updateable",
        "deletable",
        "queryable",
        "retrieveable",
        "searchable",
        "replicateable",
        "triggerable",
        "undeletable",
        "mergeable",
        "layoutable",
        "activateable",
        "customSetting",
        "deprecatedAndHidden",
        "feedEnabled",
        "hasSubtypes",
        "isSubtype",
        "isInterface",
        "mruEnabled",
        "urls",
    ]
)
SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "string": "xsd:string",
    "email": "xsd:string",
    "phone": "xsd:string",
    "textarea": "xsd:string",
    "picklist": "xsd:string",
    "datetime": "xsd:dateTime",
    "date": "xsd:date",
}


def _fields(spec: object) -> dict[str, dict[str, object]]:
    described = describe_object(spec, "59.0")  # type: ignore[arg-type]
    return {f["name"]: f for f in described["fields"]}


@pytest.mark.parametrize("spec", STANDARD_OBJECTS, ids=lambda s: s.name)
def test_every_field_entry_has_every_describe_property(spec: object) -> None:
    for entry in _fields(spec).values():
        assert set(entry) >= FIELD_PROPERTIES
        assert entry["soapType"] == SOAP_TYPES.get(str(entry["type"]), entry["soapType"])


def test_global_entry_has_what_describe_global_lists() -> None:
    entry = global_entry(CONTACT, "52.0")
    assert set(entry) >= GLOBAL_PROPERTIES
    assert entry["urls"]["describe"] == "/services/data/v52.0/sobjects/Contact/describe"
    assert entry["urls"]["rowTemplate"] == "/services/data/v52.0/sobjects/Contact/{ID}"


def test_global_describe_reports_encoding_and_batch_size() -> None:
    answer = describe_global(list(STANDARD_OBJECTS), "59.0")
    assert (answer["encoding"], answer["maxBatchSize"]) == ("UTF-8", 200)
    assert [s["keyPrefix"] for s in answer["sobjects"]] == [
        "001",
        "003",
        "00Q",
        "006",
        "005",
        "00D",
        "00e",
        "0IF",
        "0M6",
    ]


def test_email_opt_out_is_a_non_nillable_checkbox_defaulting_to_false() -> None:
    entry = _fields(CONTACT)["HasOptedOutOfEmail"]
    assert entry["label"] == "Email Opt Out"
    assert (entry["nillable"], entry["defaultValue"], entry["defaultedOnCreate"]) == (
        False,
        False,
        True,
    )
    assert (entry["createable"], entry["updateable"], entry["custom"], entry["length"]) == (
        True,
        True,
        False,
        0,
    )


def test_required_fields_are_non_nillable_and_not_defaulted() -> None:
    contact, lead = _fields(CONTACT), _fields(LEAD)
    required = {
        name
        for fields in (contact, lead)
        for name, f in fields.items()
        if f["createable"] and not f["nillable"] and not f["defaultedOnCreate"]
    }
    assert required == {"LastName", "Company"}
    assert lead["Status"]["defaultedOnCreate"] is True
    assert lead["Status"]["picklistValues"][0] == {
        "active": True,
        "defaultValue": True,
        "label": "Open - Not Contacted",
        "validFor": None,
        "value": "Open - Not Contacted",
    }


@pytest.mark.parametrize(
    "name",
    ["Id", "Name", "CreatedDate", "CreatedById", "LastModifiedDate", "SystemModstamp", "IsDeleted"],
)
def test_system_fields_are_read_only(name: str) -> None:
    entry = _fields(CONTACT)[name]
    assert (entry["createable"], entry["updateable"]) == (False, False)


def test_lead_conversion_fields_are_read_only_references() -> None:
    lead = _fields(LEAD)
    assert lead["IsConverted"]["type"] == "boolean" and lead["IsConverted"]["updateable"] is False
    assert lead["ConvertedContactId"]["referenceTo"] == ["Contact"]
    assert lead["ConvertedContactId"]["relationshipName"] == "ConvertedContact"


def test_lookups_name_their_targets_and_relationships() -> None:
    account = _fields(CONTACT)["AccountId"]
    assert (account["type"], account["referenceTo"], account["relationshipName"]) == (
        "reference",
        ["Account"],
        "Account",
    )
    assert _fields(CONTACT)["OwnerId"]["referenceTo"] == ["User"]


def test_organization_is_not_createable_updateable_or_deletable() -> None:
    entry = global_entry(ORGANIZATION, "59.0")
    assert (entry["createable"], entry["updateable"], entry["deletable"]) == (False, False, False)
    assert all(not f["createable"] for f in _fields(ORGANIZATION).values())


def test_package_field_exists_only_with_the_package() -> None:
    without = visible_spec(CONTACT, frozenset())
    with_it = visible_spec(LEAD, frozenset({MARKETO_SALES_INSIGHT}))
    assert without.field(MSO_FIELD) is None
    assert MSO_FIELD not in _fields(without)
    entry = _fields(with_it)[MSO_FIELD]
    assert (entry["custom"], entry["type"], entry["nillable"]) == (True, "boolean", False)


def test_org_shows_package_fields_after_install_and_hides_them_after_uninstall() -> None:
    org = Org(OrgSettings())
    assert org.require_spec("Contact").field(MSO_FIELD) is None
    org.install_package(MARKETO_SALES_INSIGHT)
    assert org.require_spec("contact").field(MSO_FIELD.upper()) is not None
    org.uninstall_package(MARKETO_SALES_INSIGHT)
    assert org.require_spec("Lead").field(MSO_FIELD) is None


def test_field_made_read_only_is_described_read_only() -> None:
    org = Org(OrgSettings())
    org.set_field_read_only("Contact", "hasoptedoutofemail")
    entry = field_entry(org.require_spec("Contact").field("HasOptedOutOfEmail"))  # type: ignore[arg-type]
    assert (entry["createable"], entry["updateable"]) == (False, False)
