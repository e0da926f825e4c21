"""Where an OpenAPI document writes each table and column, for reports of schema changes.

A table is the ``components/schemas`` entry whose ``x-fastgen-resource`` has its path;
a column is that schema's property, found through ``allOf`` and local ``$ref`` as the
compile finds it.
"""

from __future__ import annotations

from typing import Any

from fastgen.model.service import ServiceModel
from fastgen.spec.loader import Positions
from fastgen.spec.openapi.annotations import RESOURCE_KEY
from fastgen.spec.openapi.pointer import unescape
from fastgen.spec.problems import Loc

SCHEMAS: Loc = ("components", "schemas")


def _property_loc(
    document: dict[str, Any], loc: Loc, name: str, seen: frozenset[Loc]
) -> Loc | None:
    """The location of property ``name`` of the schema at ``loc``."""
    node: Any = document
    for part in loc:
        if isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            node = node.get(part) if isinstance(node, dict) else None
    if not isinstance(node, dict) or loc in seen:
        return None
    seen = seen | {loc}
    properties = node.get("properties")
    if isinstance(properties, dict) and name in properties:
        return (*loc, "properties", name)
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        target = (*SCHEMAS, unescape(ref.rsplit("/", 1)[-1]))
        return _property_loc(document, target, name, seen)
    members = node.get("allOf")
    for index in range(len(members) if isinstance(members, list) else 0):
        if found := _property_loc(document, (*loc, "allOf", index), name, seen):
            return found
    return None


def column_locations(
    document: dict[str, Any], positions: Positions, model: ServiceModel
) -> dict[tuple[str, str | None], str]:
    """``(table, None)`` and ``(table, column)`` -> ``FILE:LINE`` of each table of
    ``model`` found in ``document`` (the file ``positions`` were read from)."""
    schemas = document.get("components", {}).get("schemas", {})
    by_path = {
        schema[RESOURCE_KEY].get("path"): name
        for name, schema in schemas.items()
        if isinstance(schema, dict) and isinstance(schema.get(RESOURCE_KEY), dict)
    }

    def line(loc: Loc) -> str:
        return f"{positions.file}:{positions.of(loc, key=True)[0]}"

    found: dict[tuple[str, str | None], str] = {}
    for resource in model.resources:
        name = by_path.get(resource.path)
        if name is None:
            continue
        at = (*SCHEMAS, name)
        found[resource.table, None] = line(at)
        for field in resource.fields:
            if loc := _property_loc(document, at, field.name, frozenset()):
                found[resource.table, field.name] = line(loc)
    return found
