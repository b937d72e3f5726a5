"""sync_core: the Marketo Sales unsubscribe sync engine (capture, push, nightly reconciliation)."""

from __future__ import annotations
