"""The types of JSON schemas, for route signatures (render writes them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from fastgen.model.service import ApiType
from fastgen.spec.openapi.compile.context import (
    SCHEMAS,
    declared_type,
    one_part,
    unwrapped,
)
from fastgen.spec.openapi.models import ModelSet
from fastgen.spec.openapi.pointer import unescape

# (type, format) -> the scalar (render names it in Python: datetime is dt.datetime)
SCALARS = {
    ("string", None): "str",
    ("string", "date-time"): "datetime",
    ("string", "date"): "date",
    ("string", "uuid"): "uuid",
    ("string", "binary"): "bytes",
    ("integer", None): "int",
    ("number", None): "float",
    ("boolean", None): "bool",
}
ANY = ApiType("any")
NONE = ApiType("none")
# How deep a parameter's schema is followed through references.
MAX_DEPTH = 8


@dataclass
class Types:
    """The types of schemas (hoisting inline ones into models where needed)."""

    models: ModelSet
    schemas: Mapping[str, Any]

    def of(
        self,
        schema: Any,
        *,
        hoist: str | None = None,
        depth: int = 0,
        role: str | None = None,
    ) -> ApiType | None:
        """The type of ``schema``; None when only a model class could hold it.

        With ``depth`` > 0 (parameters), references are followed instead of naming a
        model: FastAPI reads a model-typed query parameter as a set of parameters;
        so are ``allOf``s of one schema, read as the schema they wrap (``unwrapped``).
        ``role`` (REQUEST or RESPONSE) picks that variant of a split model.
        """
        if schema is None or schema == {}:
            return ANY
        if not isinstance(schema, dict):
            return None
        if depth and one_part(schema.get("allOf")):
            schema = unwrapped(self.schemas, schema)
            if not schema:  # a cycle of wrappers
                return None
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return self._ref(ref, hoist, depth, role)
        kinds, nullable = declared_type(schema)
        inner = self._plain(schema, kinds, depth, role)
        if inner is None and hoist is not None:
            hoisted = self.models.hoist(hoist, schema)
            return ApiType("model", self.models.variant(hoisted, role))
        if inner is None:
            return None
        if nullable and inner.kind not in ("any", "none"):
            return replace(inner, nullable=True)
        return inner

    def _ref(
        self, ref: str, hoist: str | None, depth: int, role: str | None
    ) -> ApiType | None:
        if depth:
            target_schema = pointed_schema(self.schemas, ref)
            return (
                self.of(target_schema, depth=depth + 1) if depth < MAX_DEPTH else None
            )
        target = self.models.ref_class(ref)
        if target is None:  # a pointer into a component: use what it points at
            pointed = pointed_schema(self.schemas, ref)
            if pointed is None:
                return None
            return self.of(pointed, hoist=hoist, role=role)
        return ApiType("model", self.models.variant(target, role))

    def _plain(
        self, schema: dict[str, Any], kind: Any, depth: int, role: str | None
    ) -> ApiType | None:
        variants = schema.get("oneOf") or schema.get("anyOf")
        if depth and isinstance(variants, list) and not schema.get("discriminator"):
            return self._scalar_union(variants, depth)
        if any(k in schema for k in ("allOf", "oneOf", "anyOf", "not", "properties")):
            return None
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            return self._enum(enum, depth)
        if kind == "array":
            items = self.of(schema.get("items", {}), depth=depth, role=role)
            return ApiType("list", args=(items,)) if items else None
        if kind == "object":
            return self._mapping(schema.get("additionalProperties"), depth, role)
        if not isinstance(kind, str):
            return None
        fmt = schema.get("format")
        scalar = SCALARS.get((kind, fmt)) or SCALARS.get((kind, None))
        return ApiType("scalar", scalar) if scalar else None

    def _scalar_union(self, variants: list[Any], depth: int) -> ApiType | None:
        """A parameter may be one of several scalars: int | str."""
        types = [self.of(v, depth=depth) for v in variants]
        if None in types:
            return None
        unique = tuple(dict.fromkeys(t for t in types if t))
        return ApiType("union", args=unique) if unique else None

    def _enum(self, enum: list[Any], depth: int) -> ApiType | None:
        values = tuple(v for v in enum if v is not None)
        if not values:
            return NONE
        if depth and all(isinstance(v, bool) for v in values):
            return ApiType("scalar", "bool")  # a parameter is text: "true" is True
        if not all(isinstance(v, str | int | bool) for v in values):
            return None
        if depth and all(type(v) is int for v in values):
            # A parameter is text, and a Literal of ints does not match
            # "1": convert first, so a valid value is one.
            return ApiType("literal", values=values, from_text=True)
        return ApiType("literal", values=values)

    def _mapping(self, extra: Any, depth: int, role: str | None) -> ApiType | None:
        """An object schema without properties: a dict of its additionalProperties."""
        if extra in (None, True, {}):
            return ApiType("dict", args=(ANY,))
        value = (
            self.of(extra, depth=depth, role=role) if isinstance(extra, dict) else None
        )
        return ApiType("dict", args=(value,)) if value else None


def pointed_schema(schemas: Mapping[str, Any], ref: str) -> Any:
    """The schema ``ref`` (``#/components/schemas/...``) points at, or None."""
    if not ref.startswith(SCHEMAS):
        return None
    node: Any = schemas
    for token in ref.removeprefix(SCHEMAS).split("/"):
        if not isinstance(node, dict) or unescape(token) not in node:
            return None
        node = node[unescape(token)]
    return node
