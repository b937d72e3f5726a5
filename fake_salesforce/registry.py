"""The orgs one server holds, and the sessions (access tokens) that point into them.

Each org is isolated: a token is bound to exactly one org, so it can never read another's data.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from fake_salesforce.org import Credentials, Org, OrgSettings


@dataclass(frozen=True)
class Session:
    token: str
    org_id: str
    issued_at: datetime
    expires_at: datetime
    refresh_token: str | None = None


class Registry:
    """Orgs by Id and username, and live sessions by token."""

    def __init__(self, journal_limit: int | None = None) -> None:
        """`journal_limit`: the journal entries each org keeps (None: all of them)."""
        self.journal_limit = journal_limit
        self.orgs: dict[str, Org] = {}
        self._sessions: dict[str, Session] = {}
        self._refresh: dict[str, str] = {}
        self._lock = threading.Lock()
        self._pods = 0
        self._one_time: dict[str, tuple[str, datetime]] = {}  # frontdoor codes: org Id, expiry

    def add_org(
        self, settings: OrgSettings | None = None, credentials: Credentials | None = None
    ) -> Org:
        with self._lock:
            self._pods += 1
            pod = f"{self._pods % 10}{'abcdefghijklmnopqrstuvwxyz'[(self._pods // 10) % 26]}"
            org = Org(settings, credentials, pod=pod)
            org.journal.limit = self.journal_limit
            if self.by_username(org.credentials.username) is not None:
                raise ValueError(f"an org already has the username {org.credentials.username}")
            self.orgs[org.org_id] = org
            return org

    def remove_org(self, org_id: str) -> None:
        with self._lock:
            self.orgs.pop(org_id, None)
            for token in [t for t, s in self._sessions.items() if s.org_id == org_id]:
                del self._sessions[token]

    @property
    def default_org(self) -> Org:
        return next(iter(self.orgs.values()))

    def by_username(self, username: str) -> Org | None:
        wanted = username.lower()
        return next(
            (o for o in self.orgs.values() if o.credentials.username.lower() == wanted), None
        )

    def by_consumer_key(self, key: str) -> Org | None:
        return next((o for o in self.orgs.values() if o.credentials.consumer_key == key), None)

    def issue(self, org: Org, with_refresh: bool = False) -> Session:
        """A new access token for `org`, valid for its session lifetime on its clock."""
        now = org.clock.now()
        token = f"{org.org_id[:15]}!AQ{secrets.token_urlsafe(48)}"
        refresh = f"5Aep{secrets.token_urlsafe(60)}" if with_refresh else None
        session = Session(
            token, org.org_id, now, now + timedelta(seconds=org.settings.session_seconds), refresh
        )
        with self._lock:
            self._sessions[token] = session
            if refresh:
                self._refresh[refresh] = org.org_id
        return session

    def org_for_refresh(self, refresh_token: str) -> Org | None:
        org_id = self._refresh.get(refresh_token)
        return self.orgs.get(org_id) if org_id else None

    def resolve(self, token: str) -> Org | None:
        """The org a live token belongs to; None when unknown, revoked or expired."""
        session = self._sessions.get(token)
        if session is None:
            return None
        org = self.orgs.get(session.org_id)
        if org is None or org.clock.now() >= session.expires_at:
            return None
        return org

    def one_time_code(self, org: Org, seconds: int = 60) -> str:
        """A single-use code that opens `org` in a browser (the frontdoor's `otp`)."""
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._one_time[code] = (org.org_id, org.clock.now() + timedelta(seconds=seconds))
        return code

    def redeem(self, code: str) -> Org | None:
        """The org a one-time code opens; the code works once, and only before it expires."""
        with self._lock:
            found = self._one_time.pop(code, None)
        if found is None:
            return None
        org = self.orgs.get(found[0])
        return org if org is not None and org.clock.now() < found[1] else None

    def revoke(self, token: str) -> bool:
        with self._lock:
            if self._sessions.pop(token, None) is not None:
                return True
            return self._refresh.pop(token, None) is not None

    def expire_sessions(self, org_id: str) -> int:
        """End every live session of one org (a fault or an admin's act)."""
        with self._lock:
            doomed = [t for t, s in self._sessions.items() if s.org_id == org_id]
            for token in doomed:
                del self._sessions[token]
            return len(doomed)
