"""Describe answers: the global sObject list and per-object metadata in Salesforce's shape.

Property names follow DescribeGlobalSObjectResult and DescribeSObjectResult
(docs/salesforce-wire.md 2.1 and 8); jsforce expands `*` from `fields[].name`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fake_salesforce.schema import NUMBER_TYPES, FieldSpec, ObjectSpec

NOT_GROUPABLE = frozenset({"textarea", "multipicklist", "double", "currency", "percent"})


def object_urls(spec: ObjectSpec, version: str) -> dict[str, str]:
    base = f"/services/data/v{version}/sobjects/{spec.name}"
    return {
        "sobject": base,
        "describe": f"{base}/describe",
        "rowTemplate": f"{base}/{{ID}}",
        "defaultValues": f"{base}/defaultValues?recordTypeId&fields",
        "compactLayouts": f"{base}/describe/compactLayouts",
        "layouts": f"{base}/describe/layouts",
        "quickActions": f"{base}/quickActions",
    }


def global_entry(spec: ObjectSpec, version: str) -> dict[str, Any]:
    writable = spec.createable
    return {
        "activateable": False,
        "associateEntityType": None,
        "associateParentEntity": None,
        "createable": spec.createable,
        "custom": spec.custom,
        "customSetting": False,
        "deepCloneable": False,
        "deletable": spec.deletable,
        "deprecatedAndHidden": False,
        "feedEnabled": writable,
        "hasSubtypes": False,
        "isInterface": False,
        "isSubtype": False,
        "keyPrefix": spec.key_prefix,
        "label": spec.label,
        "labelPlural": spec.label_plural,
        "layoutable": writable,
        "mergeable": writable,
        "mruEnabled": writable,
        "name": spec.name,
        "queryable": True,
        "replicateable": True,
        "retrieveable": True,
        "searchable": writable,
        "triggerable": writable,
        "undeletable": spec.undeletable,
        "updateable": spec.updateable,
        "urls": object_urls(spec, version),
    }


def field_entry(f: FieldSpec) -> dict[str, Any]:
    number = f.type in NUMBER_TYPES
    return {
        "aggregatable": f.type not in ("textarea", "boolean", "multipicklist"),
        "aiPredictionField": False,
        "autoNumber": f.auto_number is not None,
        "byteLength": f.length * 3 if f.is_text else 0,
        "calculated": f.calculated,
        "calculatedFormula": f.formula,
        "cascadeDelete": f.cascade_delete,
        "caseSensitive": False,
        "compoundFieldName": None,
        "controllerName": None,
        "createable": f.createable,
        "custom": f.custom,
        "defaultValue": f.default if f.type == "boolean" else None,
        "defaultValueFormula": _default_formula(f),
        "defaultedOnCreate": f.defaulted_on_create,
        "dependentPicklist": False,
        "deprecatedAndHidden": False,
        "digits": 9 if f.type == "int" else 0,
        "displayLocationInDecimal": False,
        "encrypted": False,
        "externalId": f.external_id,
        "extraTypeInfo": _extra_type(f),
        "filterable": f.filterable,
        "filteredLookupInfo": None,
        "formulaTreatNullNumberAsZero": False,
        "groupable": f.type not in NOT_GROUPABLE and not (number and f.custom),
        "highScaleNumber": False,
        "htmlFormatted": f.html,
        "idLookup": f.id_lookup,
        "inlineHelpText": None,
        "label": f.label,
        "length": f.length if f.is_text else 0,
        "mask": None,
        "maskType": None,
        "name": f.name,
        "nameField": f.name == "Name" and f.type == "string",
        "namePointing": False,
        "nillable": f.nillable,
        "permissionable": f.nillable,
        "picklistValues": [
            {
                "active": True,
                "defaultValue": v == f.default,
                "label": v,
                "validFor": None,
                "value": v,
            }
            for v in f.picklist
        ],
        "polymorphicForeignKey": False,
        "precision": (f.precision or 18) if number else 0,
        "queryByDistance": False,
        "referenceTargetField": None,
        "referenceTo": list(f.reference_to),
        "relationshipName": f.relationship_name,
        "relationshipOrder": 0 if f.cascade_delete and not f.nillable else None,
        "restrictedDelete": f.delete_constraint == "Restrict",
        "restrictedPicklist": f.restricted_picklist,
        "scale": f.scale,
        "searchPrefilterable": False,
        "soapType": f.soap_type,
        "sortable": f.sortable,
        "type": f.type,
        "unique": f.unique,
        "updateable": f.updateable,
        "writeRequiresMasterRead": False,
    }


def _default_formula(f: FieldSpec) -> str | None:
    """A constant default as the formula the org stores (`"Open"`, `1`); picklist defaults
    show in picklistValues instead and checkbox defaults in defaultValue."""
    if f.default is None or f.type in ("boolean", "picklist") or not f.custom:
        return None
    if isinstance(f.default, str):
        return '"' + f.default.replace('"', '\\"') + '"'
    return str(f.default)


def _extra_type(f: FieldSpec) -> str | None:
    if f.type == "textarea":
        return "richtextarea" if f.html else "plaintextarea"
    return None


def child_relationships(spec: ObjectSpec, specs: Iterable[ObjectSpec]) -> list[dict[str, Any]]:
    """Every lookup on any object of the org that points at `spec`, named from the parent's
    side where it has a name (ChildRelationship: `Contacts` on Account, `Widgets__r`), with
    what deleting the parent does to the children (`cascadeDelete`, `restrictedDelete`)."""
    return [
        {
            "cascadeDelete": f.cascade_delete or f.delete_constraint == "Cascade",
            "childSObject": child.name,
            "deprecatedAndHidden": False,
            "field": f.name,
            "junctionIdListNames": [],
            "junctionReferenceTo": [],
            "relationshipName": f.child_relationship,
            "restrictedDelete": f.delete_constraint == "Restrict",
        }
        for child in specs
        for f in child.fields
        if spec.name in f.reference_to
    ]


def describe_object(
    spec: ObjectSpec, version: str, specs: Iterable[ObjectSpec] = ()
) -> dict[str, Any]:
    """The object's full describe; `specs` (the org's objects) give its childRelationships."""
    return {
        **global_entry(spec, version),
        "actionOverrides": [],
        "childRelationships": child_relationships(spec, specs),
        "compactLayoutable": True,
        "defaultImplementation": None,
        "extendedBy": None,
        "extendsInterfaces": None,
        "fields": [field_entry(f) for f in spec.fields],
        "implementedBy": None,
        "implementsInterfaces": None,
        "listviewable": None,
        "lookupLayoutable": None,
        "namedLayoutInfos": [],
        "networkScopeFieldName": None,
        "recordTypeInfos": [],
        "searchLayoutable": spec.createable,
        "sobjectDescribeOption": "FULL",
        "supportedScopes": [{"label": "All " + spec.label_plural.lower(), "name": "everything"}],
    }


def describe_global(specs: list[ObjectSpec], version: str) -> dict[str, Any]:
    return {
        "encoding": "UTF-8",
        "maxBatchSize": 200,
        "sobjects": [global_entry(s, version) for s in specs],
    }
