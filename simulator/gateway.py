"""The sync core's Salesforce gateway for a run: the engine's own adapter, logged in to the org.

The engine talks to the fake exactly as to a real org: simple-salesforce over the session the
org side provides (in-process transport, or HTTP to `fake-salesforce serve`).
"""

from __future__ import annotations

from collections.abc import Callable

from simulator.orgs import SalesforceSide
from sync_core.salesforce import SalesforceAdapter


def open_gateway(side: SalesforceSide, sleep: Callable[[float], None]) -> SalesforceAdapter:
    """The adapter, logged in with the org's integration user; its waits move simulated time."""
    return SalesforceAdapter.with_password(
        side.username, side.password, side.security_token, session=side.session(), sleep=sleep
    )
