"""SOQL errors as Salesforce words them: the query line, a caret, `ERROR at Row:R:Column:C`.

Shape from captured REST bodies (docs/salesforce-wire.md 3.4):
`"\\n<fragment>\\n<spaces>^\\nERROR at Row:1:Column:44\\n<detail>"`;
long lines are cut to a window around the error.
"""

from __future__ import annotations

from fake_salesforce.errors import ApiError

WINDOW = 120

NO_SUCH_COLUMN = (
    "No such column '{name}' on entity '{sobject}'. If you are attempting to use a custom field, "
    "be sure to append the '__c' after the custom field name. Please reference your WSDL or the "
    "describe call for the appropriate names."
)
NO_SUCH_TYPE = (
    "sObject type '{name}' is not supported. If you are attempting to use a custom object, be "
    "sure to append the '__c' after the entity name. Please reference your WSDL or the describe "
    "call for the appropriate names."
)
NO_SUCH_RELATIONSHIP = (
    "Didn't understand relationship '{name}' in field path. If you are attempting to use a "
    "custom relationship, be sure to append the '__r' after the custom relationship name. Please "
    "reference your WSDL or the describe call for the appropriate names."
)


def row_column(text: str, pos: int) -> tuple[int, int]:
    """1-based row and column of offset `pos`."""
    pos = max(0, min(pos, len(text)))
    row = text.count("\n", 0, pos) + 1
    line_start = text.rfind("\n", 0, pos) + 1
    return row, pos - line_start + 1


def dump(text: str, pos: int, detail: str) -> str:
    """The message body: the line around `pos`, a caret under it, the position, the detail."""
    row, column = row_column(text, pos)
    line_start = text.rfind("\n", 0, pos) + 1 if pos > 0 else 0
    line_end = text.find("\n", line_start)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    start = 0 if len(line) <= WINDOW else max(0, column - 1 - WINDOW // 2)
    fragment = line[start : start + WINDOW]
    caret = " " * (column - 1 - start) + "^"
    return f"\n{fragment}\n{caret}\nERROR at Row:{row}:Column:{column}\n{detail}"


def query_error(code: str, text: str, pos: int, detail: str) -> ApiError:
    """A 400 with `code` and the positioned message."""
    return ApiError(400, code, dump(text, pos, detail))


def malformed(text: str, pos: int, detail: str) -> ApiError:
    return query_error("MALFORMED_QUERY", text, pos, detail)


def no_such_column(text: str, pos: int, name: str, sobject: str) -> ApiError:
    detail = NO_SUCH_COLUMN.format(name=name, sobject=sobject)
    return query_error("INVALID_FIELD", text, pos, detail)


def no_such_type(text: str, pos: int, name: str) -> ApiError:
    return query_error("INVALID_TYPE", text, pos, NO_SUCH_TYPE.format(name=name))


def no_such_relationship(text: str, pos: int, name: str) -> ApiError:
    return query_error("INVALID_FIELD", text, pos, NO_SUCH_RELATIONSHIP.format(name=name))
