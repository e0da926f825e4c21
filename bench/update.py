"""How long `fastgen update` takes on a 50-resource project after a spec change.

Reported against `fastgen new` of the same spec in the same run (the update renders the
project twice and merges, so about 2-3x is expected). Budget: 10 s. Run:

    .venv/bin/python bench/update.py [--resources 50]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

import yaml

from fastgen.api import new_project, update_project

BUDGET_SECONDS = 10.0


def spec(resources: int, ttl: int) -> dict[str, object]:
    return {
        "fastgen": 1,
        "service": {"name": "big"},
        "resources": {
            f"thing{i}": {
                "path": f"/things{i}",
                "fields": {
                    "name": {"type": "string", "max_length": 80, "index": True},
                    "price": {"type": "decimal"},
                    "note": {"type": "text", "required": False},
                    **(
                        {"parent_id": {"type": "ref", "to": f"thing{i - 1}"}}
                        if i
                        else {}
                    ),
                },
                "cache": {"get": {"ttl": ttl}, "list": {"ttl": ttl}},
            }
            for i in range(resources)
        },
    }


def git(project: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=b", "-c", "user.email=b@b", *args],
        cwd=project,
        check=True,
        capture_output=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--resources", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        spec_path = Path(scratch) / "spec.yaml"
        spec_path.write_text(yaml.safe_dump(spec(args.resources, 60), sort_keys=False))
        start = time.perf_counter()
        project = new_project(spec_path, Path(scratch) / "big")
        generate = time.perf_counter() - start
        git(project, "init", "-q", "-b", "main")
        git(project, "add", "-A")
        git(project, "commit", "-qm", "generated")
        changed = spec(args.resources, 90)
        changed["resources"]["thing0"]["fields"]["sku"] = {  # type: ignore[index]
            "type": "string",
            "required": False,  # a required one needs a default for existing rows
        }
        (project / "fastgen.yaml").write_text(yaml.safe_dump(changed, sort_keys=False))
        git(project, "commit", "-qam", "spec change")
        start = time.perf_counter()
        result = update_project(project)
        update = time.perf_counter() - start
    files = len(result.changed)
    print(f"fastgen new, {args.resources} resources:    {generate:.2f}s")
    print(f"fastgen update, {files} files changed: {update:.2f}s")
    print(
        f"ratio update/new: {update / generate:.1f}x; share of the "
        f"{BUDGET_SECONDS:.0f}s budget: {update / BUDGET_SECONDS:.0%}"
    )


if __name__ == "__main__":
    main()
