"""nginx follows the app's replicas as DNS announces them, with no restart.

In compose, Docker's DNS (127.0.0.11) answers for `app` with one address per replica.
Here a small DNS server of the test (dnslib) answers for `app` instead, with addresses
the test changes, and each replica is a plain HTTP server on its own loopback address
(127.0.0.2, .3) that answers with that address. Debian's nginx runs the generated
nginx.conf with only the resolver address, the port and the listen address replaced.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from dnslib import QTYPE, RCODE, RR, A, DNSRecord
from dnslib.server import BaseResolver, DNSHandler, DNSLogger, DNSServer

from .conftest import local_nginx_config
from .test_cache_integration import free_port

NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")

pytestmark = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (Debian package nginx)"
)


class Replicas(BaseResolver):  # type: ignore[misc]
    """Answers A queries for `app` with the current replica addresses (TTL 60 s:
    nginx must re-ask after its own `valid` time, not the record's)."""

    def __init__(self) -> None:
        self.addresses: list[str] = []
        self.queries = 0

    def resolve(self, request: DNSRecord, handler: DNSHandler) -> DNSRecord:
        reply = request.reply()
        if str(request.q.qname).rstrip(".") != "app":
            reply.header.rcode = RCODE.NXDOMAIN
            return reply
        self.queries += 1
        if request.q.qtype == QTYPE.A:
            for address in self.addresses:
                reply.add_answer(RR(request.q.qname, QTYPE.A, rdata=A(address), ttl=60))
        return reply


class Replica:
    """An HTTP server on `address`:`port` answering every GET with its address."""

    def __init__(self, address: str, port: int) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = address.encode()
                self.send_response(200)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((address, port), Handler)
        self.running = True
        # Checks for shutdown every 10 ms: stop() waited up to 0.5 s by default.
        serve = threading.Thread(target=self.server.serve_forever, args=(0.01,))
        serve.daemon = True
        serve.start()

    def stop(self) -> None:
        """Gone: the listening socket is closed, so connections are refused."""
        if self.running:
            self.running = False
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def dns() -> Iterator[tuple[Replicas, int]]:
    replicas = Replicas()
    port = free_port()
    server = DNSServer(
        replicas, port=port, address="127.0.0.1", logger=DNSLogger("-request,-reply")
    )
    server.start_thread()
    yield replicas, port
    server.stop()


def until(check: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"


@contextlib.contextmanager
def nginx_in_front_of(
    project: Path, upstream: str, tmp_path: Path, ready: Callable[[str], bool]
) -> Iterator[tuple[str, Path]]:
    """The project's nginx.conf, run by Debian's nginx in front of ``upstream``
    until the block ends, once ``ready(base URL)``: its base URL and the file its
    access log (stdout) goes to."""
    listen = free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(local_nginx_config(project, upstream, f"127.0.0.1:{listen}"))
    access = tmp_path / "access.log"
    with access.open("w") as out:
        nginx = subprocess.Popen(
            [str(NGINX), "-c", str(conf), "-e", "/dev/stderr"]
            + ["-g", f"daemon off; pid {tmp_path / 'nginx.pid'};"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{listen}"
    try:
        until(lambda: ready(base), "nginx to answer")
        yield base, access
    finally:
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(timeout=20)


def test_nginx_follows_replicas_that_come_and_go_without_a_restart(
    bookstore: Path, tmp_path: Path, dns: tuple[Replicas, int]
) -> None:
    replicas, dns_port = dns
    app_port = free_port()
    first = Replica("127.0.0.2", app_port)
    replicas.addresses = ["127.0.0.2"]
    listen = free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        local_nginx_config(
            bookstore, f"app:{app_port}", f"127.0.0.1:{listen}", f"127.0.0.1:{dns_port}"
        )
    )
    access = tmp_path / "access.log"
    errors = tmp_path / "error.log"
    with access.open("w") as out, errors.open("w") as err:
        nginx = subprocess.Popen(
            [str(NGINX), "-c", str(conf), "-e", "/dev/stderr"]
            + ["-g", f"daemon off; pid {tmp_path / 'nginx.pid'};"],
            stdout=out,
            stderr=err,
        )
    answers: list[tuple[int, str]] = []

    def get() -> str:
        response = httpx.get(f"http://127.0.0.1:{listen}/", timeout=10)
        answers.append((response.status_code, response.text))
        return response.text

    second: Replica | None = None
    try:
        until(lambda: _answers(get), "nginx to start")
        assert {get() for _ in range(10)} == {"127.0.0.2"}

        # Scaled up: the new replica gets requests once nginx asks DNS again.
        second = Replica("127.0.0.3", app_port)
        replicas.addresses = ["127.0.0.2", "127.0.0.3"]
        until(lambda: get() == "127.0.0.3", "the new replica to get requests")
        assert {get() for _ in range(10)} == {"127.0.0.2", "127.0.0.3"}

        # Scaled down: the first replica goes away; its requests go to the other one
        # until DNS no longer names it, and then nginx stops trying it at all.
        first.stop()
        replicas.addresses = ["127.0.0.3"]
        upstreams = _upstreams(access)
        until(
            lambda: (
                {get() for _ in range(5)} == {"127.0.0.3"}
                and set(_upstreams(access)[-5:]) == {f"127.0.0.3:{app_port}"}
            ),
            "nginx to stop trying the replica that is gone",
        )
        assert len(_upstreams(access)) > len(upstreams)
        assert nginx.poll() is None  # the same nginx throughout, never restarted
    finally:
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(timeout=20)
        first.stop()
        if second is not None:
            second.stop()
    assert [status for status, _ in answers if status != 200] == []
    assert replicas.queries >= 3  # at start and twice more, each after `valid`
    assert "[emerg]" not in errors.read_text()


def _answers(get: Callable[[], str]) -> bool:
    try:
        get()
    except httpx.TransportError:
        return False
    return True


def _upstreams(access: Path) -> list[str]:
    """The upstream address(es) nginx tried, per request, from its JSON access log."""
    lines = access.read_text().splitlines()
    return [json.loads(line)["upstream"] for line in lines if line.startswith("{")]
