"""What the parts of one compile share: the description, the models, the problems found.

Each part of the compile (tables, operations, parameters, security, ...) is a module of
functions taking the ``Context``; what they find out about the document as a whole
(the table models, the security requirements, the convertors, the callbacks, the
FastAPI version the routes need) is collected here for the service model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastgen.model.errors import ErrorShapeModel
from fastgen.model.naming import default_service_name
from fastgen.model.service import (
    FASTAPI_MINIMUM,
    ApiCallbacksModel,
    ApiRequirementModel,
    ResourceModel,
)
from fastgen.spec.openapi.description import (
    ApiDescription,
    MediaType,
    Operation,
    Parameter,
    Resource,
    Schema,
    SchemaRef,
)
from fastgen.spec.openapi.models import ModelSet
from fastgen.spec.openapi.pointer import escape, unescape
from fastgen.spec.openapi.sourcemap import Source
from fastgen.spec.problems import Problem

SCHEMAS = "#/components/schemas/"
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# How many $refs and one-schema allOfs a schema is followed through (``unwrapped``).
MAX_HOPS = 16


@dataclass
class Context:
    """One compile of ``api``: its inputs and what it has found so far."""

    api: ApiDescription
    models: ModelSet
    # (table, column) a project's migrations made JSON columns (empty for a new
    # project): where fastgen once stored a property so, it keeps it (tables.py).
    stored_json: frozenset[tuple[str, str]] = frozenset()
    problems: list[Problem] = field(default_factory=list)
    table_models: dict[str, ResourceModel] = field(default_factory=dict)
    requirements: dict[str, ApiRequirementModel] = field(default_factory=dict)
    patterns: dict[str, str] = field(default_factory=dict)  # regex -> convertor name
    callbacks: list[ApiCallbacksModel] = field(default_factory=list)
    fastapi_minimum: str = FASTAPI_MINIMUM  # raised by the features routes use
    # (schema key, problem+json, text) -> its error body (compile/errors.py), and
    # what it cannot fill: (JSON pointer, message)
    error_shapes: dict[tuple[str, bool, bool], ErrorShapeModel] = field(
        default_factory=dict
    )
    error_warnings: list[tuple[str, str]] = field(default_factory=list)
    # component name -> its schema as written, for schemas published as written
    written_components: dict[str, Any] = field(default_factory=dict)
    resources_by_op: dict[str, tuple[Resource, str]] = field(init=False)

    def __post_init__(self) -> None:
        self.resources_by_op = {
            op_name: (resource, crud)
            for resource in self.api.resources
            for crud, op_name in resource.operations
        }

    @property
    def package(self) -> str:
        """The generated project's package: ``x-fastgen.service.name``, else from
        ``info.title``."""
        service = self.api.settings.service
        return service.name if service else default_service_name(self.api.info.title)

    def error(self, source: Source, message: str) -> None:
        self.problems.append(
            Problem(
                source.file, source.line, source.column, f"{source.pointer}: {message}"
            )
        )

    def object_schema(
        self, schema: Any, seen: frozenset[str] = frozenset()
    ) -> tuple[dict[str, Any], set[str]]:
        """Properties and required names of an object schema, through allOf/$ref."""
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            key = unescape(schema["$ref"].rsplit("/", 1)[-1])
            if key in seen or key not in self.api.schemas:
                return {}, set()
            return self.object_schema(self.api.schemas[key], seen | {key})
        if not isinstance(schema, dict):
            return {}, set()
        properties = dict(schema.get("properties") or {})
        required = set(schema.get("required") or [])
        for part in schema.get("allOf") or []:
            more, more_required = self.object_schema(part, seen)
            properties = {**more, **properties}
            required |= more_required
        return properties, required

    def written(self, schema: Any) -> Any:
        """``schema``, published as written: the components it names, and those
        they name, join ``written_components``, which the app's OpenAPI adds to the
        components FastAPI publishes (those of the models its routes use)."""
        for key in _named(schema):
            if key not in self.written_components and key in self.api.schemas:
                self.written_components[key] = self.api.schemas[key]
                self.written(self.api.schemas[key])
        return schema

    def resolve(self, schema: Any) -> Any:
        """Follow ``$ref``s to the schema they name (for constraints)."""
        for _ in range(8):
            if not (isinstance(schema, dict) and isinstance(schema.get("$ref"), str)):
                break
            key = unescape(schema["$ref"].removeprefix(SCHEMAS))
            schema = self.api.schemas.get(key, {})
        return schema

    def deref(self, schema: Schema | None) -> Any:
        """The JSON schema of a parameter or media type (a component as a ``$ref``)."""
        if schema is None:
            return {}
        if isinstance(schema, SchemaRef):
            return {"$ref": SCHEMAS + escape(schema.name)}
        return dict(schema.schema)

    def param_schema(self, param: Parameter) -> dict[str, Any]:
        """The schema a parameter's values are read by: ``unwrapped``, as a column's,
        so a parameter takes the values of the column it is named like."""
        return unwrapped(self.api.schemas, self.deref(param.schema))


def unwrapped(
    schemas: Mapping[str, Any], schema: Any, hops: int = MAX_HOPS
) -> dict[str, Any]:
    """The schema that says which values ``schema`` takes: a ``$ref`` followed to
    the component it names (3.0 ignores a ``$ref``'s siblings), an ``allOf`` of one
    schema (3.0's way to describe a ``$ref``) to that schema with the wrapper's own
    keywords (``nullable``, ``description``, ``default``) on top; through aliases
    and wrappers in components too. ``{}`` past ``MAX_HOPS`` (a cycle)."""
    if not isinstance(schema, dict):
        return {}
    ref, parts = schema.get("$ref"), schema.get("allOf")
    if hops == 0 and (isinstance(ref, str) or one_part(parts)):
        return {}
    if isinstance(ref, str):
        key = unescape(ref.rsplit("/", 1)[-1])
        return unwrapped(schemas, schemas.get(key), hops - 1)
    if one_part(parts):
        own = {k: v for k, v in schema.items() if k != "allOf"}
        return {**unwrapped(schemas, parts[0], hops - 1), **own}
    return schema


def one_part(parts: Any) -> bool:
    """Whether an ``allOf``'s value is a list of one schema (a wrapper)."""
    return isinstance(parts, list) and len(parts) == 1


def _named(schema: Any) -> Iterator[str]:
    """The components ``schema`` names in its ``$ref``s."""
    if isinstance(schema, list):
        for item in schema:
            yield from _named(item)
    elif isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMAS):
            yield unescape(ref.removeprefix(SCHEMAS))
        for value in schema.values():
            yield from _named(value)


def primary(content: tuple[MediaType, ...]) -> MediaType:
    """The media type the route serves: JSON first, then the first one written."""
    return next((m for m in content if m.kind == "json"), content[0])


def path_param(op: Operation) -> str | None:
    """The Python name of the operation's last path parameter (an item's id)."""
    path = [p.python_name for p in op.parameters if p.location == "path"]
    return path[-1] if path else None


def declared_type(schema: dict[str, Any]) -> tuple[Any, bool]:
    """(type, nullable) of a schema: 3.0's ``nullable``, or 3.1's ``type: [X, "null"]``;
    the type is None when several non-null types remain."""
    kind = schema.get("type")
    nullable = bool(schema.get("nullable"))
    if isinstance(kind, list):
        nullable = nullable or "null" in kind
        rest = [k for k in kind if k != "null"]
        kind = rest[0] if len(rest) == 1 else None
    return kind, nullable


def read_only(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("readOnly") is True
