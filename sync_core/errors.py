"""The engine's three error kinds, and the record-level refinements the service acts on."""

from __future__ import annotations


class SyncError(Exception):
    """A failure with Salesforce's code and message, optionally about one record."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        record_id: str | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.record_id = record_id


class TransientError(SyncError):
    """Retry later with backoff: locks, limits, outages, timeouts."""


class RequestShapeError(TransientError):
    """Salesforce refused the request's shape (too many type chunks, too many records): the
    engine's own doing, never the records' fault. Split the request and send it again."""


class PermanentError(SyncError):
    """Retrying the same request will fail again; report it and wait for a fix."""


class ConfigurationError(SyncError):
    """The org or the settings are wrong (missing or read-only field, bad login)."""


class ConvertedLeadError(PermanentError):
    """CANNOT_UPDATE_CONVERTED_LEAD: follow the Lead's ConvertedContactId."""


class RecordGoneError(PermanentError):
    """The record was deleted, merged or never existed: the link is broken."""


class ReadTooLarge(Exception):
    """A read found more rows than the caller's limit (`give_up_over`) and stopped early."""

    def __init__(self, total: int) -> None:
        super().__init__(f"{total} rows")
        self.total = total
