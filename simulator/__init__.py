"""Scenario files -> frozen-clock runs of the sync core against the fake Salesforce -> reports."""
