"""Generate the bookstore, install it, run its own tests, serve it and use it over HTTP.

This is the path a user takes; nothing here is mocked. The project gets its own venv,
so its dependencies are exactly what its pyproject.toml declares.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import yaml

from fastgen.api import new_project

from .conftest import (
    EXAMPLE,
    NAMES,
    assert_generated_tests_pass,
    beside_bookstore,
    local_nginx_config,
)
from .test_random_specs import assert_wire_names_published

pytestmark = pytest.mark.e2e

AUTHOR_STATS_TEST = '''\
"""The user's own tests of the endpoints."""

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_author_stats(client: httpx.AsyncClient) -> None:
    author = (await client.post("/authors", json={"name": "Ann"})).json()
    book = {"title": "T", "isbn": "1", "price": "10", "author_id": author["id"]}
    assert (await client.post("/books", json=book)).status_code == 201
    stats = (await client.get(f"/authors/{author['id']}/stats")).json()
    assert stats == {"book_count": 1, "average_price": "10.0000"}


async def test_reindex(client: httpx.AsyncClient) -> None:
    response = await client.post("/admin/reindex")
    assert response.status_code == 202
'''


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bookstore with the user's own tests written, installed in its own venv."""
    project = new_project(EXAMPLE, tmp_path_factory.mktemp("e2e") / "bookstore")
    (project / "tests" / "test_custom_endpoints.py").write_text(AUTHOR_STATS_TEST)
    run(sys.executable, "-m", "venv", ".venv", cwd=project)
    # With the otel extra, so the generated tracing tests run instead of skipping.
    run(
        ".venv/bin/python",
        "-m",
        "pip",
        "install",
        "-q",
        "-e",
        ".[dev,otel]",
        cwd=project,
    )
    return project


def test_generated_tests_pass(installed: Path, tmp_path: Path) -> None:
    """The suite passes and leaves nothing behind in the temp dir but pytest's own
    (the Redis servers it starts, when redis-server is installed, remove theirs)."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    output = run(
        ".venv/bin/python",
        "-m",
        "pytest",
        "-q",
        "-rs",
        "-p",
        "no:cacheprovider",
        cwd=installed,
        env=os.environ | {"TMPDIR": str(temp)},
    )
    assert " passed" in output and "failed" not in output
    assert "otel extra" not in output, "the tracing tests were skipped"
    left = sorted(p.name for p in temp.iterdir() if not p.name.startswith("pytest-"))
    assert left == []


def test_every_field_type_on_sqlite(server_bookstore: Path, server_nasty: Path) -> None:
    """tests/specs/nasty.yaml's whole suite on the default database: datetimes with
    offsets (and a list sorted and paged by one), decimals, enums, JSON, UUIDs."""
    python = server_bookstore / ".venv" / "bin" / "python"
    assert_generated_tests_pass(python, server_nasty, None)


def test_names_of_every_kind_on_sqlite(
    server_bookstore: Path, server_names: Path
) -> None:
    """tests/specs/names.yaml's whole suite on the default database, the only one
    that runs the list index tests (they read SQLite's query plan): among them a
    list filtered by an optional ref the test samples leave empty. The running app
    publishes each field under its spec's name."""
    python = server_bookstore / ".venv" / "bin" / "python"
    assert_generated_tests_pass(python, server_names, None)
    spec = yaml.safe_load(NAMES.read_text())
    assert_wire_names_published(python, server_names, spec)


def test_a_cached_stub_endpoint_leaves_the_observability_tests_passing(
    server_bookstore: Path, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The only cached path without parameters is a hand-written endpoint, still
    its 501 stub: an error is never cached, so the tests that need a hit skip."""
    spec = tmp_path / "hookc.yaml"
    spec.write_text(
        "fastgen: 1\nservice: {name: hookc}\nresources:\n"
        "  item: {path: /items, fields: {name: {type: string, max_length: 9}}}\n"
        "endpoints:\n"
        "  hello: {method: GET, path: /hello, response: {msg: string}, cache: {ttl: 10}}\n"
    )
    project = beside_bookstore(spec, server_bookstore, tmp_path_factory)
    python = server_bookstore / ".venv" / "bin" / "python"
    assert_generated_tests_pass(python, project, None, "tests/test_observability.py")


def test_generated_code_is_ruff_clean_after_user_edits(installed: Path) -> None:
    run(".venv/bin/ruff", "check", "--exclude", ".venv", ".", cwd=installed)
    run(".venv/bin/ruff", "format", "--check", "--exclude", ".venv", ".", cwd=installed)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def uvicorn(installed: Path, env: dict[str, str], log_path: Path) -> Iterator[str]:
    """One uvicorn process serving the installed bookstore; yields its base URL."""
    port = free_port()
    log = log_path.open("w")
    process = subprocess.Popen(
        [
            ".venv/bin/uvicorn",
            "bookstore.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=installed,
        # No load balancer to tell: stop at once on SIGTERM.
        env={**os.environ, "SHUTDOWN_DRAIN_SECONDS": "0", **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "uvicorn did not become ready"
            time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
        log.close()
    assert "Traceback" not in log_path.read_text()


@pytest.fixture
def server(installed: Path, tmp_path: Path) -> Iterator[str]:
    """uvicorn serving the project on SQLite, with no Redis reachable."""
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}",
        "REDIS_URL": "redis://127.0.0.1:1/0",
    }
    with uvicorn(installed, env, tmp_path / "uvicorn.log") as base:
        yield base


def test_metrics_of_two_worker_processes_are_summed(
    installed: Path, tmp_path: Path
) -> None:
    """With PROMETHEUS_MULTIPROC_DIR, either worker's /metrics counts both."""
    shared = tmp_path / "prometheus"
    shared.mkdir()
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "PROMETHEUS_MULTIPROC_DIR": str(shared),
        "DB_POOL_SIZE": "3",
    }
    with (
        uvicorn(installed, env, tmp_path / "a.log") as a,
        uvicorn(installed, env, tmp_path / "b.log") as b,
    ):
        for base, times in ((a, 3), (b, 2)):
            for _ in range(times):
                assert httpx.get(f"{base}/healthz").status_code == 200
                # /authors is a memory policy: per worker, one miss, then hits.
                assert httpx.get(f"{base}/authors").status_code == 200
        expected = {
            ("http_requests_total", 'route="/healthz"'): 5.0,
            ("http_request_duration_seconds_count", 'route="/healthz"'): 5.0,
            ("cache_requests_total", 'endpoint="author.list",result="miss"'): 2.0,
            ("cache_requests_total", 'endpoint="author.list",result="hit"'): 3.0,
            ("cache_memory_entries", ""): 2.0,
            ("db_pool_size", ""): 6.0,
        }

        def scraped(base: str) -> dict[tuple[str, str], float]:
            values = {}
            for line in httpx.get(f"{base}/metrics").text.splitlines():
                for name, label in expected:
                    if line.startswith((name + "{", name + " ")) and label in line:
                        values[name, label] = float(line.split()[-1])
            return values

        # Scrape-time values reach the shared files within a second.
        deadline = time.monotonic() + 10
        while any(scraped(base) != expected for base in (a, b)):
            assert time.monotonic() < deadline, (scraped(a), scraped(b))
            time.sleep(0.2)
        # As the generated README says: one process's own stats are not summed, so
        # the multiprocess exposition has none.
        names = {
            line.split("{")[0].split()[0]
            for line in httpx.get(f"{a}/metrics").text.splitlines()
            if line and not line.startswith("#")
        }
        assert "http_requests_total" in names
        assert not [n for n in names if n.startswith(("process_", "python_gc_"))]
        assert "python_info" not in names


def test_cached_bookstore_over_http(server: str) -> None:
    with httpx.Client(base_url=server, timeout=5) as http:
        author = http.post("/authors", json={"name": "Ursula"})
        assert author.status_code == 201
        author_id = author.json()["id"]

        first = http.get("/authors")
        assert (first.status_code, first.headers["x-cache"]) == (200, "MISS")
        second = http.get("/authors")
        assert second.headers["x-cache"] == "HIT"
        assert second.json() == first.json()
        assert (
            http.get(
                "/authors", headers={"if-none-match": second.headers["etag"]}
            ).status_code
            == 304
        )

        stats_url = f"/authors/{author_id}/stats"
        assert http.get(stats_url).headers["x-cache"] == "MISS"
        cached_stats = http.get(stats_url)
        assert cached_stats.headers["x-cache"] == "HIT"
        assert cached_stats.json() == {"book_count": 0, "average_price": None}

        book = {
            "title": "Earthsea",
            "isbn": "9780547773742",
            "price": "12.50",
            "author_id": author_id,
        }
        assert http.post("/books", json=book).status_code == 201

        # A book write leaves the author list cached but invalidates author_stats.
        assert http.get("/authors").headers["x-cache"] == "HIT"
        fresh_stats = http.get(stats_url)
        assert fresh_stats.headers["x-cache"] == "MISS"
        assert fresh_stats.json() == {"book_count": 1, "average_price": "12.5000"}

        # The book `get` is tiered: with Redis unreachable it serves from memory.
        books = http.get("/books").json()["items"]
        book_url = f"/books/{books[0]['id']}"
        assert http.get(book_url).headers["x-cache"] == "MISS"
        assert http.get(book_url).headers["x-cache"] == "HIT"

        # The export streams over real HTTP (chunked), past the cached /books/{id}.
        with http.stream("GET", "/books/export") as export:
            assert export.headers["content-type"] == "application/x-ndjson"
            assert export.headers["transfer-encoding"] == "chunked"
            assert "x-cache" not in export.headers
            lines = [json.loads(line) for line in export.iter_lines()]
        assert lines == [http.get(book_url).json()]
        # RFC 9110 over a real server: HEAD of the uncached stream, a 405 naming
        # every method of the path, and If-Match on a cached read.
        head = http.head("/books/export")
        assert (head.status_code, head.content) == (200, b"")
        refused = http.post(book_url)
        assert refused.status_code == 405
        assert refused.headers["allow"] == "DELETE, GET, HEAD, PATCH, PUT"
        etag = http.get(book_url).headers["etag"]
        assert http.get(book_url, headers={"if-match": etag}).status_code == 200
        assert http.get(book_url, headers={"if-match": '"old"'}).status_code == 412

        author_url = f"/authors/{author_id}"
        assert http.get(author_url).json()["name"] == "Ursula"
        assert http.get(author_url).headers["x-cache"] == "HIT"
        assert (
            http.patch(author_url, json={"name": "Ursula K. Le Guin"}).status_code
            == 200
        )
        updated = http.get(author_url)
        assert updated.headers["x-cache"] == "MISS"
        assert updated.json()["name"] == "Ursula K. Le Guin"
        assert http.get("/authors").headers["x-cache"] != "HIT"

        assert http.get("/authors/999999").status_code == 404
        dangling = dict(book, isbn="1", author_id=999999)
        assert http.post("/books", json=dangling).status_code == 422
        assert http.delete(author_url).status_code == 409  # a book still refers to it
        assert http.post("/admin/reindex").status_code == 202

        # MAX_BODY_BYTES (1 MiB) over a real server: declared and streamed (chunked)
        # into a JSON-body route, where FastAPI reads the body itself.
        big = json.dumps({"name": "x" * (1 << 20)}).encode()
        declared = http.post(
            "/authors", content=big, headers={"content-type": "application/json"}
        )
        streamed = http.post(
            "/authors",
            content=iter([big[i : i + 65536] for i in range(0, len(big), 65536)]),
            headers={"content-type": "application/json"},
        )
        for refused_body in (declared, streamed):
            assert refused_body.status_code == 413, refused_body.text
            assert refused_body.json() == {
                "detail": "the request body is over 1048576 bytes"
            }
        assert "content-length" not in streamed.request.headers


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"{url} not ready\n{log.read_text()}"
        time.sleep(0.2)


@contextmanager
def dockerfile_cmd(
    installed: Path, tmp_path: Path, **env: str
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """The image's exact CMD, run from the project's venv instead of /opt/venv, with
    two workers on a free port; yields the process and its base URL once ready."""
    dockerfile = (installed / "Dockerfile").read_text()
    cmd_line = next(line for line in dockerfile.splitlines() if line.startswith("CMD "))
    command = json.loads(cmd_line.removeprefix("CMD "))
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cmd.db'}",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        **env,
    }
    log = tmp_path / "cmd.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [".venv/bin/" + command[0], *command[1:]],
            cwd=installed,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(f"{base}/readyz", process, log)
        yield process, base
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=40)


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (read from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state_and_ppid = stat.read_text().rsplit(")", 1)[1].split()[:2]
        except OSError:  # the process ended meanwhile
            continue
        if int(state_and_ppid[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_dockerfile_cmd_serves_and_stops_on_sigterm(
    installed: Path, tmp_path: Path
) -> None:
    with dockerfile_cmd(installed, tmp_path) as (process, base):
        response = httpx.get(f"{base}/readyz", timeout=5)
        assert response.json()["checks"]["database"] == "ok"
        workers = children(process.pid)
        assert len(workers) == 2, "WEB_CONCURRENCY=2 gives two workers"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=40) == 0
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]
    # gunicorn's own lines are JSON like the app's: the whole output parses.
    lines = [
        json.loads(line) for line in (tmp_path / "cmd.log").read_text().splitlines()
    ]
    assert {"level", "name", "message", "request_id", "time"} <= set(lines[0])
    assert ("gunicorn.error", "Handling signal: term") in {
        (line["name"], line["message"]) for line in lines
    }


def test_dockerfile_cmd_sums_the_metrics_of_its_workers(
    installed: Path, tmp_path: Path
) -> None:
    """Whichever gunicorn worker answers /metrics counts the requests of both, and
    metric files left by an earlier run are not added in."""
    shared = tmp_path / "metrics"
    shared.mkdir()
    (shared / "counter_1.db").write_bytes(b"left by an earlier run")
    (shared / "keep.txt").write_text("not a metric file")
    with dockerfile_cmd(installed, tmp_path, PROMETHEUS_MULTIPROC_DIR=str(shared)) as (
        _process,
        base,
    ):
        assert not (shared / "counter_1.db").exists()
        assert (shared / "keep.txt").exists()

        def fetch(_: int) -> int:
            # A new connection each time, so both workers take some.
            return httpx.get(f"{base}/healthz", timeout=10).status_code

        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(fetch, range(200))) == {200}
        labels = {'route="/healthz"', 'method="GET"', 'status="200"'}

        def healthz_count(text: str) -> float:
            for line in text.splitlines():
                name, _, rest = line.partition("{")
                if name == "http_requests_total" and labels <= set(
                    rest.partition("}")[0].split(",")
                ):
                    return float(line.split()[-1])
            raise AssertionError(text)

        # Each worker copies its counts to the shared files every second; then every
        # scrape, whichever worker answers it, shows both workers' requests.
        deadline = time.monotonic() + 10
        while True:
            counts = [
                healthz_count(httpx.get(f"{base}/metrics", timeout=10).text)
                for _ in range(6)
            ]
            if counts == [200] * 6:
                break
            assert time.monotonic() < deadline, counts
            time.sleep(0.2)


def upstream_connections(port: int) -> int:
    """Established TCP connections to 127.0.0.1:`port` (from /proc/net/tcp)."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(
        1
        for fields in map(str.split, rows)
        if fields[3] == "01" and int(fields[2].split(":")[1], 16) == port
    )


@contextmanager
def nginx_in_front(installed: Path, tmp_path: Path, upstream: str) -> Iterator[str]:
    """Debian's nginx with the project's nginx.conf on a free port, in front of
    `upstream`; yields its base URL."""
    port = free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(local_nginx_config(installed, upstream, f"127.0.0.1:{port}"))
    log = tmp_path / "nginx.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                shutil.which("nginx") or "/usr/sbin/nginx",
                "-c",
                str(conf),
                "-e",
                "/dev/stderr",
                "-g",
                f"daemon off; pid {tmp_path / 'nginx.pid'};",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(f"{base}/healthz", process, log)
        yield base
    finally:
        process.send_signal(signal.SIGQUIT)  # nginx's graceful stop
        process.wait(timeout=20)


@pytest.mark.skipif(
    shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
    reason="nginx is not installed (Debian package nginx)",
)
def test_nginx_proxies_the_cmd_with_gzip_keepalive_and_request_ids(
    installed: Path, tmp_path: Path
) -> None:
    # The app's own gzip off: whatever arrives compressed was compressed by nginx.
    with (
        dockerfile_cmd(installed, tmp_path, GZIP_MINIMUM_SIZE="1000000000") as (_, app),
        nginx_in_front(installed, tmp_path, app.removeprefix("http://")) as proxy,
    ):
        gzip = {"accept-encoding": "gzip"}
        direct = httpx.get(f"{app}/openapi.json", headers=gzip)
        assert "content-encoding" not in direct.headers
        proxied = httpx.get(f"{proxy}/openapi.json", headers=gzip)
        logs = (tmp_path / "nginx.log").read_text() + (tmp_path / "cmd.log").read_text()
        assert proxied.status_code == 200, logs
        assert proxied.headers.get("content-encoding") == "gzip"
        assert proxied.json() == direct.json()

        # A caller's request id comes back once; without one, nginx makes one.
        mine = httpx.get(f"{proxy}/healthz", headers={"x-request-id": "req-42"})
        assert mine.headers.get_list("x-request-id") == ["req-42"]
        made = httpx.get(f"{proxy}/healthz").headers.get_list("x-request-id")
        assert len(made) == 1 and re.fullmatch(r"[0-9a-f]{32}", made[0])

        # Clients: one connection carries several requests.
        host, port = proxy.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=5)
        first_socket = None
        for _ in range(5):
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            response.read()
            assert response.status == 200 and not response.will_close
            first_socket = first_socket or connection.sock
            assert connection.sock is first_socket
        connection.close()

        # Upstream: one connection per request, closed after its response (nginx
        # re-resolves `app`, and pools idle connections only for a fixed server list).
        assert upstream_connections(int(app.rsplit(":", 1)[1])) == 0
