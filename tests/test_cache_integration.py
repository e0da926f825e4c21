"""The generated cache across processes: two uvicorn workers, one Redis, one database.

tests/specs/cache.yaml is generated and installed in its own venv; a redis-server and
two uvicorn processes are started on free ports of 127.0.0.1 and driven over HTTP.
Hand-written endpoint bodies (written below) record each call and can be held
mid-computation, so races are set up by events (a marker file, a counter in
``/metrics``), never by sleeping and hoping. Waits have a generous limit only so a
broken build fails instead of hanging; nothing here asserts a duration.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from fastgen.api import new_project

from .conftest import REPO, link_shared_venv

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        shutil.which("redis-server") is None,
        reason="redis-server is not installed (apt-get install redis-server)",
    ),
]

SPEC = REPO / "tests" / "specs" / "cache.yaml"
WAIT = 30.0  # seconds before waiting for an event fails the test

CONTROL = '''\
"""Test control: record each call, and hold a computation while a file exists."""

import asyncio
import os
from pathlib import Path


async def checkpoint(name: str, key: object) -> None:
    root = Path(os.environ["CACHE_IT_DIR"])
    with (root / f"calls-{name}-{key}").open("a") as calls:
        calls.write(f"{os.getpid()}\\n")
    hold = root / f"hold-{name}"
    if hold.exists():
        (root / f"entered-{name}-{key}-{os.getpid()}").touch()
        while hold.exists():
            await asyncio.sleep(0.005)
'''

SLOW_ITEM = '''\
"""GET /slow/{item_id}: reads the row first, then may be held (the slow miss)."""

from fastapi import HTTPException
from sqlalchemy.ext.asyncio import AsyncSession

from cachetest.hooks.control import checkpoint
from cachetest.models import Item
from cachetest.schemas.endpoints import SlowItemResponse


async def handle(session: AsyncSession, item_id: int) -> SlowItemResponse:
    row = await session.get(Item, item_id)
    if row is None:
        raise HTTPException(404, "no such item")
    name = row.name  # the old row, if a write commits while we are held
    await checkpoint("slow_item", item_id)
    return SlowItemResponse(id=item_id, name=name)
'''

COUNTER = '''\
"""GET {path}: may be held first, then counts the items with its own session."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from cachetest.hooks.control import checkpoint
from cachetest.models import Item
from cachetest.schemas.endpoints import {response}


async def handle(session: AsyncSession) -> {response}:
    await checkpoint({name!r}, "all")
    count = await session.scalar(select(func.count(Item.id)))
    return {response}(items=count or 0)
