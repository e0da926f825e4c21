"""Hits against their baselines served side by side on one core, at the same time.

    .venv/bin/python bench/paired.py [--rounds 5] [--duration 4] [--variant NAME=SRC]

`bench/cache.py` loads one server at a time; on a shared host its rounds of one
scenario spread 0.6-1.2 of each other (bench/README.md, "Tenth pass"), so a ratio
of two scenarios measured seconds apart is often the host's state, not the code.
Here both servers of a pair run pinned to the same core while two wrk processes
(pinned to the other core) load them for the same seconds: whatever else the host
does slows both alike, and the ratio of their CPU per request (user + system,
from /proc) is what one saturated worker of each would serve. Pairs: each cached
hit with the raw ASGI app sending a hit's bytes and headers (target >= 0.9), and
with fastapi-cache2's InMemoryBackend hit (target >= 5).

``--variant NAME=SRC`` serves a copy of the generated ``src/`` (edited by hand, e.g.
a hit path without a step, or made by bench/hit_variants.py) next to the generated
one, paired with the raw app too: what a change would buy, measured in the same
rounds. A variant's ``SRC/.http`` may name uvicorn's ``--http`` protocol class.
Set up as bench/cache.py (the same spec, rows and fastapi-cache2 app). Nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
from pathlib import Path

from cache import (
    BENCH,
    FC2_REQUIREMENTS,
    HOT_KEYS,
    LOAD_CORE,
    RAW_HEADERS,
    Servers,
    cachebench,
    cpu_seconds,
    fetch,
    free_port,
    hit_headers,
    post,
    row,
    seed_list_rows,
    serve_baseline,
    servers,
    venv,
)

CONNECTIONS = 50
FC2 = "fastapi-cache2 InMemoryBackend hit"
# name -> path prefix (hot.lua appends 1..HOT_KEYS)
HITS = {
    "memory hit": "/memory/",
    "memory list hit": "/memory?pages=",
    "tiered hit": "/tiered/",
    "tiered list hit": "/tiered?pages=",
}


def load_together(
    a: tuple[int, str], b: tuple[int, str], script: Path, duration: int
) -> tuple[int, int]:
    """Requests answered by each of two servers (port, prefix), loaded at once."""
    runs = [
        subprocess.Popen(
            [
                "taskset",
                "-c",
                LOAD_CORE,
                "wrk",
                "-t1",
                f"-c{CONNECTIONS}",
                f"-d{duration}s",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}",
                "--",
                prefix,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for port, prefix in (a, b)
    ]
    totals = []
    for process in runs:
        output, _ = process.communicate()
        totals.append(int(output.split(" requests in", 1)[0].split()[-1]))
    return totals[0], totals[1]


def pair(
    baseline: tuple[int, str, int],
    other: tuple[int, str, int],
    script: Path,
    duration: int,
) -> float:
    """Baseline's CPU per request over the other's, both loaded for the same
    seconds (each a port, prefix and pid): > 1 when the other is cheaper."""
    before = cpu_seconds(baseline[2]), cpu_seconds(other[2])
    counts = load_together(baseline[:2], other[:2], script, duration)
    spent = cpu_seconds(baseline[2]) - before[0], cpu_seconds(other[2]) - before[1]
    return (spent[0] / counts[0]) / (spent[1] / counts[1])


def start_apps(
    started: Servers,
    python: Path,
    project: Path,
    env: dict[str, str],
    variants: dict[str, Path],
) -> dict[str, tuple[int, int]]:
    """The generated app, and one server per variant source tree: name -> (port, pid)."""
    apps = {}
    for name, src in {"generated": None, **variants}.items():
        port = free_port()
        extra = {"PYTHONPATH": str(src)} if src else {}
        # A variant may name its own HTTP protocol class (bench/hit_variants.py).
        protocol = Path(src, ".http") if src else None
        process = started.uvicorn(
            f"app-{name}",
            python,
            "cachebench.main:app",
            port,
            http=(
                protocol.read_text().strip()
                if protocol and protocol.exists()
                else "httptools"
            ),
            env={**env, **extra},
            cwd=project,
            ready=f"http://127.0.0.1:{port}/readyz",
        )
        apps[name] = (port, process.pid)
    return apps


def seed(base: str, work: Path) -> tuple[Path, Path]:
    """Rows in every table through one app; the row body and a hit's headers."""
    for prefix in ("memory", "tiered", "plain"):  # fastapi-cache2 reads row_plain
        for n in range(1, HOT_KEYS + 1):
            post(f"{base}/{prefix}", row(n))
    seed_list_rows(base)
    body_file = work / "row.json"
    body_file.write_bytes(fetch(f"{base}/memory/1"))
    headers_file = work / "hit_headers.json"
    headers_file.write_text(json.dumps(hit_headers(f"{base}/memory/1")))
    return body_file, headers_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=4, help="seconds per pair")
    parser.add_argument("--variant", action="append", default=[], metavar="NAME=SRC")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    variants = {
        name: Path(src).resolve()
        for name, _, src in (v.partition("=") for v in args.variant)
    }
    work = args.workdir / "fastgen-paired-bench"
    print(f"setting up in {work} ...", flush=True)
    project, python, hot_lua = cachebench(work)
    fc2 = venv(work / "venv-fc2", *FC2_REQUIREMENTS)
    database = work / "bench.db"
    with servers(work) as started:
        redis_port = free_port()
        started.start(
            "redis",
            ["nice", "-n", "-10", "redis-server", "--port", str(redis_port)]
            + ["--save", "", "--appendonly", "no"],
            core=LOAD_CORE,
        )
        env = {
            "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "LOG_LEVEL": "WARNING",
        }
        apps = start_apps(started, python, project, env, variants)
        port = apps["generated"][0]
        body_file, headers_file = seed(f"http://127.0.0.1:{port}", work)
        raw_port = serve_baseline(
            started, python, body_file, "raw_headers", headers_file
        )
        fc2_port = free_port()
        fc2_process = started.uvicorn(
            "fc2-memory",
            fc2,
            "fastapi_cache2_app:app",
            fc2_port,
            env={
                "BENCH_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
                "BENCH_BACKEND": "memory",
                "PYTHONPATH": str(BENCH),
            },
            cwd=BENCH,
            ready=f"http://127.0.0.1:{fc2_port}/fc2/1",
        )
        raw = (raw_port, "/const/", started.pids[raw_port])
        fc2_server = (fc2_port, "/fc2/", fc2_process.pid)
        pairs: dict[str, tuple[tuple[int, str, int], tuple[int, str, int]]] = {}
        for name, prefix in HITS.items():
            hit = (port, prefix, apps["generated"][1])
            pairs[f"{name} / {RAW_HEADERS}"] = (raw, hit)
            pairs[f"{name} / fastapi-cache2 InMemory"] = (fc2_server, hit)
        for name, (variant_port, pid) in apps.items():
            if name != "generated":
                for hit_name in ("memory hit", "memory list hit"):
                    hit = (variant_port, HITS[hit_name], pid)
                    pairs[f"{hit_name} ({name}) / {RAW_HEADERS}"] = (raw, hit)
        ratios = measure(pairs, hot_lua, args.rounds, args.duration)
    report(ratios, args)


