"""Cache policies: what invalidates them, and whether they can be warmed."""

from __future__ import annotations

from collections.abc import Iterator

from fastgen.spec.loader import Positions
from fastgen.spec.native.checks.endpoints import PATH_PARAM_RE
from fastgen.spec.native.model import CachePolicySpec, EndpointSpec, FastgenSpec
from fastgen.spec.problems import Loc, Problem, did_you_mean, dotted

WRITE_OPERATIONS = ("create", "update", "delete")


def policy_problems(spec: FastgenSpec, pos: Positions) -> Iterator[Problem]:
    """Invalidators that name no write, and warm policies that cannot be warmed."""
    for loc, policy, endpoint in _all_policies(spec):
        for i, target in enumerate(policy.invalidated_by):
            message = _invalidator_problem(spec, target)
            if message:
                yield pos.problem(
                    (*loc, "invalidated_by", i),
                    f"{dotted(loc)}.invalidated_by: {message}",
                )
        has_params = (
            loc[-1] == "get"
            if endpoint is None
            else bool(PATH_PARAM_RE.search(endpoint.path))
        )
        for message in warm_problems(policy, has_path_params=has_params):
            yield pos.problem((*loc, "warm"), f"{dotted(loc)}.warm: {message}")


def warm_problems(policy: CachePolicySpec, *, has_path_params: bool) -> list[str]:
    """Why ``policy.warm`` cannot be honoured; empty when it can (or is off)."""
    if not policy.warm:
        return []
    problems = []
    if has_path_params:
        problems.append(
            "only endpoints without path parameters can be warmed at startup"
        )
    if policy.scope == "private":
        problems.append(
            "private entries belong to a caller and cannot be warmed at startup"
        )
    return problems


def _all_policies(
    spec: FastgenSpec,
) -> Iterator[tuple[Loc, CachePolicySpec, EndpointSpec | None]]:
    """Every policy, where it is, and its endpoint (None for a resource's)."""
    for rname, resource in spec.resources.items():
        for op, policy in resource.cache.items():
            yield ("resources", rname, "cache", op), policy, None
    for ename, endpoint in spec.endpoints.items():
        if endpoint.cache is not None:
            yield ("endpoints", ename, "cache"), endpoint.cache, endpoint


def _invalidator_problem(spec: FastgenSpec, target: str) -> str | None:
    """Why ``target`` cannot invalidate a policy, or None when it can."""
    if "." in target:
        return _operation_problem(spec, target)
    endpoint = spec.endpoints.get(target)
    if endpoint is None:
        candidates = [
            *(f"{r}.{w}" for r in spec.resources for w in WRITE_OPERATIONS),
            *spec.endpoints,
        ]
        hint = did_you_mean(target, candidates)
        return f"{target!r} is neither 'resource.operation' nor an endpoint name{hint}"
    if endpoint.method == "GET":
        return f"{target!r} is a GET endpoint; only writes can invalidate"
    if endpoint.background == "queue":
        return (
            f"{target!r} runs on the task queue, in the worker process, which "
            "cannot clear the cache of the web processes; use background: true "
            "or rely on the policy's ttl"
        )
    return None


def _operation_problem(spec: FastgenSpec, target: str) -> str | None:
    """Why ``target`` ('resource.operation') is not a write of a resource."""
    rname, _, op = target.partition(".")
    resource = spec.resources.get(rname)
    if resource is None:
        hint = did_you_mean(rname, list(spec.resources))
        return f"{target!r} names no resource {rname!r}{hint}"
    writes = [w for w in WRITE_OPERATIONS if w in resource.operations]
    if op not in writes:
        expected = ", ".join(f"{rname}.{w}" for w in writes)
        return f"{target!r}: expected one of {expected}"
    return None
