"""A soak: a served fake under eight concurrent clients for a minute and a half keeps its memory
flat (the journal keeps its newest entries) and answers every call, with its figures printed."""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
CLIENTS, WARM_SECONDS, SOAK_SECONDS = 8, 25.0, 60.0
JOURNAL_LIMIT = 2_000
MAX_GROWTH_MB = 16.0


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


class Client:
    """One soak client: steady reads and writes over a fixed set of records."""

    def __init__(self, url: str, token: str, ids: list[str], seed: int) -> None:
        self.url, self.ids, self.rng = url, ids, random.Random(seed)
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.sent, self.failed, self.latencies = 0, [], []  # type: ignore[var-annotated]

    def step(self) -> None:
        base, rid = f"{self.url}/services/data/v59.0", self.rng.choice(self.ids)
        calls: list[tuple[str, str, Any]] = [
            ("GET", f"{base}/sobjects/Contact/{rid}", None),
            ("PATCH", f"{base}/sobjects/Contact/{rid}", {"Title": f"T{self.rng.random()}"}),
            ("GET", f"{base}/query?q=SELECT+Id,Email+FROM+Contact+LIMIT+20", None),
            ("GET", f"{base}/limits", None),
            ("PATCH", f"{base}/composite/sobjects", {"allOrNone": False, "records": [
                {"attributes": {"type": "Contact"}, "Id": i, "Title": "C"}
                for i in self.rng.sample(self.ids, 5)]}),
        ]  # fmt: skip
        method, url, body = self.rng.choice(calls)
        started = time.perf_counter()
        answer = self.http.request(method, url, json=body, timeout=10)
        self.latencies.append(time.perf_counter() - started)
        self.sent += 1
        if answer.status_code >= 400:
            self.failed.append(f"{method} {url} -> {answer.status_code} {answer.text[:200]}")

    def run(self, until: float) -> None:
        while time.perf_counter() < until:
            self.step()


def _serve() -> tuple[subprocess.Popen[str], dict[str, str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "fake_salesforce.cli", "serve", "--port", "0",
         "--journal-limit", str(JOURNAL_LIMIT), "--api-limit", "100000000", "--threads", "8",
         "--quiet"],  # its per-request log would fill the unread pipe and stall the server
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    banner: dict[str, str] = {}
    for line in process.stdout:
        if "stops it" in line:
            break
        key, sep, value = line.strip().partition(": ")
        if sep:
            banner[key.strip()] = value.strip()
    return process, banner


def _phase(url: str, token: str, ids: list[str], seconds: float) -> list[Client]:
    clients = [Client(url, token, ids, seed) for seed in range(CLIENTS)]
    until = time.perf_counter() + seconds
    threads = [threading.Thread(target=c.run, args=(until,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return clients


@pytest.mark.slow
def test_a_served_fake_under_concurrent_clients_keeps_its_memory_flat() -> None:
    process, banner = _serve()
    try:
        url = banner["instance_url"]
        form = {"grant_type": "client_credentials", "client_id": banner["consumer_key"],
                "client_secret": banner["consumer_secret"]}  # fmt: skip
        login = requests.post(f"{url}/services/oauth2/token", data=form, timeout=10)
        token = login.json()["access_token"]
        body = {"generate": [{"type": "Contact", "count": 300, "seed": 1}]}
        made = requests.post(f"{url}/_fake/records", json=body, timeout=30).json()
        ids = made["generated"][0]["ids"]
        warm = _phase(url, token, ids, WARM_SECONDS)
        rss_start = _rss_mb(process.pid)
        soak = _phase(url, token, ids, SOAK_SECONDS)
        rss_end = _rss_mb(process.pid)
        journal = requests.get(f"{url}/_fake/journal/counts", timeout=10).json()
    finally:
        process.terminate()
        process.communicate(timeout=30)
    sent = sum(c.sent for c in soak)
    latencies = sorted(x for c in soak for x in c.latencies)
    failed = [f for c in [*warm, *soak] for f in c.failed]
    print(
        f"soak: {CLIENTS} clients, {sum(c.sent for c in warm)} warm-up then {sent} requests in "
        f"{SOAK_SECONDS:.0f} s ({sent / SOAK_SECONDS:.0f} req/s, p99 "
        f"{latencies[int(len(latencies) * 0.99)] * 1000:.0f} ms); server RSS {rss_start:.1f} MB "
        f"-> {rss_end:.1f} MB ({rss_end - rss_start:+.1f} MB); journal lastSeq "
        f"{journal['lastSeq']}, kept {JOURNAL_LIMIT}; {len(failed)} failed"
    )
    assert failed == []
    assert journal["lastSeq"] > 3 * JOURNAL_LIMIT
    assert rss_end - rss_start < MAX_GROWTH_MB
