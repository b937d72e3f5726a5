"""Fixtures for sync_core: an in-memory org, a service on SQLite memory, a throwaway PostgreSQL."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from sync_core.service import SyncService
from tests.pg_cluster import postgres_url  # noqa: F401  (session fixture, reused here)
from tests.sync_core.memory_org import MemoryOrg

T0 = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


class FrozenClock:
    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def org(clock: FrozenClock) -> MemoryOrg:
    return MemoryOrg(clock=clock)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def service(org: MemoryOrg, clock: FrozenClock, sleeps: list[float]) -> Iterator[SyncService]:
    svc = SyncService.open(
        "sqlite:///:memory:", org, sleep=sleeps.append, clock=clock, rng=random.Random(7)
    )
    yield svc
    svc.close()
