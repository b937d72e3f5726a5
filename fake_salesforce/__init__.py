"""A Salesforce org you can run: REST API, pytest fixture and in-process transport."""

from __future__ import annotations

__all__ = ["__version__"]
__version__ = "0.1.0"
