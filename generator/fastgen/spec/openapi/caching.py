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
        if policy is None:
            result.append(operation)
            continue
        defaulted = bool(operation.security) and "scope" not in policy.model_fields_set
        if defaulted:  # a public entry is answered before the security check runs
            policy = policy.model_copy(update={"scope": "private"})
        if _check(site, operation, policy, by_reference, report, defaulted=defaulted):
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


def _needs_credentials(operation: Operation) -> bool:
    """Every alternative of the operation's security names a scheme (``{}``, an
    empty one, lets anonymous callers in)."""
    return bool(operation.security) and all(r.schemes for r in operation.security)


def _check(
    site: Site,
    operation: Operation,
    policy: CacheAnnotation,
    by_reference: dict[str, Operation],
    report: Report,
    *,
    defaulted: bool,
) -> bool:
    """Report what the policy cannot do; ``defaulted``: its scope is private by
    default (the operation has security), not as written."""
    loc = (*site.loc, CACHE_KEY)
    problems_before = len(report.errors)
    if operation.method != "GET":
        report.error(
            loc,
            f"only GET operations can be cached (this one is {operation.method})",
            key=True,
        )
    if policy.scope == "public" and _needs_credentials(operation):
        report.error(
            (*loc, "scope"),
            "scope: public on an operation whose security requires credentials: "
            "the cache answers before the security check, so a caller without "
            "them would get an entry another caller filled; expected scope: "
            "private (the default for an operation with security)",
        )
    has_params = bool(TEMPLATE_RE.search(operation.path))
    for message in warm_problems(policy, has_path_params=has_params):
        if defaulted and policy.scope == "private":
            message = (
                "an operation with security is cached per caller (scope: private, "
                "its default) and cannot be warmed at startup"
            )
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
