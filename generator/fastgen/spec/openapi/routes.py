"""Route conflicts, and the order in which routes must be registered.

Starlette tries routes in registration order, so a literal segment (``/pets/mine``)
must come before a parameter (``/pets/{id}``) in the same place, and a parameter
constrained by a ``pattern`` before an unconstrained one: the order OpenAPI implies
("concrete paths are matched before templated ones"). Document order is kept otherwise.

Two operations with the same method on paths of the same shape (``/folders/{id}`` and
``/folders/{path}``) are the same route to OpenAPI. fastgen accepts exactly one such
pair when one is constrained by a ``pattern`` and the other is not (tried in that
order, with a warning), and rejects any other.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from fastgen.spec.openapi.description import Operation, SchemaRef
from fastgen.spec.openapi.operations import TEMPLATE_RE
from fastgen.spec.openapi.report import Report
from fastgen.spec.problems import Loc

CATCH_ALL = frozenset({".*", ".+", "^.*$", "^.+$", "[^/]+", "^[^/]+$", "(.*)", "(.+)"})


def check_routes(
    operations: list[Operation], schemas: Mapping[str, Any], report: Report
) -> None:
    groups: dict[tuple[str, str], list[Operation]] = defaultdict(list)
    for op in operations:
        groups[(op.method, TEMPLATE_RE.sub("{}", op.path))].append(op)
    for group in groups.values():
        if len(group) < 2:
            continue
        first, second = group[0], group[1]
        constrained = [op for op in group if is_constrained(op, schemas)]
        where: Loc = ("paths", second.path, second.method.lower())
        if len(group) == 2 and len(constrained) == 1:
            plain = second if constrained[0] is first else first
            report.warn(
                where,
                f"{first.method} {first.path} and {second.method} {second.path} are the "
                "same route to OpenAPI (templated paths of the same shape are "
                f"identical); read as {constrained[0].path} when its parameters match "
                f"their patterns, else {plain.path}",
                key=True,
            )
        else:
            report.error(
                where,
                f"{second.method} {second.path} is the same route as {first.method} "
                f"{first.path} (templated paths of the same shape are identical); give "
                "one a distinct literal segment, or constrain exactly one of two with "
                "a pattern",
                key=True,
            )


def is_constrained(op: Operation, schemas: Mapping[str, Any]) -> bool:
    """Every path parameter of ``op`` has a ``pattern`` narrower than any segment."""
    params = [p for p in op.parameters if p.location == "path"]
    return bool(params) and all(_pattern(p.schema, schemas) for p in params)


def _pattern(schema: object, schemas: Mapping[str, Any]) -> bool:
    if isinstance(schema, SchemaRef):
        body = schemas.get(schema.name)
    else:
        body = getattr(schema, "schema", None)
    pattern = body.get("pattern") if isinstance(body, Mapping) else None
    return isinstance(pattern, str) and pattern not in CATCH_ALL


def route_order(
    operations: list[Operation], schemas: Mapping[str, Any]
) -> tuple[str, ...]:
    """Operation names in registration order: document order, more specific first."""
    ranks = [_rank(op, schemas) for op in operations]
    before: list[set[int]] = [set() for _ in operations]
    for a, op_a in enumerate(operations):
        for b, op_b in enumerate(operations):
            if a != b and op_a.method == op_b.method and _precedes(ranks[a], ranks[b]):
                before[b].add(a)
    ready = [i for i, preds in enumerate(before) if not preds]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        i = heapq.heappop(ready)
        order.append(i)
        for j, preds in enumerate(before):
            if i in preds:
                preds.discard(i)
                if not preds:
                    heapq.heappush(ready, j)
    return tuple(operations[i].name for i in order)


def _rank(op: Operation, schemas: Mapping[str, Any]) -> tuple[tuple[int, str], ...]:
    """Per path segment: (0, text) literal, (1, '') constrained, (2, '') parameter."""
    constrained = 1 if is_constrained(op, schemas) else 2
    return tuple(
        (constrained, "") if "{" in segment else (0, segment)
        for segment in op.path.strip("/").split("/")
    )


def _precedes(a: tuple[tuple[int, str], ...], b: tuple[tuple[int, str], ...]) -> bool:
    """a must be registered before b: they can match the same URL and a is narrower."""
    if len(a) != len(b):
        return False
    narrower = False
    for (rank_a, text_a), (rank_b, text_b) in zip(a, b, strict=True):
        if rank_a == 0 and rank_b == 0 and text_a != text_b:
            return False  # different literals: never the same URL
        if rank_a > rank_b:
            return False
        narrower = narrower or rank_a < rank_b
    return narrower
