"""``x-fastgen-resource``: component schemas served as tables with CRUD operations.

The CRUD operations are found among the document's operations: list = GET path,
create = POST path, get = GET path/{id}, update = PATCH (else PUT) path/{id},
delete = DELETE path/{id}.
"""

from __future__ import annotations

import re
from typing import Any

from fastgen.model.naming import python_identifier
from fastgen.spec.openapi.annotations import (
    RENAMED_KEY,
    RESOURCE_KEY,
    ResourceAnnotation,
    validate_annotation,
)
from fastgen.spec.openapi.description import CrudOperation, Operation, Resource
from fastgen.spec.openapi.locations import properties_at
from fastgen.spec.openapi.pointer import pointer
from fastgen.spec.openapi.refs import Resolver
from fastgen.spec.openapi.shape import mapping, sequence
from fastgen.spec.openapi.sourcemap import Source, SourceMap
from fastgen.spec.problems import Loc, did_you_mean

SCHEMAS: Loc = ("components", "schemas")
CRUD: tuple[CrudOperation, ...] = ("list", "get", "create", "update", "delete")
ROUTES: dict[CrudOperation, tuple[tuple[str, ...], bool]] = {
    # crud operation -> (methods, in preference order; on the item path?)
    "list": (("GET",), False),
    "create": (("POST",), False),
    "get": (("GET",), True),
    "update": (("PATCH", "PUT"), True),
    "delete": (("DELETE",), True),
}


def resources(
    document: dict[str, Any], operations: list[Operation], resolver: Resolver
) -> tuple[Resource, ...]:
    components = mapping(document.get("components"), ("components",), None, "")
    found = []
    for name, schema in mapping(components.get("schemas"), SCHEMAS, None, "").items():
        if isinstance(schema, dict) and RESOURCE_KEY in schema:
            resource = _resource(str(name), schema, document, operations, resolver)
            if resource is not None:
                found.append(resource)
    _check_distinct(found, resolver)
    return tuple(found)


def _resource(
    name: str,
    schema: dict[str, Any],
    document: dict[str, Any],
    operations: list[Operation],
    resolver: Resolver,
) -> Resource | None:
    report = resolver.report
    loc = (*SCHEMAS, name)
    annotation = validate_annotation(
        ResourceAnnotation, schema[RESOURCE_KEY], loc, RESOURCE_KEY, report
    )
    if annotation is None:
        return None
    where = (*loc, RESOURCE_KEY)
    paths = list(mapping(document.get("paths"), ("paths",), None, ""))
    if annotation.path not in paths:
        plain = [p for p in paths if "{" not in p]
        report.error(
            (*where, "path"),
            f"no path {annotation.path!r} in paths"
            f"{did_you_mean(annotation.path, plain)}",
        )
        return None
    _check_id(annotation, schema, loc, resolver)
    item_paths = [
        p
        for p in paths
        if re.fullmatch(re.escape(annotation.path) + r"/\{[^{}/]+\}", p)
    ]
    if len(item_paths) > 1:
        report.error(
            (*where, "path"),
            f"{annotation.path!r} has several item paths "
            f"({', '.join(item_paths)}); a resource needs one",
        )
        return None
    item_path = item_paths[0] if item_paths else None
    crud = _crud(annotation, item_path, operations, where, resolver)
    if crud is None:
        return None
    if annotation.listing is not None and "list" not in dict(crud):
        report.error(
            (*where, "list"),
            f"needs the list operation GET {annotation.path}; the resource has none",
            key=True,
        )
        return None
    return Resource(
        name=python_identifier(name, prefix="resource"),
        schema=name,
        annotation=annotation,
        item_path=item_path,
        operations=crud,
        source=report.source_map.source(loc),
        list_sources=_list_sources(annotation, (*where, "list"), resolver),
        renamed_sources=_renamed_sources(document, loc, report.source_map),
    )


def _list_sources(
    annotation: ResourceAnnotation, at: Loc, resolver: Resolver
) -> dict[str, Source]:
    """Where each entry of the resource's ``list`` is written (see Resource)."""
    listing = annotation.listing
    if listing is None:
        return {}
    source_map = resolver.report.source_map
    found = {"": _key_source(source_map, at)}
    for key in ("filter", "sort"):
        for i, _ in enumerate(getattr(listing, key) or []):
            found[f"{key}/{i}"] = source_map.source((*at, key, i))
    for key in ("match", "expand"):
        for name in getattr(listing, key):
            found[f"{key}/{name}"] = _key_source(source_map, (*at, key, name))
    return found


