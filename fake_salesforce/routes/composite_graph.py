"""`/composite` and `/composite/batch`: subrequests in order, with references and halting.

docs/salesforce-wire.md 4.2-4.3: at most 25 subrequests; `@{ref.id}` / `@{q.records[0].Id}` refer to
earlier answers; allOrNone rolls everything back and answers PROCESSING_HALTED for the rest;
batch URLs are relative to /services/data/ and `haltOnError` gives 412 BATCH_PROCESSING_HALTED.
"""

from __future__ import annotations

import re
from typing import Any

from fake_salesforce.errors import ApiError
from fake_salesforce.org import Org
from fake_salesforce.routes.subrequest import Answer, dispatch

MAX_SUBREQUESTS = 25
_REFERENCE = re.compile(r"@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}")
_STEP = re.compile(r"\.([A-Za-z0-9_]+)|\[(\d+)\]")
ROLLED_BACK = (
    "The transaction was rolled back since another operation in the same transaction failed."
)


class _Unresolved(Exception):
    """A reference names a subrequest that failed, was skipped, or has no such value."""


class _Halt(Exception):
    """Raised to undo an allOrNone composite."""


def _subrequests(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = body.get(key)
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise ApiError(400, "JSON_PARSER_ERROR", f"{key}: expected a list of subrequests")
    if len(items) > MAX_SUBREQUESTS:
        raise ApiError(
            400,
            "INVALID_BATCH_REQUEST" if key == "batchRequests" else "LIMIT_EXCEEDED",
            f"Limit exceeded: the number of subrequests ({len(items)}) is more than "
            f"{MAX_SUBREQUESTS}",
        )
    return items


def _lookup(results: dict[str, Answer], ref: str, path: str) -> Any:
    answer = results.get(ref)
    if answer is None or not answer.ok:
        raise _Unresolved(f"{ref}{path}")
    value: Any = answer.body
    for name, index in _STEP.findall(path):
        try:
            value = value[int(index)] if index else value[name]
        except (KeyError, IndexError, TypeError):
            raise _Unresolved(f"{ref}{path}") from None
    return value


def _substitute(value: Any, results: dict[str, Answer]) -> Any:
    """Replace every `@{ref.path}`; a string that is one whole reference takes its raw value."""
    if isinstance(value, dict):
        return {k: _substitute(v, results) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, results) for v in value]
    if not isinstance(value, str) or "@{" not in value:
        return value
    whole = _REFERENCE.fullmatch(value)
    if whole:
        return _lookup(results, whole.group(1), whole.group(2))
    return _REFERENCE.sub(lambda m: str(_lookup(results, m.group(1), m.group(2))), value)


def _halted(message: str) -> Answer:
    return Answer(400, [{"errorCode": "PROCESSING_HALTED", "message": message}])


def _entry(item: dict[str, Any], answer: Answer) -> dict[str, Any]:
    headers = {"Location": answer.location} if answer.location else {}
    return {
        "body": answer.body,
        "httpHeaders": headers,
        "httpStatusCode": answer.status,
        "referenceId": item.get("referenceId"),
    }


def _run_one(item: dict[str, Any], results: dict[str, Answer]) -> Answer:
    method, url = item.get("method"), item.get("url")
    if not isinstance(method, str) or not isinstance(url, str) or not item.get("referenceId"):
        return Answer(
            400,
            [{"errorCode": "JSON_PARSER_ERROR", "message": "method, url and referenceId required"}],
        )
    try:
        url = _substitute(url, results)
        body = _substitute(item.get("body"), results)
    except _Unresolved as missing:
        ref = str(missing).split(".")[0].split("[")[0]
        return _halted(
            f"Invalid reference specified. No value for {missing} found in {ref}. Provided "
            f"referenceId ('{ref}') must match a previous successful subrequest's referenceId."
        )
    headers = item.get("httpHeaders")
    answer = dispatch(method, url, body, headers if isinstance(headers, dict) else None)
    if answer.status == 201 and isinstance(answer.body, dict) and "id" in answer.body:
        # A create's subresponse carries the new record's URL (docs/salesforce-wire.md 4.2).
        location = url.split("?")[0].rstrip("/") + "/" + str(answer.body["id"])
        return Answer(answer.status, answer.body, location)
    return answer


def run_composite(org: Org, body: dict[str, Any]) -> dict[str, Any]:
    """The `compositeResponse` of a `/composite` request, run in order as the current org."""
    items = _subrequests(body, "compositeRequest")
    all_or_none = body.get("allOrNone") is True
    results: dict[str, Answer] = {}
    answers: list[Answer] = []
    try:
        with org.transaction():
            for item in items:
                answer = _run_one(item, results)
                answers.append(answer)
                results[str(item.get("referenceId"))] = answer
                if all_or_none and not answer.ok:
                    raise _Halt
    except _Halt:
        failed = len(answers) - 1
        answers = [a if i == failed else _halted(ROLLED_BACK) for i, a in enumerate(answers)]
        answers += [_halted(ROLLED_BACK) for _ in items[len(answers) :]]
    return {"compositeResponse": [_entry(i, a) for i, a in zip(items, answers, strict=True)]}


def run_batch(body: dict[str, Any]) -> dict[str, Any]:
    """The `results` of a `/composite/batch` request: independent subrequests."""
    items = _subrequests(body, "batchRequests")
    halt = body.get("haltOnError") is True
    results: list[dict[str, Any]] = []
    failed = False
    for item in items:
        if failed and halt:
            message = "Batch processing halted per request"
            results.append(
                {
                    "statusCode": 412,
                    "result": [{"errorCode": "BATCH_PROCESSING_HALTED", "message": message}],
                }
            )
            continue
        answer = _run_batch_item(item)
        failed = failed or not answer.ok
        results.append({"statusCode": answer.status, "result": answer.body})
    has_errors = any(r["statusCode"] >= 400 for r in results)
    return {"hasErrors": has_errors, "results": results}


def _run_batch_item(item: dict[str, Any]) -> Answer:
    method, url = item.get("method"), item.get("url")
    if not isinstance(method, str) or not isinstance(url, str):
        return Answer(
            400, [{"errorCode": "JSON_PARSER_ERROR", "message": "method and url required"}]
        )
    path = "/services/data/" + url.lstrip("/")
    return dispatch(method, path, item.get("richInput"))
