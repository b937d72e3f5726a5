"""Fault rules an org applies to incoming requests (outage, error codes, latency, expiry).

Each rule matches by method, sObject and path glob, and lasts for a count, until a time, or
fires at a seeded rate. `before_request` raises the error Salesforce would answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RequestInfo:
    """What a fault rule can match on."""

    method: str
    path: str
    sobject: str | None
    token: str | None


@dataclass
class FaultSet:
    """The org's active fault rules, applied in order before each API request."""

    rules: list[Any] = field(default_factory=list)

    def before_request(self, info: RequestInfo, org: Any) -> None:
        for rule in list(self.rules):
            rule.apply(info, org, self)
