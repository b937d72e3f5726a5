"""The org's daily API allocation: calls counted per org day, refused once it is used up.

Answers `403 REQUEST_LIMIT_EXCEEDED` "TotalRequests Limit exceeded." (docs/salesforce-wire.md 7.2)
until the allocation resets at the org's day boundary, in the org's time zone.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from fake_salesforce.errors import ApiError


class ApiUsage:
    """Counts API calls against a daily allocation on the org's clock."""

    def __init__(self, limit: int, timezone: str) -> None:
        self.limit = limit
        self._zone = ZoneInfo(timezone)
        self._day: date | None = None
        self._used = 0
        self.total = 0

    def _roll(self, now: datetime) -> None:
        today = now.astimezone(self._zone).date()
        if today != self._day:
            self._day = today
            self._used = 0

    def used(self, now: datetime) -> int:
        self._roll(now)
        return self._used

    def remaining(self, now: datetime) -> int:
        return max(0, self.limit - self.used(now))

    def spend(self, now: datetime) -> None:
        """Count one call, or refuse it when today's allocation is gone."""
        self._roll(now)
        if self._used >= self.limit:
            raise ApiError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        self._used += 1
        self.total += 1

    def set_used(self, now: datetime, used: int) -> None:
        self._roll(now)
        self._used = max(0, used)

    def header(self, now: datetime) -> str:
        # simple-salesforce's regex is anchored at the start: `api-usage=` must come first.
        return f"api-usage={self.used(now)}/{self.limit}"
