"""The one request gate every API call of the fake passes, Flask views and the CRUD lane alike.

Entering: which org the token belongs to (else 401 INVALID_SESSION_ID), the org's lock (one call
at a time per org, so a threaded server never interleaves an org's writes), the fault rules that
hit the call and one call of the daily API allocation (docs/coverage.md). Leaving: the
`Sforce-Limit-Info` header and the journal entry (status, error code, records touched). Nothing
here knows Flask: app.py's hooks and lane.py call the same four steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fake_salesforce.errors import ApiError
from fake_salesforce.faults import RequestInfo
from fake_salesforce.org import Org
from fake_salesforce.registry import Registry

MIN_VERSION, MAX_VERSION = 31.0, 66.0  # the API versions Salesforce serves


def token_of(authorization: str | None, session: str | None) -> str | None:
    """The access token of `Authorization: Bearer|OAuth …`, else of `X-SFDC-Session`."""
    scheme, _, value = (authorization or "").partition(" ")
    if scheme.lower() in ("bearer", "oauth") and value.strip():
        return value.strip()
    return session or None


@dataclass(slots=True)
class Passage:
    """One call inside the gate: its org (locked), what it asked, and how it is journaled."""

    org: Org
    method: str
    path: str
    token: str
    bulk_v1: bool = False
    counted: bool = True
    client: str | None = None
    released: bool = False


class Gate:
    """Admits calls to the orgs of `registry` and journals them on the way out."""

    def __init__(
        self, registry: Registry, low: float = MIN_VERSION, high: float = MAX_VERSION
    ) -> None:
        self.registry, self.low, self.high = registry, low, high

    def serves(self, version: str) -> bool:
        """Whether `59.0` is a version Salesforce answers (others are 404 NOT_FOUND)."""
        return self.low <= float(version) <= self.high

    def org_of(self, token: str | None) -> Org | None:
        return self.registry.resolve(token) if token else None

    def enter(
        self,
        method: str,
        path: str,
        token: str | None,
        org: Org | None = None,
        bulk_v1: bool = False,
    ) -> Passage:
        """The call's passage with its org's lock held (401 when the token opens no org).

        Faults and usage come next, in `admit`: a call a fault refuses is still journaled."""
        if org is None:
            org = self.org_of(token)
        if org is None or token is None:
            raise ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")
        org.lock.acquire()
        return Passage(org, method, path, token, bulk_v1)

    @staticmethod
    def admit(passage: Passage, sobject: str | None) -> None:
        """Apply the fault rules that hit this call, then spend one call of the allocation."""
        org = passage.org
        info = RequestInfo(passage.method, passage.path, sobject, passage.token)
        org.faults.before_request(info, org)
        org.usage.spend(org.clock.now())

    @staticmethod
    def leave(
        passage: Passage,
        status: int,
        error_code: str | None,
        records: Sequence[Any],
        written: Sequence[Any],
    ) -> str | None:
        """Journal the call; the `Sforce-Limit-Info` value it answers with (None on Bulk 1.0,
        which does not send it)."""
        org = passage.org
        now = org.clock.now()
        header = None if passage.bulk_v1 else org.usage.header(now)
        org.journal.record(
            time=now,
            method=passage.method,
            path=passage.path,
            org_id=org.org_id,
            status=status,
            error_code=error_code,
            records=records,
            written=written,
            counted=passage.counted,
            client=passage.client,
        )
        return header

    @staticmethod
    def release(passage: Passage) -> None:
        """Let the org's next call in (once, however often called)."""
        if not passage.released:
            passage.released = True
            passage.org.lock.release()
