"""Real servers for fault tests and benchmarks: gunicorn processes on loopback ports, and a weak-network proxy."""

from __future__ import annotations

import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class AppServer:
    """A gunicorn (sync workers) serving ``lms:create_app()`` against ``database_url``."""

    database_url: str
    env: dict[str, str] = field(default_factory=dict)
    workers: int = 2
    port: int = 0
    target: str = "lms:create_app()"  # any WSGI app spec, e.g. the benchmark's bare-Flask baseline
    health_path: str = "/healthz"
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> AppServer:
        self.port = self.port or free_port()
        env = {**os.environ, "DATABASE_URL": self.database_url, "SECRET_KEY": "server-test-secret", **self.env}
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter's gunicorn, fixed arguments
            [gunicorn, "--workers", str(self.workers), "--worker-class", "sync", "--bind",
             f"127.0.0.1:{self.port}", "--graceful-timeout", "5", "--log-level", "warning", self.target],
            cwd=REPO, env=env, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                try:
                    connection.request("GET", self.health_path)
                    healthy = connection.getresponse().status == 200
                finally:
                    connection.close()  # an unclosed socket is a ResourceWarning, which the suite treats as an error
                if healthy:
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start in time")

    def kill(self) -> None:
        """SIGKILL the whole process group: master and workers die mid-request, like a power cut."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def running(server: AppServer) -> Iterator[AppServer]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class ProxyStats:
    forwarded: int = 0
    dropped_requests: int = 0
    dropped_responses: int = 0


class WeakNetworkProxy:
    """An HTTP proxy in front of the app that behaves like a bad mobile network.

    Each request waits ``latency`` seconds (± jitter); with probability ``drop_request`` it is cut before reaching the
    server; with probability ``drop_response`` the server handles it but the answer never reaches the client — the
    hard case, where the client must retry something that already happened.
    """

    def __init__(self, upstream_port: int, *, latency: float = 0.05, jitter: float = 0.05,
                 drop_request: float = 0.1, drop_response: float = 0.1, seed: int = 7) -> None:
        self.upstream_port = upstream_port
        self.latency, self.jitter = latency, jitter
        self.drop_request, self.drop_response = drop_request, drop_response
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.stats = ProxyStats()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args: object) -> None:
                return

            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                with proxy.lock:
                    delay = max(0.0, proxy.latency + proxy.random.uniform(-proxy.jitter, proxy.jitter))
                    cut_request = proxy.random.random() < proxy.drop_request
                    cut_response = proxy.random.random() < proxy.drop_response
                time.sleep(delay)
                if cut_request:
                    with proxy.lock:
                        proxy.stats.dropped_requests += 1
                    self.close_connection = True
                    return
                upstream = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "host")}
                upstream.request(self.command, self.path, body=body, headers=headers)
                response = upstream.getresponse()
                payload = response.read()
                if cut_response:
                    with proxy.lock:
                        proxy.stats.dropped_responses += 1
                    self.close_connection = True
                    return
                with proxy.lock:
                    proxy.stats.forwarded += 1
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in ("connection", "transfer-encoding", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _relay

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> WeakNetworkProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
