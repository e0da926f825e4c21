"""A redis hit's p99 as misses fill the memory tier, with and without the generated
collection threshold.

    .venv/bin/python bench/gc_trend.py [--rounds 6] [--duration 6]

In the long runs of bench/cache.py the redis hit's p99 climbed from round to round
while the bare FastAPI endpoint's did not. Each round here first sends `--duration`
seconds of unique-key misses to the `memory` endpoint of two servers of the generated
bench app (so their memory tiers grow as in bench/cache.py), then loads the bare
FastAPI endpoint and each server's `redis` endpoint (100 hot keys), and prints the
redis hit's p99 against the bare one's and how many collections of each generation
Python ran during that redis run (from the app's own /metrics). The two servers are
the app as generated (``GC_YOUNG_THRESHOLD``) and with Python's default threshold
(``gc_default_app.py``). Setup and pinning as in bench/cache.py; nothing asserts.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
import urllib.request
from pathlib import Path

from cache import (
    HOT_KEYS,
    UNIQUE_LUA,
    cachebench,
    fetch,
    post,
    row,
    serve_baseline,
    serve_variants,
    servers,
    wrk,
)


def collections(base: str) -> tuple[dict[str, float], float]:
    """Python's collections per generation so far, and the memory tier's entries."""
    text = urllib.request.urlopen(f"{base}/metrics").read().decode()
    counts = re.findall(
        r'python_gc_collections_total\{generation="(\d)"\} ([\d.e+]+)', text
    )
    entries = re.search(
        r"^cache_memory_entries(?:\{[^}]*\})? ([\d.e+]+)", text, re.MULTILINE
    )
    return {gen: float(n) for gen, n in counts}, float(
        entries.group(1) if entries else 0
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--duration", type=int, default=6, help="seconds per run")
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "fastgen-gc-bench"
    )
    args = parser.parse_args()
    work = args.workdir
    project, ours, hot_lua = cachebench(work)
    unique_lua = work / "unique.lua"
    unique_lua.write_text(UNIQUE_LUA % {"keys": HOT_KEYS})
    with servers(work) as started:
        apps = {
            "as generated": "cachebench.main:app",
            "default gc": "gc_default_app:app",
        }
        ports = serve_variants(started, work, project, ours, apps)
        bases = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        first = bases["as generated"]
        for n in range(1, HOT_KEYS + 1):  # one database: the rows of both servers
            post(f"{first}/redis", row(n))
            post(f"{first}/memory", row(n))  # misses of a missing row are not stored
        body_file = work / "row.json"
        body_file.write_bytes(fetch(f"{first}/redis/1"))
        bare_port = serve_baseline(started, ours, body_file, "bare")
        bare = f"http://127.0.0.1:{bare_port}"
        for base in bases.values():
            wrk(base, hot_lua, "/redis/", "warm", duration=2)
        print("round  entries  bare p99 | redis hit p99 (x bare), collections 0/1/2")
        for round_no in range(1, args.rounds + 1):
            for base in bases.values():
                salt = f"r{round_no}-{time.time_ns()}"
                wrk(base, unique_lua, "/memory/", salt, duration=args.duration)
            bare_p99 = wrk(bare, hot_lua, "/const/", duration=args.duration)[1]
            line = ""
            for name, base in bases.items():
                before, entries = collections(base)
                p99 = wrk(base, hot_lua, "/redis/", duration=args.duration)[1]
                after, _ = collections(base)
                counts = "/".join(f"{after[g] - before[g]:.0f}" for g in sorted(after))
                line += f" | {name}: {p99:5.1f} ms ({p99 / bare_p99:.2f}x), {counts}"
            print(f"{round_no:5} {entries:8.0f} {bare_p99:6.1f} ms{line}", flush=True)


if __name__ == "__main__":
    main()
