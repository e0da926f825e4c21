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


def properties_at(
    document: dict[str, Any], loc: Loc, seen: frozenset[Loc] = frozenset()
) -> dict[str, tuple[Loc, Any]]:
    """Each property of the schema at ``loc``, through local ``$ref`` and ``allOf``
    as the compile finds them (the schema's own first): its location and schema."""
    node: Any = document
    for part in loc:
        if isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            node = node.get(part) if isinstance(node, dict) else None
    if not isinstance(node, dict) or loc in seen:
        return {}
    seen = seen | {loc}
    properties = node.get("properties")
    found = {
        name: ((*loc, "properties", name), schema)
        for name, schema in (properties.items() if isinstance(properties, dict) else ())
    }
    more: list[Loc] = []
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        more.append((*SCHEMAS, unescape(ref.rsplit("/", 1)[-1])))
    members = node.get("allOf")
    more += (
        [(*loc, "allOf", i) for i in range(len(members))]
        if isinstance(members, list)
        else []
    )
    for at in more:
        for name, value in properties_at(document, at, seen).items():
            found.setdefault(name, value)
    return found


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
        properties = properties_at(document, at)
        for field in resource.fields:
            if property_ := properties.get(field.name):
                found[resource.table, field.name] = line(property_[0])
    return found
