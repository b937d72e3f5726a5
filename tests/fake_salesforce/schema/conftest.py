"""The schema tests run on a fake that loaded the SFDX example project (Widget__c and friends)."""

from __future__ import annotations

import pytest

from fake_salesforce.fixture import FakeSalesforce
from tests.fake_salesforce.schema.project import SFDX


@pytest.fixture
def fake() -> FakeSalesforce:
    return FakeSalesforce(schema=[SFDX])
