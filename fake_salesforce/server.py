"""Serving the app over a socket: waitress (threaded), plain HTTP or TLS with a self-signed CA.

Waitress has no TLS of its own, so a TLS server hands waitress an ssl-wrapped listening socket
and a channel that knows non-blocking TLS: handshakes finish inside reads, "want read/write" means
"try again later", and decrypted bytes buffered in the TLS layer are drained on every read.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import create_server

from fake_salesforce.bulk_worker import BulkWorker

POLL_SECONDS = 0.2  # how soon a stop requested by a signal handler is noticed
LOOPBACK_NAMES = ("localhost",)
LOOPBACK_IPS = ("127.0.0.1", "::1")


@dataclass(frozen=True)
class TlsFiles:
    """A server certificate and key, and the CA file clients pass as `verify=`."""

    cert_file: Path
    key_file: Path
    ca_file: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _alt_names(hosts: tuple[str, ...]) -> x509.SubjectAlternativeName:
    names: list[x509.GeneralName] = []
    for host in dict.fromkeys((*LOOPBACK_NAMES, *LOOPBACK_IPS, *hosts)):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return x509.SubjectAlternativeName(names)


def make_certificate(directory: Path, hosts: tuple[str, ...] = ()) -> TlsFiles:
    """A throwaway CA and a server certificate it signed for localhost, 127.0.0.1 and `hosts`."""
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("fake-salesforce local CA")
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_alt_names(hosts), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    files = TlsFiles(directory / "server.pem", directory / "server.key", directory / "ca.pem")
    files.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key_file.write_bytes(_pem_key(key))
    files.key_file.chmod(0o600)
    files.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    return files


class TlsChannel(HTTPChannel):  # type: ignore[misc]
    """A waitress channel over a non-blocking TLS socket."""

    def handle_read(self) -> None:
        sock: Any = self.socket
        try:
            data = sock.recv(self.adj.recv_bytes)
            while data and sock.pending():
                data += sock.recv(sock.pending())
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
            return  # a handshake step or a partial record: wait for more bytes
        except OSError:  # includes ssl.SSLError: a bad handshake or a reset
            self.handle_close()
            return
        if data:
            self.last_activity = time.time()
            self.received(data)
        else:
            self.connected = False
            self.handle_close()

    def send(self, data: bytes, do_close: bool = True) -> int:
        try:
            sent: int = super().send(data, do_close=do_close)
        except (ssl.SSLWantWriteError, ssl.SSLWantReadError):
            return 0  # retried later with the same bytes, as OpenSSL requires
        return sent


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=1024)


class FakeServer:
    """The app on `host:port` (0 picks a free port) with waitress's threads, optionally TLS."""

    def __init__(
        self,
        app: Any,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: TlsFiles | None = None,
        threads: int = 8,
    ) -> None:
        self.host, self.tls = host, tls
        sock = _listen(host, port)
        self.port: int = sock.getsockname()[1]
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls.cert_file, tls.key_file)
            sock = context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        self._server: Any = cast(Any, create_server)(
            app,
            sockets=[sock],
            threads=threads,
            url_scheme="https" if tls else "http",
            ident="fake-salesforce",
            clear_untrusted_proxy_headers=True,
        )
        if tls is not None:
            self._server.channel_class = TlsChannel
        self._worker = BulkWorker()  # this server's Bulk jobs, applied off the request path
        config = _flask_config(app)
        if config is not None:
            config["BULK_WORKER"] = self._worker
        self._app_config = config
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._loop_thread: threading.Thread | None = None
        self._closed = False
        # Re-entrant: a signal handler may call stop() while its own thread is closing.
        self._lock = threading.RLock()

    @property
    def url(self) -> str:
        """The base URL clients use (`https://127.0.0.1:PORT` with TLS)."""
        host = self.host
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"

    def serve_forever(self) -> None:
        """Answer requests until `stop()`; then finish the running ones and close every socket."""
        with self._lock:
            if self._closed:
                return
            self._loop_thread = threading.current_thread()
        poll = getattr(wasyncore, "poll2", wasyncore.poll)
        socket_map = self._server._map
        try:
            while not self._stopping.is_set():
                poll(POLL_SECONDS, socket_map)
        finally:
            self._close()

    def start(self) -> FakeServer:
        """Serve from a daemon thread; returns at once, the socket is already listening."""
        thread = threading.Thread(target=self.serve_forever, name="fake-salesforce", daemon=True)
        with self._lock:
            self._loop_thread = thread  # a stop() from now on wakes this loop, not closes
        thread.start()
        return self

    def stop(self, wait: bool = True) -> None:
        """Ask the loop to end; safe from any thread, twice, and from a signal handler.

        The trigger that wakes the loop is pulled only under the lock the loop closes it under,
        and never once closed: a stop cannot write to a descriptor the loop just closed."""
        with self._lock:
            self._stopping.set()
            loop = self._loop_thread
            if loop is None:
                self._close()
                return
            if not self._closed and loop is not threading.current_thread():
                self._server.pull_trigger()
        if wait and loop is not threading.current_thread():
            self._stopped.wait(10)

    def _close(self) -> None:
        """End the worker threads and close every socket, once."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                self._server.task_dispatcher.shutdown()
                wasyncore.close_all(self._server._map)
                self._worker.stop()
                if (
                    self._app_config is not None
                    and self._app_config.get("BULK_WORKER") is self._worker
                ):
                    del self._app_config["BULK_WORKER"]  # in process again: polls apply jobs
            finally:
                self._stopped.set()

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def _flask_config(app: Any) -> dict[str, Any] | None:
    """The Flask app's config under any WSGI wrappers that keep their app as `.app`."""
    for _ in range(8):
        config = getattr(app, "config", None)
        if isinstance(config, dict):
            return config
        app = getattr(app, "app", None)
    return None
