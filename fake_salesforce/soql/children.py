"""Parent-to-child relationship queries: `SELECT Name, (SELECT LastName FROM Contacts) FROM
Account`. Each parent record carries its children as a nested query result, `{"totalSize": n,
"done": true, "records": [...]}`, or null when it has none (SOQL and SOSL Reference,
"Relationship Queries": "Using Relationship Queries"; REST API, "Query").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fake_salesforce.schema import FieldSpec, ObjectSpec
from fake_salesforce.soql import nodes
from fake_salesforce.soql.diagnostics import malformed, query_error
from fake_salesforce.soql.expansion import expand
from fake_salesforce.soql.fields import Catalog, child_relationship
from fake_salesforce.soql.literals import Context
from fake_salesforce.soql.ordering import sort_ids
from fake_salesforce.soql.predicate import Compiler, Predicate
from fake_salesforce.table import Row, Table

if TYPE_CHECKING:
    from fake_salesforce.soql.projection import Projection


@dataclass
class ChildQuery:
    """One subquery bound to the child object, its lookup field and its own clauses."""

    key: str
    catalog: Catalog
    spec: ObjectSpec
    table: Table
    lookup: FieldSpec
    projection: Projection
    test: Predicate | None
    query: nodes.SubQuery
    text: str

    def child_ids(self, parent_id: str) -> list[str]:
        """The live children of one parent that pass WHERE, in ORDER BY order, cut to LIMIT."""
        rows = self.table.rows
        found = self.table.lookup(self.lookup.name, [parent_id])
        if found is None:
            slot = self.table.slots[self.lookup.name]
            found = {rid for rid, row in rows.items() if row[slot] == parent_id}
        deleted = self.table.slots["IsDeleted"]
        test = self.test
        ids = sorted(r for r in found if not rows[r][deleted] and (test is None or test(rows[r])))
        if self.query.order_by:
            sort_ids(ids, self.query.order_by, self.catalog, self.spec, self.table, self.text)
        return ids if self.query.limit is None else ids[: self.query.limit]

    def render(self, parent: Row, version: str) -> dict[str, Any] | None:
        ids = self.child_ids(parent[0])
        if not ids:
            return None
        render = self.projection.compile(version)
        records = [render(self.table.rows[rid]) for rid in ids]
        return {"totalSize": len(records), "done": True, "records": records}

    def render_json(self, parent: Row, version: str) -> str:
        ids = self.child_ids(parent[0])
        if not ids:
            return "null"
        encode = self.projection.compile_json(version)
        body = ",".join(encode(self.table.rows[rid]) for rid in ids)
        return f'{{"totalSize":{len(ids)},"done":true,"records":[{body}]}}'


def bind_child(
    catalog: Catalog, parent: ObjectSpec, sub: nodes.SubQuery, ctx: Context
) -> ChildQuery:
    """The subquery bound to the schema, or Salesforce's error for an unknown relationship."""
    from fake_salesforce.soql.projection import renderer  # it renders children in turn

    found = child_relationship(catalog, parent, sub.relationship)
    if found is None:
        raise query_error(
            "INVALID_TYPE",
            ctx.text,
            sub.relationship_pos,
            f"Didn't understand relationship '{sub.relationship}' in FROM part of query call. "
            "If you are attempting to use a custom relationship, be sure to append the '__r' "
            "after the custom relationship name. Please reference your WSDL or the describe "
            "call for the appropriate names.",
        )
    spec, lookup = found
    table = catalog.table(spec.name)
    if not sub.select:
        raise malformed(ctx.text, sub.pos, "unexpected token: 'FROM'")
    select = expand(sub.select, sub.limit, spec, ctx.text)
    aggregate = next((item for item in select if isinstance(item, nodes.Aggregate)), None)
    if aggregate is not None:
        raise malformed(ctx.text, aggregate.pos, "unexpected token: '('")
    projection = renderer(catalog, spec, table, list(select), ctx.text)
    test = None
    if sub.where is not None:
        test = Compiler(catalog, spec, table, ctx).condition(sub.where).test
    key = lookup.child_relationship or sub.relationship
    return ChildQuery(key, catalog, spec, table, lookup, projection, test, sub, ctx.text)


def json_key(key: str) -> str:
    return json.dumps(key)
