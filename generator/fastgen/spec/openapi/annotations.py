"""The ``x-fastgen*`` annotations an OpenAPI document may carry, as pydantic models.

- ``x-fastgen`` at the root: the same ``service``, ``database``, ``cache`` and
  ``deploy`` keys as the native spec;
- ``x-fastgen-cache`` on an operation: a native cache policy whose ``invalidated_by``
  names operationIds;
- ``x-fastgen-resource`` on a ``components/schemas`` entry: the schema is a database
  table served at a collection path.

The published JSON Schema (``schemas/x-fastgen.schema.json``) is generated from these.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, Field, ValidationError
from pydantic.json_schema import models_json_schema

from fastgen.spec.native.model import (
    CacheDefaults,
    CachePolicySpec,
    CrudOperation,
    DatabaseSpec,
    DeploySpec,
    Identifier,
    ListSpec,
    Match,
    ResourcePath,
    Scope,
    ServiceSpec,
    SpecModel,
)
from fastgen.spec.native.validate import pydantic_problems
from fastgen.spec.openapi.report import Report
from fastgen.spec.problems import Loc

ROOT_KEY = "x-fastgen"
CACHE_KEY = "x-fastgen-cache"
RESOURCE_KEY = "x-fastgen-resource"
# On a property of an x-fastgen-resource schema: the column's previous name.
RENAMED_KEY = "x-fastgen-renamed-from"
KEYS = (ROOT_KEY, CACHE_KEY, RESOURCE_KEY, RENAMED_KEY)
SCHEMA_ID = "https://fastgen.dev/schemas/x-fastgen.schema.json"

M = TypeVar("M", bound=BaseModel)


class FastgenAnnotation(SpecModel):
    """x-fastgen at the document root: service-wide settings."""

    service: ServiceSpec | None = Field(
        None, description="Defaults: name from info.title, version from info.version."
    )
    database: DatabaseSpec = Field(default_factory=DatabaseSpec)
    cache: CacheDefaults = Field(default_factory=CacheDefaults)
    deploy: DeploySpec = Field(default_factory=DeploySpec)


class CacheAnnotation(CachePolicySpec):
    """x-fastgen-cache on a GET operation: how its responses are cached."""

    scope: Scope = Field(
        "public",
        description="private entries are keyed by the caller's principal. Default: "
        "private for an operation with security requirements (public is refused "
        "where they require credentials), else public.",
    )

    invalidated_by: list[str] = Field(
        default_factory=list,
        description="operationIds of the writes that invalidate this entry.",
    )


class ListAnnotation(ListSpec):
    """``list`` in x-fastgen-resource: the native list's query for the table's list
    operation (filters, sort, cursor, count, expand), published in the served
    document."""

    # The properties as the schema names them (camelCase too), checked against it.
    filter: list[str] | None = Field(
        None,
        description="Properties a list can be filtered by: equality (?partner_id=3), "
        "`in` (?partner_id__in=1,2), ranges on integers, numbers and dates (__gt, "
        "__gte, __lt, __lte) and __isnull on optional properties. Each gets an index. "
        "Default: the key and the expand properties.",
    )
    sort: list[str] | None = Field(
        None,
        description="Properties a list can be sorted by (?sort=-due_date; the key "
        "always breaks ties), each required. Each gets an index. Default: the "
        "filterable required properties.",
    )
    match: dict[str, Match] = Field(
        default_factory=dict,
        description="String properties a list also matches by prefix "
        "(?name__startswith=) or substring (?name__contains=, which no index serves).",
    )
    expand: dict[str, str] = Field(
        default_factory=dict,
        description="Properties that hold the key of another x-fastgen-resource "
        "schema, and that schema's name: ?expand=<name> embeds its row (one query "
        "per page). They are filterable and sortable by default, as native refs are.",
    )


class ResourceAnnotation(SpecModel):
    """x-fastgen-resource on a component schema: a table with CRUD operations."""

    path: ResourcePath = Field(description="The collection path, e.g. /pets.")
    id: str = Field("id", description="The schema property that is the primary key.")
    table: Identifier | None = Field(
        None, description="Table name; default: the schema name in snake_case."
    )
    operations: list[CrudOperation] | None = Field(
        None,
        description="CRUD operations the document's paths implement; default: all "
        "found at path and path/{id}.",
    )
    renamed_from: Identifier | None = Field(
        None,
        description="The table's previous name: the next migration renames it in "
        "place, keeping every row (harmless once applied).",
    )
    listing: ListAnnotation | None = Field(
        None,
        alias="list",
        description="Opt-in: the list operation takes the native list's query "
        "(?price__gte=, sort, cursor, count, expand) and answers a page; "
        "default filters: the key and the expand properties.",
    )


def validate_annotation(
    model: type[M], value: Any, holder: Loc, key: str, report: Report
) -> M | None:
    """``value`` (found at ``holder``/``key``) as ``model``; None after reporting."""
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        positions = report.source_map.positions_at(holder)
        report.extend(pydantic_problems(exc, positions, model=model, prefix=(key,)))
        return None


def annotations_json_schema() -> dict[str, Any]:
    """The JSON Schema of the three annotations (``schemas/x-fastgen.schema.json``)."""
    models: list[tuple[type[BaseModel], Any]] = [
        (FastgenAnnotation, "validation"),
        (CacheAnnotation, "validation"),
        (ResourceAnnotation, "validation"),
    ]
    refs, schema = models_json_schema(models)
    ref = {
        key: refs[(model, "validation")]["$ref"]
        for key, (model, _) in zip(KEYS[:3], models, strict=True)
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "fastgen OpenAPI annotations",
        "description": (
            "x-fastgen at the document root; x-fastgen-cache on an operation "
            "(#/$defs/CacheAnnotation); x-fastgen-resource on a components/schemas "
            "entry (#/$defs/ResourceAnnotation); x-fastgen-renamed-from on a "
            "property of such a schema."
        ),
        "type": "object",
        "properties": {
            ROOT_KEY: {"$ref": ref[ROOT_KEY]},
            CACHE_KEY: {"$ref": ref[CACHE_KEY]},
            RESOURCE_KEY: {"$ref": ref[RESOURCE_KEY]},
            RENAMED_KEY: {
                "type": "string",
                "description": "The property's previous name: the next migration "
                "renames its column in place, keeping its values.",
            },
        },
        **schema,
    }
