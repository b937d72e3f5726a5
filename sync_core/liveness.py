"""Who owns a run or a lock, and whether that owner is still alive.

An owner is `host:pid`. It is dead when it ran on this host and its process is gone (or a
zombie left by kill -9), or, wherever it ran, when its heartbeat is older than `STALE`.
A live run renews its heartbeat every `HEARTBEAT` (sync_core.claim).
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from pathlib import Path

HEARTBEAT = timedelta(seconds=15)
STALE = timedelta(seconds=90)  # six missed heartbeats


def this_process() -> str:
    """This process's owner name (computed each time, so a forked child gets its own)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_dead(owner: str | None, heartbeat: datetime | None, now: datetime) -> bool:
    """True when the owner cannot still be working (behaviour: a killed run is taken over)."""
    if owner == this_process():
        return False
    if heartbeat is not None and now - heartbeat > STALE:
        return True
    if not owner:
        return heartbeat is None
    host, _, pid = owner.rpartition(":")
    if host and host != socket.gethostname():
        return False  # another machine: only its heartbeat can tell
    return pid.isdigit() and not process_alive(int(pid))


def process_alive(pid: int) -> bool:
    """The process exists and is not a zombie (a killed child its parent has not reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]
