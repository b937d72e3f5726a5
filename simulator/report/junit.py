"""JUnit XML: one test case per expectation, so CI systems list each check that failed."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from simulator.results import RunResult, shown


def render(result: RunResult) -> str:
    failures = sum(1 for e in result.expectations if not e.passed)
    suite = ET.Element(
        "testsuite",
        name=result.name,
        tests=str(len(result.expectations)),
        failures=str(failures),
        errors="1" if result.stopped else "0",
        timestamp=result.start.isoformat(),
    )
    for expectation in result.expectations:
        case = ET.SubElement(
            suite, "testcase", classname=result.path, name=expectation.title(result.zone)
        )
        if not expectation.reached:
            ET.SubElement(case, "failure", message="not reached: the run stopped first")
        elif not expectation.passed:
            details = [
                f"{c.key}: expected {shown(c.expected)}, got {shown(c.actual)}"
                for c in expectation.failures
            ]
            failure = ET.SubElement(case, "failure", message=details[0])
            failure.text = "\n".join(details)
    if result.stopped:
        case = ET.SubElement(suite, "testcase", classname=result.path, name="the run")
        ET.SubElement(case, "error", message=result.stopped)
    ET.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, "unicode") + "\n"
