"""`fastgen new` against fastapi-code-generator on the corpus documents, in one run.

Both tools run as their users run them: a fresh process per generation (interpreter
start-up included), writing a new output directory. Runs are interleaved document by
document and tool by tool, so drift in machine load hits both alike; the table gives
each tool's median wall and CPU time and the ratios fastgen / fastapi-code-generator
(below 1: fastgen is faster). fastapi-code-generator pins old dependencies, so it lives in a venv of its own
(made by this script on first use, under ~/.cache/fastgen-bench), and fastgen runs
with a HOME of its own there, so other checkouts rebuilding fastgen's shared template
cache (~/.cache/fastgen) cannot land in a timed run. Run:

    .venv/bin/python bench/openapi.py [--runs 5] [--profile DOC] [--imports] [DOC ...]

``--imports`` compares what fastgen's imports alone cost with each tool's whole run on
the first document. ``--profile DOC`` runs fastgen once on that document under cProfile instead and prints
where the time went (cumulative, then own time), plus the subprocesses it started.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "corpus"
FCG_VERSION = "0.8.1"
BENCH_CACHE = Path.home() / ".cache" / "fastgen-bench"
FCG_VENV = BENCH_CACHE / f"fcg-{FCG_VERSION}"
Tool = Callable[[Path, Path], subprocess.CompletedProcess[bytes]]


def documents() -> list[str]:
    with (CORPUS / "MANIFEST.tsv").open(newline="") as manifest:
        return [row["file"] for row in csv.DictReader(manifest, delimiter="\t")]


def fcg_command() -> Path:
    """fastapi-codegen from its own venv, installed there on first use."""
    command = FCG_VENV / "bin" / "fastapi-codegen"
    if not command.exists():
        subprocess.run([sys.executable, "-m", "venv", FCG_VENV], check=True)
        subprocess.run(
            [FCG_VENV / "bin" / "python", "-m", "pip", "install", "-q"]
            + [f"fastapi-code-generator=={FCG_VERSION}"],
            check=True,
        )
    return command


def fastgen_env() -> dict[str, str]:
    """The environment of every fastgen process the bench starts: a HOME of its own.

    fastgen keeps its template repository in ~/.cache/fastgen/template and rebuilds it
    when the template it carries differs (~0.5 s of git). Every checkout on the
    machine shares that one cache, so runs of other branches would rebuild it in the
    middle of a timed run; a private HOME per checkout leaves it built once.
    """
    checkout = hashlib.sha256(str(REPO).encode()).hexdigest()[:12]
    home = BENCH_CACHE / f"home-{checkout}"
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HOME": str(home)}
    # An installed fastgen has the bytecode of its modules (pip compiles them, as it
    # did fastapi-code-generator's); a checkout with PYTHONDONTWRITEBYTECODE set
    # never writes it, and every run compiled ~100 modules again (~0.1 s).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def fastgen_run(document: Path, out: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "fastgen", "new", document, "-o", out],
        capture_output=True,
        check=False,
        env=fastgen_env(),
    )


def fcg_run(document: Path, out: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [fcg_command(), "--input", document, "--output", out],
        capture_output=True,
        check=False,
    )


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(tool: Tool, document: Path) -> tuple[float, float] | None:
    """(wall, CPU) seconds of one generation into a new directory; None if it failed.

    CPU time (user + system of the child) is the steadier measure on a shared
    machine, where the wall time also counts waiting for a core.
    """
    with tempfile.TemporaryDirectory() as scratch:
        cpu, start = cpu_of_children(), time.perf_counter()
        result = tool(document, Path(scratch) / "out")
        elapsed, cpu = time.perf_counter() - start, cpu_of_children() - cpu
    return (elapsed, cpu) if result.returncode == 0 else None


def failure(tool: Tool, document: Path) -> str:
    """Why a tool could not generate: fastgen's first problem, or a traceback's end."""
    with tempfile.TemporaryDirectory() as scratch:
        result = tool(document, Path(scratch) / "out")
    lines = (result.stdout + result.stderr).decode(errors="replace").split("\n")
    lines = [line for line in lines if line.strip()] or [f"exit {result.returncode}"]
    return lines[0] if tool is fastgen_run else lines[-1]


def median(samples: list[tuple[float, float] | None], which: int) -> float | None:
    """The median wall (0) or CPU (1) time, or None if any run failed."""
    if any(sample is None for sample in samples):
        return None
    return statistics.median(sample[which] for sample in samples if sample)


def cell(seconds: float | None) -> str:
    return "failed" if seconds is None else f"{seconds:.2f}s"


def ratio(ours: float | None, theirs: float | None) -> str:
    return f"{ours / theirs:.2f}" if ours and theirs else "-"


def compare(runs: int, names: list[str]) -> None:
    fcg_command()
    with tempfile.TemporaryDirectory() as scratch:  # warm fastgen's template cache
        fastgen_run(CORPUS / names[0], Path(scratch) / "warm")
    samples: dict[tuple[str, str], list[tuple[float, float] | None]] = {}
    for _ in range(runs):
        for name in names:
            for label, tool in (("fastgen", fastgen_run), ("fcg", fcg_run)):
                samples.setdefault((name, label), []).append(timed(tool, CORPUS / name))
    print(
        f"{'document':38} {'fastgen':>8} {'fcg':>8} {'ratio':>6}"
        f" {'CPU fastgen':>11} {'CPU fcg':>8} {'ratio':>6}"
    )
    for name in names:
        ours, theirs = samples[(name, "fastgen")], samples[(name, "fcg")]
        wall = median(ours, 0), median(theirs, 0)
        cpu = median(ours, 1), median(theirs, 1)
        print(
            f"{name:38} {cell(wall[0]):>8} {cell(wall[1]):>8} {ratio(*wall):>6}"
            f" {cell(cpu[0]):>11} {cell(cpu[1]):>8} {ratio(*cpu):>6}"
        )
        for label, tool, result in (
            ("fastgen", fastgen_run, wall[0]),
            ("fcg", fcg_run, wall[1]),
        ):
            if result is None:
                print(f"    {label} failed: {failure(tool, CORPUS / name)}")
    print(f"medians of {runs} interleaved runs; fastapi-code-generator {FCG_VERSION}")


def profile(name: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        stats = Path(scratch) / "fastgen.prof"
        subprocess.run(
            [sys.executable, "-m", "cProfile", "-o", stats, "-m", "fastgen", "new"]
            + [str(CORPUS / name), "-o", str(Path(scratch) / "out")],
            check=False,
            env=fastgen_env(),
        )
        report = pstats.Stats(str(stats))
        report.sort_stats("cumulative").print_stats(40)
        report.sort_stats("tottime").print_stats(25)
        report.print_callers("fork_exec")


IMPORTS = {
    "python -c pass": "pass",
    "fastgen's imports for OpenAPI input": "import fastgen.cli, fastgen.render,"
    " fastgen.spec.openapi.compile, datamodel_code_generator.parser.openapi",
    "  of which copier": "import copier._main",
    "  of which datamodel-code-generator": "import datamodel_code_generator,"
    " datamodel_code_generator.parser.openapi",
}


def imports(runs: int, name: str) -> None:
    """CPU medians of bare imports against both tools' whole runs, interleaved."""
    fcg_command()
    with tempfile.TemporaryDirectory() as scratch:  # warm fastgen's template cache
        fastgen_run(CORPUS / name, Path(scratch) / "warm")
    samples: dict[str, list[float]] = {}
    for _ in range(runs):
        for label, code in IMPORTS.items():
            cpu = cpu_of_children()
            subprocess.run([sys.executable, "-c", code], check=True)
            samples.setdefault(label, []).append(cpu_of_children() - cpu)
        for label, tool in (("fastgen", fastgen_run), ("fcg", fcg_run)):
            sample = timed(tool, CORPUS / name)
            if sample:
                samples.setdefault(f"{label} whole run, {name}", []).append(sample[1])
    for label, values in samples.items():
        print(f"{label:60} {statistics.median(values):.2f}s CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", metavar="DOC", help="a MANIFEST.tsv file name")
    parser.add_argument("--imports", action="store_true", help="the import floor")
    parser.add_argument("documents", nargs="*", help="default: the whole corpus")
    args = parser.parse_args()
    if args.profile:
        profile(args.profile)
    elif args.imports:
        imports(args.runs, (args.documents or documents())[0])
    else:
        compare(args.runs, args.documents or documents())


if __name__ == "__main__":
    main()
