"""SOSL for `GET /search?q=`: `FIND {terms} [IN scope FIELDS] [RETURNING ...] [LIMIT n]`.

SOQL and SOSL Reference, "SOSL Syntax", "FIND {SearchQuery}", "IN SearchGroup", "RETURNING
FieldSpec": words in the search are ANDed unless joined by OR, `AND NOT` excludes, a quoted
phrase matches its words in order, `*` and `?` are wildcards (any run, one character); matching
is by whole words, case-insensitive. The search group picks the fields searched: NAME the name
fields, EMAIL and PHONE those types, ALL (the default) every text field. Each RETURNING object
may carry its own field list, WHERE, ORDER BY and LIMIT (run by the SOQL engine); without
RETURNING every object with a name field is searched for its Ids. A search term needs two
characters or more. The answer is `{"searchRecords": [...]}` (REST API Developer Guide,
"Search"), each record with `attributes`, as a query answers it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fake_salesforce.errors import ApiError
from fake_salesforce.org import Org
from fake_salesforce.schema import FieldSpec, ObjectSpec
from fake_salesforce.soql.engine import execute

_QUERY = re.compile(
    r"^\s*FIND\s*\{(?P<terms>(?:\\.|[^}\\])*)\}\s*"
    r"(?:IN\s+(?P<group>ALL|NAME|EMAIL|PHONE|SIDEBAR)\s+FIELDS\s*)?"
    r"(?:RETURNING\s+(?P<returning>.*?))?\s*(?:LIMIT\s+(?P<limit>\d+))?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_ITEM = re.compile(r"^\s*(?P<object>\w+)\s*(?:\((?P<inner>.*)\))?\s*$", re.DOTALL)
_TOKEN = re.compile(r'"[^"]*"|\(|\)|[^\s()"]+')
TEXT_TYPES = frozenset({"string", "textarea", "email", "phone", "url", "picklist", "combobox"})
MAX_ROWS = 2000

Match = Callable[[list[str]], bool]


@dataclass(frozen=True)
class Target:
    """One RETURNING item: the object and the SOQL clauses that follow its field list."""

    spec: ObjectSpec
    fields: str
    clauses: str
    limit: int | None


def search(text: str, org: Org, now: datetime, version: str) -> dict[str, Any]:
    """Run a SOSL search; raises ApiError as Salesforce words the failures."""
    found = _QUERY.match(text)
    if found is None:
        raise ApiError(400, "MALFORMED_SEARCH", "No search term found. The search term must be "
                       "enclosed in braces.")  # fmt: skip
    match = _matcher(found["terms"].replace("\\}", "}"))
    group = (found["group"] or "ALL").upper()
    limit = min(int(found["limit"]), MAX_ROWS) if found["limit"] else MAX_ROWS
    targets = _targets(found["returning"], org)
    out: list[dict[str, Any]] = []
    for target in targets:
        rows = _hits(target, org, (now, version), group, match)
        out.extend(rows[: target.limit] if target.limit is not None else rows)
    return {"searchRecords": out[:limit]}


def _targets(returning: str | None, org: Org) -> list[Target]:
    if not returning:
        specs = (org.object_spec(name) for name in org.tables)
        return [Target(s, "Id", "", None) for s in specs if s is not None and s.field("Name")]
    return [_target(part, org) for part in _split_items(returning)]


def _split_items(text: str) -> Iterator[str]:
    depth, start = 0, 0
    for k, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            yield text[start:k]
            start = k + 1
    yield text[start:]


def _target(part: str, org: Org) -> Target:
    found = _ITEM.match(part)
    if found is None:
        raise ApiError(400, "MALFORMED_SEARCH", f"unexpected token: {part.strip()}")
    spec = org.object_spec(found["object"])
    if spec is None:
        raise ApiError(400, "INVALID_TYPE", f"sObject type '{found['object']}' is not supported.")
    inner = (found["inner"] or "").strip()
    head = re.split(r"\s+(?=(?:WHERE|ORDER\s+BY|LIMIT|OFFSET)\b)", inner, maxsplit=1, flags=re.I)
    fields = head[0].strip() or "Id"
    clauses = head[1] if len(head) > 1 else ""
    limit = re.search(r"\bLIMIT\s+(\d+)\s*$", clauses, re.IGNORECASE)
    if limit is not None:
        clauses = clauses[: limit.start()]
    return Target(spec, fields, clauses.strip(), int(limit[1]) if limit else None)


def _hits(
    target: Target, org: Org, when: tuple[datetime, str], group: str, match: Match
) -> list[Any]:
    now, version = when
    soql = f"SELECT {target.fields} FROM {target.spec.name} {target.clauses}".strip()
    result = execute(soql, org, now, org.timezone)
    searched = _searched_fields(target.spec, group)
    table = org.table(target.spec.name)
    keep = {
        rid
        for rid in result.ids
        if (row := table.rows.get(rid)) is not None
        and match(_words(table.value(row, f.name) for f in searched))
    }
    records = result.records(0, len(result.ids), version)
    return [r for rid, r in zip(result.ids, records, strict=False) if rid in keep]


def _searched_fields(spec: ObjectSpec, group: str) -> list[FieldSpec]:
    def wanted(field: FieldSpec) -> bool:
        if group == "NAME":
            return field.name in ("Name", "FirstName", "LastName", "Company")
        if group == "EMAIL":
            return field.type == "email"
        if group == "PHONE":
            return field.type == "phone"
        return field.type in TEXT_TYPES

    return [f for f in spec.fields if wanted(f)]


def _words(values: Iterator[Any]) -> list[str]:
    text = " ".join(str(v) for v in values if v is not None)
    return [w.lower() for w in re.findall(r"\w+", text)]


def _matcher(terms: str) -> Match:
    """OR of AND-groups; each term a word (with wildcards) or a quoted phrase."""
    tokens = [t for t in _TOKEN.findall(terms) if t not in ("(", ")")]
    groups: list[list[tuple[bool, list[re.Pattern[str]]]]] = [[]]
    negate = False
    for token in tokens:
        upper = token.upper()
        if upper == "OR":
            groups.append([])
        elif upper == "AND":
            continue
        elif upper == "NOT":
            negate = True
        else:
            groups[-1].append((negate, _phrase(token.strip('"'))))
            negate = False
    if len(re.sub(r"[\W_]", "", terms)) < 2:
        raise ApiError(400, "MALFORMED_SEARCH", "search term must be longer than one character")

    def match(words: list[str]) -> bool:
        return any(
            group and all(_contains(words, pattern) != negated for negated, pattern in group)
            for group in groups
        )

    return match


def _phrase(text: str) -> list[re.Pattern[str]]:
    words = re.findall(r"[\w*?]+", text.lower())
    return [re.compile(re.escape(w).replace(r"\*", r"\w*").replace(r"\?", r"\w") + "$")
            for w in words]  # fmt: skip


def _contains(words: list[str], phrase: list[re.Pattern[str]]) -> bool:
    size = len(phrase)
    return any(
        all(p.match(w) for p, w in zip(phrase, words[k : k + size], strict=True))
        for k in range(len(words) - size + 1)
    )
