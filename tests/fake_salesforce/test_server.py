"""The served fake: waitress over HTTP and real HTTPS, and the `fake-salesforce serve` command."""

from __future__ import annotations

import json
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from simple_salesforce import Salesforce

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.server import FakeServer, TlsFiles, make_certificate
from fake_salesforce.transport import rewriting_session

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def fake() -> FakeSalesforce:
    return FakeSalesforce(instance_url=None)


def _verified(tls: TlsFiles) -> requests.Session:
    session = requests.Session()
    session.verify = str(tls.ca_file)
    session.trust_env = False
    return session


def test_https_round_trips_a_megabyte_body_verified_against_the_printed_ca(
    fake: FakeSalesforce, tls: TlsFiles
) -> None:
    with FakeServer(fake.app, tls=tls) as server, _verified(tls) as session:
        sf = Salesforce(instance_url=server.url, session_id=fake.token(), session=session)
        text = "x" * 32_000
        ids = [sf.Contact.create({"LastName": "Big", "Description": text})["id"] for _ in range(32)]
        assert all(sf.Contact.get(i)["Description"] == text for i in ids)


def test_https_certificate_names_localhost_and_the_loopback_address(
    fake: FakeSalesforce, tls: TlsFiles
) -> None:
    with FakeServer(fake.app, tls=tls) as server, _verified(tls) as session:
        for host in ("127.0.0.1", "localhost"):
            answer = session.get(f"https://{host}:{server.port}/services/data/")
            assert answer.status_code == 200


def test_https_refuses_clients_that_do_not_trust_the_ca(
    fake: FakeSalesforce, tls: TlsFiles
) -> None:
    with FakeServer(fake.app, tls=tls) as server, requests.Session() as untrusting:
        untrusting.trust_env = False
        with pytest.raises(requests.exceptions.SSLError):
            untrusting.get(server.url + "/services/data/")


def test_plain_http_or_a_stalled_handshake_does_not_stop_the_https_server(
    fake: FakeSalesforce, tls: TlsFiles
) -> None:
    with FakeServer(fake.app, tls=tls) as server:
        stalled = socket.create_connection(("127.0.0.1", server.port))  # never says hello
        with socket.create_connection(("127.0.0.1", server.port)) as plain:
            plain.sendall(b"GET /services/data/ HTTP/1.1\r\nHost: x\r\n\r\n")
            plain.settimeout(5)
            try:
                answer = plain.recv(100)
            except ConnectionResetError:  # the server drops the failed handshake
                answer = b""
            assert not answer.startswith(b"HTTP/1.1 200")
        with _verified(tls) as session:
            assert session.get(server.url + "/services/data/").status_code == 200
        stalled.close()


def test_https_serves_concurrent_clients(fake: FakeSalesforce, tls: TlsFiles) -> None:
    rid = fake.org.create("Contact", {"LastName": "Shared"})
    token = fake.token()
    failures: list[BaseException] = []

    def reader() -> None:
        try:
            with _verified(tls) as session:
                sf = Salesforce(instance_url=server.url, session_id=token, session=session)
                for _ in range(20):
                    assert sf.Contact.get(rid)["Id"] == rid
        except BaseException as exc:  # collected and re-raised by the test thread
            failures.append(exc)

    with FakeServer(fake.app, tls=tls) as server:
        threads = [threading.Thread(target=reader) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert failures == []


def test_tls_handshake_uses_a_modern_protocol(fake: FakeSalesforce, tls: TlsFiles) -> None:
    context = ssl.create_default_context(cafile=str(tls.ca_file))
    with FakeServer(fake.app, tls=tls) as server:
        raw = socket.create_connection(("127.0.0.1", server.port))
        with context.wrap_socket(raw, server_hostname="localhost") as conn:
            assert conn.version() in ("TLSv1.2", "TLSv1.3")


def test_plain_http_serves_simple_salesforce_through_the_rewriting_session(
    fake: FakeSalesforce,
) -> None:
    with FakeServer(fake.app) as server:
        creds = fake.org.credentials
        sf = Salesforce(
            username=creds.username,
            password=creds.password,
            security_token=creds.security_token,
            session=rewriting_session(server.url),
        )
        assert sf.sf_instance == server.url.removeprefix("http://")
        assert sf.Contact.create({"LastName": "Plain"})["success"] is True


def test_stopping_the_server_frees_its_port(fake: FakeSalesforce) -> None:
    server = FakeServer(fake.app).start()
    port = server.port
    server.stop()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))


def test_server_binds_loopback_by_default(fake: FakeSalesforce) -> None:
    with FakeServer(fake.app) as server:
        assert server.url.startswith("http://127.0.0.1:")


# -- the command ------------------------------------------------------------------------------


