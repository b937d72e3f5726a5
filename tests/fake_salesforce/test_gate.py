"""One gate for every API call: Flask hooks and the CRUD lane both pass it; it knows no Flask."""

from __future__ import annotations

import ast
import inspect
import threading
from pathlib import Path
from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceRefusedRequest

import fake_salesforce
from fake_salesforce import app as app_module
from fake_salesforce import gate as gate_module
from fake_salesforce import lane as lane_module
from fake_salesforce.errors import ApiError
from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.gate import Gate, token_of

PACKAGE = Path(fake_salesforce.__file__).parent


def _imports(module: Any) -> set[str]:
    tree = ast.parse(inspect.getsource(module))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_the_gate_imports_no_flask_or_werkzeug() -> None:
    assert not {n for n in _imports(gate_module) if n.split(".")[0] in ("flask", "werkzeug")}


def test_the_flask_hooks_and_the_lane_both_go_through_the_gate() -> None:
    assert "fake_salesforce.gate" in _imports(app_module)
    assert "fake_salesforce.gate" in _imports(lane_module)
    lane_source = inspect.getsource(lane_module)
    for private in ("faults.before_request", "usage.spend", "journal.record", "lock.acquire"):
        assert private not in lane_source
        assert private not in inspect.getsource(app_module)


def test_the_fast_lane_is_not_among_the_blueprints_and_blueprints_are_imported_plainly() -> None:
    assert not (PACKAGE / "routes" / "lane.py").exists()
    assert "__import__" not in inspect.getsource(app_module)
    fake = FakeSalesforce()
    blueprints = set(fake.app.blueprints)
    assert {"query", "composite", "bulk", "bulk_v1", "limits", "control"} <= blueprints


def test_a_token_comes_from_bearer_or_oauth_then_the_session_header() -> None:
    assert token_of("Bearer abc", None) == "abc"
    assert token_of("OAuth abc ", "other") == "abc"
    assert token_of("Basic xyz", "sess") == "sess"
    assert token_of(None, None) is None


def test_entering_without_a_live_token_is_401_and_holds_no_lock() -> None:
    fake = FakeSalesforce()
    gate = Gate(fake.registry)
    with pytest.raises(ApiError) as caught:
        gate.enter("GET", "/services/data/v59.0/limits", "nope")
    assert caught.value.status == 401
    assert fake.org.lock.acquire(blocking=False)
    fake.org.lock.release()


def _free_elsewhere(lock: Any) -> bool:
    """Whether another thread could take `lock` now (and gives it back at once)."""
    got: list[bool] = []

    def attempt() -> None:
        got.append(lock.acquire(timeout=0.05))
        if got[0]:
            lock.release()

    thread = threading.Thread(target=attempt)
    thread.start()
    thread.join()
    return got[0]


def test_a_passage_holds_its_org_until_released_and_a_second_release_is_harmless() -> None:
    fake = FakeSalesforce()
    gate = Gate(fake.registry)
    passage = gate.enter("GET", "/services/data/v59.0/limits", fake.token())
    assert not _free_elsewhere(fake.org.lock)
    gate.release(passage)
    gate.release(passage)
    assert _free_elsewhere(fake.org.lock)


def test_leaving_journals_the_call_and_answers_the_limit_header_except_on_bulk_1() -> None:
    fake = FakeSalesforce()
    gate = Gate(fake.registry)
    passage = gate.enter("GET", "/services/data/v59.0/limits", fake.token())
    gate.admit(passage, None)
    header = gate.leave(passage, 200, None, (), ())
    gate.release(passage)
    assert header is not None and header.startswith("api-usage=1/")
    v1 = gate.enter("GET", "/services/async/59.0/job/x", fake.token(), bulk_v1=True)
    assert gate.leave(v1, 404, "NOT_FOUND", (), ()) is None
    gate.release(v1)
    entries = fake.org.journal.query()
    assert [(e.path, e.status, e.error_code) for e in entries][-2:] == [
        ("/services/data/v59.0/limits", 200, None),
        ("/services/async/59.0/job/x", 404, "NOT_FOUND"),
    ]


def test_a_fault_rule_refuses_a_lane_call_and_a_flask_call_alike_and_both_are_journaled() -> None:
    fake = FakeSalesforce()
    sf = fake.client()
    fake.org.faults.add({"kind": "error", "code": "REQUEST_LIMIT_EXCEEDED"}, fake.org.clock.now())
    with pytest.raises(SalesforceRefusedRequest):  # the lane answers record creation
        sf.Contact.create({"LastName": "A"})
    with pytest.raises(SalesforceRefusedRequest):  # a Flask view answers queries
        sf.query("SELECT Id FROM Contact")
    codes = [e.error_code for e in fake.org.journal.query()][-2:]
    assert codes == ["REQUEST_LIMIT_EXCEEDED", "REQUEST_LIMIT_EXCEEDED"]