def _renamed_sources(
    document: dict[str, Any], loc: Loc, source_map: SourceMap
) -> dict[str, Source]:
    """Where each property of the schema at ``loc`` writes x-fastgen-renamed-from."""
    return {
        name: _key_source(source_map, (*at, RENAMED_KEY))
        for name, (at, schema) in properties_at(document, loc).items()
        if isinstance(schema, dict) and RENAMED_KEY in schema
    }


def _key_source(source_map: SourceMap, loc: Loc) -> Source:
    """The place of a mapping key (rather than its value)."""
    file, line, column = source_map.position(loc, key=True)
    return Source(pointer(loc), file, line, column)


def _crud(
    annotation: ResourceAnnotation,
    item_path: str | None,
    operations: list[Operation],
    where: Loc,
    resolver: Resolver,
) -> tuple[tuple[CrudOperation, str], ...] | None:
    by_route = {(op.method, op.path): op.name for op in operations}
    found: dict[CrudOperation, str] = {}
    for crud, (methods, on_item) in ROUTES.items():
        path = item_path if on_item else annotation.path
        names = [by_route.get((method, path or "")) for method in methods]
        name = next((n for n in names if n), None)
        if name is not None:
            found[crud] = name
    wanted = annotation.operations
    if wanted is None:
        wanted = [crud for crud in CRUD if crud in found]
    ok = True
    for i, crud in enumerate(wanted):
        methods, on_item = ROUTES[crud]
        if crud in wanted[:i]:
            resolver.report.error(
                (*where, "operations", i),
                f"{crud!r} is listed twice",
            )
            ok = False
        elif crud not in found:
            path = f"{annotation.path}/{{id}}" if on_item else annotation.path
            resolver.report.error(
                (*where, "operations", i),
                f"{crud!r} needs {' or '.join(methods)} {path}; the document has none",
            )
            ok = False
    if not wanted:
        resolver.report.error(
            where,
            f"no CRUD operation at {annotation.path} or {annotation.path}/{{id}}",
        )
        return None
    return tuple((crud, found[crud]) for crud in wanted) if ok else None


def _check_id(
    annotation: ResourceAnnotation, schema: dict[str, Any], loc: Loc, resolver: Resolver
) -> None:
    where = (*loc, RESOURCE_KEY)
    properties = _properties(schema, loc, resolver, set())
    if properties is None:
        resolver.report.error(
            where,
            "a resource schema must be an object with properties "
            "(allOf and $ref are followed; oneOf and anyOf are not supported)",
        )
    elif annotation.id not in properties:
        resolver.report.error(
            (*where, "id"),
            f"the schema has no property {annotation.id!r}; "
            f"expected one of: {', '.join(properties)}"
            f"{did_you_mean(annotation.id, properties)}",
        )


def _properties(
    schema: Any, loc: Loc, resolver: Resolver, seen: set[Loc]
) -> list[str] | None:
    """The property names of an object schema, through allOf and $ref."""
    resolved = resolver.resolve(schema, loc)
    if resolved is None or resolved[1] in seen or not isinstance(resolved[0], dict):
        return None
    schema, loc = resolved
    seen.add(loc)
    if "oneOf" in schema or "anyOf" in schema:
        return None
    names = [str(n) for n in mapping(schema.get("properties"), loc, None, "")]
    for i, part in enumerate(sequence(schema.get("allOf"), loc, None, "")):
        more = _properties(part, (*loc, "allOf", i), resolver, seen)
        if more is None:
            return None
        names += [n for n in more if n not in names]
    return names if names or schema.get("type") == "object" else None


def _check_distinct(found: list[Resource], resolver: Resolver) -> None:
    seen: dict[tuple[str, str], Resource] = {}
    for resource in found:
        table = resource.annotation.table or resource.name
        for what, value in (("path", resource.annotation.path), ("table", table)):
            other = seen.setdefault((what, value), resource)
            if other is not resource:
                resolver.report.error(
                    (*SCHEMAS, resource.schema, RESOURCE_KEY),
                    f"{what} {value!r} is also used by {other.schema}",
                )
