"""What the request observer (request id, access log, HTTP metrics) costs a cache hit.

    .venv/bin/python bench/observer.py [--duration 6] [--rounds 5]

The generated app of bench/cache_spec.yaml is served four ways side by side, each a
uvicorn process pinned to core 0 like in bench/cache.py: as generated (LOG_LEVEL=INFO:
hits counted but not logged, so answered ahead of the rest of the observer), with
LOG_CACHE_HITS=true (an access log line per hit, written to a file), with the
observer taken off (``unobserved_app.py``: the cache alone, as before it existed) and
with the whole observer in front of every hit (as before hits were answered ahead).
A raw ASGI app returning the same bytes is the baseline. wrk loads the memory
endpoint's 100 hot keys; the scenarios run round-robin and each figure is the median
of the rounds. Nothing asserts: it prints ratios.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from cache import (
    BENCH,
    HOT_KEYS,
    cachebench,
    fetch,
    free_port,
    post,
    round_robin,
    row,
    serve_baseline,
    servers,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=6, help="seconds per run")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "fastgen-observer-bench",
    )
    args = parser.parse_args()
    work = args.workdir
    project, ours, hot_lua = cachebench(work)
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{work / 'bench.db'}",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "LOG_LEVEL": "INFO",
    }
    apps = {
        "memory hit, observed": ("cachebench.main:app", {}),
        "memory hit, observed + hit logged": (
            "cachebench.main:app",
            {"LOG_CACHE_HITS": "true"},
        ),
        "memory hit, no observer": (
            "unobserved_app:app",
            {"PYTHONPATH": str(BENCH)},
        ),
        "memory hit, whole observer first": (
            "unobserved_app:observer_first",
            {"PYTHONPATH": str(BENCH)},
        ),
    }
    with servers(work) as started:
        ports = {}
        for name, (target, extra) in apps.items():
            ports[name] = free_port()
            base = f"http://127.0.0.1:{ports[name]}"
            started.uvicorn(
                name.replace(" ", "-").replace(",", ""),
                ours,
                target,
                ports[name],
                env={**env, **extra},
                cwd=project,
                ready=f"{base}/readyz",
            )
        first = f"http://127.0.0.1:{ports['memory hit, observed']}"
        for n in range(1, HOT_KEYS + 1):
            post(f"{first}/memory", row(n))
        body_file = work / "row.json"
        body_file.write_bytes(fetch(f"{first}/memory/1"))
        raw_port = serve_baseline(started, ours, body_file, "raw")
        targets = {
            "raw ASGI constant": (raw_port, "/const/"),
            **{name: (port, "/memory/") for name, port in ports.items()},
        }
        results = round_robin(targets, hot_lua, args.rounds, args.duration)
    raw = results["raw ASGI constant"].median_rps
    print(f"\n{'scenario':36} {'req/s':>9} {'p99 ms':>8} {'/ raw':>7}   req/s range")
    for name, result in results.items():
        spread = f"{min(result.rps):.0f}-{max(result.rps):.0f}"
        print(
            f"{name:36} {result.median_rps:9.0f} {result.median_p99:8.2f} "
            f"{result.median_rps / raw:7.2f}   {spread}"
            + (f"   {result.errors} errors" if result.errors else "")
        )


if __name__ == "__main__":
    main()
