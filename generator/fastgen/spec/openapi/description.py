"""The typed description of an OpenAPI document that fastgen compiles into a service.

Everything here has been checked: names are Python identifiers, references resolve,
security schemes are ones fastgen can serve, annotations are valid. Each construct keeps
its ``Source`` (JSON pointer plus ``file:line:column``) so the compile step can report
problems where the user wrote them. Schemas are kept as JSON Schema (corrected by
``schema_lint``), by name when they are components.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from fastgen.spec.native.model import CrudOperation
from fastgen.spec.openapi.annotations import (
    CacheAnnotation,
    FastgenAnnotation,
    ResourceAnnotation,
)
from fastgen.spec.openapi.sourcemap import Source
from fastgen.spec.problems import Problem

HttpMethod = Literal[
    "GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"
]
ParameterLocation = Literal["path", "query", "header", "cookie"]
ParameterStyle = Literal["simple", "form"]
BodyKind = Literal["json", "form", "multipart", "text", "binary"]
SchemeKind = Literal["http_bearer", "http_basic", "api_key", "oauth2", "openid_connect"]


@dataclass(frozen=True)
class SchemaRef:
    """A schema in ``components/schemas``, by name."""

    name: str


@dataclass(frozen=True)
class InlineSchema:
    """A schema written in place (its own ``$ref``s are internal: ``#/...``)."""

    schema: Mapping[str, Any]
    source: Source


Schema = SchemaRef | InlineSchema


@dataclass(frozen=True)
class Parameter:
    """A path, query, header or cookie parameter."""

    name: str  # as sent on the wire
    python_name: str  # unique within the operation
    location: ParameterLocation
    required: bool
    schema: Schema | None
    style: ParameterStyle
    explode: bool
    description: str
    deprecated: bool
    source: Source


@dataclass(frozen=True)
class MediaType:
    """One content type of a request or response body."""

    content_type: str  # as written, e.g. "application/json;charset=utf-8"
    kind: BodyKind
    schema: Schema | None


@dataclass(frozen=True)
class RequestBody:
    required: bool
    description: str
    content: tuple[MediaType, ...]
    source: Source


@dataclass(frozen=True)
class Header:
    """A response header."""

    name: str
    required: bool
    schema: Schema | None


@dataclass(frozen=True)
class Response:
    status: str  # "200", "2XX" or "default"
    description: str
    content: tuple[MediaType, ...]
    headers: tuple[Header, ...]
    source: Source


@dataclass(frozen=True)
class SecurityScheme:
    """A way callers authenticate; the generated project's hook checks the credential.

    ``parameter_name``/``location``: where an apiKey travels. oauth2 and openIdConnect
    tokens are bearer tokens in the Authorization header; ``scopes`` are those declared.
    """

    name: str
    kind: SchemeKind
    parameter_name: str | None
    location: Literal["header", "query", "cookie"] | None
    bearer_format: str | None
    scopes: tuple[str, ...]
    description: str
    source: Source


@dataclass(frozen=True)
class SecurityRequirement:
    """All of ``schemes`` (name, required scopes) must hold; empty means anonymous."""

    schemes: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Tag:
    name: str
    description: str


@dataclass(frozen=True)
class Callback:
    """A request the service sends back while handling an operation (``callbacks``).

    ``name`` is the callback's key, ``expression`` the runtime expression of its URL
    (e.g. ``{$request.body#/callbackUrl}``), ``operation`` what is sent and answered.
    """

    name: str
    expression: str
    operation: Operation
    source: Source


@dataclass(frozen=True)
class Operation:
    """One method on one path: never dropped, never merged.

    A webhook or callback operation (a request the service *sends*) has the same
    parts; its ``path`` and ``route`` are the webhook name or callback expression.
    """

    name: str  # Python identifier, unique in the API
    operation_id: str | None  # as written
    method: HttpMethod
    path: str  # as written, e.g. /pets/{petId}
    route: str  # path parameters renamed to their python_name: /pets/{pet_id}
    summary: str
    description: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    request_body: RequestBody | None
    responses: tuple[Response, ...]
    security: tuple[SecurityRequirement, ...]  # any one suffices; () = no auth
    deprecated: bool
    cache: CacheAnnotation | None
    source: Source
    callbacks: tuple[Callback, ...] = ()


@dataclass(frozen=True)
class Resource:
    """A component schema served as a database table (``x-fastgen-resource``)."""

    name: str  # Python identifier from the schema name
    schema: str  # the components/schemas key
    annotation: ResourceAnnotation
    item_path: str | None  # e.g. /pets/{id}
    operations: tuple[tuple[CrudOperation, str], ...]  # (crud op, Operation.name)
    source: Source
    # Where each entry of its ``list`` is written, by "filter/0", "sort/1",
    # "match/<name>", "expand/<name>" (the key), and "" for ``list`` itself.
    list_sources: Mapping[str, Source] = field(default_factory=dict)
    # Where each property's x-fastgen-renamed-from is written, by property name.
    renamed_sources: Mapping[str, Source] = field(default_factory=dict)


@dataclass(frozen=True)
class Info:
    title: str
    version: str
    description: str
    # The rest of info as FastAPI takes it (terms_of_service, contact, license_info,
    # summary), each value as JSON text.
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ApiDescription:
    """A whole OpenAPI document, checked and ready to compile."""

    openapi_version: str
    info: Info
    settings: FastgenAnnotation  # the root x-fastgen, with defaults
    base_path: str  # path of the first server URL, "" when none
    tags: tuple[Tag, ...]
    operations: tuple[Operation, ...]  # document order
    route_order: tuple[str, ...]  # operation names in the order to register routes
    security_schemes: tuple[SecurityScheme, ...]
    schemas: Mapping[str, Mapping[str, Any]]  # components/schemas, corrected
    resources: tuple[Resource, ...]
    warnings: tuple[Problem, ...]
    webhooks: tuple[Operation, ...] = ()  # requests the service sends, by name

    def operation(self, name: str) -> Operation:
        """The operation called ``name`` (its Python name)."""
        for operation in self.operations:
            if operation.name == name:
                return operation
        raise KeyError(name)
