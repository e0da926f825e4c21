"""``python -m fastgen.spec.openapi schema`` prints the annotations' JSON Schema;
``python -m fastgen.spec.openapi check FILE`` reads a document and prints its problems.

A developer's tool until the ``fastgen`` command reads OpenAPI itself.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from fastgen.spec.openapi import annotations_json_schema, read_openapi
from fastgen.spec.problems import SpecError


def main(argv: list[str]) -> int:
    if argv == ["schema"]:
        print(json.dumps(annotations_json_schema(), indent=2))
        return 0
    if len(argv) == 2 and argv[0] == "check":
        try:
            api = read_openapi(Path(argv[1]))
        except SpecError as exc:
            for problem in exc.problems:
                print(f"{problem}", file=sys.stderr)
            return 2
        for warning in api.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        print(f"{len(api.operations)} operations, {len(api.resources)} resources")
        return 0
    print("usage: python -m fastgen.spec.openapi schema | check FILE", file=sys.stderr)
    return 2


sys.exit(main(sys.argv[1:]))
