"""Signed per-person unsubscribe links: pure minting and checking, no I/O, no clock reads.

A link's token is `<person>.<expires>.<signature>`: the person's number, the expiry in Unix
seconds, and HMAC-SHA256 over both and the person's email address under the link secret
(base64url, unpadded). Changing any part, or the person's address, breaks the signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

DEFAULT_DAYS = 90
MIN_SECRET = 16


class LinkProblem(StrEnum):
    """Why a link cannot be used (shown to the recipient in plain words by the page)."""

    MALFORMED = "malformed"
    FORGED = "forged"
    EXPIRED = "expired"


@dataclass(frozen=True)
class LinkClaim:
    """What an unverified token says: whose link, and until when."""

    person_id: int
    expires: datetime


class LinkError(Exception):
    def __init__(self, problem: LinkProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def check_secret(secret: str) -> bytes:
    """The secret as key bytes; a short one is refused (HMAC is only as good as its key)."""
    if len(secret.strip()) < MIN_SECRET:
        raise ValueError(f"the link secret needs at least {MIN_SECRET} characters")
    return secret.strip().encode()


def _signature(key: bytes, person_id: int, expires: int, email: str) -> str:
    message = f"unsubscribe:{person_id}:{expires}:{email.strip().lower()}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def mint_token(key: bytes, person_id: int, email: str, expires: datetime) -> str:
    stamp = int(expires.timestamp())
    return f"{person_id}.{stamp}.{_signature(key, person_id, stamp, email)}"


def confirm_token(key: bytes, token: str) -> str:
    """The unsubscribe form's CSRF token, bound to its link: no cookie is needed, so a mail
    app's browser that keeps none can still confirm."""
    digest = hmac.new(key, f"confirm:{token}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def link_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/u/{token}"


def expiry(now: datetime, days: int = DEFAULT_DAYS) -> datetime:
    return now + timedelta(days=days)


def read_token(token: str) -> LinkClaim:
    """Parse without trusting: the claim still has to pass `verify_token`."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        raise LinkError(LinkProblem.MALFORMED)
    return LinkClaim(int(parts[0]), datetime.fromtimestamp(int(parts[1]), UTC))


def verify_token(key: bytes, token: str, email: str | None, now: datetime) -> LinkClaim:
    """The claim if the signature matches the person's address and the link has not expired.

    A bad signature is reported before expiry, so an altered expiry reads as forged."""
    claim = read_token(token)
    stamp = token.split(".")[1]
    given = token.split(".")[2]
    if email is None or not hmac.compare_digest(
        given, _signature(key, claim.person_id, int(stamp), email)
    ):
        raise LinkError(LinkProblem.FORGED)
    if now >= claim.expires:
        raise LinkError(LinkProblem.EXPIRED)
    return claim
