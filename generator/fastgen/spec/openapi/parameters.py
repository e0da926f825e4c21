"""Parameters of an operation: merged from its path item, checked, given Python names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, cast

from fastgen.model.naming import python_identifier, unique_names
from fastgen.spec.openapi.bodies import schema_use
from fastgen.spec.openapi.description import (
    Parameter,
    ParameterLocation,
    ParameterStyle,
)
from fastgen.spec.openapi.refs import Resolver
from fastgen.spec.problems import Loc, did_you_mean

LOCATIONS = ("path", "query", "header", "cookie")
DEFAULT_STYLE = {
    "path": "simple",
    "header": "simple",
    "query": "form",
    "cookie": "form",
}
# OpenAPI: "If in is header and the name is Accept, Content-Type or Authorization, the
# parameter definition SHALL be ignored."
IGNORED_HEADERS = ("accept", "content-type", "authorization")
# Names a generated route (or a list's refine hook) already gives its own arguments
# and locals: a parameter named so gets a trailing underscore, as a keyword does.
ROUTE_LOCALS = frozenset(
    {"session", "cache", "body", "query", "row", "rows", "result", "request"}
    | {"response", "answer"}  # an uncached table GET's (it sends the ETag)
)
# RFC 9110 field names are tokens: no spaces or separators.
HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


@dataclass(frozen=True)
class _Declared:
    node: dict[str, Any]
    loc: Loc
    name: str
    location: str


def parameters(
    lists: list[tuple[Any, Loc]],
    path: str,
    resolver: Resolver,
    *,
    templated: bool = True,
) -> tuple[Parameter, ...]:
    """The parameters in ``lists`` (path item's, then the operation's, which override).

    ``path`` is the operation's path template; path parameters it does not mention are
    ignored with a warning. Without ``templated`` (a webhook name or a callback's
    runtime expression) there is no template to fill: path parameters are errors.
    """
    merged: dict[tuple[str, str], _Declared] = {}
    for node, loc in lists:
        seen: set[tuple[str, str]] = set()
        for declared in _declared(node, loc, resolver):
            key = (declared.name, declared.location)
            if key in seen:
                resolver.report.error(
                    declared.loc,
                    f"{declared.location} parameter {declared.name!r} is declared twice",
                )
            seen.add(key)
            merged[key] = declared
    if not templated:
        for declared in merged.values():
            if declared.location == "path":
                resolver.report.error(
                    declared.loc,
                    f"path parameter {declared.name!r} of a webhook or callback is "
                    "not supported: its URL is a name or runtime expression, not a "
                    "path template",
                )
        merged = {k: d for k, d in merged.items() if d.location != "path"}
    kept = [d for d in merged.values() if _is_served(d, path, resolver)]
    # Path parameters are named first: FastAPI takes any argument named like a
    # template parameter for that path parameter, whatever its marker says.
    order = sorted(range(len(kept)), key=lambda i: kept[i].location != "path")
    ordered = unique_names(
        [kept[i].name for i in order],
        [_python_name(kept[i].name) for i in order],
    )
    names = [ordered[order.index(i)] for i in range(len(kept))]
    return tuple(
        param
        for declared, name in zip(kept, names, strict=True)
        if (param := _parameter(declared, name, resolver)) is not None
    )


def _python_name(name: str) -> str:
    """The parameter's name in Python; one the generated route uses itself gets a ``_``."""
    base = python_identifier(name, prefix="param")
    return base + "_" if base in ROUTE_LOCALS else base


def _declared(node: Any, loc: Loc, resolver: Resolver) -> list[_Declared]:
    if node is None:
        return []
    if not isinstance(node, list):
        resolver.report.error(loc, "parameters must be a list")
        return []
    result = []
    for i, entry in enumerate(node):
        resolved = resolver.resolve(entry, (*loc, i))
        if resolved is None:
            continue
        param, param_loc = resolved
        if not isinstance(param, dict):
            resolver.report.error(param_loc, "a parameter must be a mapping")
            continue
        name, location = param.get("name"), param.get("in")
        if not isinstance(name, str) or not name:
            resolver.report.error(param_loc, "a parameter needs a 'name'")
            continue
        if location in ("body", "formData"):
            resolver.report.error(
                (*param_loc, "in"),
                f"in: {location} is Swagger 2.0; describe the body with requestBody",
            )
            continue
        if isinstance(location, str) and location.lower() in LOCATIONS:
            if location not in LOCATIONS:
                resolver.report.warn(
                    (*param_loc, "in"),
                    f"in: {location} is not lower case, as OpenAPI requires; read as "
                    f"in: {location.lower()}",
                )
            location = location.lower()
        if location not in LOCATIONS:
            hint = did_you_mean(str(location), list(LOCATIONS))
            resolver.report.error(
                (*param_loc, "in"),
                f"in: {location!r} is not allowed; expected one of: "
                f"{', '.join(LOCATIONS)}{hint}",
            )
            continue
        result.append(_Declared(param, param_loc, name, location))
    return result


def _is_served(declared: _Declared, path: str, resolver: Resolver) -> bool:
    report = resolver.report
    if declared.location == "header" and declared.name.lower() in IGNORED_HEADERS:
        report.warn(
            declared.loc,
            f"header parameter {declared.name!r} is ignored, as OpenAPI requires "
            "(content negotiation and securitySchemes cover it)",
        )
        return False
    if declared.location == "header" and not HEADER_NAME.fullmatch(declared.name):
        report.warn(
            declared.loc,
            f"header parameter {declared.name!r} is not a valid HTTP field name "
            "(RFC 9110: a token, without spaces or separators); no request can carry "
            "it, so it is ignored",
        )
        return False
    if declared.location == "path" and "{" + declared.name + "}" not in path:
        report.warn(
            declared.loc,
            f"path parameter {declared.name!r} is not in the path {path!r}; ignored",
        )
        return False
    return True


def _parameter(
    declared: _Declared, python_name: str, resolver: Resolver
) -> Parameter | None:
    node, loc, report = declared.node, declared.loc, resolver.report
    if "content" in node and "schema" not in node:
        report.error(
            (*loc, "content"),
            "parameters described by 'content' (a serialised body in a parameter) are "
            "not supported; describe the value with 'schema'",
            key=True,
        )
        return None
    style = node.get("style", DEFAULT_STYLE[declared.location])
    if style != DEFAULT_STYLE[declared.location]:
        report.error(
            (*loc, "style"),
            f"style: {style} is not supported for {declared.location} parameters; "
            f"FastAPI reads style: {DEFAULT_STYLE[declared.location]}",
        )
        return None
    required = node.get("required") is True
    if isinstance(node.get("required"), str) and node["required"] in ("true", "false"):
        required = node["required"] == "true"
        report.warn(
            (*loc, "required"),
            f"required: {node['required']!r} is a string, not a boolean; read as "
            f"required: {node['required']}",
        )
    if declared.location == "path" and not required:
        report.warn(
            loc,
            f"path parameter {declared.name!r} is not marked required; path "
            "parameters always are, read as required: true",
        )
        required = True
    return Parameter(
        name=declared.name,
        python_name=python_name,
        location=cast(ParameterLocation, declared.location),
        required=required,
        schema=schema_use(node.get("schema"), (*loc, "schema"), resolver),
        style=cast(ParameterStyle, style),
        explode=node.get("explode", style == "form") is True,
        description=str(node.get("description") or ""),
        deprecated=node.get("deprecated") is True,
        source=report.source_map.source(loc),
    )
