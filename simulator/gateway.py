"""The sync core's Salesforce gateway for a run: the engine's own adapter, logged in to the org.

The engine talks to the fake exactly as to a real org: simple-salesforce over the session the
org side provides (in-process transport, or HTTP to `fake-salesforce serve`).
"""

from __future__ import annotations

from typing import Any

from simulator.orgs import SalesforceSide


class GatewayMissing(RuntimeError):
    """The engine's Salesforce adapter is not available."""


def open_gateway(side: SalesforceSide) -> Any:
    try:
        from sync_core import salesforce
    except ImportError as exc:
        raise GatewayMissing(f"sync_core.salesforce cannot be imported: {exc}") from exc
    return salesforce.connect(  # type: ignore[attr-defined]
        username=side.username,
        password=side.password,
        security_token=side.security_token,
        session=side.session(),
    )
