"""The fixtures the fake's own tests share: a fresh fake org and a simple-salesforce client on it.

A folder or module that needs a different fake (a loaded schema, a served one) overrides
`fake`; `sf` then follows it.
"""

from __future__ import annotations

from typing import Any

import pytest

from fake_salesforce.fixture import FakeSalesforce


@pytest.fixture
def fake() -> FakeSalesforce:
    return FakeSalesforce()


@pytest.fixture
def sf(fake: FakeSalesforce) -> Any:
    return fake.client()
