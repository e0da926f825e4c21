"""Endpoints: keys that only make sense together, names and path parameters."""

from __future__ import annotations

import re
from collections.abc import Iterator

from fastgen.spec.loader import Positions
from fastgen.spec.native.model import EndpointSpec, FastgenSpec
from fastgen.spec.problems import Loc, Problem

PATH_PARAM_RE = re.compile(r"\{([a-z][a-z0-9_]*)\}")
# Argument names of the generated endpoint functions and job bodies: a path parameter
# of the same name would collide with them.
RESERVED_PARAMS = frozenset(
    {"session", "background", "cache", "queue", "response", "job"}
)
# Module-level names of routers/endpoints.py that an endpoint's function would shadow.
RESERVED_ENDPOINTS = frozenset({"router", "enqueue", "dt", "uuid"})


def endpoint_problems(spec: FastgenSpec, pos: Positions) -> Iterator[Problem]:
    """Names the generated code takes, key combinations and path parameters."""
    for ename, endpoint in spec.endpoints.items():
        if ename in spec.resources:
            yield pos.problem(
                ("endpoints", ename),
                f"endpoints.{ename}: a resource has the same name",
                key=True,
            )
        yield from _combination_problems(pos, ename, endpoint)
        if ename in RESERVED_ENDPOINTS:
            yield pos.problem(
                ("endpoints", ename),
                f"endpoints.{ename}: the name is used by the generated router; "
                "choose another",
                key=True,
            )
        yield from _path_problems(pos, ename, endpoint)


def _combination_problems(
    pos: Positions, ename: str, endpoint: EndpointSpec
) -> Iterator[Problem]:
    loc: Loc = ("endpoints", ename)
    if endpoint.cache is not None and endpoint.method != "GET":
        yield pos.problem(
            (*loc, "cache"),
            f"endpoints.{ename}.cache: only GET endpoints can be cached "
            f"(this one is {endpoint.method})",
            key=True,
        )
    if endpoint.background and endpoint.method == "GET":
        yield pos.problem(
            (*loc, "background"),
            f"endpoints.{ename}.background: a GET endpoint cannot run in the "
            "background; use POST",
            key=True,
        )
    if endpoint.background and endpoint.response is not None:
        yield pos.problem(
            (*loc, "response"),
            f"endpoints.{ename}.response: a background endpoint answers 202 "
            "without a body; remove response",
            key=True,
        )


def _path_problems(
    pos: Positions, ename: str, endpoint: EndpointSpec
) -> Iterator[Problem]:
    loc: Loc = ("endpoints", ename)
    path_params = PATH_PARAM_RE.findall(endpoint.path)
    for pname in sorted(set(path_params) & RESERVED_PARAMS):
        yield pos.problem(
            (*loc, "path"),
            f"endpoints.{ename}.path: the parameter name {pname!r} is used by "
            "the generated code; rename the parameter",
        )
    for pname in endpoint.params:
        if pname not in path_params:
            yield pos.problem(
                (*loc, "params", pname),
                f"endpoints.{ename}.params.{pname}: not a parameter of path "
                f"{endpoint.path!r}",
                key=True,
            )
    if len(set(path_params)) != len(path_params):
        yield pos.problem(
            (*loc, "path"), f"endpoints.{ename}.path: a parameter appears twice"
        )
