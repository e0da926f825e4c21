"""CPU per request of a memory hit through uvicorn's HTTP protocol, without sockets.

    .venv/bin/python bench/hitpath.py [--rounds 30] [--requests 3000]

The wrk runs of bench/cache.py are the benchmark; on a shared machine their ratios
move by +-20% from run to run. This isolates what the generated code controls: the
CPU one keep-alive request costs inside the server process, from the bytes of the
request to the bytes of the answer, through uvicorn's real httptools protocol with an
in-memory transport (no syscalls, no load generator). It compares the same three
apps as bench/cache.py — the raw ASGI app (constant bytes, with two headers and with a
hit's own), a `memory` hit of the generated `get` endpoint and of a filtered list, and
the bare FastAPI endpoint — plus the same hit with the
request observer taken off (what it costs is the difference) and with the whole
observer in front of it (as before hits were answered ahead of it), interleaved over many short
rounds in one process, and reports the minimum per app (CPU time only grows under
contention). It reuses bench/cache.py's work directory (run that once first, or any
time with ``--rounds 1 --duration 1 --keys 1000``) and re-runs itself in its venv.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
DEFAULT_WORK = Path(tempfile.gettempdir()) / "fastgen-cache-bench"
HOT_KEYS = 100


class MemoryTransport(asyncio.Transport):
    """Collects what the protocol writes; never pauses, never closes by itself."""

    def __init__(self) -> None:
        super().__init__()
        self.written = bytearray()
        self.closed = False
        self.answered = asyncio.Event()

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += data
        if self.written.endswith(b"}"):  # every answer is a JSON object
            self.answered.set()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        addresses = {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}
        return addresses.get(name, default)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return 0


async def cpu_per_request(app: Any, requests: list[bytes], count: int) -> float:
    """Microseconds of CPU per request over one keep-alive connection."""
    from uvicorn.config import Config
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    from uvicorn.server import ServerState

    config = Config(app=app, http="httptools", access_log=False, lifespan="off")
    config.load()
    protocol = HttpToolsProtocol(config, ServerState(), {}, asyncio.get_running_loop())
    transport = MemoryTransport()
    protocol.connection_made(transport)
    started = time.thread_time()
    for index in range(count):
        transport.written.clear()
        transport.answered.clear()
        protocol.data_received(requests[index % len(requests)])
        await transport.answered.wait()  # asleep, not spinning, while Redis answers
    return (time.thread_time() - started) / count * 1e6


def post_bytes(prefix: str, row: dict[str, Any]) -> bytes:
    body = json.dumps(row).encode()
    return (
        b"POST /%s HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (prefix.encode(), len(body), body)
    )


def request_bytes(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: bench\r\nUser-Agent: wrk\r\n\r\n".encode()


async def measure(work: Path, rounds: int, count: int, redis_port: int | None) -> None:
    os.environ["BENCH_BODY_FILE"] = str(work / "row.json")
    os.environ["BENCH_HEADERS_FILE"] = str(work / "hit_headers.json")
    os.environ["DATABASE_URL"] = f"sqlite+aiosqlite:///{work / 'hitpath.db'}"
    # Without --redis, Redis is unreachable: only the memory rows are measured.
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{redis_port or 1}/0"
    os.environ["LOG_LEVEL"] = "ERROR"
    sys.path.insert(0, str(BENCH))
    from baseline_apps import bare, raw, raw_headers
    from cachebench.main import create_app  # type: ignore[import-not-found]
    from cachebench.observability import (  # type: ignore[import-not-found]
        RequestObserver,
    )

    (work / "hitpath.db").unlink(missing_ok=True)
    app = create_app()
    row = json.loads((work / "row.json").read_text())
    row.pop("id", None)
    creates = [post_bytes(prefix, row) for prefix in ("memory", "redis")]
    # Rows of one per filtered-list query (``?pages=n``), as in bench/cache.py.
    list_rows = [
        post_bytes(prefix, {**row, "pages": n})
        for prefix in ("memory", "tiered")
        for n in range(1, HOT_KEYS + 1)
    ]
    observer_first = copy.copy(app)  # the same app and cache, another front
    observer_first._front = RequestObserver(
        app._front.app, metrics=app._front.metrics, log_cache_hits=False
    )
    observer_first._hits = None  # every hit through the whole observer
    python_parser = create_app()  # redis-py without hiredis, set below
    async with contextlib.AsyncExitStack() as started:
        for started_app in (app, python_parser):
            await started.enter_async_context(
                started_app.router.lifespan_context(started_app)
            )
        for create in creates if redis_port else creates[:1]:
            await cpu_per_request(app, [create], HOT_KEYS)  # the rows, via the API
        await cpu_per_request(app, list_rows, len(list_rows))
        keys = range(1, HOT_KEYS + 1)
        apps = {
            "raw ASGI constant": (raw, [request_bytes(f"/memory/{n}") for n in keys]),
            "raw ASGI, a hit's headers": (
                raw_headers,
                [request_bytes(f"/memory/{n}") for n in keys],
            ),
            "memory hit": (app, [request_bytes(f"/memory/{n}") for n in keys]),
            "memory list hit": (
                app,
                [request_bytes(f"/memory?pages={n}") for n in keys],
            ),
            "tiered list hit": (
                app,
                [request_bytes(f"/tiered?pages={n}") for n in keys],
            ),
            # The cache alone, as before the request observer (bench/observer.py).
            "memory hit, unobserved": (
                app._front.app,
                [request_bytes(f"/memory/{n}") for n in keys],
            ),
            # The whole observer in front of the hit, as before hits were answered
            # ahead of it.
            "memory hit, observer 1st": (
                observer_first,
                [request_bytes(f"/memory/{n}") for n in keys],
            ),
            "bare FastAPI constant": (
                bare,
                [request_bytes(f"/const/{n}") for n in keys],
            ),
        }
        if redis_port:
            from redis.asyncio.connection import _AsyncRESP3Parser

            pool = python_parser.state.cache.redis._client.connection_pool
            pool.connection_kwargs["parser_class"] = _AsyncRESP3Parser
            await pool.disconnect()
            pool.reset()  # new connections, with that parser
            redis_requests = [request_bytes(f"/redis/{n}") for n in keys]
            apps["redis hit"] = (app, redis_requests)
            apps["redis hit, Python parser"] = (python_parser, redis_requests)
        for target, requests in apps.values():  # warm: fills the cache
            await cpu_per_request(target, requests, 2 * HOT_KEYS)
        results: dict[str, list[float]] = {name: [] for name in apps}
        for _ in range(rounds):
            for name, (target, requests) in apps.items():
                results[name].append(await cpu_per_request(target, requests, count))
    raw_best = min(results["raw ASGI constant"])
    print(f"{'app':<28}{'min us/req':>12}{'median':>10}{'raw/app':>10}")
    for name, values in results.items():
        best = min(values)
        print(
            f"{name:<28}{best:>12.2f}{statistics.median(values):>10.2f}"
            f"{raw_best / best:>10.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--requests", type=int, default=3000, help="per round and app")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORK)
    parser.add_argument(
        "--redis", action="store_true", help="also redis hits (starts redis-server)"
    )
    args = parser.parse_args()
    python = args.workdir / "venv-fastgen" / "bin" / "python"
    if not python.is_file() or not (args.workdir / "row.json").is_file():
        sys.exit(f"run bench/cache.py first: {args.workdir} is not set up")
    if Path(sys.executable) != python:  # the generated project lives in that venv
        os.execv(python, [str(python), __file__, *sys.argv[1:]])
    import uvloop

    if not args.redis:
        uvloop.run(measure(args.workdir, args.rounds, args.requests, None))
        return
    with socket.socket() as sock:  # a free port
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    argv = ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"]
    redis = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        uvloop.run(measure(args.workdir, args.rounds, args.requests, port))
    finally:
        redis.terminate()
        redis.wait()


if __name__ == "__main__":
    main()
