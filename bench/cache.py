"""The generated cache under load, against fastapi-cache2 and bare baselines, in one run.

One command sets everything up and prints the ratios:

    .venv/bin/python bench/cache.py [--duration 8] [--rounds 3] [--keys 1000000]

It generates bench/cache_spec.yaml (one ~1 KB row shape behind the memory, tiered and
redis backends, and one copy with caching off), installs it in a venv, installs
fastapi-cache2 0.2.2 in a venv of its own (its redis extra pins redis<5), seeds 100
rows per table in one SQLite file, starts redis-server and every server pinned to
core 0 (``taskset``), and loads them with Debian's ``wrk`` pinned to core 1: 50
connections, 100 hot keys, warm caches. Scenarios run round-robin for several rounds
so a drift of the machine hits all of them alike; each figure is the median over the
rounds. Hits are compared with a raw ASGI app sending the same bytes and a hit's own
headers; filtered-list hits (``?pages=n``, pages the size of a get) with get hits.
The uncached ``get`` (JSON access log on) is compared with a hand-written FastAPI +
SQLAlchemy endpoint reading the same rows, fresh servers each round. Then 1M
distinct keys go through the memory endpoint of a fresh server while its RSS is
sampled; ``--phases`` runs a part. Nothing here asserts: it prints ratios and whether each target
holds. Needs: fastgen's venv, wrk, redis-server, taskset, two cores, and PyPI.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastgen.api import new_project

BENCH = Path(__file__).resolve().parent
SPEC = BENCH / "cache_spec.yaml"
SERVER_CORE = "0"
LOAD_CORE = "1"  # wrk, and redis-server (idle unless a redis scenario runs)
CONNECTIONS = 50
HOT_KEYS = 100
RAW_HEADERS = "raw ASGI, a hit's headers"
SHORT = {
    "raw ASGI constant": "raw ASGI",
    "fastapi-cache2 InMemoryBackend hit": "fastapi-cache2 InMemory",
    "fastapi-cache2 RedisBackend hit": "fastapi-cache2 Redis",
}
PHASES = ("hits", "outage", "latency", "uncached", "rss")
BLOB_HOOK = '''\
"""GET /blob/{n}: a ~1 KB row made without the database (bench/cache.py wrote it)."""

from sqlalchemy.ext.asyncio import AsyncSession

from cachebench.schemas.endpoints import BlobResponse

BODY = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 16


async def handle(_session: AsyncSession, n: int) -> BlobResponse:
    return BlobResponse(n=n, title=f"Blob {n}", body=BODY)
'''
FC2_REQUIREMENTS = [
    "fastapi-cache2==0.2.2",
    "jinja2",  # fastapi-cache2 0.2.2 does not import without it
    "redis<5",
    "fastapi",
    "uvicorn[standard]",
    "sqlalchemy[asyncio]",
    "aiosqlite",
]

HOT_LUA = """
local prefix = "/"
local counter = 0
function init(args) prefix = args[1] end
function request()
  counter = counter + 1
  return wrk.format("GET", prefix .. (counter %% %(keys)d + 1))
end
"""

# Every request a new key (same rows): misses, or the cost with caching off.
UNIQUE_LUA = """
local prefix = "/"
local salt = "0"
local counter = 0
function init(args) prefix = args[1]; salt = args[2] end
function request()
  counter = counter + 1
  return wrk.format(
    "GET", prefix .. (counter %% %(keys)d + 1) .. "?n=" .. salt .. "-" .. counter
  )