'''


def run(*args: str | Path, cwd: Path) -> str:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def eventually(condition: Callable[[], Any], what: str) -> Any:
    """Poll ``condition`` until it returns something true; that is the event."""
    deadline = time.monotonic() + WAIT
    while True:
        result = condition()
        if result:
            return result
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.01)


class Redis:
    """redis-server on a free port; killed the hard way and restarted by one test."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._workdir = workdir
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self._workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        eventually(lambda: self.command("PING") == "+PONG", "redis-server to start")

    def kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None

    def command(self, *words: str) -> str | None:
        """One inline command; a simple or bulk reply as text, None if unreachable."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
                sock.sendall(" ".join(words).encode() + b"\r\n")
                reply = sock.makefile("rb")
                first = reply.readline()
                if first.startswith(b"$") and first[1:2] != b"-":
                    return reply.read(int(first[1:]) + 2)[:-2].decode()
                return first.decode().strip()
        except OSError:
            return None


class Worker:
    """One uvicorn process serving the generated app."""

    def __init__(self, project: Path, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._output = log.open("w")
        self.process = subprocess.Popen(
            [
                str(project / ".venv" / "bin" / "uvicorn"),
                "cachetest.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-access-log",
            ],
            cwd=project,
            env=env,
            stdout=self._output,
            stderr=subprocess.STDOUT,
        )
        # Identity unless a test asks for gzip (httpx would ask for it by default).
        self.http = httpx.Client(
            base_url=self.base, timeout=WAIT, headers={"accept-encoding": "identity"}
        )

        def ready() -> bool:
            assert self.process.poll() is None, log.read_text()
            try:
                return self.http.get("/readyz", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        eventually(ready, "uvicorn to be ready")

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def metric(self, name: str, **labels: str) -> float:
        """One sample of this worker's ``/metrics`` (0 when absent)."""
        wanted = {f'{k}="{v}"' for k, v in labels.items()}
        for line in self.get("/metrics").text.splitlines():
            found = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
            if found is None or found.group(1) != name:
                continue
            if wanted <= set(filter(None, (found.group(2) or "").split(","))):
                return float(found.group(3))
        return 0.0

    def stop(self) -> None:
        self.http.close()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=15)
        self._output.close()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, shared_venv: Path) -> Path:
    """The service of tests/specs/cache.yaml with its endpoint bodies, installed."""
    project = new_project(SPEC, tmp_path_factory.mktemp("cache-it") / "cachetest")
    hooks = project / "src" / "cachetest" / "hooks"
    (hooks / "control.py").write_text(CONTROL)
    (hooks / "endpoints" / "slow_item.py").write_text(SLOW_ITEM)
    for name, path in (("report", "/report"), ("warm_stats", "/warm")):
        response = "".join(part.title() for part in name.split("_")) + "Response"
        body = COUNTER.format(path=path, response=response, name=name)
        (hooks / "endpoints" / f"{name}.py").write_text(body)
    link_shared_venv(shared_venv, project)
    return project


class Cluster:
    def __init__(self, control: Path, redis: Redis, a: Worker, b: Worker) -> None:
        self.control = control
        self.redis = redis
        self.a = a
        self.b = b

    def hold(self, name: str) -> None:
        (self.control / f"hold-{name}").touch()

    def release(self, name: str) -> None:
        (self.control / f"hold-{name}").unlink()

    def entered(self, name: str, key: object) -> int:
        return len(list(self.control.glob(f"entered-{name}-{key}-*")))

    def calls(self, name: str, key: object) -> int:
        path = self.control / f"calls-{name}-{key}"
        return len(path.read_text().split()) if path.exists() else 0

    def total(self, name: str, **labels: str) -> float:
        return self.a.metric(name, **labels) + self.b.metric(name, **labels)


@pytest.fixture(scope="module")
def cluster(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    work = tmp_path_factory.mktemp("cluster")
    control = work / "control"
    control.mkdir()
    redis = Redis(work)
    redis.start()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{work / 'shared.db'}",
        "REDIS_URL": redis.url,
        "CACHE_IT_DIR": str(control),
        # Memory copies may live for an hour: only the bus can make them go.
        "CACHE_L1_TTL": "3600",
        "CACHE_BREAKER_SECONDS": "0.2",
        "SHUTDOWN_DRAIN_SECONDS": "0",  # no load balancer to tell: stop at once
    }
    (control / "hold-warm_stats").touch()  # warm-up stays held from the start
    workers: list[Worker] = []
    try:
        # One after the other: both would create the tables of the shared database.
        workers.append(Worker(project, env, work / "a.log"))
        workers.append(Worker(project, env, work / "b.log"))
        yield Cluster(control, redis, *workers)
    finally:
        for worker in workers:
            worker.stop()
        redis.kill()
    for worker in workers:
        assert "Traceback" not in worker.log.read_text(), worker.log.read_text()


def create_item(worker: Worker, name: str) -> int:
    response = worker.http.post("/items", json={"name": name, "body": "x" * 900})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def x_cache(response: httpx.Response) -> str:
    return response.headers["x-cache"]


# -- warm-up (first: the warm computations have been held since startup) ------------------


def test_warm_up_runs_in_the_background_without_delaying_readiness(
    cluster: Cluster,
) -> None:
    a, b = cluster.a, cluster.b
    # Both workers answered /readyz while their warm-up is still held mid-computation.
    eventually(lambda: cluster.entered("warm_stats", "all") == 2, "both warm-ups")
    assert a.get("/readyz").status_code == b.get("/readyz").status_code == 200
    assert a.metric("cache_fills_total", endpoint="warm_stats") == 0
    cluster.release("warm_stats")
    eventually(
        lambda: cluster.total("cache_fills_total", endpoint="warm_stats") == 2,
        "the warm-ups to finish",
    )
    responses = [a.get("/warm"), b.get("/warm")]
    assert [x_cache(r) for r in responses] == ["HIT", "HIT"]
    assert cluster.calls("warm_stats", "all") == 2  # one per worker, none for clients


# -- scope and validators -----------------------------------------------------------------


def test_private_entries_are_never_served_to_another_principal(
    cluster: Cluster,
) -> None:
    a, b = cluster.a, cluster.b
    note = a.http.post("/notes", json={"text": "mine"}).json()
    url = f"/notes/{note['id']}"
    alice = {"authorization": "Bearer alice"}
    bob = {"authorization": "Bearer bob"}
    filled = a.get(url, headers=alice)
    bobs = b.get(url, headers=bob)
    anonymous = [a.get(url), b.get(url)]
    again = b.get(url, headers=alice)
    assert (filled.status_code, x_cache(filled)) == (200, "MISS")
    assert x_cache(bobs) == "MISS"  # not alice's entry, though it is in Redis
    assert [x_cache(r) for r in anonymous] == ["BYPASS", "BYPASS"]
    assert all(r.status_code == 200 for r in anonymous)
    assert x_cache(again) == "HIT"
    assert again.headers["cache-control"].startswith("private, max-age=")


def test_public_entries_ignore_authorization_and_client_cache_control(
    cluster: Cluster,
) -> None:
    a, b = cluster.a, cluster.b
    url = f"/items/{create_item(a, 'public')}"
    a.get(url, headers={"authorization": "Bearer alice"})
    for worker in (a, b):
        response = worker.get(
            url,
            headers={
                "authorization": "Bearer bob",
                "cache-control": "no-cache",
                "pragma": "no-cache",
            },
        )
        assert x_cache(response) == "HIT"


def test_304s_across_workers(cluster: Cluster) -> None:
    a, b = cluster.a, cluster.b
    url = f"/items/{create_item(a, 'validated')}"
    first = a.get(url)
    etag = first.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]+"', etag)  # strong, quoted
    assert b.get(url).headers["etag"] == etag  # the same in every worker
    for if_none_match in (etag, f'"other", {etag}', f"W/{etag}", "*"):
        for worker in (a, b):
            response = worker.get(url, headers={"if-none-match": if_none_match})
            assert response.status_code == 304, if_none_match
            assert response.content == b""
            assert response.headers["etag"] == etag
            assert response.headers["cache-control"].startswith("public, max-age=")
            assert int(response.headers["cache-control"].rpartition("=")[2]) <= 300
            assert "age" in response.headers
    other = b.get(url, headers={"if-none-match": '"other"'})
    assert (other.status_code, other.json()["name"]) == (200, "validated")
    gzipped = [w.get(url, headers={"accept-encoding": "gzip"}) for w in (a, b)]
    assert [r.headers["content-encoding"] for r in gzipped] == ["gzip", "gzip"]
    assert gzipped[0].headers["etag"] == gzipped[1].headers["etag"] != etag
    assert "accept-encoding" in gzipped[0].headers["vary"].lower()


# -- invalidation ---------------------------------------------------------------------------


def test_invalidation_follows_commits_and_never_rollbacks(cluster: Cluster) -> None:
    a, b = cluster.a, cluster.b
    item_id = create_item(a, "before")
    create_item(a, "taken")
    url = f"/items/{item_id}"
    assert x_cache(a.get(url)) == "MISS"
    assert x_cache(b.get(url)) == "HIT"  # from Redis, now in B's memory tier too
    received = b.metric(
        "cache_invalidations_total", endpoint="item.get", origin="remote"
    )

    conflict = a.http.patch(url, json={"name": "taken"})  # unique: rolled back
    assert conflict.status_code == 409
    assert [x_cache(w.get(url)) for w in (a, b)] == ["HIT", "HIT"]
    assert b.get(url).json()["name"] == "before"

    assert a.http.patch(url, json={"name": "after"}).status_code == 200
    eventually(
        lambda: (
            b.metric("cache_invalidations_total", endpoint="item.get", origin="remote")
            > received
        ),
        "B to receive the invalidation",
    )
    for worker in (b, a):
        response = worker.get(url)
        assert response.json()["name"] == "after"
    assert x_cache(a.get(url)) == "HIT"


def test_no_keys_or_scan_ever_reach_redis(cluster: Cluster) -> None:
    a = cluster.a
    assert cluster.redis.command("CONFIG", "RESETSTAT") == "+OK"
    item_id = create_item(a, "scanned")
    for worker in (a, cluster.b):
        worker.get(f"/items/{item_id}")
        worker.get("/items")
    assert a.http.patch(f"/items/{item_id}", json={"body": "y"}).status_code == 200
    assert a.http.delete(f"/items/{item_id}").status_code == 204
    stats = cluster.redis.command("INFO", "commandstats") or ""
    assert "cmdstat_evalsha" in stats
    assert "cmdstat_keys:" not in stats and "cmdstat_scan:" not in stats


# -- races and stampedes -----------------------------------------------------------------


def test_slow_miss_never_stores_the_row_a_write_replaced(cluster: Cluster) -> None:
    a, b = cluster.a, cluster.b
    item_id = create_item(a, "old")
    cluster.hold("slow_item")
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(a.get, f"/slow/{item_id}")
        eventually(lambda: cluster.entered("slow_item", item_id), "the slow miss")
        # Committed and invalidated in the other worker while A still computes.
        assert (
            b.http.patch(f"/items/{item_id}", json={"name": "new"}).status_code == 200
        )
        cluster.release("slow_item")
        old = slow.result(timeout=WAIT)
    assert old.json()["name"] == "old"  # its own caller gets what it read
    after = [w.get(f"/slow/{item_id}") for w in (a, b)]
    assert [r.json()["name"] for r in after] == ["new", "new"]
    assert x_cache(after[0]) == "MISS" and x_cache(after[1]) == "HIT"


def test_stampede_computes_once_across_workers(cluster: Cluster) -> None:
    a, b = cluster.a, cluster.b
    item_id = create_item(a, "stampede")
    url = f"/slow/{item_id}"
    coalesced = cluster.total("cache_coalesced_total", endpoint="slow_item")
    fills = cluster.total("cache_fills_total", endpoint="slow_item")
    cluster.hold("slow_item")
    with ThreadPoolExecutor(24) as pool:
        first = pool.submit(a.get, url)
        eventually(lambda: cluster.entered("slow_item", item_id), "the first miss")
        rest = [pool.submit(w.get, url) for w in (a, b) * 10]
        eventually(
            lambda: (
                cluster.total("cache_coalesced_total", endpoint="slow_item")
                == coalesced + 20
            ),
            "20 requests waiting for the first",
        )
        cluster.release("slow_item")
        responses = [first.result(WAIT), *(r.result(WAIT) for r in rest)]
    assert all(r.status_code == 200 for r in responses)
    assert len({r.content for r in responses}) == 1
    assert len({r.headers["etag"] for r in responses}) == 1
    assert cluster.calls("slow_item", item_id) == 1  # the database was asked once
    assert cluster.total("cache_fills_total", endpoint="slow_item") == fills + 1


def test_stale_while_revalidate_serves_stale_and_refreshes_once(
    cluster: Cluster,
) -> None:
    a, b = cluster.a, cluster.b
    first = a.get("/report")
    assert x_cache(first) == "MISS"
    assert x_cache(b.get("/report")) == "HIT"
    created = first.json()["items"]
    create_item(
        a, "counted"
    )  # no write invalidates the report: only a refresh shows it
    cluster.hold("report")
    # ttl is 1 s: wait until the entry is stale (an event the server reports).
    eventually(lambda: x_cache(b.get("/report")) == "STALE", "the report to go stale")
    eventually(lambda: cluster.entered("report", "all"), "a refresh to start")
    stale = [w.get("/report") for w in (a, b) for _ in range(3)]
    cluster.release("report")
    assert [x_cache(r) for r in stale] == ["STALE"] * 6
    assert all(r.json()["items"] == created for r in stale)
    assert all(r.headers["cache-control"].endswith("max-age=0") for r in stale)
    for worker in (a, b):
        eventually(
            lambda worker=worker: worker.get("/report").json()["items"] == created + 1,
            "the refreshed report",
        )
    assert cluster.calls("report", "all") == 2  # the first fill and one refresh
    assert cluster.entered("report", "all") == 1


# -- Redis failing and coming back -----------------------------------------------------------


def test_redis_killed_mid_run_fails_no_request_and_recovers(cluster: Cluster) -> None:
    a, b = cluster.a, cluster.b
    ids = [create_item(a, f"load-{i}") for i in range(3)]
    paths = [*(f"/items/{i}" for i in ids), "/items", *(f"/slow/{i}" for i in ids)]
    before = [w.get(p) for w in (a, b) for p in paths]
    assert all(r.status_code == 200 for r in before)

    cluster.redis.kill()
    during = [w.get(p) for _ in range(5) for w in (a, b) for p in paths]
    written = a.http.patch(f"/items/{ids[0]}", json={"name": "load-0b"})
    after_write = [w.get(f"/items/{ids[0]}") for w in (a, b)]
    with ThreadPoolExecutor(8) as pool:
        burst = list(pool.map(lambda p: b.get(p), paths * 10))

    failed = [r for r in (*during, *burst) if r.status_code != 200]
    assert not failed
    assert written.status_code == 200
    assert after_write[0].json()["name"] == "load-0b"
    by_path = {(r.url.path, x_cache(r)) for r in during}
    assert ("/items", "BYPASS") in by_path  # redis policies go to the database
    assert {x for p, x in by_path if p == "/items"} == {"BYPASS"}
    assert a.get("/readyz").json()["checks"]["cache.redis"] == "down"

    cluster.redis.start()

    def cached_again(worker: Worker) -> bool:
        worker.get("/items")
        return x_cache(worker.get("/items")) == "HIT"

    for worker in (a, b):
        eventually(lambda worker=worker: cached_again(worker), "recovery")
        assert worker.get("/readyz").json()["checks"]["cache.redis"] == "ok"
    # B's memory tier was emptied when its bus resubscribed: the write made during
    # the outage shows there now.
    eventually(
        lambda: b.get(f"/items/{ids[0]}").json()["name"] == "load-0b",
        "B to drop what it kept through the outage",
    )
    # The bus is back too: a write in A reaches B's memory tier again.
    url = f"/items/{ids[1]}"
    a.get(url)
    b.get(url)
    assert x_cache(b.get(url)) == "HIT"
    assert a.http.patch(url, json={"name": "load-1b"}).status_code == 200
    eventually(lambda: b.get(url).json()["name"] == "load-1b", "B to see the write")
