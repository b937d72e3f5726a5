"""Log lines for the long-running service: one line per event, text or JSON, never a secret."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any, TextIO

from sync_core.config import SECRETS

LOGGER = "sync_core.service"


class EventFormatter(logging.Formatter):
    """`at level event key=value ...`, or one JSON object per line; scrubbed of secrets."""

    def __init__(self, json_lines: bool) -> None:
        super().__init__()
        self.json_lines = json_lines

    def format(self, record: logging.LogRecord) -> str:
        at = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        fields: dict[str, Any] = dict(getattr(record, "fields", {}))
        event = record.getMessage()
        if self.json_lines:
            line = json.dumps(
                {"at": at, "level": record.levelname.lower(), "event": event, **fields},
                default=str,
                sort_keys=False,
            )
        else:
            pairs = " ".join(f"{k}={_text(v)}" for k, v in fields.items())
            line = f"{at} {record.levelname:<7} {event}" + (f" {pairs}" if pairs else "")
        return SECRETS.redact(line)


def _text(value: object) -> str:
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return json.dumps(text) if (" " in text or not text) else text


def configure(stream: TextIO, json_lines: bool, name: str = LOGGER) -> logging.Logger:
    """The service logger, writing to `stream` only (replacing earlier handlers)."""
    logger = logging.getLogger(name)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(EventFormatter(json_lines))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger


def event(logger: logging.Logger, name: str, level: int = logging.INFO, **fields: Any) -> None:
    logger.log(level, name, extra={"fields": fields})