end
"""


@dataclass
class Result:
    rps: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)
    errors: int = 0
    # The server's own CPU (user + system, from /proc) per request answered, in µs:
    # a single worker saturated by wrk serves 1 / this per second, and unlike req/s
    # it does not move with what else the shared machine runs.
    cpu_us: list[float] = field(default_factory=list)

    @property
    def median_rps(self) -> float:
        return statistics.median(self.rps)

    @property
    def median_p99(self) -> float:
        return statistics.median(self.p99_ms)

    @property
    def median_cpu_us(self) -> float:
        return statistics.median(self.cpu_us) if self.cpu_us else float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of process ``pid`` so far (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(*args: str | Path, **kwargs: object) -> str:
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, check=False, **kwargs
    )
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, args))}\n{result.stdout}{result.stderr}")
    return result.stdout


def venv(path: Path, *requirements: str) -> Path:
    python = path / "bin" / "python"
    if not python.exists():
        run(sys.executable, "-m", "venv", path)
        run(python, "-m", "pip", "install", "-q", "--upgrade", "pip")
    run(python, "-m", "pip", "install", "-q", *requirements)
    return python


def wait_http(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit(f"{url} never answered:\n{log.read_text()}")


class Servers:
    """Processes started here, each pinned to a core; all stopped on exit."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.processes: list[subprocess.Popen[bytes]] = []
        self.pids: dict[int, int] = {}  # port -> pid of the uvicorn serving it

    def start(
        self,
        name: str,
        argv: list[str],
        *,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        core: str = SERVER_CORE,
        ready: str | None = None,
    ) -> subprocess.Popen[bytes]:
        log = self.workdir / f"{name}.log"
        process = subprocess.Popen(
            ["taskset", "-c", core, *argv],
            env={**os.environ, **(env or {})},
            cwd=cwd,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        if ready:
            wait_http(ready, process, log)
        return process

    def uvicorn(
        self,
        name: str,
        python: Path,
        app: str,
        port: int,
        http: str = "httptools",
        **kwargs: object,
    ) -> subprocess.Popen[bytes]:
        argv = [
            str(python.parent / "uvicorn"),
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
            "--loop",
            "uvloop",
            "--http",
            http,
        ]
        process = self.start(name, argv, **kwargs)  # type: ignore[arg-type]
        self.pids[port] = process.pid  # taskset execs uvicorn: the same pid
        return process

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            self.stop(process)


@contextmanager
def servers(workdir: Path) -> Iterator[Servers]:
    started = Servers(workdir)
    try:
        yield started
    finally:
        started.stop_all()


def post(url: str, payload: dict[str, object]) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def row(n: int) -> dict[str, object]:
    return {
        "title": f"The collected works, volume {n}",
        "author": "A. N. Author",
        "body": ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 16)[
            : 870 + n % 7
        ],
        "pages": 100 + n,
        "price": f"{n % 50 + 0.99:.2f}",
        "published": n % 2 == 0,
    }


def wrk(
    url: str,
    script: Path,
    *args: str,
    duration: float,
    connections: int = CONNECTIONS,
) -> tuple[float, float, int, int]:
    """Requests/s, p99 (ms), requests and non-2xx/socket errors of one wrk run."""
    output = run(
        "taskset",
        "-c",
        LOAD_CORE,
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{int(duration)}s",
        "--latency",
        "-s",
        script,
        url,
        "--",
        *args,
    )
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    found = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", output)
    assert found, output
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]
    p99 = float(found.group(1)) * scale
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = 0
    for pattern in (r"Non-2xx or 3xx responses: (\d+)", r"Socket errors: (.*)"):
        extra = re.search(pattern, output)
        if extra:
            errors += sum(int(n) for n in re.findall(r"\d+", extra.group(1)))
    return rps, p99, total, errors


def cachebench(work: Path) -> tuple[Path, Path, Path]:
    """``SPEC`` generated afresh in ``work`` and installed in its venv, with no
    database left from a previous run: the project, its python and the hot-key script.
    """
    work.mkdir(parents=True, exist_ok=True)
    project = work / "cachebench"
    shutil.rmtree(project, ignore_errors=True)
    new_project(SPEC, project)
    (project / "src/cachebench/hooks/endpoints/blob.py").write_text(BLOB_HOOK)
    python = venv(work / "venv-fastgen", "-e", str(project))
    for stale in work.glob("bench.db*"):
        stale.unlink()
    hot_lua = work / "hot.lua"
    hot_lua.write_text(HOT_LUA % {"keys": HOT_KEYS})
    return project, python, hot_lua


def serve_variants(
    started: Servers, work: Path, project: Path, python: Path, apps: dict[str, str]
) -> dict[str, int]:
    """A redis-server (nice -10, on the load core) and one server per ``apps`` entry
    (name -> ASGI app of the generated project or of bench/), all on one database and
    one Redis: the port of each."""
    redis_port = free_port()
    redis_argv = ["redis-server", "--port", str(redis_port), "--save", ""]
    started.start("redis", ["nice", "-n", "-10", *redis_argv], core=LOAD_CORE)
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{work / 'bench.db'}",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(BENCH),
    }
    ports = {}
    for name, target in apps.items():
        ports[name] = free_port()
        ready = f"http://127.0.0.1:{ports[name]}/readyz"
        label = re.sub(r"[^a-z0-9]+", "-", name.lower())
        started.uvicorn(
            label, python, target, ports[name], env=env, cwd=project, ready=ready
        )
    return ports


