"""Two or more builds of the generated app, A/B, by the server's CPU per request.

    .venv/bin/python bench/abcpu.py [--rounds 10] [--path /memory/] VARIANT ...

VARIANT is ``NAME=SRC`` (SRC: the ``src`` directory of a generated ``cachebench``
project, e.g. one generated from main and one from a branch) or ``raw`` (the raw ASGI
app sending a hit's bytes and headers, ``baseline_apps.raw_headers``). Every variant
is a uvicorn of the same venv pinned to core 0, loaded in turn by wrk on core 1 (the
hot keys of bench/cache.py, 3 s per run), the order rotated per round. The figure is
the server's user + system CPU per request answered (``cache.cpu_seconds``): a
single saturated worker serves 1 / that per second, and it moves less than req/s
when other load shares the host. Prints each variant's median and minimum and its
ratio to the first variant, per round too.

It reuses bench/cache.py's work directory (its venv, database, row and headers):
run that once first (``--phases hits --rounds 1 --duration 1``). A variant's SRC
must import as ``cachebench`` with that venv's packages (generate
bench/cache_spec.yaml with the fastgen to compare).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import NamedTuple

from cache import BENCH, Servers, cpu_seconds, free_port, servers, wrk

WORK = Path(tempfile.gettempdir()) / "fastgen-cache-bench"


class Variant(NamedTuple):
    """How to serve one variant with uvicorn."""

    app: str
    cwd: Path
    env: dict[str, str]
    prefix: str | None  # the path it answers under; None: the one asked for


def variant(source: str, redis_url: str) -> Variant:
    """``raw`` (the raw ASGI app with a hit's headers) or a ``src`` directory."""
    if source == "raw":
        env = {
            "PYTHONPATH": str(BENCH),
            "BENCH_BODY_FILE": str(WORK / "row.json"),
            "BENCH_HEADERS_FILE": str(WORK / "hit_headers.json"),
        }
        return Variant("baseline_apps:raw_headers", BENCH, env, "/const/")
    env = {
        "PYTHONPATH": source,
        "DATABASE_URL": f"sqlite+aiosqlite:///{WORK / 'bench.db'}",
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "WARNING",
    }
    return Variant("cachebench.main:app", Path(source), env, None)


def variants_parser(description: str) -> argparse.ArgumentParser:
    """The command line of a variant comparison (more options may be added)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("variants", nargs="+", help="NAME=SRC or raw")
    parser.add_argument("--path", default="/memory/", help="what the app variants get")
    return parser


def work_ready() -> None:
    if not (WORK / "bench.db").exists():
        sys.exit(f"run bench/cache.py once first: {WORK} has no bench.db")


def start(started: Servers, name: str, source: str, redis_url: str) -> tuple[int, str]:
    """The port and path prefix of variant ``name`` (``raw`` or a src directory)."""
    python = WORK / "venv-fastgen" / "bin" / "python"
    port = free_port()
    served = variant(source, redis_url)
    started.uvicorn(name, python, served.app, port, env=served.env, cwd=served.cwd)
    return port, served.prefix or ""


def main() -> None:
    parser = variants_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    work_ready()
    hot = WORK / "hot.lua"
    with servers(WORK) as started:
        redis_port = free_port()
        started.start(
            "redis", ["redis-server", "--port", str(redis_port), "--save", ""], core="1"
        )
        targets = {}
        for variant in args.variants:
            name, _, source = variant.partition("=")
            port, prefix = start(
                started, name, source or name, f"redis://127.0.0.1:{redis_port}/0"
            )
            targets[name] = (port, prefix or args.path)
        for port, prefix in targets.values():
            wait_for(f"http://127.0.0.1:{port}{prefix}1")
            wrk(f"http://127.0.0.1:{port}", hot, prefix, "warm", duration=2)
        cpu: dict[str, list[float]] = {name: [] for name in targets}
        rps: dict[str, list[float]] = {name: [] for name in targets}
        names = list(targets)
        for round_no in range(args.rounds):
            shift = round_no % len(names)
            for name in names[shift:] + names[:shift]:
                port, prefix = targets[name]
                pid = started.pids[port]
                before = cpu_seconds(pid)
                rate, _, total, _ = wrk(
                    f"http://127.0.0.1:{port}", hot, prefix, f"r{round_no}", duration=3
                )
                cpu[name].append((cpu_seconds(pid) - before) / total * 1e6)
                rps[name].append(rate)
    first = names[0]
    for name in names:
        ratio = statistics.median(cpu[first]) / statistics.median(cpu[name])
        rounds = " ".join(
            f"{a / b:.2f}" for a, b in zip(cpu[first], cpu[name], strict=True)
        )
        print(
            f"{name:12} CPU/request median {statistics.median(cpu[name]):6.2f} µs, "
            f"min {min(cpu[name]):6.2f}; req/s median {statistics.median(rps[name]):7.0f}; "
            f"{first}/{name} by CPU {ratio:.3f} (per round {rounds})"
        )


def wait_for(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"{url} never answered")


if __name__ == "__main__":
    main()
