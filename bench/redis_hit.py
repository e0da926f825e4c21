"""Redis hits as generated, with their reads pipelined, and without hiredis, against
the bare FastAPI endpoint's p99.

    .venv/bin/python bench/redis_hit.py [--duration 4] [--rounds 5]

The issue's target "p99 of hits at 50 connections below the bare FastAPI constant
endpoint's p99" is missed by the `redis` backend, whose hit spends most of its CPU in
redis-py. This serves the generated app of bench/cache_spec.yaml three times, like
bench/cache.py (uvicorn pinned to core 0, `wrk -t1 -c50` and redis-server at nice -10
on core 1): as generated (redis-py with hiredis, which the generated project
installs, the reads of one event-loop turn sent as one MGET), with those reads sent as
a pipeline of one MGET per request as before (``pipelined_app.py``), and with
redis-py's pure-Python parser (``hiredis_off_app.py``), beside the bare FastAPI
constant endpoint. wrk loads the `redis` endpoint's 100 hot keys,
round-robin over the rounds; figures are medians. Nothing asserts: it prints ratios.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from cache import (
    HOT_KEYS,
    cachebench,
    fetch,
    post,
    round_robin,
    row,
    serve_baseline,
    serve_variants,
    servers,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=4, help="seconds per run")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "fastgen-redis-hit-bench",
    )
    args = parser.parse_args()
    work = args.workdir
    project, ours, hot_lua = cachebench(work)
    with servers(work) as started:
        apps = {
            "redis hit, hiredis": "cachebench.main:app",
            "redis hit, pipelined reads": "pipelined_app:app",
            "redis hit, Python parser": "hiredis_off_app:app",
        }
        ports = serve_variants(started, work, project, ours, apps)
        first = f"http://127.0.0.1:{ports['redis hit, hiredis']}"
        for n in range(1, HOT_KEYS + 1):
            post(f"{first}/redis", row(n))
        body_file = work / "row.json"
        body_file.write_bytes(fetch(f"{first}/redis/1"))
        bare_port = serve_baseline(started, ours, body_file, "bare")
        targets = {
            "bare FastAPI constant": (bare_port, "/const/"),
            **{name: (port, "/redis/") for name, port in ports.items()},
        }
        results = round_robin(targets, hot_lua, args.rounds, args.duration)
    bare = results["bare FastAPI constant"]
    print(f"\n{'scenario':28} {'req/s':>9} {'p99 ms':>8} {'p99/bare':>9}   req/s range")
    for name, result in results.items():
        spread = f"{min(result.rps):.0f}-{max(result.rps):.0f}"
        print(
            f"{name:28} {result.median_rps:9.0f} {result.median_p99:8.2f} "
            f"{result.median_p99 / bare.median_p99:9.2f}   {spread}"
            + (f"   {result.errors} errors" if result.errors else "")
        )


if __name__ == "__main__":
    main()