def serve_baseline(
    started: Servers,
    python: Path,
    body_file: Path,
    app: str,
    headers_file: Path | None = None,
) -> int:
    """``app`` of baseline_apps ("raw", "raw_headers" or "bare") answering
    ``body_file`` (with the headers of ``headers_file``): its port."""
    port = free_port()
    env = {"BENCH_BODY_FILE": str(body_file), "PYTHONPATH": str(BENCH)}
    if headers_file is not None:
        env["BENCH_HEADERS_FILE"] = str(headers_file)
    started.uvicorn(
        app,
        python,
        f"baseline_apps:{app}",
        port,
        env=env,
        cwd=BENCH,
        ready=f"http://127.0.0.1:{port}/const/1",
    )
    return port


def seed_list_rows(base: str) -> dict[str, int]:
    """Rows ``pages=1..HOT_KEYS`` in the memory and tiered tables, one per
    ``?pages=`` query, each a list page the size of a ``get`` of the hot rows: the
    row's text is shortened by what the page's envelope adds. The page sizes."""
    sizes = {}
    for prefix in ("memory", "tiered"):
        post(f"{base}/{prefix}", {**row(1), "pages": 0})  # a probe: pages=0
        page = fetch(f"{base}/{prefix}?pages=0")
        probe = json.loads(page)["items"][0]
        envelope = len(page) - len(fetch(f"{base}/{prefix}/{probe['id']}"))
        for n in range(1, HOT_KEYS + 1):
            hot = row(n)
            hot["body"] = hot["body"][: len(hot["body"]) - envelope]
            post(f"{base}/{prefix}", {**hot, "pages": n})
        get_bytes = [len(fetch(f"{base}/{prefix}/{n}")) for n in range(1, HOT_KEYS + 1)]
        list_bytes = [
            len(fetch(f"{base}/{prefix}?pages={n}")) for n in range(1, HOT_KEYS + 1)
        ]
        sizes[f"{prefix} get"] = round(statistics.mean(get_bytes))
        sizes[f"{prefix} list"] = round(statistics.mean(list_bytes))
    return sizes


def hit_headers(url: str) -> list[tuple[str, str]]:
    """The headers a memory hit answers with, but those uvicorn adds itself."""
    fetch(url)
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.headers["x-cache"] == "HIT", dict(response.headers)
        return [
            (name.lower(), value)
            for name, value in response.headers.items()
            if name.lower() not in ("date", "server", "connection")
        ]


