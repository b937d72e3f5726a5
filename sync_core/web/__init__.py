"""The web shell: the admin console and the unsubscribe page, over `SyncService`."""

from __future__ import annotations

from sync_core.web.app import WebOptions, create_app

__all__ = ["WebOptions", "create_app"]
