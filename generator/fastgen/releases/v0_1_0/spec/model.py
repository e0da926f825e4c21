"""The native spec language (``fastgen: 1``) as pydantic models.

This is the single source of truth for what a spec may say: validation, the published
JSON Schema (``schemas/fastgen.schema.json``) and the docs all come from these classes.
"""

from __future__ import annotations

import keyword
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

IDENTIFIER_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# Names that would shadow something the generated code needs.
RESERVED_NAMES = frozenset(
    {"id", "metadata", "registry", "self", "cls", "session", "cache", "request"}
)


def _check_identifier(value: str) -> str:
    if not IDENTIFIER_RE.match(value):
        raise ValueError(
            f"{value!r} is not a valid name; expected lower_snake_case matching "
            "[a-z][a-z0-9_]*"
        )
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        raise ValueError(f"{value!r} is a Python keyword; choose another name")
    return value


Identifier = Annotated[
    str,
    StringConstraints(max_length=40),
    AfterValidator(_check_identifier),
]


def _check_field_name(value: str) -> str:
    if value in RESERVED_NAMES:
        raise ValueError(
            f"{value!r} is reserved in generated code; choose another field name"
        )
    return value


FieldName = Annotated[Identifier, AfterValidator(_check_field_name)]
UrlPath = Annotated[
    str,
    StringConstraints(
        pattern=r"^/([A-Za-z0-9_\-.~]+|\{[a-z][a-z0-9_]*\})(/([A-Za-z0-9_\-.~]+|\{[a-z][a-z0-9_]*\}))*$"
    ),
]
HeaderName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9\-]*$")]

ScalarType = Literal[
    "string",
    "text",
    "integer",
    "float",
    "decimal",
    "boolean",
    "date",
    "datetime",
    "uuid",
    "json",
]
FieldType = Literal[ScalarType, "enum", "ref"]
Operation = Literal["list", "get", "create", "update", "delete"]
ReadOperation = Literal["list", "get"]
Backend = Literal["memory", "redis", "tiered"]
Strategy = Literal["ttl", "stale-while-revalidate", "none"]
Scope = Literal["public", "private"]
Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
Seconds = Annotated[int, Field(ge=0, le=31_536_000)]


class SpecModel(BaseModel):
    """Base: unknown keys are errors, values are not coerced across types."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ServiceSpec(SpecModel):
    """Identity of the generated service."""

    name: Identifier = Field(description="Python package name of the service.")
    title: str | None = Field(None, description="Human title; defaults to the name.")
    version: Annotated[
        str,
        StringConstraints(
            pattern=r"^[0-9]+(\.[0-9]+)*((a|b|rc)[0-9]+)?(\.post[0-9]+)?(\.dev[0-9]+)?$"
        ),
    ] = Field("0.1.0", description="PEP 440 version of the generated service.")
    description: str = Field("", description="Shown in the OpenAPI document.")


class DatabaseSpec(SpecModel):
    """Database connection; ``DATABASE_URL`` overrides ``url`` at run time."""

    url: str | None = Field(
        None,
        description="SQLAlchemy async URL; default sqlite+aiosqlite:///./<name>.db.",
    )
    pool_size: int = Field(5, ge=1, le=1000)
    max_overflow: int = Field(10, ge=0, le=1000)
    pool_timeout: float = Field(30.0, gt=0, le=3600)
    pool_recycle: int = Field(1800, ge=-1)


class CacheDefaults(SpecModel):
    """Service-wide cache settings; each endpoint may override backend and ttl."""

    backend: Backend = "memory"
    redis_url: str = "redis://localhost:6379/0"
    max_entries: int = Field(
        10_000, ge=1, description="LRU bound of the in-process tier."
    )
    max_bytes: int = Field(
        64 * 1024 * 1024, ge=1024, description="Byte bound of the in-process tier."
    )
    ttl: Seconds = Field(60, description="Default ttl in seconds.")


class CachePolicySpec(SpecModel):
    """How one read endpoint is cached."""

    ttl: Seconds | None = Field(
        None, description="Seconds fresh; service default if unset."
    )
    strategy: Strategy = "ttl"
    stale_ttl: Seconds | None = Field(
        None, description="Seconds a stale entry may be served while refreshing."
    )
    backend: Backend | None = Field(None, description="Overrides the service default.")
    scope: Scope = Field(
        "public", description="private entries are keyed by the caller's principal."
    )
    vary: list[HeaderName] = Field(
        default_factory=list, description="Request headers that are part of the key."
    )
    warm: bool = Field(False, description="Fill this entry when the service starts.")
    invalidated_by: list[str] = Field(
        default_factory=list,
        description="Writes ('resource.operation') or endpoint names that invalidate it.",
    )

    @model_validator(mode="after")
    def _stale_ttl_needs_swr(self) -> CachePolicySpec:
        if self.stale_ttl is not None and self.strategy != "stale-while-revalidate":
            raise ValueError(
                "stale_ttl is only meaningful with strategy: stale-while-revalidate"
            )
        return self


class FieldSpec(SpecModel):
    """One column of a resource."""

    type: FieldType
    required: bool = True
    default: Any = None
    max_length: int | None = Field(None, ge=1, le=1_000_000)
    index: bool = False
    unique: bool = False
    primary_key: bool = False
    values: list[str] | None = Field(None, description="The allowed values of an enum.")
    to: str | None = Field(None, description="The resource a ref points to.")


ResourcePath = Annotated[str, StringConstraints(pattern=r"^(/[A-Za-z0-9_\-.~]+)+$")]


class ResourceSpec(SpecModel):
    """A database table with CRUD routes."""

    path: ResourcePath = Field(
        description="Collection path, e.g. /books (no parameters)."
    )
    fields: dict[FieldName, FieldSpec]
    operations: list[Operation] = Field(
        default_factory=lambda: ["list", "get", "create", "update", "delete"]
    )
    cache: dict[ReadOperation, CachePolicySpec] = Field(default_factory=dict)


class EndpointSpec(SpecModel):
    """A hand-written endpoint; its body lives in a user-owned file."""

    method: Method
    path: UrlPath
    summary: str = ""
    params: dict[Identifier, ScalarType] = Field(
        default_factory=dict,
        description="Types of path parameters; '<resource>_id' defaults to that id type.",
    )
    response: dict[Identifier, ScalarType] | None = Field(
        None, description="Fields of the JSON response object."
    )
    cache: CachePolicySpec | None = None
    background: bool = Field(
        False, description="Answer 202 and run the handler as a background task."
    )


class FastgenSpec(SpecModel):
    """A fastgen service spec, version 1."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        title="fastgen spec",
        json_schema_extra={"$id": "https://fastgen.dev/schemas/fastgen.schema.json"},
    )

    fastgen: Literal[1] = Field(description="Spec language version.")
    service: ServiceSpec
    database: DatabaseSpec = Field(default_factory=DatabaseSpec)
    cache: CacheDefaults = Field(default_factory=CacheDefaults)
    resources: dict[Identifier, ResourceSpec] = Field(default_factory=dict)
    endpoints: dict[Identifier, EndpointSpec] = Field(default_factory=dict)
