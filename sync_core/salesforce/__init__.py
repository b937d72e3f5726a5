"""The only package of the engine that imports simple_salesforce: the adapter the engine reaches
an org through (`adapter`), and the one place that decides what a failure means (`failures`).
"""

from sync_core.salesforce.adapter import IDS_PER_QUERY, SalesforceAdapter
from sync_core.salesforce.failures import TRANSPORT_FAILURES, classify, classify_exception

__all__ = [
    "IDS_PER_QUERY",
    "TRANSPORT_FAILURES",
    "SalesforceAdapter",
    "classify",
    "classify_exception",
]
