"""Describe answers: the global sObject list and per-object metadata in Salesforce's shape.

Property names follow DescribeGlobalSObjectResult and DescribeSObjectResult
(salesforce-api.md §2 and §8); jsforce expands `*` from `fields[].name`.
"""

from __future__ import annotations

from typing import Any

from fake_salesforce.schema import NUMBER_TYPES, FieldSpec, ObjectSpec


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
        "custom": False,
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
        "aggregatable": f.type not in ("textarea", "boolean"),
        "aiPredictionField": False,
        "autoNumber": False,
        "byteLength": f.length * 3 if f.is_text else 0,
        "calculated": f.calculated,
        "calculatedFormula": None,
        "cascadeDelete": False,
        "caseSensitive": False,
        "compoundFieldName": None,
        "controllerName": None,
        "createable": f.createable,
        "custom": f.custom,
        "defaultValue": f.default if f.type == "boolean" else None,
        "defaultValueFormula": None,
        "defaultedOnCreate": f.defaulted_on_create,
        "dependentPicklist": False,
        "deprecatedAndHidden": False,
        "digits": 9 if f.type == "int" else 0,
        "displayLocationInDecimal": False,
        "encrypted": False,
        "externalId": f.external_id,
        "extraTypeInfo": None,
        "filterable": f.filterable,
        "filteredLookupInfo": None,
        "formulaTreatNullNumberAsZero": False,
        "groupable": f.type not in ("textarea",),
        "highScaleNumber": False,
        "htmlFormatted": False,
        "idLookup": f.id_lookup,
        "inlineHelpText": None,
        "label": f.label,
        "length": f.length if f.is_text else 0,
        "mask": None,
        "maskType": None,
        "name": f.name,
        "nameField": f.name == "Name",
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
        "precision": 18 if number else 0,
        "queryByDistance": False,
        "referenceTargetField": None,
        "referenceTo": list(f.reference_to),
        "relationshipName": f.relationship_name,
        "relationshipOrder": None,
        "restrictedDelete": False,
        "restrictedPicklist": False,
        "scale": 0,
        "searchPrefilterable": False,
        "soapType": f.soap_type,
        "sortable": f.sortable,
        "type": f.type,
        "unique": f.unique,
        "updateable": f.updateable,
        "writeRequiresMasterRead": False,
    }


def describe_object(spec: ObjectSpec, version: str) -> dict[str, Any]:
    return {
        **global_entry(spec, version),
        "actionOverrides": [],
        "childRelationships": [],
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
