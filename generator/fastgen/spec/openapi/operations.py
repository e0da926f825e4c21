"""Operations: found on every path item, named, and described with their parts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, cast

from fastgen.model.naming import python_identifier, route_function_name, unique_names
from fastgen.spec.openapi.bodies import request_body, responses
from fastgen.spec.openapi.description import Callback, HttpMethod, Operation, Parameter
from fastgen.spec.openapi.parameters import parameters
from fastgen.spec.openapi.refs import Resolver
from fastgen.spec.openapi.security import Security
from fastgen.spec.openapi.shape import mapping, sequence
from fastgen.spec.problems import Loc, did_you_mean

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PATH_ITEM_KEYS = ("$ref", "summary", "description", "servers", "parameters", *METHODS)
TEMPLATE_RE = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Site:
    """Where an operation is written: its path item and the operation object."""

    path: str
    method: str  # lower case (the key may be capitalised: see _item_sites)
    node: dict[str, Any]
    loc: Loc
    item: dict[str, Any]
    item_loc: Loc

    @property
    def operation_id(self) -> str | None:
        value = self.node.get("operationId")
        return value if isinstance(value, str) and value else None


def operation_sites(document: dict[str, Any], resolver: Resolver) -> list[Site]:
    """Every operation under ``paths``, in document order."""
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
        sites += _item_sites(path, node, ("paths", path), resolver)
    return sites


def webhook_sites(document: dict[str, Any], resolver: Resolver) -> list[Site]:
    """Every operation under ``webhooks`` (OpenAPI 3.1), keyed by webhook name."""
    webhooks = mapping(
        document.get("webhooks"), ("webhooks",), resolver.report, "webhooks"
    )
    return [
        site
        for name, node in webhooks.items()
        if not str(name).startswith("x-")
        for site in _item_sites(str(name), node, ("webhooks", name), resolver)
    ]


def _item_sites(path: str, node: Any, loc: Loc, resolver: Resolver) -> list[Site]:
    """The operations of the path item ``node`` (a ``$ref`` is followed)."""
    report = resolver.report
    resolved = resolver.resolve(node, loc)
    if resolved is None:
        return []
    item, item_loc = resolved
    if not isinstance(item, dict):
        report.error(item_loc, "a path item must be a mapping")
        return []
    sites = []
    for key, operation in item.items():
        method = key
        if _capitalised_method(key, item):
            # `GET:` means get; a document with both is ambiguous (rejected below).
            method = key.lower()
            report.warn(
                (*item_loc, key),
                f"method {key!r} is not lower case, as OpenAPI requires; read as "
                f"{method}",
                key=True,
            )
        if method in METHODS and isinstance(operation, dict):
            site = Site(path, method, operation, (*item_loc, key), item, item_loc)
            sites.append(site)
        elif method in METHODS:
            report.error((*item_loc, key), "an operation must be a mapping")
        elif isinstance(key, str) and key.lower() in METHODS:
            report.error(
                (*item_loc, key),
                f"method {key!r} repeats {key.lower()} in other letter case; OpenAPI "
                f"methods are lower case: keep one {key.lower()}",
                key=True,
            )
        elif key not in PATH_ITEM_KEYS and not str(key).startswith("x-"):
            report.error(
                (*item_loc, key),
                f"unknown key {key!r} in a path item; expected one of: "
                f"{', '.join(PATH_ITEM_KEYS)}"
                f"{did_you_mean(str(key).lower(), list(METHODS))}",
                key=True,
            )
    return sites


def _capitalised_method(key: Any, item: dict[str, Any]) -> bool:
    """``GET`` or ``Post`` where the path item has no ``get``/``post`` of its own."""
    return (
        isinstance(key, str)
        and key != key.lower()
        and key.lower() in METHODS
        and key.lower() not in item
    )


def operation_names(sites: list[Site]) -> list[str]:
    """Unique Python names: from operationId, else from method and path."""
    bases = [
        route_function_name(
            python_identifier(
                site.operation_id or f"{site.method} {site.path}", prefix="op"
            )
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
    site: Site, name: str, security: Security, resolver: Resolver, *, sent: bool = False
) -> Operation | None:
    """The operation at ``site``; None after reporting what makes it unusable.

    ``sent``: a webhook or callback operation, a request the service sends. Its path
    is a name or a runtime expression, not a template the service routes.
    """
    node, loc, report = site.node, site.loc, resolver.report
    params = parameters(
        [
            (site.item.get("parameters"), (*site.item_loc, "parameters")),
            (node.get("parameters"), (*loc, "parameters")),
        ],
        site.path,
        resolver,
        templated=not sent,
    )
    route = site.path if sent else _route(site, params, resolver)
    body = None
    if "requestBody" in node:
        body = request_body(node["requestBody"], (*loc, "requestBody"), resolver)
    requirements = (
        () if sent else security.requirements(node.get("security"), (*loc, "security"))
    )
    callbacks: tuple[Callback, ...] = ()
    if "callbacks" in node:
        callbacks = _callbacks(site, name, security, resolver, nested=sent)
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
        callbacks=callbacks,
    )


def _callbacks(
    site: Site, owner: str, security: Security, resolver: Resolver, *, nested: bool
) -> tuple[Callback, ...]:
    """The operation's callbacks: each one request, published as FastAPI does.

    FastAPI lists a callback route under its name with its one path, so a callback
    holding several expressions or methods cannot be published as written.
    """
    report = resolver.report
    loc = (*site.loc, "callbacks")
    if nested:
        report.error(
            loc,
            "callbacks of a webhook or callback are not supported: FastAPI publishes "
            "callbacks only on the operations it serves",
            key=True,
        )
        return ()
    found = []
    for name, entry in mapping(
        site.node["callbacks"], loc, report, "callbacks"
    ).items():
        if str(name).startswith("x-"):
            continue
        resolved = resolver.resolve(entry, (*loc, name))
        if resolved is None:
            continue
        callback, callback_loc = resolved
        expressions = mapping(callback, callback_loc, report, "a callback")
        sites = [
            inner
            for expression, item in expressions.items()
            if not str(expression).startswith("x-")
            for inner in _item_sites(
                str(expression), item, (*callback_loc, expression), resolver
            )
        ]
        if len(sites) != 1:
            report.error(
                (*loc, name),
                f"callback {name!r} has {len(sites)} operations; fastgen publishes "
                "callbacks as FastAPI does, one request per callback name: give "
                "each request a callback of its own",
                key=True,
            )
            continue
        (inner,) = sites
        function = python_identifier(f"{owner} {name}", prefix="callback")
        operation = build_operation(inner, function, security, resolver, sent=True)
        if operation is not None:
            found.append(
                Callback(
                    str(name),
                    inner.path,
                    operation,
                    report.source_map.source((*loc, name)),
                )
            )
    return tuple(found)


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
