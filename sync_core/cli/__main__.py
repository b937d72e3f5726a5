"""`python -m sync_core.cli`, the same as the `sync-core` console script."""

from __future__ import annotations

import sys

from sync_core.cli import main

sys.exit(main())
