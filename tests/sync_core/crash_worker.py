"""A push worker in its own process, for the crash test: `python -m tests.sync_core.crash_worker`.

Arguments: store URL, delivery log path, worker name, ISO instant, mode (`hang` or `run`).
Deliveries are appended (and fsynced) to the log before the call returns, like a Salesforce
write that happened even though the worker then died. In `hang` mode the worker announces
the batch on stdout and then blocks on stdin until it is killed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime

from sync_core.model import RecordWrite, SyncField, WriteOutcome
from sync_core.service import SyncService


class LoggingGateway:
    def __init__(self, log: str, hang: bool) -> None:
        self.log = log
        self.hang = hang
        self.calls = 0

    def api_usage(self) -> tuple[int, int] | None:
        return None

    def update(
        self, writes: Sequence[RecordWrite], names: Mapping[SyncField, str]
    ) -> list[WriteOutcome]:
        self.calls += 1
        half = writes[: len(writes) // 2] if self.hang else writes
        with open(self.log, "a", encoding="utf-8") as out:
            out.writelines(f"{w.record_id}\n" for w in half)
            out.flush()
            os.fsync(out.fileno())
        if self.hang:
            print(f"in-batch {len(writes)}", flush=True)
            sys.stdin.readline()  # blocks until SIGKILL
        return [WriteOutcome(w.record_id) for w in writes]


def main() -> None:
    url, log, worker, instant, mode = sys.argv[1:6]
    gateway = LoggingGateway(log, hang=mode == "hang")
    service = SyncService.open(url, gateway, worker=worker)  # type: ignore[arg-type]
    report = service.push_due(datetime.fromisoformat(instant))
    print(f"delivered {report.delivered}", flush=True)


if __name__ == "__main__":
    main()