def round_robin(
    targets: dict[str, tuple[int, str]], script: Path, rounds: int, duration: float
) -> dict[str, Result]:
    """Load each (port, path prefix) in turn, round after round, after a warm-up:
    drift of the shared machine then hits every target alike."""
    results = {name: Result() for name in targets}
    for port, prefix in targets.values():
        wrk(f"http://127.0.0.1:{port}", script, prefix, "warm", duration=2)
    for round_no in range(rounds):
        for name, (port, prefix) in targets.items():
            rps, p99, _total, errors = wrk(
                f"http://127.0.0.1:{port}", script, prefix, duration=duration
            )
            results[name].rps.append(rps)
            results[name].p99_ms.append(p99)
            results[name].errors += errors
        print(f"round {round_no + 1}/{rounds} done", flush=True)
        time.sleep(0.5)
    return results


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def metric(base: str, name: str) -> float:
    for line in fetch(f"{base}/metrics").decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds per run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keys", type=int, default=1_000_000, help="RSS phase")
    parser.add_argument(
        "--phases",
        default=",".join(PHASES),
        help=f"comma-separated, of {','.join(PHASES)} (default: all)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "fastgen-cache-bench",
        help="kept between runs so the venvs are reused",
    )
    args = parser.parse_args()
    phases = set(args.phases.split(","))
    if not phases <= set(PHASES):
        sys.exit(f"--phases: choose from {', '.join(PHASES)}")
    for tool in ("wrk", "redis-server", "taskset"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed (apt-get install wrk redis-server)")
    if (os.cpu_count() or 1) < 2:
        sys.exit("needs two cores: the servers on one, the load on the other")

    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    print(f"setting up in {work} ...", flush=True)
    project, ours, hot_lua = cachebench(work)
    fc2 = venv(work / "venv-fc2", *FC2_REQUIREMENTS)
    database = work / "bench.db"
    unique_lua = work / "unique.lua"
    unique_lua.write_text(UNIQUE_LUA % {"keys": HOT_KEYS})

    with servers(work) as started:
        redis_port = free_port()
        redis = started.start(
            "redis",
            [
                # In production Redis has a machine of its own; here it shares core
                # 1 with wrk, which never sleeps. Without priority a Redis reply
                # waits out wrk's time slice and the redis-hit p99 measures the
                # scheduler, not the cache.
                "nice",
                "-n",
                "-10",
                "redis-server",
                "--port",
                str(redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            core=LOAD_CORE,
        )
        redis_url = f"redis://127.0.0.1:{redis_port}/0"
        env = {
            "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "REDIS_URL": redis_url,
            "LOG_LEVEL": "WARNING",
        }
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        app = started.uvicorn(
            "fastgen",
            ours,
            "cachebench.main:app",
            port,
            env=env,
            cwd=project,
            ready=f"{base}/readyz",
        )
        for prefix in ("memory", "tiered", "redis", "plain"):
            for n in range(1, HOT_KEYS + 1):
                post(f"{base}/{prefix}", row(n))
        list_sizes = seed_list_rows(base)
        body = fetch(f"{base}/plain/1")
        body_file = work / "row.json"
        body_file.write_bytes(body)
        print(f"row: {len(body)} bytes of JSON", flush=True)
        print(
            "filtered-list page (one row): "
            + ", ".join(f"{k} {v} bytes" for k, v in list_sizes.items()),
            flush=True,
        )
        headers_file = work / "hit_headers.json"
        headers_file.write_text(json.dumps(hit_headers(f"{base}/memory/1")))
        print(f"a hit's headers: {headers_file.read_text()}", flush=True)

        raw_port = serve_baseline(started, ours, body_file, "raw")
        raw_headers_port = serve_baseline(
            started, ours, body_file, "raw_headers", headers_file
        )
        bare_port = serve_baseline(started, ours, body_file, "bare")
        fc2_env = {
            "BENCH_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "BENCH_REDIS_URL": redis_url,
            "PYTHONPATH": str(BENCH),
        }
        fc2_ports = {}
        for backend in ("memory", "redis"):
            fc2_ports[backend] = free_port()
            started.uvicorn(
                f"fc2-{backend}",
                fc2,
                "fastapi_cache2_app:app",
                fc2_ports[backend],
                env={**fc2_env, "BENCH_BACKEND": backend},
                cwd=BENCH,
                ready=f"http://127.0.0.1:{fc2_ports[backend]}/fc2/1",
            )
        fc2_body = fetch(f"http://127.0.0.1:{fc2_ports['memory']}/fc2/1")
        print(f"fastapi-cache2 row: {len(fc2_body)} bytes", flush=True)

        scenarios = {
            "raw ASGI constant": (raw_port, "/const/", hot_lua),
            RAW_HEADERS: (raw_headers_port, "/const/", hot_lua),
            "bare FastAPI constant": (bare_port, "/const/", hot_lua),
            "memory hit": (port, "/memory/", hot_lua),
            "memory list hit": (port, "/memory?pages=", hot_lua),
            "tiered hit": (port, "/tiered/", hot_lua),
            "tiered list hit": (port, "/tiered?pages=", hot_lua),
            "redis hit": (port, "/redis/", hot_lua),
            "fastapi-cache2 InMemoryBackend hit": (
                fc2_ports["memory"],
                "/fc2/",
                hot_lua,
            ),
            "fastapi-cache2 RedisBackend hit": (fc2_ports["redis"], "/fc2/", hot_lua),
            "memory miss": (port, "/memory/", unique_lua),
            "caching off": (port, "/plain/", unique_lua),
        }
        results = {}
        if "hits" in phases:
            results = round_robin_scenarios(
                scenarios, started.pids, args.rounds, args.duration
            )
        outage = {}
        if "outage" in phases:
            outage = outage_phase(base, redis, hot_lua, args.duration)
        started.stop(app)
        latency = ""
        if "latency" in phases:
            latency = run(
                "taskset",
                "-c",
                SERVER_CORE,
                ours,
                BENCH / "invalidation_latency.py",
                "cachebench",
                redis_url,
                "1000",
            ).strip()
        uncached = {}
        if "uncached" in phases:
            uncached = uncached_phase(
                started, ours, project, env, hot_lua, args.rounds, args.duration
            )
        rss = {}
        if "rss" in phases:
            rss = rss_phase(started, ours, project, env, args.keys, unique_lua, work)

    print(f"load average at the end: {os.getloadavg()}")
    if results:
        report(results, rss, args)
    if outage:
        report_outage(outage)
    if latency:
        print(f"tiered invalidation reaching another layer's memory tier: {latency}")
    if uncached:
        report_uncached(uncached, args)


def round_robin_scenarios(
    scenarios: dict[str, tuple[int, str, Path]],
    pids: dict[int, int],
    rounds: int,
    duration: int,
) -> dict[str, Result]:
    """Every scenario in turn, round after round, after a warm-up of each; with the
    CPU its server spent per request (``pids``: port -> server pid)."""
    results = {name: Result() for name in scenarios}
    print("warming up ...", flush=True)
    for server, prefix, script in scenarios.values():
        url = f"http://127.0.0.1:{server}"
        wrk(url, script, prefix, "warm", duration=2)
    for round_no in range(rounds):
        for name, (server, prefix, script) in scenarios.items():
            url = f"http://127.0.0.1:{server}"
            salt = f"r{round_no}-{time.time_ns()}"
            before = cpu_seconds(pids[server])
            rps, p99, total, errors = wrk(url, script, prefix, salt, duration=duration)
            results[name].cpu_us.append(
                (cpu_seconds(pids[server]) - before) / total * 1e6
            )
            results[name].rps.append(rps)
            results[name].p99_ms.append(p99)
            results[name].errors += errors
        print(
            f"round {round_no + 1}/{rounds} done (load {os.getloadavg()[0]:.1f})",
            flush=True,
        )
    return results


UNCACHED = {
    # name -> (app, LOG_LEVEL of the generated app)
    "hand-written FastAPI + SQLAlchemy": ("baseline_apps:handwritten", ""),
    "generated get, caching off, access log on": ("cachebench.main:app", "INFO"),
    "generated get, caching off, log at WARNING": ("cachebench.main:app", "WARNING"),
}


def uncached_phase(
    started: Servers,
    python: Path,
    project: Path,
    env: dict[str, str],
    script: Path,
    rounds: int,
    duration: int,
) -> dict[str, Result]:
    """The generated ``get`` of the ``strategy: none`` resource (every request reads
    the database) against the hand-written endpoint reading the same rows: each
    round starts every server afresh (in turn, the order rotated per round), warms
    it for 2 s and loads it. At INFO the generated app writes its JSON access line
    for every request (to its log file, as to a container's stderr)."""
    print("uncached phase: fresh servers per round ...", flush=True)
    results = {name: Result() for name in UNCACHED}
    names = list(UNCACHED)
    for round_no in range(rounds):
        shift = round_no % len(names)
        for name in names[shift:] + names[:shift]:
            target, level = UNCACHED[name]
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            ready = f"{base}/plain/1"
            server_env = {
                **env,
                "BENCH_DATABASE_URL": env["DATABASE_URL"],
                "PYTHONPATH": str(BENCH),
            }
            if level:
                server_env["LOG_LEVEL"] = level
            label = "uncached-" + re.sub(r"[^a-z0-9]+", "-", name.lower())
            process = started.uvicorn(
                label, python, target, port, env=server_env, cwd=project, ready=ready
            )
            wrk(base, script, "/plain/", "warm", duration=2)
            rps, p99, _total, errors = wrk(base, script, "/plain/", duration=duration)
            started.stop(process)
            results[name].rps.append(rps)
            results[name].p99_ms.append(p99)
            results[name].errors += errors
        load = os.getloadavg()[0]
        print(
            f"uncached round {round_no + 1}/{rounds} done (load {load:.1f})", flush=True
        )
    return results


def report_uncached(results: dict[str, Result], args: object) -> None:
    print()
    print(
        f"{'uncached get (fresh servers)':44} {'req/s':>9} {'p99 ms':>8}   req/s range"
        f"   (median of {getattr(args, 'rounds', '?')} x {getattr(args, 'duration', '?')} s)"
    )
    for name, result in results.items():
        spread = f"{min(result.rps):.0f}-{max(result.rps):.0f}"
        line = f"{name:44} {result.median_rps:9.0f} {result.median_p99:8.2f}   {spread}"
        if result.errors:
            line += f"   {result.errors} errors"
        print(line)
    baseline = "hand-written FastAPI + SQLAlchemy"
    for name, target in (
        ("generated get, caching off, access log on", 0.9),
        ("generated get, caching off, log at WARNING", None),
    ):
        value = results[name].median_rps / results[baseline].median_rps
        verdict = "" if target is None else ("ok" if value >= target else "MISSED")
        goal = "" if target is None else f">= {target}"
        print(
            f"{name + ' / hand-written':64} {value:7.2f} {goal:>8}  {verdict:6}  "
            + per_round(results[name].rps, results[baseline].rps)
        )


def outage_phase(
    base: str, redis: subprocess.Popen[bytes], script: Path, duration: int
) -> dict[str, tuple[float, float, int]]:
    """The redis policy while Redis hangs (SIGSTOP), against caching off.

    Both go to the database then; the difference in p99 is what a hung Redis adds
    (the first timeout, then the breaker's probes).
    """
    print("outage phase: Redis stopped with SIGSTOP ...", flush=True)
    measured = {}
    rps, p99, _total, errors = wrk(base, script, "/plain/", "off", duration=duration)
    measured["caching off (hot keys)"] = (rps, p99, errors)
    redis.send_signal(signal.SIGSTOP)
    try:
        rps, p99, _total, errors = wrk(
            base, script, "/redis/", "down", duration=duration
        )
        measured["redis policy, Redis hung"] = (rps, p99, errors)
    finally:
        redis.send_signal(signal.SIGCONT)
    return measured


def report_outage(outage: dict[str, tuple[float, float, int]]) -> None:
    print()
    for name, (rps, p99, errors) in outage.items():
        print(f"{name:38} {rps:9.0f} {p99:8.2f}   {errors} errors")
    added = outage["redis policy, Redis hung"][1] - outage["caching off (hot keys)"][1]
    verdict = "ok" if added < 50 else "MISSED"
    print(f"p99 added by a hung Redis: {added:.1f} ms (target < 50 ms)  {verdict}")


def rss_phase(
    started: Servers,
    python: Path,
    project: Path,
    env: dict[str, str],
    keys: int,
    script: Path,
    work: Path,
) -> dict[str, Any]:
    """``keys`` distinct keys through /blob of a fresh server; RSS against the bound."""
    if keys <= 0:
        return {}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    bound = 64 << 20
    process = started.uvicorn(
        "rss",
        python,
        "cachebench.main:app",
        port,
        env={**env, "CACHE_MAX_BYTES": str(bound), "CACHE_MAX_ENTRIES": str(keys * 2)},
        cwd=project,
        ready=f"{base}/readyz",
    )
    wrk(base, script, "/blob/", "warm", duration=2)
    start_rss = rss_kib(process.pid)
    sent, peak, salt = 0, start_rss, 0
    samples: list[tuple[int, int]] = []
    print(f"RSS phase: {keys} distinct keys through /blob ...", flush=True)
    while sent < keys:
        salt += 1
        _rps, _p99, total, _errors = wrk(
            base, script, "/blob/", f"rss{salt}", duration=10
        )
        sent += total
        samples.append((sent, rss_kib(process.pid)))
        peak = max(peak, samples[-1][1])
    result = {
        "keys": sent,
        "bound_mib": bound / (1 << 20),
        "start_mib": start_rss / 1024,
        "peak_mib": peak / 1024,
        "growth_mib": (peak - start_rss) / 1024,
        "entries": metric(base, "cache_memory_entries"),
        "charged_mib": metric(base, "cache_memory_bytes") / (1 << 20),
        "trace": " ".join(f"{n // 1000}k:{kib / 1024:.0f}" for n, kib in samples),
    }
    started.stop(process)
    return result


def per_round(values: list[float], baselines: list[float]) -> str:
    return " ".join(f"{v / b:.2f}" for v, b in zip(values, baselines, strict=True))


def report(results: dict[str, Result], rss: dict[str, Any], args: object) -> None:
    print()
    print(
        f"{'scenario':38} {'req/s':>9} {'p99 ms':>8} {'CPU µs':>7}   req/s range   (median of "
        f"{getattr(args, 'rounds', '?')} x {getattr(args, 'duration', '?')} s, "
        f"{CONNECTIONS} connections)"
    )
    for name, result in results.items():
        spread = f"{min(result.rps):.0f}-{max(result.rps):.0f}"
        line = (
            f"{name:38} {result.median_rps:9.0f} {result.median_p99:8.2f} "
            f"{result.median_cpu_us:7.1f}   {spread}"
        )
        if result.errors:
            line += f"   {result.errors} errors"
        print(line)
    r = {name: result.median_rps for name, result in results.items()}
    p99 = {name: result.median_p99 for name, result in results.items()}
    fc2_memory = "fastapi-cache2 InMemoryBackend hit"
    checks = [
        ("memory hit", fc2_memory, 5.0),
        ("tiered hit", fc2_memory, 5.0),
        ("memory list hit", fc2_memory, 5.0),
        ("tiered list hit", fc2_memory, 5.0),
        ("memory hit", RAW_HEADERS, 0.9),
        ("tiered hit", RAW_HEADERS, 0.9),
        ("memory list hit", RAW_HEADERS, 0.9),
        ("tiered list hit", RAW_HEADERS, 0.9),
        ("memory list hit", "memory hit", 0.9),
        ("tiered list hit", "tiered hit", 0.9),
        ("memory hit", "raw ASGI constant", 0.7),
        ("tiered hit", "raw ASGI constant", 0.7),
        ("redis hit", "fastapi-cache2 RedisBackend hit", 2.0),
        ("memory miss", "caching off", 0.9),
    ]
    print()
    # The verdict is on the ratio of the medians; the ratio within each round (both
    # measured seconds apart) shows whether a miss is drift of the machine or a
    # trend over the run.
    # The same ratios from the servers' CPU per request (baseline's / this one's):
    # what one saturated worker would serve, undisturbed by other load on the host.
    print(
        f"{'ratio':52} {'value':>7} {'target':>8}          per round"
        "                  by server CPU, per round"
    )
    cpu = {name: result.median_cpu_us for name, result in results.items()}
    for name, baseline, target in checks:
        value = r[name] / r[baseline]
        verdict = "ok" if value >= target else "MISSED"
        by_cpu = cpu[baseline] / cpu[name]
        cpu_verdict = "ok" if by_cpu >= target else "MISSED"
        label = f"{name} / {SHORT.get(baseline, baseline)}"
        print(
            f"{label:52} {value:7.2f} {'>= ' + str(target):>8}  {verdict:6}  "
            + per_round(results[name].rps, results[baseline].rps)
            + f"   {by_cpu:5.2f} {cpu_verdict:6} "
            + per_round(results[baseline].cpu_us, results[name].cpu_us)
        )
    baseline = "bare FastAPI constant"
    bare = p99[baseline]
    for name in ("memory hit", "tiered hit", "redis hit"):
        verdict = "ok" if p99[name] < bare else "MISSED"
        print(
            f"{'p99 ' + name + ' / bare FastAPI p99':52} "
            f"{p99[name] / bare:7.2f} {'< 1':>8}  {verdict:6}  "
            + per_round(results[name].p99_ms, results[baseline].p99_ms)
        )
    print()
    if not rss:
        return
    verdict = "ok" if rss["growth_mib"] <= rss["bound_mib"] else "MISSED"
    print(
        f"RSS: {rss['keys']:.0f} distinct keys through /blob (memory), max_bytes "
        f"{rss['bound_mib']:.0f} MiB: RSS {rss['start_mib']:.0f} -> peak "
        f"{rss['peak_mib']:.0f} MiB (+{rss['growth_mib']:.0f} MiB), "
        f"{rss['entries']:.0f} entries charged {rss['charged_mib']:.1f} MiB  {verdict}"
    )
    print(f"RSS MiB after each batch of keys: {rss['trace']}")


if __name__ == "__main__":
    main()
