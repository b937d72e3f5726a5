"""Console admins: scrypt password hashes and login sessions, both kept in the store.

A session cookie carries a random token; the store keeps only its SHA-256, so a copy of the
database cannot be replayed as a login. Sessions end on logout or after `SESSION_HOURS`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update

from sync_core.tables import admin_sessions, admins

SESSION_HOURS = 12
MIN_PASSWORD = 10
# scrypt's interactive-login parameters (RFC 7914 section 2: N=2^14, r=8, p=1).
_N, _R, _P = 2**14, 8, 1


def hash_password(password: str, salt: bytes | None = None) -> str:
    """`scrypt$N$r$p$salt$hash` (hex), so the parameters can be raised later."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def is_password(password: str, stored: str) -> bool:
    """True if `password` matches the stored hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except ValueError:
        return False
    return hmac.compare_digest(got.hex(), digest)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    """The admins table and the sessions table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, username: str, password: str, now: datetime) -> bool:
        """Add an admin, or set a new password for one; True if the admin is new."""
        name = username.strip()
        if not name or any(c.isspace() for c in name):
            raise ValueError("an admin's name is one word (an email address, say)")
        if len(password) < MIN_PASSWORD:
            raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
        hashed = hash_password(password)
        with self.engine.begin() as conn:
            known = conn.execute(select(admins.c.username).where(admins.c.username == name))
            if known.first() is None:
                conn.execute(
                    insert(admins).values(username=name, password_hash=hashed, created_at=now)
                )
                return True
            conn.execute(
                update(admins).where(admins.c.username == name).values(password_hash=hashed)
            )
            conn.execute(delete(admin_sessions).where(admin_sessions.c.username == name))
            return False

    def names(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(
                conn.execute(select(admins.c.username).order_by(admins.c.username)).scalars()
            )

    def log_in(self, username: str, password: str, now: datetime) -> str | None:
        """A new session token if the password is right, else None (same work either way)."""
        with self.engine.connect() as conn:
            stored = conn.execute(
                select(admins.c.password_hash).where(admins.c.username == username.strip())
            ).scalar()
        # Hash even for an unknown name, so timing does not tell which names exist.
        ok = is_password(password, stored or hash_password("", b"\0" * 16))
        if not ok or stored is None:
            return None
        token = secrets.token_urlsafe(32)
        expires = now + timedelta(hours=SESSION_HOURS)
        with self.engine.begin() as conn:
            conn.execute(delete(admin_sessions).where(admin_sessions.c.expires_at <= now))
            conn.execute(
                insert(admin_sessions).values(
                    token_hash=_token_hash(token),
                    username=username.strip(),
                    created_at=now,
                    expires_at=expires,
                )
            )
        return token

    def who(self, token: str | None, now: datetime) -> str | None:
        """The admin a session token belongs to, if the session is live."""
        if not token:
            return None
        query = select(admin_sessions.c.username).where(
            admin_sessions.c.token_hash == _token_hash(token),
            admin_sessions.c.expires_at > now,
        )
        with self.engine.connect() as conn:
            name = conn.execute(query).scalar()
        return str(name) if name is not None else None

    def log_out(self, token: str | None) -> None:
        if not token:
            return
        with self.engine.begin() as conn:
            conn.execute(
                delete(admin_sessions).where(admin_sessions.c.token_hash == _token_hash(token))
            )
