"""Which nodes of an OpenAPI document are schemas, examples or other objects.

Bundling, linting and the annotation scan all need to know whether a ``$ref`` stands
for a schema (hoisted into ``components/schemas``) or for another object (inlined), and
which values are opaque data (examples, defaults) where ``$ref`` is just a key.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import Enum
from typing import Any

from fastgen.spec.problems import Loc


class Kind(Enum):
    """The role of a node in an OpenAPI document."""

    ROOT = "root"
    COMPONENTS = "components"
    OBJECT = "object"  # any other OpenAPI object: path item, operation, parameter...
    SCHEMA = "schema"
    SCHEMA_MAP = "schema map"  # name -> schema: properties, components/schemas
    SCHEMA_LIST = "schema list"  # allOf, oneOf, anyOf, prefixItems
    DISCRIMINATOR = "discriminator"
    MAPPING = "discriminator mapping"  # value -> schema name or $ref string
    EXAMPLES = "examples"  # name -> Example object
    EXAMPLE = "example"
    EXTENSION = "extension"  # the value of an x- key
    DATA = "data"  # opaque values: example, default, enum, const


_SCHEMA_MAPS = {"properties", "patternProperties", "$defs", "definitions"}
_SCHEMA_MAPS |= {"dependentSchemas"}
_SCHEMA_LISTS = {"allOf", "anyOf", "oneOf", "prefixItems"}
_SUBSCHEMAS = {
    "items",
    "additionalProperties",
    "additionalItems",
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
}
_SCHEMA_DATA = {"example", "examples", "enum", "const", "default"}


def child_kind(kind: Kind, key: str | int, value: Any) -> Kind:
    """The kind of ``value``, found under ``key`` in a node of ``kind``."""
    if kind in (Kind.DATA, Kind.EXTENSION):
        return kind
    if kind is Kind.MAPPING:
        return Kind.DATA
    if kind in (Kind.SCHEMA_MAP, Kind.SCHEMA_LIST):
        return Kind.SCHEMA
    if isinstance(key, str) and key.startswith("x-") and kind is not Kind.EXAMPLES:
        return Kind.EXTENSION
    if kind is Kind.SCHEMA:
        return _schema_child(key, value)
    if kind is Kind.DISCRIMINATOR:
        return Kind.MAPPING if key == "mapping" else Kind.DATA
    if kind is Kind.EXAMPLES:
        return Kind.EXAMPLE
    if kind is Kind.EXAMPLE:
        return Kind.DATA if key == "value" else Kind.OBJECT
    if kind is Kind.ROOT and key == "components":
        return Kind.COMPONENTS
    if kind is Kind.COMPONENTS and key == "schemas":
        return Kind.SCHEMA_MAP
    if key == "schema":
        return Kind.SCHEMA
    if key == "example":
        return Kind.DATA
    if key == "examples":
        return Kind.EXAMPLES
    return Kind.OBJECT


def _schema_child(key: str | int, value: Any) -> Kind:
    if key in _SCHEMA_MAPS:
        return Kind.SCHEMA_MAP
    if key in _SCHEMA_LISTS or (key == "items" and isinstance(value, list)):
        return Kind.SCHEMA_LIST
    if key in _SUBSCHEMAS:
        return Kind.SCHEMA
    if key in _SCHEMA_DATA:
        return Kind.DATA
    if key == "discriminator":
        return Kind.DISCRIMINATOR
    return Kind.OBJECT


def walk(document: Any) -> Iterator[tuple[Loc, Any, Kind]]:
    """Every mapping and list of ``document`` with its loc and kind, parents first.

    ``$ref`` is not followed. Opaque data is not entered.
    """
    stack: list[tuple[Loc, Any, Kind]] = [((), document, Kind.ROOT)]
    while stack:
        loc, node, kind = stack.pop()
        if kind is Kind.DATA or not isinstance(node, dict | list):
            continue
        yield loc, node, kind
        items = node.items() if isinstance(node, dict) else enumerate(node)
        children = [
            ((*loc, key), value, child_kind(kind, key, value)) for key, value in items
        ]
        stack.extend(reversed(children))
