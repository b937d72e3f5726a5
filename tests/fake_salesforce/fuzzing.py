"""A seeded fuzzer over every route of the fake: random methods, ids, query strings, headers and
bodies (wrong types, deep nesting, bad bytes, CSV, XML), with what each answer must never be:
a 5xx, a traceback in the body, or slower than the timeout."""

from __future__ import annotations

import json
import random
import re
import string
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from fake_salesforce.fixture import FakeSalesforce

TIMEOUT_SECONDS = 5.0
NEVER = "/fuzz-never-matches/*"  # fault rules the fuzzer adds match no real request
_PLACEHOLDER = re.compile(r"<(?:(\w+):)?(\w+)>")
FIELDS = ["LastName", "FirstName", "Email", "HasOptedOutOfEmail", "Title", "Id", "Name", "Company",
          "AccountId", "External_Id__c", "IsDeleted", "Nope__c", "attributes"]  # fmt: skip
CONTROL_KEYS = ["generate", "records", "now", "seconds", "count", "state", "operation", "object",
                "kind", "ms", "by", "used", "limit", "username", "timezone"]  # fmt: skip
SOQL = [
    "SELECT Id FROM Contact",
    "SELECT Id, Email FROM Contact WHERE Email LIKE '%a%' ORDER BY Email LIMIT 5",
    "SELECT Id FROM Lead WHERE IsConverted = false",
    "SELECT COUNT() FROM Contact",
    "SELECT Id FROM Contact WHERE LastModifiedDate > LAST_N_DAYS:99999999999",
    "SELECT Id FROM Contact WHERE Id IN (" + ",".join(["'x'"] * 500) + ")",
    "SELECT FROM",
    "SELECT Id FROM Contact WHERE (((((((((((((((Id = null)))))))))))))))",
    "SELECT Id FROM Contact OFFSET 99999999999999999999",
    "SELECT Id FROM Contact LIMIT -1",
    "",
]


@dataclass
class Figures:
    """What a fuzz run sent and what came back."""

    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    tracebacks: list[str] = field(default_factory=list)
    hangs: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    slowest: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def summary(self) -> str:
        top = ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items()))
        return (
            f"fuzz: {self.sent} requests, {len(self.server_errors)} 5xx (SOAP faults aside), "
            f"{len(self.tracebacks)} tracebacks, {len(self.hangs)} over {TIMEOUT_SECONDS:.0f} s, "
            f"{len(self.broken)} connection errors, slowest {self.slowest:.2f} s; statuses {top}"
        )


