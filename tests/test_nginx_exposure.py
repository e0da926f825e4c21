"""What the generated nginx.conf keeps from the public and from its log.

Debian's nginx runs the generated file (upstream and listen address replaced) in
front of a plain HTTP server of the test that notes every path it is asked for.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from .test_cache_integration import free_port
from .test_nginx_resolve import NGINX, nginx_in_front_of, until

pytestmark = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (Debian package nginx)"
)


# The id the upstream answers with for an X-Request-ID it refuses, as the app does
# (observability/requests.py keeps only short plain ones).
REPLACED_ID = "made-by-the-app"
VALID_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


@pytest.fixture
def upstream() -> Iterator[tuple[int, list[str]]]:
    """A server on 127.0.0.1 answering 200 to any GET, with an X-Request-ID as the
    app's (the request's when valid, else REPLACED_ID); its port and the targets it
    was asked for."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            request_id = self.headers.get("x-request-id", "")
            self.send_response(200)
            if not VALID_ID.fullmatch(request_id):
                request_id = REPLACED_ID
            self.send_header("x-request-id", request_id)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    # Checks for shutdown every 10 ms (the default 0.5 s is a wait at the end).
    threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True).start()
    yield server.server_address[1], asked
    server.shutdown()
    server.server_close()


@pytest.fixture
def proxy(
    bookstore: Path, tmp_path: Path, upstream: tuple[int, list[str]]
) -> Iterator[tuple[str, Path]]:
    """The generated nginx.conf in front of ``upstream``: its base URL and the
    file its access log (stdout) goes to."""

    def ready(base: str) -> bool:
        try:
            return httpx.get(f"{base}/healthz").status_code == 200
        except httpx.TransportError:
            return False

    upstream_address = f"127.0.0.1:{upstream[0]}"
    with nginx_in_front_of(bookstore, upstream_address, tmp_path, ready) as proxied:
        yield proxied


def test_the_access_log_keeps_no_query_string(
    proxy: tuple[str, Path], upstream: tuple[int, list[str]]
) -> None:
    """An API key may travel in the query (`apiKey in: query`): the app gets it,
    nginx's log only the path."""
    base, access = proxy
    response = httpx.get(f"{base}/books", params={"api_key": "SECRET-123", "x": "1"})
    assert response.status_code == 200
    assert "/books?api_key=SECRET-123&x=1" in upstream[1]
    until(lambda: "/books" in access.read_text(), "the access log line")
    text = access.read_text()
    assert "SECRET-123" not in text
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert [line["path"] for line in lines if line["path"] == "/books"] == ["/books"]


def test_metrics_are_not_served_through_nginx(
    proxy: tuple[str, Path], upstream: tuple[int, list[str]]
) -> None:
    """Prometheus scrapes the replicas directly; the public gets a 404 for every
    spelling of the path nginx normalizes, and the app is never asked."""
    base, _ = proxy
    for target in ("/metrics", "/metrics?x=1", "//metrics", "/a/../metrics"):
        response = httpx.get(base + target)
        assert response.status_code == 404, target
    assert httpx.head(f"{base}/metrics").status_code == 404
    assert not [path for path in upstream[1] if "metrics" in path]
    assert httpx.get(f"{base}/metricsx").status_code == 200  # only that path


def test_the_log_and_the_caller_get_the_id_the_app_answered(
    proxy: tuple[str, Path], upstream: tuple[int, list[str]]
) -> None:
    """The app keeps a plain X-Request-ID and replaces one it refuses: nginx's line
    carries the id the app's lines carry, and the caller gets it back. Where no app
    answers (/metrics), the caller's id or nginx's own."""
    base, access = proxy
    sent = {
        "/kept": "abc-123",
        "/refused": "has spaces and is refused",
        "/made": None,
        "/metrics": "asked-for-metrics",
    }
    answered = {}
    for path, request_id in sent.items():
        headers = {"x-request-id": request_id} if request_id else {}
        response = httpx.get(base + path, headers=headers)
        answered[path] = response.headers.get("x-request-id")
    paths = [f'"path":"{path}"' for path in sent]
    until(lambda: all(p in access.read_text() for p in paths), "the access log lines")
    text = access.read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    logged = {line["path"]: line["request_id"] for line in lines}
    assert logged["/kept"] == answered["/kept"] == "abc-123"
    assert logged["/refused"] == answered["/refused"] == REPLACED_ID
    # nginx's own (32 hex digits), which the app kept.
    assert re.fullmatch(r"[0-9a-f]{32}", logged["/made"])
    assert answered["/made"] == logged["/made"]
    assert logged["/metrics"] == "asked-for-metrics"
