"""Routes: no two of the service's routes may answer the same method and path."""

from __future__ import annotations

from collections.abc import Iterator

from fastgen.spec.loader import Positions
from fastgen.spec.native.checks.endpoints import PATH_PARAM_RE
from fastgen.spec.native.model import FastgenSpec
from fastgen.spec.problems import Loc, Problem, dotted

# Served by every project with a queued endpoint (``background: queue``).
JOB_STATUS_PATH = "/jobs/{job_id}"
# Served by every project.
SERVICE_PATHS = ("/healthz", "/readyz", "/metrics")


def route_problems(spec: FastgenSpec, pos: Positions) -> Iterator[Problem]:
    """Each route that a route before it already serves."""
    seen: dict[tuple[str, str], str] = {}
    for method, path, loc, owner in _all_routes(spec):
        shape = PATH_PARAM_RE.sub("{}", path.rstrip("/") or "/")
        key = (method, shape)
        if key in seen:
            yield pos.problem(
                loc,
                f"{dotted(loc)}: {method} {path} is already served by {seen[key]}; "
                "paths must be unique",
            )
        else:
            seen[key] = owner


def _all_routes(spec: FastgenSpec) -> Iterator[tuple[str, str, Loc, str]]:
    """(method, path, where the spec declares it, who serves it) of every route."""
    for rname, resource in spec.resources.items():
        loc: Loc = ("resources", rname, "path")
        base = resource.path
        if base in SERVICE_PATHS:
            yield ("GET", base, loc, "the service itself")
        methods = {
            "list": [("GET", base)],
            "export": [("GET", base + "/export")],
            "create": [("POST", base)],
            "get": [("GET", base + "/{id}")],
            "update": [("PATCH", base + "/{id}"), ("PUT", base + "/{id}")],
            "delete": [("DELETE", base + "/{id}")],
        }
        for op in resource.operations:
            for method, path in methods[op]:
                yield (method, path, loc, f"resources.{rname}")
    for path in SERVICE_PATHS:
        yield ("GET", path, (), "the service itself")
    if any(e.background == "queue" for e in spec.endpoints.values()):
        yield ("GET", JOB_STATUS_PATH, (), "the job status route of the task queue")
    for ename, endpoint in spec.endpoints.items():
        yield (
            endpoint.method,
            endpoint.path,
            ("endpoints", ename, "path"),
            f"endpoints.{ename}",
        )
