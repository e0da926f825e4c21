"""Resources: refs that could never be satisfied, and their list of operations."""

from __future__ import annotations

from collections.abc import Iterator

from fastgen.spec.loader import Positions
from fastgen.spec.native.model import FastgenSpec
from fastgen.spec.problems import Loc, Problem, dotted


def required_ref_cycles(spec: FastgenSpec, pos: Positions) -> Iterator[Problem]:
    """A cycle of required refs can never be satisfied: no first row could exist."""
    edges = {
        rname: [
            (fname, f.to)
            for fname, f in r.fields.items()
            if f.type == "ref" and f.required and f.to in spec.resources
        ]
        for rname, r in spec.resources.items()
    }
    reported: set[str] = set()
    for start in edges:
        stack = [(start, [start])]
        while stack:
            node, trail = stack.pop()
            for fname, target in edges[node]:
                if target == start and start not in reported:
                    reported.update(trail)
                    loc: Loc = ("resources", node, "fields", fname)
                    yield pos.problem(
                        loc,
                        f"{dotted(loc)}: required refs form a cycle "
                        f"({' -> '.join([*trail, start])}); make one of them "
                        "required: false",
                    )
                elif target not in trail:
                    stack.append((target, [*trail, target]))


def operation_problems(spec: FastgenSpec, pos: Positions) -> Iterator[Problem]:
    """Operations listed twice, and cache policies for operations not listed."""
    for rname, resource in spec.resources.items():
        seen: set[str] = set()
        for i, op in enumerate(resource.operations):
            if op in seen:
                yield pos.problem(
                    ("resources", rname, "operations", i),
                    f"resources.{rname}.operations: {op!r} is listed twice",
                )
            seen.add(op)
        for op in resource.cache:
            if op not in seen:
                yield pos.problem(
                    ("resources", rname, "cache", op),
                    f"resources.{rname}.cache.{op}: the resource has no {op!r} "
                    f"operation; add it to operations or remove this policy",
                    key=True,
                )
