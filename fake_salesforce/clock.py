"""The org's clock: real (or freezegun's) time plus an offset that only moves forward.

In-process it follows freezegun, because it reads `datetime.now` on every call; over HTTP the
control API sets or advances it. It never goes backwards, and never past Salesforce's last
datetime (4000-12-31T23:59:59Z), so no request can leave an org at a time it cannot compute with.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

LATEST = datetime(4000, 12, 31, 23, 59, 59, tzinfo=UTC)  # the last datetime Salesforce stores


class ClockError(ValueError):
    """A request to move the clock backwards."""


class ClockRangeError(ClockError):
    """A request to move the clock past LATEST."""

    def __init__(self) -> None:
        super().__init__(
            f"the clock stays at or before {LATEST.isoformat()} (Salesforce's last datetime)"
        )


class OrgClock:
    """Monotonic, settable, advanceable time for one org."""

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._last: datetime | None = None
        self._lock = threading.Lock()

    @staticmethod
    def _base() -> datetime:
        return datetime.now(UTC)

    def now(self) -> datetime:
        with self._lock:
            current = self._base() + self._offset
            if self._last is not None and current < self._last:
                current = self._last
            self._last = current
            return current

    def set(self, when: datetime) -> datetime:
        """Move the clock to `when` (aware); earlier than now is an error."""
        if when.tzinfo is None:
            raise ClockError("time must carry a UTC offset")
        when = when.astimezone(UTC)
        if when > LATEST:
            raise ClockRangeError()
        current = self.now()
        if when < current:
            raise ClockError(
                f"the clock never goes backwards: {when.isoformat()} is before "
                f"{current.isoformat()}"
            )
        with self._lock:
            self._offset = when - self._base()
            self._last = when
        return when

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ClockError("the clock never goes backwards: negative advance")
        try:
            when = self.now() + delta
        except OverflowError:
            raise ClockRangeError() from None
        return self.set(when)

    def restore(self, when: datetime) -> None:
        """Stand at `when`, even if earlier: only for loading a saved org (a new timeline)."""
        if when.tzinfo is None or when.astimezone(UTC) > LATEST:
            raise ClockRangeError()
        with self._lock:
            self._offset = when.astimezone(UTC) - self._base()
            self._last = when.astimezone(UTC)
