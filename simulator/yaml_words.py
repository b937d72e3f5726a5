"""A YAML syntax error in the project's words: line, column and what to change.

PyYAML says "while parsing a block mapping ... did not find expected key"; a person editing a
scenario needs "line 7, column 5: this line is indented differently from the keys it sits among
(the mapping that starts on line 3 has its keys at column 3)". Unrecognised parser messages are
passed on after the line and column, without the parser's context lines.
"""

from __future__ import annotations

import yaml


def explain(exc: yaml.MarkedYAMLError) -> tuple[int, str]:
    """The line to report and the sentence for it."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else 1
    column = mark.column + 1 if mark is not None else 1
    where = f"line {line}, column {column}"
    context, problem = exc.context or "", exc.problem or str(exc)
    start = exc.context_mark
    opened = f"line {start.line + 1}" if start is not None else "earlier"
    opened_col = start.column + 1 if start is not None else 1
    if "\\t" in problem or "'\\t'" in problem:
        return line, f"{where}: a tab character; indent with spaces only"
    if "block mapping" in context and "expected key" in problem:
        return line, (
            f"{where}: this line is indented differently from the keys it sits among (the "
            f"mapping that starts on {opened} has its keys at column {opened_col}); line it up "
            "with them, or indent it further under the key it belongs to"
        )
    if "block mapping" in context and "<block end>" in problem:
        return line, (
            f"{where}: this line is indented more than the keys before it (they are at column "
            f"{opened_col}, from {opened}) but is not under any of them; line it up with them "
            f"at column {opened_col}"
        )
    if "block collection" in context or "expected '-'" in problem:
        return line, (
            f"{where}: this line is not indented like the list it sits in (its items start "
            f'with "- " at column {opened_col}, {opened})'
        )
    if "mapping values are not allowed" in problem:
        return line, (
            f'{where}: a second ":" on one line; put a nested mapping on its own lines, '
            'or quote a value that contains ": "'
        )
    if "flow mapping" in context:
        return line, f'{where}: the "{{" opened on {opened} is not closed with "}}"'
    if "flow sequence" in context:
        return line, f'{where}: the "[" opened on {opened} is not closed with "]"'
    if "quoted scalar" in context:
        return line, f"{where}: the quoted text opened on {opened} is not closed"
    if "simple key" in context and "':'" in problem:
        return line, f'{where}: a key without ":" (or a text that runs onto the next line)'
    if "alias" in problem or "anchor" in problem:
        return line, f"{where}: {problem} (anchors and aliases must be defined before use)"
    return line, f"{where}: {problem}"
