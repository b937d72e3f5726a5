"""Bulk API CSV: uploads read with the csv module, results written as Salesforce writes them.

docs/salesforce-wire.md 5.4: LF line endings, every value double-quoted in results, datetimes as
`2024-01-01T00:00:00.000Z`, booleans `true`/`false`; in uploads `#N/A` clears a field and an
empty value leaves it unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from fake_salesforce.errors import ApiError
from fake_salesforce.foreign_keys import ForeignKey
from fake_salesforce.schema import FieldSpec
from fake_salesforce.values import format_bulk_datetime

if TYPE_CHECKING:
    from fake_salesforce.soql.engine import Result
    from fake_salesforce.soql.projection import Projection

DELIMITERS = {
    "COMMA": ",",
    "TAB": "\t",
    "PIPE": "|",
    "SEMICOLON": ";",
    "CARET": "^",
    "BACKQUOTE": "`",
}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
NULL_MARK = "#N/A"
CONVERTED = frozenset({"boolean", "datetime", "date"})  # types whose cells are re-spelled
CHECKBOX_WORDS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def read_upload(data: bytes, delimiter: str = ",") -> tuple[list[str], list[list[str]]]:
    """The header and rows of an uploaded CSV (UTF-8, optional BOM)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApiError(400, "INVALIDBATCH", "The CSV data is not valid UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        rows = list(reader)
        if not all(rows):  # blank lines are no rows
            rows = [row for row in rows if row]
    except csv.Error as exc:
        raise ApiError(400, "INVALIDBATCH", f"InvalidBatch : Failed to parse CSV: {exc}") from None
    if not header:
        raise ApiError(400, "INVALIDBATCH", "InvalidBatch : Field names are missing")
    return [h.strip() for h in header], rows


def upload_values(fields: Sequence[FieldSpec | ForeignKey], row: Sequence[str]) -> dict[str, Any]:
    """A row's JSON-style values by field name: empty cells left out, `#N/A` as None, checkbox
    words as booleans (anything else is left for the field's own type check); a parent named
    by external Id as REST names it, `{"Account": {"Ext__c": cell}}`."""
    values: dict[str, Any] = {}
    for field, text in zip(fields, row, strict=True):
        if text == "":
            continue
        if isinstance(field, ForeignKey):
            if text == NULL_MARK:
                values[field.reference.name] = None
            else:
                values[field.relationship] = {field.external_field: text}
        elif text == NULL_MARK:
            values[field.name] = None
        elif field.type == "boolean":
            values[field.name] = CHECKBOX_WORDS.get(text.strip().lower(), text)
        else:
            values[field.name] = text
    return values


def cell(value: Any) -> str:
    """One stored value as a Bulk CSV cell."""
    if value is None:
        return ""
    if value.__class__ is str:
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_bulk_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    delimiter: str = ",",
    line_ending: str = "\n",
) -> str:
    """CSV text with every value double-quoted (an empty result is still a header line)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=line_ending, quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def error_text(error: ApiError) -> str:
    """`sf__Error`: `CODE:message:Field1,Field2 --` (no fields: `CODE:message:--`)."""
    fields = ",".join(error.fields or [])
    return f"{error.error_code}:{error.message}:{fields + ' ' if fields else ''}--"


def query_rows(
    result: Result, start: int, stop: int, delimiter: str = ",", line_ending: str = "\n"
) -> str:
    """Rows [start, stop) of a query result as Bulk CSV (Bulk 2.0 pages, Bulk 1.0 results)."""
    rows = result.flat_rows(start, stop)
    if result.render is None:
        rows = [[cell(v) for v in row] for row in rows]
    else:
        # Text, numbers and nulls are written as the csv module writes them; only checkbox and
        # date columns need Salesforce's spelling. Converting just those keeps 1M rows cheap.
        kinds = _kinds(result.render)
        for slot in [i for i, kind in enumerate(kinds) if kind in CONVERTED]:
            for row in rows:
                row[slot] = cell(row[slot])
    return write(result.columns(), rows, delimiter, line_ending)


def _kinds(level: Projection) -> list[str]:
    """Field types in the order of `Projection.columns()` (parents flattened in place)."""
    out: list[str] = []
    for key, slot in level.entries:
        out += _kinds(level.parents[key][0]) if slot is None else [slot[1]]
    return out
