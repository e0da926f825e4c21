"""The speed targets of `fastgen new` (issue 13), all measured in one run.

1. Native input: `fastgen new examples/bookstore.yaml` imports nothing of
   datamodel-code-generator (checked in a fresh process's ``sys.modules``) and takes
   under 0.5 s of CPU.
2. OpenAPI input: on every corpus document that fastapi-code-generator also
   generates, `fastgen new` takes at most 1.5x its CPU.
3. Linear cost: the CPU per operation of the largest corpus document (by the
   operation count in tests/corpus/MANIFEST.tsv) is at most 1.3x that of the median
   document; and no step runs twice in one `fastgen new`: the input is parsed once,
   compiled to a service model once, datamodel-code-generator runs at most once and
   copier renders once (call counts from cProfile).

Every generation is a fresh process writing a new directory, as a user runs it; CPU
is user + system time of that process and of the subprocesses it waited for (git,
ruff), the steadier measure on a shared machine. Rounds are interleaved (the bookstore,
a one-operation OpenAPI floor document, then every corpus document with fastgen and
fastapi-code-generator in turn), and the table gives medians and their ratios.
The per-operation ratio is also given above the floor document's CPU (the fixed cost),
for information. fastapi-code-generator comes from its own venv and fastgen runs with
a HOME of its own (both under ~/.cache/fastgen-bench, from bench/openapi.py).

Then the bookstore and the largest and median documents each get two more fresh
processes: one under cProfile (the call counts of target 3, and the subprocesses
started, from an audit hook), one with every module the first loaded imported up front,
which gives CPU per phase (start-up, imports, reading and compiling the input, copier's
render and its subprocesses) and, from ``-X importtime``, each top-level package's
share of the imports. Run:

    .venv/bin/python bench/speed.py [--runs 3] [DOC ...]

DOC: corpus documents (MANIFEST.tsv names) to time; default: all of them. Prints a
table with pass/miss for each target; no test asserts a time.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from openapi import (
    CORPUS,
    FCG_VERSION,
    failure,
    fastgen_env,
    fastgen_run,
    fcg_command,
    fcg_run,
    timed,
)

REPO = Path(__file__).resolve().parents[1]
BOOKSTORE = REPO / "examples" / "bookstore.yaml"
NATIVE_CPU_LIMIT = 0.5  # seconds
OPENAPI_RATIO_LIMIT = 1.5  # fastgen CPU / fastapi-code-generator CPU
PER_OPERATION_LIMIT = 1.3  # largest document's CPU per operation / the median one's

# The smallest document that runs every step of OpenAPI input, datamodel-code-generator
# included (it only runs when there are component schemas): the fixed cost that the
# corpus documents add their operations to.
FLOOR_DOCUMENT = """\
openapi: 3.0.3
info:
  title: Floor
  version: "1"
paths:
  /ping:
    get:
      operationId: ping
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Pong"
components:
  schemas:
    Pong:
      type: object
      properties:
        message:
          type: string
"""

# Runs `fastgen new` once in this fresh process and writes what it saw to a JSON file:
# with "profile", cProfile stats, the subprocesses started (an audit hook) and the
# modules loaded; with "phases", CPU per phase after importing "preimport" first.
DRIVER = r"""
import json, resource, runpy, sys
from pathlib import Path

args = json.loads(sys.argv[1])
result = {}

def cpu():
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime

def run_fastgen():
    sys.argv = ["fastgen", "new", args["document"], "-o", args["out"]]
    try:
        runpy.run_module("fastgen", run_name="__main__")
    except SystemExit as exit:
        result["exit"] = exit.code

before = set(sys.modules)
if args["mode"] == "profile":
    import cProfile
    processes = {}
    def audit(event, details):
        if event == "subprocess.Popen":
            program = details[0] or (details[1][0] if isinstance(details[1], list) else details[1])
            name = Path(str(program)).name
            processes[name] = processes.get(name, 0) + 1
    sys.addaudithook(audit)
    profiler = cProfile.Profile()
    profiler.runcall(run_fastgen)
    profiler.dump_stats(args["stats"])
    result["processes"] = processes
    result["modules"] = [m for m in sys.modules if m not in before]
