"""Run a SOQL statement over a catalog: bind, filter (index or scan), sort, cut, count.

The answer is an ordered Id list plus a renderer, so a page is rendered only when asked for
(paging stays cheap at 100,000 rows). Without ORDER BY rows come in Id order.
"""

from __future__ import annotations

import json
import operator
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from itertools import compress, islice
from operator import itemgetter
from typing import Any

from fake_salesforce.errors import MESSAGES, ApiError
from fake_salesforce.schema import ObjectSpec
from fake_salesforce.soql import nodes
from fake_salesforce.soql.children import bind_child
from fake_salesforce.soql.diagnostics import malformed
from fake_salesforce.soql.expansion import expand_fields
from fake_salesforce.soql.fields import Catalog, require_object
from fake_salesforce.soql.grouping import aggregate, is_aggregate
from fake_salesforce.soql.literals import Context
from fake_salesforce.soql.ordering import sort_ids
from fake_salesforce.soql.parser import parse
from fake_salesforce.soql.predicate import Compiler, Predicate
from fake_salesforce.soql.projection import Projection, Record, renderer
from fake_salesforce.table import Row, Table

MAX_OFFSET = 2000
SCAN_SECONDS = 60.0  # Salesforce's own limit is 120 s; a test suite should not wait that long
CHUNK = 16384


@dataclass(frozen=True)
class Result:
    """What a query answered: the ordered Ids to render, or fixed records for aggregates."""

    sobject: str
    table: Table
    ids: list[str]
    total_size: int
    render: Projection | None
    fixed: list[Record] | None = None
    for_mode: str | None = None  # FOR VIEW / FOR REFERENCE: the caller stamps the rows

    def records(self, start: int, stop: int, version: str) -> list[Record]:
        """Rows [start, stop) rendered now (rows gone since the query are skipped)."""
        if self.fixed is not None:
            return self.fixed[start:stop]
        if self.render is None:
            return []
        render = self.render.compile(version)
        found = map(self.table.rows.get, self.ids[start:stop])
        return [render(row) for row in found if row is not None]

    def columns(self) -> list[str]:
        """Column names of `flat_rows` (`Id`, `Account.Name`, ...; aggregate keys)."""
        if self.render is not None:
            return self.render.columns()
        return [k for k in (self.fixed or [{}])[0] if k != "attributes"]

    def flat_rows(self, start: int, stop: int) -> list[list[Any]]:
        """Rows [start, stop) as raw value lists for `columns()`: what Bulk CSV writes."""
        if self.render is None:
            names = self.columns()
            return [[record.get(n) for n in names] for record in (self.fixed or [])[start:stop]]
        flat = self.render.flat
        found = map(self.table.rows.get, self.ids[start:stop])
        return [flat(row) for row in found if row is not None]

    def records_json(self, start: int, stop: int, version: str) -> str:
        """`records(start, stop, version)` as compact JSON text, without building dicts."""
        if self.fixed is not None or self.render is None:
            return json.dumps(self.records(start, stop, version), separators=(",", ":"))
        encode = self.render.compile_json(version)
        found = map(self.table.rows.get, self.ids[start:stop])
        return "[" + ",".join([encode(row) for row in found if row is not None]) + "]"


