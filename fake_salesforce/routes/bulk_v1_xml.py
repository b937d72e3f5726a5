"""Bulk API 1.0 XML: jobInfo, batchInfo, batchInfoList, result lists and sObjects documents.

Everything lives under the namespace `http://www.force.com/2009/06/asyncapi/dataload` (Bulk API
Developer Guide, "Job and batch XML reference"); a null field is `xsi:nil="true"`; datetimes are
written `2024-01-01T00:00:00.000Z`, booleans `true`/`false`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from fake_salesforce.errors import ApiError
from fake_salesforce.values import format_bulk_datetime

NS = "http://www.force.com/2009/06/asyncapi/dataload"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
HEAD = '<?xml version="1.0" encoding="UTF-8"?>'


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_bulk_datetime(value)
    return escape(str(value))


def _fields(payload: Mapping[str, Any]) -> str:
    out = []
    for key, value in payload.items():
        if value is None:
            continue
        if isinstance(value, list):
            out += [
                f"<{key}>{_fields(v) if isinstance(v, dict) else _text(v)}</{key}>" for v in value
            ]
        elif isinstance(value, dict):
            out.append(f"<{key}>{_fields(value)}</{key}>")
        else:
            out.append(f"<{key}>{_text(value)}</{key}>")
    return "".join(out)


def document(root: str, payload: Mapping[str, Any]) -> str:
    """`<root xmlns=...>` with one element per non-null field, in the payload's order."""
    return f'{HEAD}<{root} xmlns="{NS}">{_fields(payload)}</{root}>'


def batch_list(infos: Iterable[Mapping[str, Any]]) -> str:
    inner = "".join(f"<batchInfo>{_fields(info)}</batchInfo>" for info in infos)
    return f'{HEAD}<batchInfoList xmlns="{NS}">{inner}</batchInfoList>'


def result_list(ids: Iterable[str]) -> str:
    inner = "".join(f"<result>{escape(i)}</result>" for i in ids)
    return f'{HEAD}<result-list xmlns="{NS}">{inner}</result-list>'


def results(saves: Iterable[Mapping[str, Any]]) -> str:
    """An XML ingest batch's `<results>`: id, success, created and any errors per record."""
    parts = []
    for save in saves:
        errors = "".join(
            "<errors>"
            + "".join(f"<fields>{escape(f)}</fields>" for f in e.get("fields") or [])
            + f"<message>{escape(e['message'])}</message>"
            + f"<statusCode>{escape(e['statusCode'])}</statusCode></errors>"
            for e in save["errors"]
        )
        rid = f"<id>{escape(save['id'])}</id>" if save["id"] else '<id xsi:nil="true"/>'
        parts.append(
            f"<result>{errors}{rid}<success>{_text(save['success'])}</success>"
            f"<created>{_text(save['created'])}</created></result>"
        )
    return f'{HEAD}<results xmlns="{NS}" xmlns:xsi="{XSI}">{"".join(parts)}</results>'


def _record(record: Mapping[str, Any]) -> str:
    attributes = record.get("attributes") or {}
    out = [f"<type>{escape(str(attributes.get('type', '')))}</type>"] if attributes else []
    for key, value in record.items():
        if key == "attributes":
            continue
        if value is None:
            out.append(f'<{key} xsi:nil="true"/>')
        elif isinstance(value, dict):
            out.append(f'<{key} xsi:type="sObject">{_record(value)}</{key}>')
        else:
            out.append(f"<{key}>{_text(value)}</{key}>")
    return "".join(out)


def query_result(records: Iterable[Mapping[str, Any]]) -> str:
    """An XML query batch's result: `<queryResult>` of `<records xsi:type="sObject">`."""
    inner = "".join(f'<records xsi:type="sObject">{_record(r)}</records>' for r in records)
    return f'{HEAD}<queryResult xmlns="{NS}" xmlns:xsi="{XSI}">{inner}</queryResult>'


def sobjects_document(records: Iterable[Mapping[str, Any]]) -> str:
    inner = "".join(f"<sObject>{_record(r)}</sObject>" for r in records)
    return f'{HEAD}<sObjects xmlns="{NS}" xmlns:xsi="{XSI}">{inner}</sObjects>'


def _parse(raw: bytes, what: str, code: str) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(raw.strip())
    except ElementTree.ParseError as exc:
        raise ApiError(400, code, f"Unable to parse the {what} XML: {exc}") from None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def job_info(raw: bytes) -> dict[str, Any]:
    """A jobInfo document's fields by local name (text values)."""
    root = _parse(raw, "jobInfo", "InvalidJob")
    if _local(root.tag) != "jobInfo":
        raise ApiError(400, "InvalidJob", f"Expected a jobInfo element, got {_local(root.tag)}")
    return {_local(child.tag): (child.text or "").strip() for child in root}


def sobjects(raw: bytes) -> list[dict[str, Any]]:
    """An XML batch's records: each `<sObject>`'s fields; `xsi:nil="true"` is null; a parent
    named by external Id, `<Account><Ext__c>A-1</Ext__c></Account>`, as a nested record."""
    root = _parse(raw, "batch", "InvalidBatch")
    if _local(root.tag) != "sObjects":
        raise ApiError(400, "InvalidBatch", f"Expected an sObjects element, got {_local(root.tag)}")
    nil = f"{{{XSI}}}nil"
    records = []
    for item in root:
        record: dict[str, Any] = {}
        for child in item:
            name = _local(child.tag)
            if len(child):
                record[name] = {_local(c.tag): (c.text or "").strip() for c in child}
            else:
                record[name] = None if child.get(nil) == "true" else (child.text or "")
        records.append(record)
    return records