class Fuzzer:
    """Random calls to `base_url` (a served fake or the in-process one) through `session`."""

    def __init__(self, fake: FakeSalesforce, base_url: str, session: requests.Session, seed: int):
        self.fake, self.base, self.http = fake, base_url, session
        self.rng = random.Random(seed)
        self.ids = [fake.org.create("Contact", {"LastName": f"F{n}"}) for n in range(3)]
        self.ids.append(fake.org.create("Lead", {"LastName": "Lead", "Company": "Co"}))
        self.routes = [
            (method, rule.rule)
            for rule in fake.app.url_map.iter_rules()
            if not rule.rule.startswith("/static")
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        ]

    # -- one request --------------------------------------------------------------------
    def one(self, figures: Figures) -> None:
        method, rule = self.rng.choice(self.routes)
        if self.rng.random() < 0.03:
            method = self.rng.choice(["PUT", "PATCH", "DELETE", "TRACE", "POST"])
        path = _PLACEHOLDER.sub(lambda m: self.value(m.group(2)), rule)
        params = self.params(path)
        body, headers = self.body(path)
        headers |= self.auth()
        label = f"{method} {path[:120]}"
        started = time.perf_counter()
        try:
            answer = self.http.request(
                method, self.base + path, params=params, data=body, headers=headers,
                timeout=TIMEOUT_SECONDS,
            )  # fmt: skip
        except requests.Timeout:
            figures.hangs.append(label)
            return
        except requests.ConnectionError as exc:
            figures.broken.append(f"{label}: {exc}")
            return
        finally:
            with figures.lock:
                figures.sent += 1
                figures.slowest = max(figures.slowest, time.perf_counter() - started)
        self.check(figures, label, answer)

    @staticmethod
    def check(figures: Figures, label: str, answer: requests.Response) -> None:
        with figures.lock:
            figures.statuses[answer.status_code] += 1
        text = answer.text[:4000]
        # SOAP answers its faults (INVALID_LOGIN...) with HTTP 500 and a Fault envelope, as
        # Salesforce does: those are the protocol's, not a server error.
        soap_fault = "/services/Soap/" in label and "<soapenv:Fault>" in text
        if answer.status_code >= 500 and not soap_fault:
            figures.server_errors.append(f"{label} -> {answer.status_code} {text[:300]}")
        if "Traceback" in text or 'File "' in text:
            figures.tracebacks.append(f"{label} -> {text[:300]}")

    # -- the parts of a request -----------------------------------------------------------
    def value(self, name: str) -> str:
        rng = self.rng
        pick: dict[str, Callable[[], str]] = {
            "version": lambda: rng.choice(["59.0", "59.0", "31.0", "66.0", "30.0", "99.9"]),
            "sobject": lambda: rng.choice(
                ["Contact", "Lead", "Account", "contact", "Nope", "User"]
            ),
            "record_id": self.some_id,
            "lead_id": self.some_id,
            "field": lambda: rng.choice(FIELDS),
            "field_name": lambda: rng.choice(FIELDS),
            "kind": lambda: rng.choice(
                ["successfulResults", "failedResults", "unprocessedrecords"]
            ),
            "package": lambda: rng.choice(["marketo_sales_insight", "nope"]),
            "org_ref": lambda: rng.choice(["nobody@example.com", "00D000000000000"]),
            "rule_id": lambda: rng.choice(["f1", "f999", "x"]),
        }
        make = pick.get(name)
        if make is not None:
            return make()
        if name in ("job_id", "batch_id", "result_id", "locator"):
            return rng.choice(
                ["750000000000001AAA", "751000000000001AAA", "01g0000000001-2000", "x"]
            )
        return self.word()

    def some_id(self) -> str:
        rid = self.rng.choice(self.ids)
        return self.rng.choice([rid, rid[:15], rid.lower(), "003000000000000AAA", self.word(), "x"])

    def word(self) -> str:
        alphabet = string.ascii_letters + string.digits + "-_.%~"
        return "".join(self.rng.choice(alphabet) for _ in range(self.rng.randint(1, 20)))

    def params(self, path: str) -> dict[str, str]:
        rng = self.rng
        if path.endswith(("/query", "/queryAll")) or rng.random() < 0.1:
            return {
                "q": rng.choice(SOQL),
                rng.choice(["fields", "start", "end", "after"]): self.word(),
            }
        return {}

    def auth(self) -> dict[str, str]:
        roll = self.rng.random()
        if roll < 0.85:
            return {"Authorization": f"Bearer {self.fake.registry.issue(self.fake.org).token}"}
        if roll < 0.95:
            return {"Authorization": self.rng.choice(["Bearer x", "OAuth ", "Basic abc", ""])}
        return {}

    def body(self, path: str) -> tuple[bytes | None, dict[str, str]]:
        rng = self.rng
        kind = rng.choice(
            ["none", "object", "object", "any", "deep", "bytes", "csv", "xml", "form"]
        )
        json_type = {"Content-Type": "application/json"}
        if kind == "none":
            return None, {}
        if kind == "object":
            keys = [*FIELDS, *CONTROL_KEYS]
            data: Any = {rng.choice(keys): self.anything(2) for _ in range(rng.randint(0, 5))}
            if path.startswith("/_fake/faults"):
                data["path"] = NEVER
            return json.dumps(data).encode(), json_type
        if kind == "any":
            return json.dumps(self.anything(4)).encode(), json_type
        if kind == "deep":
            depth = rng.choice([100, 5_000, 60_000])
            return ("[" * depth + "]" * depth).encode(), json_type
        if kind == "bytes":
            return bytes(rng.randrange(256) for _ in range(rng.randint(1, 64))), json_type
        if kind == "csv":
            rows = "\n".join(",".join(self.word() for _ in range(3)) for _ in range(5))
            return f"LastName,Email,Id\n{rows}\n".encode(), {"Content-Type": "text/csv"}
        if kind == "xml":
            return f"<x><{self.word()}>{self.word()}</y>".encode(), {"Content-Type": "text/xml"}
        form = f"grant_type={self.word()}&client_id={self.word()}&username={self.word()}"
        return form.encode(), {"Content-Type": "application/x-www-form-urlencoded"}

    def anything(self, depth: int) -> Any:
        rng = self.rng
        roll = rng.randrange(10 if depth > 0 else 7)
        huge = 1e308 * rng.choice([1, 10])  # 10x is Infinity
        simple: list[Any] = [None, True, rng.randint(-(10**20), 10**20), huge, self.word(), "", 0.5]
        if roll < 7:
            return simple[roll]
        if roll < 9:
            return [self.anything(depth - 1) for _ in range(rng.randint(0, 3))]
        return {self.word(): self.anything(depth - 1) for _ in range(rng.randint(0, 3))}


def run(fuzzer: Fuzzer, figures: Figures, count: int, deadline: float) -> None:
    """`count` requests (or until `deadline` on the perf counter), fault rules cleared first."""
    for _ in range(count):
        if time.perf_counter() > deadline:
            return
        for org in list(fuzzer.fake.registry.orgs.values()):
            org.faults.clear()
        fuzzer.one(figures)
