"""The bookstore under load and faults: 2 uvicorn workers, PostgreSQL, Redis and wrk.

examples/bookstore.yaml is generated, installed in its own venv, migrated with Alembic
and served by ``uvicorn --workers 2`` on a real PostgreSQL and redis-server (Debian
packages, 127.0.0.1, free ports). Debian's ``wrk`` drives it with the mixed workload
in tests/load/bookstore.lua (reads of tiered and in-process cached routes, updates,
creates); every response is logged with its send and receive times, so the tests
can check each one: no 5xx, no lost write, no stale read beyond the bound.

Faults are injected when the log shows the load running (an event, not a sleep):
Redis is killed and restarted, PostgreSQL is stopped and started, and the server gets
SIGTERM. Nothing asserts a duration; numbers go to $LOAD_RESULTS (JSON lines) for
bench/load.sh, which writes them into bench/README.md. Select with ``-m load``;
LOAD_SECONDS (default 60) sets the length of the steady run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from fastgen.api import new_project

from .conftest import REPO, hand_written_stats_example, new_venv, pip_install
from .test_cache_integration import Redis, eventually, free_port
from .test_postgres import as_postgres, postgres_bin

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.load,
    pytest.mark.skipif(
        shutil.which("wrk") is None
        or shutil.which("redis-server") is None
        or postgres_bin() is None,
        reason="needs Debian's wrk, redis-server and postgresql",
    ),
]

SCRIPT = REPO / "tests" / "load" / "bookstore.lua"
THREADS = 16  # wrk threads, one connection each
AUTHORS = 10
BOOKS = 200
LOAD_SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
DRAIN_SECONDS = 3.0
READS = {"get", "list", "author"}
WRITES = {"update", "create"}

# The user's body of the custom endpoint; it waits while the test holds it, so
# requests can be kept in flight across a shutdown.
AUTHOR_STATS = '''\
"""Body of GET /authors/{author_id}/stats; held while $LOAD_CONTROL/hold exists."""

import asyncio
import os
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bookstore.models import Book
from bookstore.schemas.endpoints import AuthorStatsResponse


async def handle(session: AsyncSession, author_id: int) -> AuthorStatsResponse:
    control = Path(os.environ["LOAD_CONTROL"])
    if (control / "hold").exists():
        (control / f"entered-{author_id}").touch()
        while (control / "hold").exists():
            await asyncio.sleep(0.01)
    query = select(func.count(Book.id), func.avg(Book.price)).where(
        Book.author_id == author_id
    )
    count, average = (await session.execute(query)).one()
    return AuthorStatsResponse(book_count=count, average_price=average or 0)
'''


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


class Postgres:
    """A PostgreSQL cluster in a throwaway directory that a test may stop and start;
    with ``standby_of``, a streaming replica of that (running) cluster."""

    def __init__(self, standby_of: Postgres | None = None) -> None:
        binaries = postgres_bin()
        assert binaries is not None
        self.bin = binaries
        # Not under pytest's tmp dir: the postgres user cannot enter root's folders.
        self.root = Path(tempfile.mkdtemp(prefix="fastgen-load-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self.data = self.root / "data"
        self.port = free_port()
        self.client = f"-h 127.0.0.1 -p {self.port} -U postgres".split()
        if standby_of is None:
            options = ["-A", "trust", "-U", "postgres", "--no-sync"]
            as_postgres(self.bin / "initdb", "-D", self.data, *options)
        else:  # a base backup that streams on from the primary (-R writes the setup);
            # a fast checkpoint: the default spreads it over minutes of sleeps
            options = ["-R", "-X", "stream", "--no-sync", "--checkpoint=fast"]
            options += standby_of.client
            as_postgres(self.bin / "pg_basebackup", "-D", self.data, *options)

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c max_connections=200"
        )
        self._ctl("-o", options, "-l", self.root / "log", "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-m", mode, "-w", "stop")

    def _ctl(self, *args: str | Path) -> None:
        as_postgres(self.bin / "pg_ctl", "-D", self.data, *args)

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def createdb(self) -> None:
        run(self.bin / "createdb", *self.client, "bookstore", cwd=self.root)

    def sql(self, query: str, database: str = "bookstore") -> list[list[str]]:
        """Rows of ``query`` as text, from psql."""
        psql = [self.bin / "psql", *self.client, "-d", database, "-At", "-F", "\t"]
        out = run(*psql, "-c", query, cwd=self.root)
        return [line.split("\t") for line in out.splitlines()]

    def url_of(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    @property
    def url(self) -> str:
        return self.url_of("bookstore")


class Service:
    """``uvicorn --workers 2`` serving the bookstore, as the Dockerfile's CMD does."""

    def __init__(self, project: Path, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._output = log.open("w")
        self.process = subprocess.Popen(
            self.command(project),
            cwd=project,
            env=env,
            stdout=self._output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a process group of its own, as a systemd unit
        )

        def started() -> bool:
            assert self.process.poll() is None, log.read_text()
            return self.count("Application startup complete.") == 2

        eventually(started, "both workers to start")
        self.workers = self.worker_pids()
        self.http = httpx.Client(base_url=self.base, timeout=60)

    def command(self, project: Path) -> list[str | Path]:
        options = f"--host 127.0.0.1 --port {self.port} --workers 2 --no-access-log"
        return [project / ".venv/bin/uvicorn", "bookstore.main:app", *options.split()]

    def count(self, line: str) -> int:
        return self.log.read_text().count(line)

    def worker_pids(self) -> list[str]:
        text = self.log.read_text()
        return [
            part.split("]")[0] for part in text.split("Started server process [")[1:]
        ]

    def get(self, path: str) -> httpx.Response:
        """One request on a connection of its own (the kernel picks the worker)."""
        return self.http.get(path, headers={"connection": "close"})

    def stop(self) -> None:
        self.http.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)
        self._output.close()