class Served:
    """A `fake-salesforce serve` child process and the banner it printed."""

    def __init__(self, *args: str) -> None:
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "fake_salesforce.cli", "serve", "--port", "0", *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.banner: dict[str, str] = {}
        for line in self.process.stdout:
            if "stops it" in line:
                break
            key, sep, value = line.strip().partition(": ")
            if sep:
                self.banner[key.strip()] = value.strip()
        self.ready_seconds = time.perf_counter() - started

    @property
    def url(self) -> str:
        return self.banner["instance_url"]

    def stop(self, signum: int = signal.SIGTERM) -> tuple[int, str, str]:
        self.process.send_signal(signum)
        out, err = self.process.communicate(timeout=10)
        return self.process.returncode, out, err


@pytest.fixture
def serve() -> Iterator[type[Served]]:
    started: list[Served] = []

    class Tracked(Served):
        def __init__(self, *args: str) -> None:
            super().__init__(*args)
            started.append(self)

    yield Tracked
    for served in started:
        if served.process.poll() is None:
            served.process.kill()
            served.process.communicate()


def test_serve_prints_url_and_credentials_and_is_ready_within_a_second(
    serve: type[Served],
) -> None:
    served = serve("--username", "ops@example.com", "--password", "pw", "--security-token", "T")
    assert served.ready_seconds < 1.0
    assert served.url.startswith("http://127.0.0.1:")
    assert (served.banner["username"], served.banner["password"]) == ("ops@example.com", "pw")
    sf = Salesforce(
        username="ops@example.com",
        password="pw",
        security_token="T",
        session=rewriting_session(served.url),
    )
    assert sf.Contact.create({"LastName": "Cli"})["success"] is True
    code, out, err = served.stop()
    assert (code, err) == (0, "")
    assert out.strip().endswith("fake-salesforce stopped")


def test_serve_stops_cleanly_on_sigint(serve: type[Served]) -> None:
    code, _, err = serve().stop(signal.SIGINT)
    assert code == 0 and "Traceback" not in err


def test_serve_with_tls_prints_a_ca_file_that_simple_salesforce_verifies(
    serve: type[Served],
) -> None:
    served = serve("--tls", "--packages", "marketo_sales_insight")
    assert served.url.startswith("https://127.0.0.1:")
    session = requests.Session()
    session.verify = served.banner["ca_file"]
    session.trust_env = False
    port = served.url.rsplit(":", 1)[1]
    sf = Salesforce(
        username="admin@example.com",
        password="password",
        security_token="TOKEN",
        domain=f"127.0.0.1:{port}/sf",
        session=session,
    )
    fields = {f["name"] for f in sf.Lead.describe()["fields"]}
    assert "mkto_si__Marketo_Sales_Opt_Out__c" in fields
    code, _, _ = served.stop()
    assert code == 0
    assert not Path(served.banner["ca_file"]).exists()  # a throwaway CA is removed on exit


def test_serve_applies_the_api_limit(serve: type[Served]) -> None:
    served = serve("--api-limit", "2")
    session = rewriting_session(served.url)
    login = Salesforce(
        username="admin@example.com", password="password", security_token="TOKEN", session=session
    )
    answers = [
        session.get(
            served.url + "/services/data/v59.0/sobjects",
            headers={"Authorization": f"Bearer {login.session_id}"},
        ).status_code
        for _ in range(3)
    ]
    assert answers == [200, 200, 403]
    served.stop()


def test_serve_state_file_survives_a_restart(serve: type[Served], tmp_path: Path) -> None:
    state = tmp_path / "org.json"
    first = serve("--state", str(state))
    sf = Salesforce(
        username="admin@example.com",
        password="password",
        security_token="TOKEN",
        session=rewriting_session(first.url),
    )
    rid = sf.Contact.create({"LastName": "Kept", "Email": "kept@example.com"})["id"]
    assert first.stop()[0] == 0
    assert json.loads(state.read_text())["orgs"]
    second = serve("--state", str(state))
    sf = Salesforce(
        username="admin@example.com",
        password="password",
        security_token="TOKEN",
        session=rewriting_session(second.url),
    )
    assert sf.Contact.get(rid)["Email"] == "kept@example.com"
    assert second.stop()[0] == 0


@pytest.mark.parametrize(
    "args",
    [
        ["serve", "--port", "http"],
        ["serve", "--port", "70000"],
        ["serve", "--packages", "no_such_package"],
        ["serve", "--api-limit", "-1"],
        ["serve", "--tls-dir", "/tmp/x"],
        ["serve", "--port", "0", "--state", "/no/such/folder/state.json"],
        ["serve", "--bogus"],
        ["launch"],
        [],
    ],
)
def test_bad_arguments_print_one_line_and_exit_non_zero(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "fake_salesforce.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith("fake-salesforce: error: ")


def test_port_already_in_use_is_one_line_not_a_traceback() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "fake_salesforce.cli", "serve", "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"fake-salesforce: error: cannot listen on 127.0.0.1:{port}: Address already in use"
    )


def test_corrupt_state_file_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    state = tmp_path / "broken.json"
    state.write_text("{not json")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "fake_salesforce.cli",
            "serve",
            "--port",
            "0",
            "--state",
            str(state),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith(f"fake-salesforce: error: cannot load state from {state}")
    assert len(done.stderr.strip().splitlines()) == 1
