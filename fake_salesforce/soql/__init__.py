"""SOQL: parse text into a typed tree, bind it to an org's schema, run it over the org's tables."""

from __future__ import annotations
