"""A process holding the nightly lock with a nightly run in progress, until it is killed.

`python -m tests.sync_core.nightly_holder STORE_URL`: prints `holding RUN_ID` once the lock is
held and the run recorded, then blocks on stdin, as a nightly run does while it waits on
Salesforce; the crash tests kill it with SIGKILL there.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from sync_core.claim import nightly_lock
from sync_core.model import RunKind
from sync_core.store import open_store


def main() -> None:
    store = open_store(sys.argv[1])
    with nightly_lock(store, beat_seconds=0.2):
        run_id = store.start_run(RunKind.NIGHTLY, datetime.now(UTC))
        print(f"holding {run_id}", flush=True)
        sys.stdin.readline()  # blocks until SIGKILL


if __name__ == "__main__":
    main()
