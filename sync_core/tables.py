"""The store's schema as SQLAlchemy Core tables (the migrations create exactly these)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC in, aware UTC out, on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("contact_id", String(18), index=True),
    Column("lead_id", String(18), index=True),
    Column("unsubscribed", Boolean, nullable=False, default=False, index=True),
    Column("link_broken", Boolean, nullable=False, default=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("changed_at", UtcDateTime, nullable=False, index=True),
)

history = Table(
    "history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=False, index=True),
    Column("at", UtcDateTime, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("source", String(32)),
    Column("admin", String(320)),
    Column("reason", Text),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("due_at", UtcDateTime, nullable=False, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("state", String(8), nullable=False, index=True),
    Column("claimed_by", String(64)),
    Column("lease_until", UtcDateTime),
    Column("last_code", String(64)),
    Column("last_message", Text),
    Column("delivered_at", UtcDateTime),
)

settings = Table(
    "settings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("data", Text, nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False, index=True),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    Column("counts", Text, nullable=False, default="{}"),
    Column("detail", Text, nullable=False, default="{}"),
    Column("owner", String(128)),
    Column("heartbeat_at", UtcDateTime),
    Column("status", String(16), nullable=False, server_default="done", index=True),
)

diagnostics = Table(
    "diagnostics",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("person_id", Integer, ForeignKey("people.id"), index=True),
    Column("at", UtcDateTime, nullable=False),
    Column("code", String(64), nullable=False),
    Column("message", Text, nullable=False),
    Column("record_id", String(18)),
)

sync_state = Table(
    "sync_state",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text),
)

salesforce_writes = Table(
    "salesforce_writes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=False, index=True),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("at", UtcDateTime, nullable=False),
    Column("record_id", String(18), nullable=False),
    Column("fields", String(200), nullable=False),
    Column("origin", String(16), nullable=False),
)

admins = Table(
    "admins",
    metadata,
    Column("username", String(320), primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

admin_sessions = Table(
    "admin_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(320), ForeignKey("admins.username"), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
)
