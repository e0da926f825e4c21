"""How long `fastgen new` takes on the bookstore example, against a same-run baseline.

The baseline is copier copying a one-file template in the same process, so the ratio
shows fastgen's own cost on top of copier's fixed start-up. Run:

    .venv/bin/python bench/generate.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import copier

from fastgen.api import new_project

REPO = Path(__file__).resolve().parents[1]
BUDGET_SECONDS = 2.0


def timed(action: Callable[[Path], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as scratch:
            start = time.perf_counter()
            action(Path(scratch) / "out")
            samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as template:
        Path(template, "copier.yml").write_text("name:\n  type: str\n  default: x\n")
        Path(template, "README.md.jinja").write_text("# {{ name }}\n")
        baseline = timed(
            lambda out: copier.run_copy(template, out, defaults=True, quiet=True),
            args.runs,
        )
    example = REPO / "examples" / "bookstore.yaml"
    new_project(example, Path(tempfile.mkdtemp()) / "warm")  # materialise the template
    fastgen = timed(lambda out: new_project(example, out), args.runs)
    base, ours = statistics.median(baseline), statistics.median(fastgen)
    print(f"copier one-file baseline: median {base:.3f}s over {args.runs} runs")
    print(f"fastgen new bookstore:    median {ours:.3f}s over {args.runs} runs")
    print(
        f"ratio to baseline: {ours / base:.1f}x; share of the {BUDGET_SECONDS:.0f}s budget: "
        f"{ours / BUDGET_SECONDS:.0%}"
    )


if __name__ == "__main__":
    main()