def measure(
    pairs: dict[str, tuple[tuple[int, str, int], tuple[int, str, int]]],
    script: Path,
    rounds: int,
    duration: int,
) -> dict[str, list[float]]:
    """Every pair in turn, round after round, after a warm-up of each."""
    for baseline, other in pairs.values():
        load_together(baseline[:2], other[:2], script, 2)
    ratios: dict[str, list[float]] = {name: [] for name in pairs}
    for round_no in range(rounds):
        for name, (baseline, other) in pairs.items():
            ratios[name].append(pair(baseline, other, script, duration))
        print(f"round {round_no + 1}/{rounds} done", flush=True)
    return ratios


def report(ratios: dict[str, list[float]], args: argparse.Namespace) -> None:
    print(
        f"\n{'pair (by CPU per request, served at the same time)':66} {'median':>7}"
        f" {'target':>7}          per round   ({args.rounds} x {args.duration} s)"
    )
    for name, values in ratios.items():
        target = 5.0 if name.endswith("InMemory") else 0.9
        value = statistics.median(values)
        verdict = "ok" if value >= target else "MISSED"
        rounds = " ".join(f"{v:.2f}" for v in values)
        print(f"{name:66} {value:7.2f} {'>= ' + str(target):>7}  {verdict:6}  {rounds}")


if __name__ == "__main__":
    main()
