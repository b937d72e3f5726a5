"""Renderers of a RunResult: the terminal timeline, an HTML page, JUnit XML and JSON."""
