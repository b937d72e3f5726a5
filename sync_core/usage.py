"""The org's API usage as last seen on any response, kept in the store with the time it was
seen (docs/behaviour.md 8), so a nightly run, in whatever process, checks the headroom before its
very first call.

Salesforce counts the daily allocation over a rolling 24 hours: a figure seen a day ago or
more says nothing about now, and is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sync_core.ports import SalesforceGateway, SyncState

USAGE_KEY = "api.usage"
WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Usage:
    used: int
    allocation: int
    seen_at: datetime

    def leaves(self, upcoming: int, headroom: float) -> bool:
        """True when `upcoming` more calls keep the reserved share of the allocation free."""
        if not self.allocation:
            return True
        return self.allocation - self.used - upcoming >= headroom * self.allocation


def remember_usage(store: SyncState, gateway: SalesforceGateway, now: datetime) -> Usage | None:
    """Keep the usage the gateway last saw (on a push's response or a run's) as seen `now`."""
    seen = gateway.api_usage()
    if seen is None:
        return None
    usage = Usage(seen[0], seen[1], now)
    store.set_state(USAGE_KEY, f"{usage.used} {usage.allocation} {now.isoformat()}")
    return usage


def last_usage(store: SyncState, now: datetime) -> Usage | None:
    """The usage last seen by any process, unless a whole window has passed since."""
    raw = store.get_state(USAGE_KEY)
    if not raw:
        return None
    used, allocation, seen_at = raw.split(" ")
    usage = Usage(int(used), int(allocation), datetime.fromisoformat(seen_at))
    return usage if now - usage.seen_at < WINDOW else None
