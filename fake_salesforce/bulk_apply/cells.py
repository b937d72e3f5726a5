"""A Bulk job's columns: each cell converted to (value as uploaded, value to store), or doubted.

The checks are the cheap ones: text within its length, a checkbox word, a valid address, a value
`coerce` accepts, a live parent. A cell they cannot vouch for raises Doubt, and its row takes the
per-record path, whose answer is the authority.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fake_salesforce import ids
from fake_salesforce.bulk_csv import CHECKBOX_WORDS, NULL_MARK
from fake_salesforce.bulk_outcomes import SKIP
from fake_salesforce.errors import ApiError
from fake_salesforce.save_results import Outcome
from fake_salesforce.schema import FieldSpec
from fake_salesforce.table import Table
from fake_salesforce.values import coerce, is_valid_email

if TYPE_CHECKING:
    from fake_salesforce.org import Org

PLAIN_TEXT = frozenset({"string", "textarea", "picklist", "phone", "url"})
# Checkbox cells as clients write them, looked up without strip() and lower().
_CHECKBOX_WORDS = (
    CHECKBOX_WORDS
    | {w.upper(): v for w, v in CHECKBOX_WORDS.items()}
    | {"True": True, "False": False}
)

_CHECKBOX_CELLS: dict[str, Any] = {**_CHECKBOX_WORDS, "": SKIP}
EMAIL_LIMIT = 80  # values.is_valid_email: no address is longer


class Doubt(Exception):
    """The cheap checks cannot vouch for this cell: the row takes the per-record path."""


Convert = Callable[[str], tuple[Any, Any]]  # cell text -> (value as uploaded, stored value)
SlowRow = Callable[[list[str]], Outcome]


@dataclass(frozen=True, slots=True)
class Column:
    index: int
    name: str
    slot: int
    indexed: bool
    convert: Convert
    text_limit: int | None  # plain writable text: cells this long or shorter are kept as is
    checkbox: bool  # a writable checkbox: its words are stored as booleans
    email_limit: int | None  # a writable email field: valid addresses this long are kept as is


def job_column(org: Org, table: Table, index: int, field: FieldSpec, allowed: bool) -> Column:
    """A column of a job whose operation may write the field when `allowed` (updateable for
    an update, createable for an insert)."""
    writable = allowed and not field.calculated
    plain = writable and field.type in PLAIN_TEXT
    return Column(
        index,
        field.name,
        table.slots[field.name],
        table.is_indexed(field.name),
        converter(org, field, allowed),
        (field.length or 1 << 30) if plain else None,
        writable and field.type == "boolean",
        min(field.length or EMAIL_LIMIT, EMAIL_LIMIT)
        if writable and field.type == "email"
        else None,
    )


def cell(column: Column, text: str) -> tuple[Any, Any]:
    """(uploaded, stored) for one non-empty cell; Doubt when the cheap checks can't vouch."""
    limit = column.text_limit
    if limit is not None and len(text) <= limit and text != NULL_MARK:
        return text, text
    if column.checkbox and (value := _CHECKBOX_WORDS.get(text)) is not None:
        return value, value
    return column.convert(text)


def column_cells(
    column: Column, rows: list[list[str]], targets: list[Any]
) -> tuple[list[Any], list[Any]]:
    """A column's (uploaded, stored) values for every row, SKIP for empty cells; a row with
    a doubted cell loses its target (it will take the per-record path)."""
    index = column.index
    if None in targets:
        pairs = zip(rows, targets, strict=True)
        texts = [row[index] if target is not None else "" for row, target in pairs]
    else:
        texts = [row[index] for row in rows]
    quick = quick_cells(column, texts)
    if quick is not None:
        return quick, quick
    uploaded: list[Any] = [SKIP] * len(rows)
    values: list[Any] = [SKIP] * len(rows)
    for k, row in enumerate(rows):
        if targets[k] is None:
            continue
        text = row[index]
        if text == "":
            continue
        try:
            uploaded[k], values[k] = cell(column, text)
        except Doubt:
            targets[k] = None
    return uploaded, values


def quick_cells(column: Column, texts: list[str]) -> list[Any] | None:
    """The column's values when every cell is one the cheap checks keep as uploaded (text
    within its length, a checkbox word, a valid address), a pass over the column at C speed;
    None when any cell needs a closer look."""
    if column.checkbox:
        values = list(map(_CHECKBOX_CELLS.get, texts))
        return values if None not in values else None
    limit = column.text_limit or column.email_limit
    if limit is None or NULL_MARK in texts or max(map(len, texts), default=0) > limit:
        return None
    if column.email_limit is not None and not all(map(is_valid_email, filter(None, texts))):
        return None
    return [text or SKIP for text in texts] if "" in texts else texts


# -- converters: cell text to (uploaded value, stored value), Doubt when unsure -----------------
def converter(org: Org, field: FieldSpec, allowed: bool) -> Convert:
    """Cells of a field the job may write when `allowed` (else every cell is doubted)."""
    if field.type == "boolean":
        return _boolean(field, allowed)
    if field.type in PLAIN_TEXT and not field.calculated:
        return _plain(field, allowed)
    if field.type == "reference":
        return _reference(org, field, allowed)
    return _general(field, allowed)


def _boolean(field: FieldSpec, allowed: bool) -> Convert:
    def convert(text: str) -> tuple[Any, Any]:
        value = CHECKBOX_WORDS.get(text.strip().lower())
        if value is None or not allowed:
            raise Doubt
        return value, value

    return convert


def _cleared(field: FieldSpec) -> tuple[Any, Any]:
    if not field.nillable:
        raise Doubt
    return None, None


def _plain(field: FieldSpec, allowed: bool) -> Convert:
    limit = field.length

    def convert(text: str) -> tuple[Any, Any]:
        if not allowed or (limit and len(text) > limit):
            raise Doubt
        if text == NULL_MARK:
            return _cleared(field)
        return text, text

    return convert


def _general(field: FieldSpec, allowed: bool) -> Convert:
    def convert(text: str) -> tuple[Any, Any]:
        if not allowed:
            raise Doubt
        if text == NULL_MARK:
            return _cleared(field)
        try:
            value = coerce(field, text)
        except ApiError:
            raise Doubt from None
        if value is None and not field.nillable:
            raise Doubt
        return text, value

    return convert


def _reference(org: Org, field: FieldSpec, allowed: bool) -> Convert:
    general = _general(field, allowed)
    parents = [org.tables[t] for t in field.reference_to if t in org.tables]

    def convert(text: str) -> tuple[Any, Any]:
        uploaded, value = general(text)
        if value is not None and not _live_parent(parents, value):
            raise Doubt
        return uploaded, value

    return convert


def _live_parent(parents: list[Table], record_id: str) -> bool:
    owner = next((t for t in parents if record_id.startswith(t.spec.key_prefix)), None)
    row = owner.row(record_id) if owner is not None else None
    return row is not None and owner is not None and not owner.value(row, "IsDeleted")


def by_short_id(found: Callable[[str], Any], text: str) -> Any:
    """The stored row a 15-character Id names (Salesforce takes either length wherever an Id
    goes), so such rows stay on the fast path; None otherwise."""
    if len(text) != 15:
        return None
    full = ids.normalize(text)
    return found(full) if full is not None else None
