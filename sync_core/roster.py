"""A people CSV (email, contact_id, lead_id): every row validated before anything is stored.

A Salesforce report export is read as it is: headers `Email`, `Contact ID`, `Lead ID` in any
case, comma- or semicolon-separated, its other columns ignored.

Ids are checked as Salesforce mints them: 15 or 18 characters, the object's key prefix
(003 Contact, 00Q Lead), and for 18 characters the case-safe suffix; every Id is kept in its
18-character form, so a report export's 15-character Id links the same record
(docs/behaviour.md 3.4).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sync_core.ids import BadId, to18, to18_or_none

COLUMNS = ("email", "contact_id", "lead_id")
SOBJECTS = {"contact_id": "Contact", "lead_id": "Lead"}
_EMAIL = re.compile(  # no control characters (a NUL byte) in the local part
    r"^[^@\s,;<>\"\x00-\x1f\x7f]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
)
MAX_PROBLEMS_SHOWN = 20
# Header spellings, after lower-casing and turning spaces and dashes into underscores.
ALIASES = {
    "email": "email",
    "email_address": "email",
    "contact_id": "contact_id",
    "contactid": "contact_id",
    "lead_id": "lead_id",
    "leadid": "lead_id",
}


@dataclass(frozen=True)
class Row:
    line: int
    email: str
    contact_id: str | None
    lead_id: str | None


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class RosterError(Exception):
    """The file cannot be imported; `problems` lists every bad line (nothing was imported)."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        shown = "; ".join(str(p) for p in problems[:MAX_PROBLEMS_SHOWN])
        more = len(problems) - MAX_PROBLEMS_SHOWN
        suffix = f"; and {more} more" if more > 0 else ""
        count = f"{len(problems)} bad line(s), " if problems[0].line else ""
        super().__init__(f"{path}: {count}nothing imported: {shown}{suffix}")
        self.problems = problems


def id_problem(value: str, column: str) -> str | None:
    """Why `value` is not a valid Id for `column` (contact_id or lead_id), or None."""
    try:
        to18(value, SOBJECTS[column])
    except BadId as exc:
        return f"{column} {exc}"
    return None


def is_email(value: str) -> bool:
    return bool(_EMAIL.match(value)) and len(value) <= 320


def read_roster(path: Path) -> list[Row]:
    """Parse and validate the whole file; raise RosterError listing every bad line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RosterError(path, [Problem(0, "file not found")]) from None
    except UnicodeDecodeError:
        raise RosterError(path, [Problem(0, "not UTF-8 text")]) from None
    except OSError as exc:
        raise RosterError(path, [Problem(0, f"cannot read: {exc.strerror}")]) from None
    return parse_roster(path, text)


def parse_roster(path: Path, text: str) -> list[Row]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise RosterError(path, [Problem(0, f"malformed CSV: {exc}")]) from None
    if not records:
        raise RosterError(
            path, [Problem(1, "empty file; expected a header email,contact_id,lead_id")]
        )
    header = _header(path, records[0])
    rows: list[Row] = []
    problems: list[Problem] = []
    for line, record in _numbered(records[1:], start=2):
        row, found = _row(line, header, record)
        problems.extend(found)
        if row is not None:
            rows.append(row)
    problems.extend(_duplicates(rows))
    if problems:
        raise RosterError(path, sorted(problems, key=lambda p: p.line))
    return rows


def _header(path: Path, cells: list[str]) -> list[str]:
    """Each column's name as the importer knows it ("" for a report's other columns)."""
    named = [ALIASES.get(re.sub(r"[\s-]+", "_", c.strip().lower()), "") for c in cells]
    known = [n for n in named if n]
    stray = [c.strip() for c, n in zip(cells, named, strict=True) if not n]
    if (
        "email" not in known
        or len(set(known)) != len(known)
        or (stray and not _looks_exported(cells))
    ):
        got = ", ".join(c.strip() for c in cells)
        message = (
            f"header must name the columns {', '.join(COLUMNS)} (or a report's Email, "
            f"Contact ID, Lead ID); got {got}"
        )
        raise RosterError(path, [Problem(1, message)])
    return named


def _looks_exported(cells: list[str]) -> bool:
    """A report export's headers are labels ("Contact ID"), not the importer's own names."""
    return any(" " in c.strip() for c in cells)


def _numbered(records: list[list[str]], start: int) -> Iterable[tuple[int, list[str]]]:
    for offset, record in enumerate(records):
        if record and any(cell.strip() for cell in record):
            yield start + offset, record


def _row(line: int, header: list[str], record: list[str]) -> tuple[Row | None, list[Problem]]:
    if len(record) != len(header):
        return None, [Problem(line, f"expected {len(header)} fields, got {len(record)}")]
    values = dict.fromkeys(COLUMNS, "")
    values.update({h: cell.strip() for h, cell in zip(header, record, strict=True) if h})
    problems = []
    email = values["email"].lower()
    if not is_email(email):
        problems.append(Problem(line, f"email {values['email']!r} is not an email address"))
    for column in SOBJECTS:
        if values[column]:
            problem = id_problem(values[column], column)
            if problem:
                problems.append(Problem(line, problem))
    if problems:
        return None, problems
    contact = to18_or_none(values["contact_id"], "Contact")
    row = Row(line, email, contact, to18_or_none(values["lead_id"], "Lead"))
    return row, []


def _duplicates(rows: list[Row]) -> list[Problem]:
    first: dict[str, int] = {}
    problems = []
    for row in rows:
        if row.email in first:
            problems.append(Problem(row.line, f"{row.email} repeats line {first[row.email]}"))
        else:
            first[row.email] = row.line
    return problems
