"""SOQL: parse text into a typed tree, bind it to an org's schema, run it over the org's tables.

`execute(text, org, now, zone, include_deleted)` answers a `Result` (ordered Ids rendered page by
page); `cursor.first_page`/`next_page` page it; `replication` serves getUpdated/getDeleted.
"""

from __future__ import annotations

from fake_salesforce.soql.engine import Result, execute
from fake_salesforce.soql.parser import parse

__all__ = ["Result", "execute", "parse"]
