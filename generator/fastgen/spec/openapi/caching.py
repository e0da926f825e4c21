"""``x-fastgen-cache`` on operations: validated, and ``invalidated_by`` resolved."""

from __future__ import annotations

import dataclasses

from fastgen.spec.native.checks.caching import warm_problems
from fastgen.spec.openapi.annotations import (
    CACHE_KEY,
    CacheAnnotation,
    validate_annotation,
)
from fastgen.spec.openapi.description import Operation
from fastgen.spec.openapi.operations import TEMPLATE_RE, Site
from fastgen.spec.openapi.report import Report
from fastgen.spec.problems import did_you_mean

WRITES = ("POST", "PUT", "PATCH", "DELETE")


def with_cache_policies(
    sites: list[Site], operations: list[Operation], report: Report
) -> list[Operation]:
    """``operations`` (parallel to ``sites``) with their validated cache policies."""
    by_reference = _references(operations)
    result = []
    for site, operation in zip(sites, operations, strict=True):
        if CACHE_KEY not in site.node:
            result.append(operation)
            continue
        policy = validate_annotation(
            CacheAnnotation, site.node[CACHE_KEY], site.loc, CACHE_KEY, report
        )
        if policy is not None and _check(site, operation, policy, by_reference, report):
            operation = dataclasses.replace(operation, cache=policy)
        result.append(operation)
    return result


def _references(operations: list[Operation]) -> dict[str, Operation]:
    """What ``invalidated_by`` may name: operationIds, else the generated name."""
    table = {op.operation_id: op for op in operations if op.operation_id}
    for op in operations:
        if op.operation_id is None:
            table.setdefault(op.name, op)
    return table


def _check(
    site: Site,
    operation: Operation,
    policy: CacheAnnotation,
    by_reference: dict[str, Operation],
    report: Report,
) -> bool:
    loc = (*site.loc, CACHE_KEY)
    problems_before = len(report.errors)
    if operation.method != "GET":
        report.error(
            loc,
            f"only GET operations can be cached (this one is {operation.method})",
            key=True,
        )
    has_params = bool(TEMPLATE_RE.search(operation.path))
    for message in warm_problems(policy, has_path_params=has_params):
        report.error((*loc, "warm"), message)
    for i, reference in enumerate(policy.invalidated_by):
        target = by_reference.get(reference)
        if target is None:
            hint = did_you_mean(reference, list(by_reference))
            report.error(
                (*loc, "invalidated_by", i),
                f"{reference!r} is not an operationId{hint}",
            )
        elif target.method not in WRITES:
            report.error(
                (*loc, "invalidated_by", i),
                f"{reference!r} is a {target.method} "
                "operation; only writes (POST, PUT, PATCH, DELETE) can invalidate",
            )
    return len(report.errors) == problems_before