class Gunicorn(Service):
    """The Dockerfile's CMD: gunicorn's master and two uvicorn workers."""

    def command(self, project: Path) -> list[str | Path]:
        options = f"--config gunicorn.conf.py --bind 127.0.0.1:{self.port} --workers 2"
        return [project / ".venv/bin/gunicorn", *options.split(), "bookstore.main:app"]


@dataclass(frozen=True)
class Record:
    """One response as the load generator logged it."""

    sent: float
    received: float
    kind: str
    id: int | None
    status: int
    version: int | None
    json: bool


class Load:
    """One wrk run against the service, started in the background."""

    runs = 0

    def __init__(
        self,
        stack: Stack,
        seconds: float,
        *,
        probe: bool = False,
        service: Service | None = None,
    ) -> None:
        Load.runs += 1
        self.dir = stack.work / f"load-{Load.runs}"
        self.dir.mkdir()
        env = {
            **os.environ,
            "LOAD_DIR": str(self.dir),
            "LOAD_RUN": str(Load.runs),
            "LOAD_THREADS": str(THREADS),
            "LOAD_FIRST_BOOK": str(stack.first_book),
            "LOAD_BOOKS": str(BOOKS),
            "LOAD_AUTHORS": str(AUTHORS),
            "LOAD_PROBE": "1" if probe else "0",
        }
        self.started = time.monotonic()
        wrk = shutil.which("wrk") or "wrk"
        options = f"-t {THREADS} -c {THREADS} -d {seconds:g}s --timeout 30s"
        self.process = subprocess.Popen(
            [wrk, *options.split(), "-s", SCRIPT, (service or stack.service).base],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def responses(self) -> int:
        """Responses logged so far (the threads write one line each)."""
        return sum(
            path.read_bytes().count(b"\n") for path in self.dir.glob("thread-*.log")
        )

    def wait_for(self, more: int, what: str) -> None:
        """Wait until ``more`` responses beyond the current count were logged."""
        target = self.responses() + more
        eventually(lambda: self.responses() >= target, what)

    def finish(self, *, interrupt: bool = False) -> Result:
        if interrupt:
            self.process.send_signal(signal.SIGINT)  # wrk stops and reports
        output, _ = self.process.communicate(timeout=LOAD_SECONDS + 60)
        assert self.process.returncode == 0, output
        summary = json.loads((self.dir / "summary.json").read_text())
        records = []
        for path in sorted(self.dir.glob("thread-*.log")):
            for line in path.read_text().splitlines():
                sent, received, kind, id_, status, version, is_json = line.split()
                records.append(
                    Record(
                        float(sent),
                        float(received),
                        kind,
                        None if id_ == "-" else int(id_),
                        int(status),
                        None if version == "-" else int(version),
                        is_json == "1",
                    )
                )
        return Result(records, summary, output)


@dataclass
class Result:
    records: list[Record]
    summary: dict[str, int]
    output: str

    @property
    def socket_errors(self) -> dict[str, int]:
        """Connections refused or reset, requests timed out (30 s): all must be 0."""
        names = ("connect", "read", "write", "timeout")
        return {name: self.summary[name] for name in names if self.summary[name]}

    def of(self, kinds: set[str]) -> list[Record]:
        return [r for r in self.records if r.kind in kinds]

    def statuses(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.records:
            key = f"{r.kind} {r.status}"
            counts[key] = counts.get(key, 0) + 1
        return dict(sorted(counts.items()))

    def stale_reads(self, first: float = 0.0) -> list[float]:
        """For each book read that missed a write acknowledged before it was sent:
        how long before the read that (first missed) write had been acknowledged.

        Writes are versioned per book by the one thread that writes it, so their
        order is their acknowledgement order; ``first`` ignores reads sent earlier.
        """
        acked: dict[int, list[tuple[float, int]]] = {}
        for r in self.records:
            if r.kind == "update" and r.status == 200 and r.id is not None:
                assert r.version is not None
                acked.setdefault(r.id, []).append((r.received, r.version))
        lags = []
        for r in self.records:
            if r.kind != "get" or r.status != 200 or r.sent < first:
                continue
            assert r.id is not None and r.version is not None
            missed = [
                at
                for at, version in acked.get(r.id, ())
                if at < r.sent and version > r.version
            ]
            if missed:
                lags.append(r.sent - min(missed))
        return lags

    def report(self, name: str, **extra: Any) -> dict[str, Any]:
        """Throughput and latency (from wrk's own log lines), kept for bench/."""
        work = [r for r in self.records if r.kind != "probe"]
        seconds = self.summary["duration_us"] / 1e6
        latencies = sorted(r.received - r.sent for r in work)

        def ms(q: float) -> float:
            return round(1000 * latencies[int(q * (len(latencies) - 1))], 1)

        created = len([r for r in work if r.kind == "create" and r.status == 201])
        stale = self.stale_reads()
        line = {
            "test": name,
            "seconds": round(seconds, 1),
            "requests": len(work),
            "rps": round(len(work) / seconds),
            "p50_ms": ms(0.50),
            "p99_ms": ms(0.99),
            "max_ms": ms(1.0),
            "reads": len(self.of(READS)),
            "writes": len(self.of(WRITES)),
            "created": created,
            "5xx": len([r for r in work if r.status >= 500]),
            "socket_errors": sum(self.socket_errors.values()),
            "stale_reads": len(stale),
            "max_stale_ms": round(1000 * max(stale, default=0.0), 1),
            **extra,
        }
        results = os.environ.get("LOAD_RESULTS")
        if results:
            with open(results, "a") as out:
                out.write(json.dumps(line) + "\n")
        print(json.dumps(line))
        return line


@dataclass
class Stack:
    work: Path
    project: Path
    postgres: Postgres
    redis: Redis
    service: Service
    first_book: int
    l1_ttl: float

    def hold(self) -> None:
        (self.work / "control" / "hold").touch()

    def release(self) -> None:
        (self.work / "control" / "hold").unlink()
        for entered in (self.work / "control").glob("entered-*"):
            entered.unlink()

    def entered(self) -> int:
        return len(list((self.work / "control").glob("entered-*")))

    def assert_no_lost_writes(self, result: Result, *, serving: bool = True) -> None:
        """Every acknowledged create reads back (through the service while it is
        ``serving``, and from the database); every book holds its last update."""
        created = {
            r.id for r in result.records if r.kind == "create" and r.status == 201
        }
        assert None not in created
        if serving:
            with ThreadPoolExecutor(16) as pool:
                statuses = list(
                    pool.map(
                        lambda i: self.service.http.get(f"/books/{i}").status_code,
                        created,
                    )
                )
            assert statuses == [200] * len(created)
        ids = {int(row[0]) for row in self.postgres.sql("SELECT id FROM book")}
        assert created <= ids
        last: dict[int, int] = {}
        for r in sorted(result.of({"update"}), key=lambda r: r.received):
            if r.status == 200 and r.id is not None and r.version is not None:
                last[r.id] = r.version
        # An update whose answer was lost (a 503 after the commit) may be newer.
        titles = dict(self.postgres.sql("SELECT id, title FROM book"))
        lost = {i: v for i, v in last.items() if int(titles[str(i)][1:]) < v}
        assert lost == {}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    work = tmp_path_factory.mktemp("load")
    (work / "control").mkdir()
    project = new_project(hand_written_stats_example(work), work / "bookstore")
    hooks = project / "src" / "bookstore" / "hooks" / "endpoints"
    (hooks / "author_stats.py").write_text(AUTHOR_STATS)
    pip_install(new_venv(project / ".venv"), "-e", str(project))
    # The documented bound for a stale tiered read is the settings' l1 ttl.
    l1_ttl = float(
        run(
            ".venv/bin/python",
            "-c",
            "from bookstore.settings import GeneratedSettings as S;"
            "print(S.model_fields['cache_l1_ttl'].default)",
            cwd=project,
        )
    )
    postgres = Postgres()
    postgres.start()
    redis = Redis(work)
    redis.start()
    service: Service | None = None
    try:
        postgres.createdb()
        env = {
            **os.environ,
            "DATABASE_URL": postgres.url,
            "REDIS_URL": redis.url,
            "CREATE_SCHEMA": "false",
            "SHUTDOWN_DRAIN_SECONDS": str(DRAIN_SECONDS),
            "LOAD_CONTROL": str(work / "control"),
        }
        alembic = project / ".venv" / "bin" / "alembic"
        run(alembic, "upgrade", "head", cwd=project, env=env)  # as compose does
        service = Service(project, env, work / "uvicorn.log")
        with httpx.Client(base_url=service.base, timeout=30) as http:
            for i in range(AUTHORS):
                assert http.post("/authors", json={"name": f"a{i}"}).status_code == 201
            seeds = [
                {
                    "title": "v0",
                    "isbn": f"seed{i:09d}",
                    "price": "9.99",
                    "author_id": i % AUTHORS + 1,
                }
                for i in range(BOOKS)
            ]
            books = [http.post("/books", json=seed).json()["id"] for seed in seeds]
        assert books == list(range(books[0], books[0] + BOOKS))
        yield Stack(work, project, postgres, redis, service, books[0], l1_ttl)
    finally:
        if service is not None:
            service.stop()
        redis.kill()
        postgres.destroy()
    # No request died with an exception (SQLAlchemy may log a traceback of its own
    # when the pool can't reset a connection PostgreSQL closed; that is no failure).
    log = (work / "uvicorn.log").read_text()
    assert "Exception in ASGI application" not in log, log[-5000:]


def assert_served(result: Result) -> None:
    assert result.socket_errors == {}, result.output
    assert {r.status for r in result.records if r.kind != "probe"} <= {200, 201}, (
        result.statuses()
    )


def test_mixed_load_loses_nothing_and_reads_no_older_than_the_bound(
    stack: Stack,
) -> None:
    result = Load(stack, LOAD_SECONDS).finish()
    assert_served(result)
    assert len(result.of(WRITES)) > 0 and len(result.of({"get"})) > 0
    stack.assert_no_lost_writes(result)
    # Tiered entries: another worker's memory copy may outlive a write by at most
    # CACHE_L1_TTL (its bus message normally drops it within milliseconds).
    stale = result.stale_reads()
    assert max(stale, default=0.0) <= stack.l1_ttl, sorted(stale)[-10:]
    result.report("steady mixed load", bound_ms=1000 * stack.l1_ttl)


def redis_subscribers(stack: Stack) -> int:
    """Connections subscribed to a channel: each worker's invalidation bus."""
    clients = stack.redis.command("CLIENT", "LIST") or ""
    return sum(" sub=1 " in line for line in clients.splitlines())


def test_redis_killed_mid_run_fails_no_request_and_recovers(stack: Stack) -> None:
    assert redis_subscribers(stack) == 2
    load = Load(stack, 15)
    load.wait_for(300, "load before the kill")
    stack.redis.kill()
    killed = time.monotonic()
    load.wait_for(1000, "load while Redis is down")
    stack.redis.start()
    restarted = time.monotonic()
    # Both workers' invalidation buses resubscribe, and entries are stored again.
    eventually(lambda: redis_subscribers(stack) == 2, "both buses to resubscribe")
    eventually(lambda: stack.redis.command("DBSIZE") not in (None, ":0"), "entries")
    recovered = time.monotonic()
    load.wait_for(300, "load after the recovery")
    # Every event was seen: stop wrk now rather than wait out the rest of its 15 s.
    result = load.finish(interrupt=True)

    assert_served(result)
    during = [r for r in result.records if killed < r.sent < restarted]
    assert during  # the load went on while Redis was down
    stack.assert_no_lost_writes(result)
    # While the bus is down a memory copy may be served until its l1 ttl runs out;
    # it was made by a request at most the slowest response before that.
    slowest = max(r.received - r.sent for r in result.records)
    stale = result.stale_reads()
    assert max(stale, default=0.0) <= stack.l1_ttl + slowest, sorted(stale)[-10:]
    result.report(
        "Redis killed mid-run",
        outage_s=round(restarted - killed, 1),
        served_during_outage=len(during),
        recovery_s=round(recovered - restarted, 1),
    )


def test_postgres_stopped_gives_json_503s_and_recovers_without_restart(
    stack: Stack,
) -> None:
    load = Load(stack, 15)
    load.wait_for(300, "load before the stop")
    stack.postgres.stop()
    stopped = time.monotonic()
    unready = [stack.service.get("/readyz") for _ in range(6)]
    uncached = stack.service.get("/books?limit=7")
    write = stack.service.http.post(
        "/books", json={"title": "x", "isbn": "down", "price": "1", "author_id": 1}
    )
    load.wait_for(300, "load while PostgreSQL is down")
    stack.postgres.start()
    started = time.monotonic()
    eventually(
        lambda: all(stack.service.get("/readyz").status_code == 200 for _ in range(6)),
        "readiness on both workers",
    )
    ready = time.monotonic()
    load.wait_for(300, "load after the recovery")
    # Every event was seen: stop wrk now rather than wait out the rest of its 15 s.
    result = load.finish(interrupt=True)

    assert [r.status_code for r in unready] == [503] * 6
    assert all(r.json()["checks"]["database"].startswith("error") for r in unready)
    for response in (uncached, write):
        assert response.status_code == 503
        assert response.json() == {"detail": "the database is unavailable; retry later"}
        assert int(response.headers["retry-after"]) > 0
    assert result.socket_errors == {}, result.output  # refused, reset or hung: none
    assert {r.status for r in result.records} <= {200, 201, 503}, result.statuses()
    failed = [r for r in result.records if r.status == 503]
    assert failed and all(r.json for r in failed)
    # Recovered without a restart: the same two workers answer every request again.
    assert all(r.status in (200, 201) for r in result.records if r.sent > ready)
    assert stack.service.worker_pids() == stack.service.workers
    stack.assert_no_lost_writes(result)
    result.report(
        "PostgreSQL stopped mid-run",
        outage_s=round(started - stopped, 1),
        json_503s=len(failed),
        ready_again_s=round(ready - started, 1),
    )


def test_sigterm_under_load_drains_and_resets_no_request(stack: Stack) -> None:
    service = stack.service
    stack.hold()
    with ThreadPoolExecutor(AUTHORS) as pool:
        held = [
            pool.submit(service.get, f"/authors/{i}/stats")
            for i in range(1, AUTHORS + 1)
        ]
        eventually(lambda: stack.entered() == AUTHORS, "requests held in flight")
        # wrk as a load balancer: it probes /readyz and stops sending once it fails.
        load = Load(stack, 120, probe=True)
        load.wait_for(300, "load before SIGTERM")
        service.process.send_signal(signal.SIGTERM)
        term = time.monotonic()
        # The parent passes SIGTERM on to the workers (uvicorn looks twice a second).
        draining = eventually(
            lambda: (r := service.get("/readyz")).status_code == 503 and r,
            "readiness to turn off",
        )
        during = service.get(f"/books/{stack.first_book}")  # still served
        # Both workers stop listening after the drain; the held requests still run.
        eventually(
            lambda: service.count("Shutting down") == 2, "the listeners to close"
        )
        closed = time.monotonic()
        assert not any(f.done() for f in held)
        stack.release()
        answers = [f.result(timeout=60) for f in held]
    assert service.process.wait(timeout=60) == 0
    result = load.finish(interrupt=True)

    assert (draining.status_code, draining.json()["status"]) == (503, "draining")
    assert during.status_code == 200
    assert [a.status_code for a in answers] == [200] * AUTHORS
    assert sum(a.json()["book_count"] for a in answers) >= BOOKS
    assert_served(result)
    served_while_draining = [r for r in result.of(READS | WRITES) if r.sent > term]
    assert served_while_draining
    assert service.count("Application shutdown complete.") == 2
    stack.assert_no_lost_writes(result, serving=False)
    result.report(
        "SIGTERM under load",
        drain_s=DRAIN_SECONDS,
        listeners_closed_after_s=round(closed - term, 1),
        served_while_draining=len(served_while_draining),
        held_in_flight=AUTHORS,
    )


@pytest.mark.parametrize("signalled", ["master", "group"])
def test_gunicorn_drains_under_load_whoever_is_signalled(
    stack: Stack, signalled: str
) -> None:
    """Docker and Kubernetes signal gunicorn's master only; systemd's default
    (KillMode=control-group) signals the master and both workers at once, so each
    worker gets SIGTERM twice (the second from the master). Either way the drain runs
    to its end, and requests in flight across the signal all complete."""
    for attempt in range(3):
        signal_gunicorn_under_load(stack, signalled, f"{signalled}-{attempt}")


def signal_gunicorn_under_load(stack: Stack, signalled: str, name: str) -> None:
    log = stack.work / f"gunicorn-{name}.log"
    env = {**os.environ, "DATABASE_URL": stack.postgres.url}
    env |= {"REDIS_URL": stack.redis.url, "CREATE_SCHEMA": "false"}
    env |= {"SHUTDOWN_DRAIN_SECONDS": str(DRAIN_SECONDS)}
    env |= {"LOAD_CONTROL": str(stack.work / "control")}
    service = Gunicorn(stack.project, env, log)
    # A new book drops the cached stats, so the held requests reach the hook.
    book = {"title": "x", "isbn": f"g-{name}", "price": "1", "author_id": 1}
    assert service.http.post("/books", json=book).status_code == 201
    stack.hold()
    with ThreadPoolExecutor(AUTHORS) as pool:
        held = [
            pool.submit(service.get, f"/authors/{i}/stats")
            for i in range(1, AUTHORS + 1)
        ]
        eventually(lambda: stack.entered() == AUTHORS, "requests held in flight")
        load = Load(stack, 120, probe=True, service=service)
        load.wait_for(300, "load before SIGTERM")
        if signalled == "master":
            service.process.send_signal(signal.SIGTERM)
        else:
            os.killpg(service.process.pid, signal.SIGTERM)
        term = time.monotonic()
        # Each worker's (JSON) line; the master's is "Shutting down: Master", at exit.
        eventually(
            lambda: service.count('"Shutting down"') == 2, "the listeners to close"
        )
        closed = time.monotonic()
        assert not any(f.done() for f in held)
        stack.release()
        answers = [f.result(timeout=60) for f in held]
    assert service.process.wait(timeout=60) == 0, log.read_text()[-3000:]
    service.stop()
    result = load.finish(interrupt=True)

    # The listeners closed after the drain, not at the second SIGTERM.
    assert closed - term >= DRAIN_SECONDS, log.read_text()[-3000:]
    assert [a.status_code for a in answers] == [200] * AUTHORS
    assert_served(result)
    assert [r for r in result.of(READS | WRITES) if r.sent > term]
    text = log.read_text()
    assert text.count("Application shutdown complete.") == 2
    assert "Exception in ASGI application" not in text, text[-3000:]
    stack.assert_no_lost_writes(result, serving=False)


def test_gunicorn_stops_without_the_drain_on_sigint(stack: Stack) -> None:
    """SIGINT (or SIGQUIT) means "stop now", as in gunicorn: no drain, yet requests
    already in flight still finish."""
    log = stack.work / "gunicorn-sigint.log"
    env = {**os.environ, "DATABASE_URL": stack.postgres.url}
    env |= {"REDIS_URL": stack.redis.url, "CREATE_SCHEMA": "false"}
    env |= {"SHUTDOWN_DRAIN_SECONDS": "3600"}
    env |= {"LOAD_CONTROL": str(stack.work / "control")}
    service = Gunicorn(stack.project, env, log)
    book = {"title": "x", "isbn": "g-sigint", "price": "1", "author_id": 1}
    assert service.http.post("/books", json=book).status_code == 201
    stack.hold()
    with ThreadPoolExecutor(AUTHORS) as pool:
        held = [
            pool.submit(service.get, f"/authors/{i}/stats")
            for i in range(1, AUTHORS + 1)
        ]
        eventually(lambda: stack.entered() == AUTHORS, "requests held in flight")
        service.process.send_signal(signal.SIGINT)
        # Within eventually()'s patience, far below the hour-long drain.
        eventually(
            lambda: service.count('"Shutting down"') == 2, "the listeners to close"
        )
        assert not any(f.done() for f in held)
        stack.release()
        answers = [f.result(timeout=60) for f in held]
    assert service.process.wait(timeout=60) == 0, log.read_text()[-3000:]
    service.stop()
    assert [a.status_code for a in answers] == [200] * AUTHORS
    assert "SIGTERM: not ready" not in log.read_text()
