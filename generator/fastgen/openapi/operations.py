"""Operations: found on every path item, named, and described with their parts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, cast

from fastgen.openapi.bodies import request_body, responses
from fastgen.openapi.description import HttpMethod, Operation, Parameter
from fastgen.openapi.naming import python_identifier, unique_names
from fastgen.openapi.parameters import parameters
from fastgen.openapi.refs import Resolver
from fastgen.openapi.security import Security
from fastgen.openapi.shape import sequence
from fastgen.spec.loader import Loc
from fastgen.spec.validate import did_you_mean

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PATH_ITEM_KEYS = ("$ref", "summary", "description", "servers", "parameters", *METHODS)
TEMPLATE_RE = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Site:
    """Where an operation is written: its path item and the operation object."""

    path: str
    method: str  # lower case, as the key is written
    node: dict[str, Any]
    loc: Loc
    item: dict[str, Any]
    item_loc: Loc

    @property
    def operation_id(self) -> str | None:
        value = self.node.get("operationId")
        return value if isinstance(value, str) and value else None


def operation_sites(document: dict[str, Any], resolver: Resolver) -> list[Site]:
    """Every operation under ``paths``, in document order (webhooks are not served)."""
    paths = document.get("paths")
    report = resolver.report
    if paths is None:
        return []
    if not isinstance(paths, dict):
        report.error(("paths",), "paths must be a mapping of path to path item")
        return []
    sites = []
    for path, node in paths.items():
        if path.startswith("x-"):
            continue
        if not path.startswith("/"):
            report.error(("paths", path), "a path must start with '/'", key=True)
            continue
        resolved = resolver.resolve(node, ("paths", path))
        if resolved is None:
            continue
        item, item_loc = resolved
        if not isinstance(item, dict):
            report.error(item_loc, "a path item must be a mapping")
            continue
        for key, operation in item.items():
            if key in METHODS and isinstance(operation, dict):
                sites.append(
                    Site(path, key, operation, (*item_loc, key), item, item_loc)
                )
            elif key in METHODS:
                report.error((*item_loc, key), "an operation must be a mapping")
            elif key not in PATH_ITEM_KEYS and not str(key).startswith("x-"):
                report.error(
                    (*item_loc, key),
                    f"unknown key {key!r} in a path item; expected one of: "
                    f"{', '.join(PATH_ITEM_KEYS)}"
                    f"{did_you_mean(str(key).lower(), list(METHODS))}",
                    key=True,
                )
    return sites


def operation_names(sites: list[Site]) -> list[str]:
    """Unique Python names: from operationId, else from method and path."""
    bases = [
        python_identifier(
            site.operation_id or f"{site.method} {site.path}", prefix="op"
        )
        for site in sites
    ]
    return unique_names([site.operation_id for site in sites], bases)


def check_operation_ids(sites: list[Site], resolver: Resolver) -> None:
    first: dict[str, Site] = {}
    for site in sites:
        if "operationId" in site.node and site.operation_id is None:
            resolver.report.error(
                (*site.loc, "operationId"), "operationId must be a non-empty string"
            )
        if site.operation_id is None:
            continue
        other = first.setdefault(site.operation_id, site)
        if other is not site:
            resolver.report.error(
                (*site.loc, "operationId"),
                f"operationId {site.operation_id!r} is also used by "
                f"{other.method.upper()} {other.path}; operationIds must be unique",
            )


def build_operation(
    site: Site, name: str, security: Security, resolver: Resolver
) -> Operation | None:
    """The operation at ``site``; None after reporting what makes it unusable."""
    node, loc, report = site.node, site.loc, resolver.report
    if "callbacks" in node:
        report.error(
            (*loc, "callbacks"),
            "callbacks are not supported: they are requests the service would send "
            "back to the caller, which fastgen does not generate; remove them or "
            "describe them in the operation's description",
            key=True,
        )
    params = parameters(
        [
            (site.item.get("parameters"), (*site.item_loc, "parameters")),
            (node.get("parameters"), (*loc, "parameters")),
        ],
        site.path,
        resolver,
    )
    route = _route(site, params, resolver)
    body = None
    if "requestBody" in node:
        body = request_body(node["requestBody"], (*loc, "requestBody"), resolver)
    requirements = security.requirements(node.get("security"), (*loc, "security"))
    if route is None:
        return None
    return Operation(
        name=name,
        operation_id=site.operation_id,
        method=cast(HttpMethod, site.method.upper()),
        path=site.path,
        route=route,
        summary=str(node.get("summary") or site.item.get("summary") or ""),
        description=str(node.get("description") or site.item.get("description") or ""),
        tags=tuple(
            str(tag)
            for tag in sequence(node.get("tags"), (*loc, "tags"), report, "tags")
        ),
        parameters=params,
        request_body=body,
        responses=responses(node.get("responses"), (*loc, "responses"), resolver),
        security=requirements if requirements is not None else security.default or (),
        deprecated=node.get("deprecated") is True,
        cache=None,
        source=report.source_map.source(loc),
    )


def _route(site: Site, params: tuple[Parameter, ...], resolver: Resolver) -> str | None:
    """The path with each template parameter renamed to its Python name."""
    report = resolver.report
    where = ("paths", site.path)
    outside = TEMPLATE_RE.sub("", site.path)
    if "{" in outside or "}" in outside:
        report.error(where, f"path {site.path!r} has unbalanced braces", key=True)
        return None
    names = TEMPLATE_RE.findall(site.path)
    declared = {p.name: p.python_name for p in params if p.location == "path"}
    ok = True
    for template_name in dict.fromkeys(names):
        if names.count(template_name) > 1:
            report.error(
                where, f"path parameter {{{template_name}}} appears twice", key=True
            )
            ok = False
        elif template_name not in declared:
            report.error(
                site.loc,
                f"path parameter {{{template_name}}} of {site.path!r} is not declared; "
                "add it to parameters with in: path",
                key=True,
            )
            ok = False
    if not ok:
        return None
    return TEMPLATE_RE.sub(lambda m: "{" + declared[m[1]] + "}", site.path)