else:
    marks = [("start-up", cpu())]
    import gc
    gc.disable()  # as the command does (fastgen.cli.run) before its imports
    for module in args["preimport"]:
        try:
            __import__(module)
        except Exception:
            pass
    import importlib
    marks.append(("imports", cpu()))
    spent = {}
    def phase(module_name, name, label):
        # Moved or renamed: fail here, rather than report a run without the phase.
        module = importlib.import_module(module_name)
        function = getattr(module, name)
        def timed(*a, **k):
            start = cpu()
            try:
                return function(*a, **k)
            finally:
                end = cpu()
                spent[label] = (end[0] - start[0], end[1] - start[1])
        setattr(module, name, timed)
    phase("fastgen.spec.inputs", "read_input_file", "read and compile the input")
    phase("fastgen.render.project", "render", "render with copier")
    run_fastgen()
    marks.append(("run", cpu()))
    result["marks"] = marks
    result["phases"] = spent
    result["late_imports"] = [m for m in sys.modules if m not in before and m not in args["preimport"]]
Path(args["result"]).write_text(json.dumps(result))
"""


@dataclass(frozen=True)
class Step:
    """A step of `fastgen new`, counted by the cProfile calls of its functions."""

    label: str
    functions: tuple[str, ...]
    path: str  # a fragment of the functions' file path
    most: int | None  # how often it may run; None: counted, not a target
    least: int = 0


STEPS = (
    Step(
        "input file parsed (fastgen's YAML/JSON loader)",
        ("load_document",),
        "fastgen",
        1,
        1,
    ),
    Step("service model compiled", ("compile_api", "compile_service"), "fastgen", 1, 1),
    Step(
        "datamodel-code-generator run",
        ("generate",),
        "datamodel_code_generator/__init__",
        1,
    ),
    Step("copier render", ("run_copy",), "copier", 1, 1),
    Step("YAML dump (answers file, spec file)", ("dump",), "yaml/__init__", None),
)


def operation_counts() -> dict[str, int]:
    with (CORPUS / "MANIFEST.tsv").open(newline="") as manifest:
        rows = csv.DictReader(manifest, delimiter="\t")
        return {row["file"]: int(row["n_operations"]) for row in rows}


def drive(mode: str, document: Path, scratch: Path, **extra: object) -> dict:
    """Run the driver on ``document`` in a fresh process; its JSON result."""
    args = {
        "mode": mode,
        "document": str(document),
        "out": tempfile.mkdtemp(dir=scratch) + "/out",
        "result": str(scratch / f"{mode}.json"),
        "stats": str(scratch / f"{mode}.prof"),
        **extra,
    }
    command = [sys.executable]
    if mode == "phases":
        command += ["-X", "importtime"]
    run = subprocess.run(
        [*command, "-c", DRIVER, json.dumps(args)],
        check=False,
        capture_output=True,
        text=True,
        env=fastgen_env(),
    )
    result = json.loads(Path(args["result"]).read_text()) if run.returncode == 0 else {}
    if result.get("exit") not in (None, 0) or run.returncode != 0:
        raise SystemExit(f"fastgen new {document} failed:\n{run.stderr[-2000:]}")
    result["importtime"] = run.stderr
    return result


def step_counts(stats_file: Path) -> dict[str, int]:
    import pstats

    stats = pstats.Stats(str(stats_file)).stats  # type: ignore[attr-defined]
    counts: Counter[str] = Counter()
    for (filename, _, function), (_, calls, *_) in stats.items():
        for step in STEPS:
            if function in step.functions and step.path in filename:
                counts[step.label] += calls
    return counts


def off_count(counts: dict[str, int]) -> list[str]:
    """The steps that ran more often (or less) than they should, as "label xN"."""
    return [
        f"{step.label.split(' (')[0]} x{counts.get(step.label, 0)}"
        for step in STEPS
        if step.most is not None
        and not step.least <= counts.get(step.label, 0) <= step.most
    ]


def imports_by_package(importtime: str) -> list[tuple[str, float]]:
    """Self time of every import, summed per top-level package, largest first."""
    spent: Counter[str] = Counter()
    for line in importtime.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, _, name = line.removeprefix("import time:").split("|")
        spent[name.strip().split(".")[0]] += int(own) / 1e6
    return spent.most_common()


def examine(document: Path, scratch: Path) -> dict:
    """What one `fastgen new` of ``document`` does: counts, modules, CPU per phase."""
    profiled = drive("profile", document, scratch)
    counts = step_counts(scratch / "profile.prof")
    phased = drive("phases", document, scratch, preimport=profiled["modules"])
    marks = {label: own + kids for label, (own, kids) in phased["marks"]}
    phases = {"interpreter start-up": marks["start-up"]}
    phases["imports (everything the run loads)"] = marks["imports"] - marks["start-up"]
    work = marks["run"] - marks["imports"]
    for label, (own, kids) in phased["phases"].items():
        phases[label] = own + kids
        if kids:
            phases[f"  of which subprocesses ({label.split()[0]})"] = kids
        work -= own + kids
    phases["the rest (CLI, writing the spec file)"] = work
    return {
        "counts": counts,
        "processes": profiled["processes"],
        "modules": profiled["modules"],
        "phases": phases,
        "total": marks["run"],
        "packages": imports_by_package(phased["importtime"]),
        "late_imports": phased["late_imports"],
    }


def report_examination(title: str, found: dict) -> None:
    print(f"\n{title}: one fresh process, CPU {found['total']:.2f} s by phase")
    for label, seconds in found["phases"].items():
        print(f"  {label:48} {seconds:6.3f} s")
    total = sum(seconds for _, seconds in found["packages"]) or 1.0
    top = ", ".join(
        f"{name} {seconds / total:.0%}" for name, seconds in found["packages"][:10]
    )
    print(f"  share of the imports by top-level package (-X importtime): {top}")
    if found["late_imports"]:
        print(f"  (loaded after the pre-import: {len(found['late_imports'])} modules)")
    print("  steps per `fastgen new` (cProfile call counts):")
    off = off_count(found["counts"])
    for step in STEPS:
        count = found["counts"].get(step.label, 0)
        if step.most is None:
            expected = "(not a target)"
        elif step.least == step.most:
            expected = f"expected {step.most}"
        else:
            expected = f"expected {step.least}-{step.most}"
        flag = "  <- off" if f"{step.label.split(' (')[0]} x{count}" in off else ""
        print(f"    {step.label:48} {count:3}  {expected}{flag}")
    processes = ", ".join(f"{n} x{c}" for n, c in sorted(found["processes"].items()))
    print(f"    subprocesses: {processes or 'none'}")


def median_cpu(samples: list[tuple[float, float] | None]) -> float | None:
    if not samples or any(sample is None for sample in samples):
        return None
    return statistics.median(sample[1] for sample in samples if sample)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("documents", nargs="*", help="default: the whole corpus")
    args = parser.parse_args()
    operations = operation_counts()
    names = args.documents or list(operations)
    fcg_command()
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        floor = scratch / "floor.yaml"
        floor.write_text(FLOOR_DOCUMENT)
        fastgen_run(BOOKSTORE, scratch / "warm")  # the template cache, materialised
        fastgen_run(floor, scratch / "warm-openapi")  # and the bytecode of both inputs

        # CPU times grow with the machine's load (shared caches and cores): say it.
        load = [os.getloadavg()[0]]
        samples: dict[tuple[str, str], list[tuple[float, float] | None]] = {}
        for _ in range(args.runs):
            samples.setdefault(("bookstore", "fastgen"), []).append(
                timed(fastgen_run, BOOKSTORE)
            )
            samples.setdefault(("floor", "fastgen"), []).append(
                timed(fastgen_run, floor)
            )
            for name in names:
                for label, tool in (("fastgen", fastgen_run), ("fcg", fcg_run)):
                    samples.setdefault((name, label), []).append(
                        timed(tool, CORPUS / name)
                    )

        load.append(os.getloadavg()[0])
        print(
            f"load average (1 min): {load[0]:.1f} before the rounds, {load[1]:.1f} after"
        )
        cpu = {key: median_cpu(values) for key, values in samples.items()}
        print(
            f"{'document':38} {'ops':>4} {'fastgen CPU':>11} {'fcg CPU':>8} {'ratio':>6}"
        )
        print(
            f"{'examples/bookstore.yaml (native)':38} {'':>4} {cpu[('bookstore', 'fastgen')]:10.2f}s"
        )
        print(
            f"{'one-operation floor document':38} {1:4} {cpu[('floor', 'fastgen')]:10.2f}s"
        )
        ratios: dict[str, float] = {}
        for name in names:
            ours, theirs = cpu[(name, "fastgen")], cpu[(name, "fcg")]
            shown = [f"{value:.2f}s" if value else "failed" for value in (ours, theirs)]
            if ours and theirs:
                ratios[name] = ours / theirs
            ratio = f"{ratios[name]:.2f}" if name in ratios else "-"
            print(
                f"{name:38} {operations[name]:4} {shown[0]:>11} {shown[1]:>8} {ratio:>6}"
            )
            for label, tool, value in (
                ("fastgen", fastgen_run, ours),
                ("fcg", fcg_run, theirs),
            ):
                if value is None:
                    print(f"    {label} failed: {failure(tool, CORPUS / name)}")
        print(
            f"medians of {args.runs} interleaved runs, CPU = user + system of the process"
            f" and its subprocesses; fastapi-code-generator {FCG_VERSION}"
        )

        # Target 3: the largest and the median document by operations, among those
        # fastgen generates (documents without operations have no time per operation).
        generated = sorted(
            (operations[name], name)
            for name in names
            if cpu[(name, "fastgen")] and operations[name] > 0
        )
        largest = generated[-1]
        middle = generated[(len(generated) - 1) // 2]  # the lower median
        floor_cpu = cpu[("floor", "fastgen")] or 0.0

        def per_operation(entry: tuple[int, str], above_floor: bool) -> float:
            count, name = entry
            seconds = cpu[(name, "fastgen")] or 0.0
            if above_floor:
                return (seconds - floor_cpu) / max(count - 1, 1)
            return seconds / count

        native = examine(BOOKSTORE, scratch)
        examined = {
            name: examine(CORPUS / name, scratch) for name in {largest[1], middle[1]}
        }

    dmcg_modules = [
        m for m in native["modules"] if m.startswith("datamodel_code_generator")
    ]
    bookstore_cpu = cpu[("bookstore", "fastgen")] or float("inf")
    worst = max(ratios.items(), key=lambda item: item[1]) if ratios else ("-", 0.0)
    raw = per_operation(largest, False) / per_operation(middle, False)
    marginal = per_operation(largest, True) / per_operation(middle, True)
    repeated = {
        name: off_count(found["counts"])
        for name, found in [("bookstore", native), *examined.items()]
    }
    twice = {name: steps for name, steps in repeated.items() if steps}

    rows = [
        (
            "1  native: datamodel-code-generator modules loaded",
            "none",
            not dmcg_modules,
            f"{len(dmcg_modules)}",
        ),
        (
            "1  native: bookstore `fastgen new` CPU",
            f"< {NATIVE_CPU_LIMIT} s",
            bookstore_cpu < NATIVE_CPU_LIMIT,
            f"{bookstore_cpu:.2f} s",
        ),
        (
            f"2  OpenAPI: CPU / fcg, worst of {len(ratios)} documents",
            f"<= {OPENAPI_RATIO_LIMIT}",
            bool(ratios) and worst[1] <= OPENAPI_RATIO_LIMIT,
            f"{worst[1]:.2f} ({worst[0]})",
        ),
        (
            "3  CPU per operation, largest / median document",
            f"<= {PER_OPERATION_LIMIT}",
            raw <= PER_OPERATION_LIMIT,
            (
                f"{raw:.2f}: {largest[1]} {per_operation(largest, False) * 1000:.0f} ms"
                f" x {largest[0]} ops / {middle[1]}"
                f" {per_operation(middle, False) * 1000:.0f} ms x {middle[0]} ops"
            ),
        ),
        (
            "3  the same, CPU above the floor document",
            f"<= {PER_OPERATION_LIMIT}",
            marginal <= PER_OPERATION_LIMIT,
            (
                f"{marginal:.2f}: {per_operation(largest, True) * 1000:.1f} ms"
                f" / {per_operation(middle, True) * 1000:.1f} ms per operation"
                f" over the floor's {floor_cpu:.2f} s"
            ),
        ),
        (
            "3  no step runs twice",
            "once",
            not twice,
            "; ".join(f"{n}: {', '.join(s)}" for n, s in twice.items()) or "each once",
        ),
    ]
    print(f"\n{'target':52} {'limit':>8}  result  measured")
    for target, limit, ok, measured in rows:
        print(f"{target:52} {limit:>8}  {'pass' if ok else 'MISS':6}  {measured}")

    report_examination("examples/bookstore.yaml", native)
    for name, found in examined.items():
        report_examination(name, found)


if __name__ == "__main__":
    main()
