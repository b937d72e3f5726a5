"""Failed console logins slow a guesser down: after `per_name` failures for one name from one
address, or `per_address` failures from one address whatever the name, within `window`, that
address gets no answer about a password until the window has passed since the failure that
tripped the limit. A login that succeeds clears its name's count.

Counts live in the console's process (one process serves the console); a restart forgets them.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

PER_NAME = 5
PER_ADDRESS = 20
WINDOW = timedelta(minutes=15)


@dataclass
class LoginThrottle:
    per_name: int = PER_NAME
    per_address: int = PER_ADDRESS
    window: timedelta = WINDOW
    _failures: dict[tuple[str, str], deque[datetime]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, username: str, address: str, now: datetime) -> timedelta | None:
        """How long this address must wait before trying this name again, or None."""
        with self._lock:
            waits = [self._wait(key, limit, now) for key, limit in self._keys(username, address)]
        return max((w for w in waits if w is not None), default=None)

    def failed(self, username: str, address: str, now: datetime) -> None:
        with self._lock:
            for key, _ in self._keys(username, address):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._failures.pop(("name", _name(username) + "\0" + address), None)

    def _keys(self, username: str, address: str) -> list[tuple[tuple[str, str], int]]:
        return [
            (("name", _name(username) + "\0" + address), self.per_name),
            (("address", address), self.per_address),
        ]

    def _wait(self, key: tuple[str, str], limit: int, now: datetime) -> timedelta | None:
        times = self._failures.get(key)
        if not times:
            return None
        while times and now - times[0] >= self.window:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        if len(times) < limit:
            return None
        return times[len(times) - limit] + self.window - now


def _name(username: str) -> str:
    return username.strip().lower()