def execute(
    text: str,
    catalog: Catalog,
    now: datetime,
    zone: str,
    include_deleted: bool = False,
    use_indexes: bool = True,
) -> Result:
    """Parse and run `text`; raises ApiError with Salesforce's code and message.

    `use_indexes=False` forces a scan (benchmarks compare both paths on the same filter).
    """
    query = parse(text)
    spec = require_object(catalog, query.sobject, text, query.sobject_pos)
    query = expand_fields(query, spec)
    table = catalog.table(spec.name)
    if query.offset is not None and query.offset > MAX_OFFSET:
        raise ApiError(400, "NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL offset allowed is 2000")
    ctx = Context(text, now, zone)
    if is_aggregate(query):
        ids = _matching(query, catalog, spec, table, ctx, include_deleted, use_indexes)
        records = aggregate(query, catalog, spec, table, ids, ctx)
        return Result(spec.name, table, [], len(records), None, fixed=records)
    count_all = [item for item in query.select if isinstance(item, nodes.CountAll)]
    paths = [item for item in query.select if isinstance(item, nodes.FieldPath)]
    if count_all and len(query.select) > 1:
        extra = query.select[1] if query.select[0] is count_all[0] else query.select[0]
        raise malformed(text, extra.pos, "COUNT() must be the only element in the SELECT list.")
    subs = [item for item in query.select if isinstance(item, nodes.SubQuery)]
    render = renderer(catalog, spec, table, paths, text) if paths or subs else None
    if render is not None:
        for sub in subs:
            render.add_child(bind_child(catalog, spec, sub, ctx))
    ids = _matching(query, catalog, spec, table, ctx, include_deleted, use_indexes)
    if query.order_by:
        sort_ids(ids, query.order_by, catalog, spec, table, text)
    ids = _cut(ids, query.offset, query.limit)
    if count_all:
        return Result(spec.name, table, [], len(ids), None, fixed=[])
    return Result(spec.name, table, ids, len(ids), render, for_mode=query.for_mode)


def _matching(
    query: nodes.Query,
    catalog: Catalog,
    spec: ObjectSpec,
    table: Table,
    ctx: Context,
    include_deleted: bool,
    use_indexes: bool,
) -> list[str]:
    deleted = table.slots["IsDeleted"]
    rows = table.rows
    if query.where is None:
        if include_deleted:
            return list(rows)
        return [rid for rid, row in rows.items() if not row[deleted]]
    compiled = Compiler(catalog, spec, table, ctx).condition(query.where)
    test: Predicate = compiled.test
    candidates = compiled.probe() if compiled.probe is not None and use_indexes else None
    if candidates is None and compiled.equal is not None:
        return _scan_equal(rows, *compiled.equal, None if include_deleted else deleted)
    pairs = rows.items() if candidates is None else [(r, rows[r]) for r in sorted(candidates)]
    return _scan(pairs, test, None if include_deleted else deleted)


def _scan(pairs: Iterable[tuple[str, Row]], test: Predicate, deleted: int | None) -> list[str]:
    """Ids of the rows passing `test`, in chunks, so a runaway filter ends in QUERY_TIMEOUT.

    Salesforce cancels long queries with QUERY_TIMEOUT; here a WHERE clause of thousands of
    unindexed terms over a million rows would otherwise hold the org's lock for hours.
    """
    deadline = time.monotonic() + SCAN_SECONDS
    source = iter(pairs)
    found: list[str] = []
    while chunk := list(islice(source, CHUNK)):
        # The deleted check is inlined in the comprehension: one call per row, not two.
        if deleted is None:
            found += [rid for rid, row in chunk if test(row)]
        else:
            found += [rid for rid, row in chunk if not row[deleted] and test(row)]
        if time.monotonic() > deadline:
            raise ApiError(400, "QUERY_TIMEOUT", MESSAGES["QUERY_TIMEOUT"])
    return found


def _scan_equal(rows: dict[str, Row], slot: int, value: Any, deleted: int | None) -> list[str]:
    """`field = value` over every row without a Python call per row (map/compress run in C).

    Only the matches are then checked for deletion: a tuple per row would cost more than it
    saves.
    """
    flags = map(partial(operator.eq, value), map(itemgetter(slot), rows.values()))
    if deleted is None:
        return list(compress(rows.keys(), flags))
    return [rid for rid, row in compress(rows.items(), flags) if not row[deleted]]


def _cut(ids: list[str], offset: int | None, limit: int | None) -> list[str]:
    start = offset or 0
    if start == 0 and limit is None:
        return ids
    return ids[start:] if limit is None else ids[start : start + limit]
