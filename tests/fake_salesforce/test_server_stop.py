"""Stopping a served fake never races its loop: many start/stop cycles, from any thread."""

from __future__ import annotations

import threading
from typing import Any

import requests

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.server import FakeServer

CYCLES = 150


def _errors_of_threads() -> tuple[list[BaseException], Any]:
    """Collects exceptions raised in any thread (the loop thread included) while a test runs."""
    caught: list[BaseException] = []
    previous = threading.excepthook

    def hook(args: threading.ExceptHookArgs) -> None:
        caught.append(args.exc_value or RuntimeError(str(args.exc_type)))

    threading.excepthook = hook
    return caught, previous


def test_many_start_stop_cycles_raise_nothing_in_any_thread() -> None:
    fake = FakeSalesforce()
    caught, previous = _errors_of_threads()
    try:
        for cycle in range(CYCLES):
            server = FakeServer(fake.app, threads=2).start()
            if cycle % 10 == 0:
                assert requests.get(server.url + "/services/data/", timeout=5).status_code == 200
            server.stop()
    finally:
        threading.excepthook = previous
    assert caught == []


def test_stop_right_after_start_and_stop_twice_are_harmless() -> None:
    fake = FakeSalesforce()
    caught, previous = _errors_of_threads()
    try:
        for _ in range(CYCLES):
            server = FakeServer(fake.app, threads=1)
            server.start()
            server.stop()
            server.stop()
        never_started = FakeServer(fake.app, threads=1)
        never_started.stop()
    finally:
        threading.excepthook = previous
    assert caught == []


def test_stop_without_waiting_from_another_thread_frees_the_port() -> None:
    import socket

    fake = FakeSalesforce()
    for _ in range(20):
        server = FakeServer(fake.app, threads=1).start()
        port = server.port
        stopper = threading.Thread(target=server.stop)
        stopper.start()
        stopper.join(15)
        assert not stopper.is_alive()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", port))
