"""Rerun the load and fault tests and print their numbers for bench/README.md.

``.venv/bin/python bench/load.py`` runs tests/test_load_faults.py (``-m load``: the
bookstore on 2 uvicorn workers, PostgreSQL, Redis, driven by wrk) with
``LOAD_RESULTS`` set, then prints one Markdown row per run. The steady run is the
baseline: each fault run's throughput is also given as a ratio to it. Needs Debian's
``wrk``, ``redis-server`` and ``postgresql``; ``--seconds`` sets the steady run's
length (default 60, as in CI).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

COLUMNS = (
    "run",
    "requests",
    "req/s",
    "vs steady",
    "p50",
    "p99",
    "max",
    "5xx",
    "socket errors",
    "creates (all read back)",
    "stale reads (max lag)",
    "fault",
)


def fault(line: dict[str, Any]) -> str:
    if "outage_s" in line and "json_503s" in line:
        return (
            f"down {line['outage_s']} s; {line['json_503s']} JSON 503s; "
            f"ready {line['ready_again_s']} s after restart"
        )
    if "outage_s" in line:
        return (
            f"down {line['outage_s']} s, {line['served_during_outage']} served "
            f"meanwhile; cached again {line['recovery_s']} s after restart"
        )
    if "drain_s" in line:
        return (
            f"drain {line['drain_s']} s; {line['served_while_draining']} served "
            f"after SIGTERM; {line['held_in_flight']} held requests finished "
            "after the listeners closed"
        )
    return f"bound {line['bound_ms']:g} ms (CACHE_L1_TTL)"


def table(lines: list[dict[str, Any]]) -> str:
    steady = next((line for line in lines if "bound_ms" in line), None)
    rows = ["| " + " | ".join(COLUMNS) + " |", "|" + " --- |" * len(COLUMNS)]
    for line in lines:
        rps, ratio = line["rps"], "1.00x"
        if "drain_s" in line:  # wrk stops sending once readiness is off
            rps, ratio = "—", "—"
        elif steady is not None and line is not steady:
            ratio = f"{line['rps'] / steady['rps']:.2f}x"
        rows.append(
            "| "
            + " | ".join(
                str(cell)
                for cell in (
                    line["test"],
                    line["requests"],
                    rps,
                    ratio,
                    f"{line['p50_ms']} ms",
                    f"{line['p99_ms']} ms",
                    f"{line['max_ms']} ms",
                    line["5xx"],
                    line["socket_errors"],
                    line["created"],
                    f"{line['stale_reads']} ({line['max_stale_ms']} ms)",
                    fault(line),
                )
            )
            + " |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results.jsonl"
        env = {
            **os.environ,
            "LOAD_RESULTS": str(results),
            "LOAD_SECONDS": str(args.seconds),
        }
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        command += ["-m", "load", "tests/test_load_faults.py"]
        subprocess.run(command, cwd=REPO, env=env, check=True)
        lines = [json.loads(line) for line in results.read_text().splitlines()]
    print(table(lines))


if __name__ == "__main__":
    main()
