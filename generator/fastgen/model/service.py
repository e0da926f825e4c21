"""The service model: everything a template needs, as plain frozen data.

Both front-ends (``fastgen.spec.native`` and ``fastgen.spec.openapi``) compile their
input into a ``ServiceModel``; ``fastgen.render`` writes the project from it. This
package imports nothing else of fastgen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from fastgen.model.convertors import with_int_key
from fastgen.model.deploy import DeployModel
from fastgen.model.endpoints import EndpointModel
from fastgen.model.errors import ErrorResponseModel, ErrorShapeModel
from fastgen.model.fields import FieldModel
from fastgen.model.listing import ExpandModel, ListFilterModel
from fastgen.model.policy import PolicyModel


@dataclass(frozen=True)
class ResourceModel:
    name: str
    class_name: str
    table: str
    path: str
    id_param: str
    pk: FieldModel
    fields: tuple[FieldModel, ...]  # without the primary key
    operations: tuple[str, ...]
    policies: dict[str, PolicyModel]
    enums: tuple[FieldModel, ...]
    # The name of its modules (models/, schemas/, routers/, tests/test_*.py): the
    # resource's name unless that is a keyword or a generated module's name.
    module_name: str = ""
    # What its list takes besides limit, offset, cursor and count: filters, the
    # fields it sorts by (the key breaks ties), and the refs it can embed.
    filters: tuple[ListFilterModel, ...] = ()
    sorts: tuple[FieldModel, ...] = ()
    expansions: tuple[ExpandModel, ...] = ()
    # The table's previous name (``renamed_from``), as ``FieldModel.renamed_from``.
    renamed_from: str | None = None
    # What a request body's unknown field gets: a 422 (forbid) or dropped (ignore).
    extra_fields: str = "forbid"
    # An OpenAPI table: the api_models class answering a row ("" for a native
    # resource, whose ``<Class>Read`` does), and whether its list takes the native
    # query (``x-fastgen-resource`` ``list``).
    row_model: str = ""
    api_list: bool = False

    @property
    def module(self) -> str:
        return self.module_name or self.name

    @property
    def aliased(self) -> bool:
        """Whether a column's identifier differs from its wire name."""
        return any(f.aliased for f in (self.pk, *self.fields))

    @property
    def writes(self) -> tuple[str, ...]:
        return tuple(
            op for op in ("create", "update", "delete") if op in self.operations
        )

    @property
    def refs(self) -> tuple[FieldModel, ...]:
        return tuple(f for f in self.fields if f.ref_table)


@dataclass(frozen=True)
class ApiType:
    """The type of a route's argument or answer, as data (render writes it:
    ``list[api_models.Pet] | None``, ``Literal["a", "b"]``)."""

    # any, none, response (FastAPI's Response), scalar, model (of api_models), list,
    # dict (str keys), union, literal, or optional (of args[0], written "| None")
    kind: str
    # a scalar (str, int, float, bool, bytes, datetime, date, uuid) or a model's class
    name: str = ""
    args: tuple[ApiType, ...] = ()  # list item, dict value, union members, optional's
    values: tuple[Any, ...] = ()  # a literal's values
    nullable: bool = False  # also None
    from_text: bool = False  # a literal of ints (a model's), read from text: converted
    bounds: tuple[tuple[str, Any], ...] = ()  # a list item's limits: Field(le=10)

    @property
    def leading(self) -> ApiType:
        """The first member of a union (the type itself otherwise)."""
        return self.args[0].leading if self.kind == "union" else self

    @property
    def admits_none(self) -> bool:
        """Whether None is already a value (written last, as ``... | None``)."""
        if self.nullable or self.kind in ("none", "optional"):
            return True
        return self.kind == "union" and self.args[-1].admits_none


@dataclass(frozen=True)
class ApiMediaModel:
    """One of the media types of a body declared in several: how a request's is
    read, or how a response's is published (``media_types.py``)."""

    content_type: str  # as the document writes it
    reader: str  # json, form (urlencoded or multipart), text or bytes
    type: ApiType  # what it is read into (str for text, bytes), a model's for json
    schema: Any = None  # text and bytes: the schema published, as written
    # text and bytes of a JSON or form one's schema (XML): published as its model
    published: ApiType | None = None
    discriminator: str | None = None  # a union of models: the property choosing one

    @property
    def published_type(self) -> ApiType | None:
        """The type whose JSON schema is published for it (None: ``schema``)."""
        return self.published or (self.type if self.schema is None else None)


@dataclass(frozen=True)
class ApiParamModel:
    """One argument of an OpenAPI route (a parameter or the request body), as data:
    render writes its ``Annotated[...]`` type and default."""

    name: str  # the Python name
    type: ApiType  # the plain type the handler stub receives
    location: str  # path, query, header, cookie or body
    marker: str  # the FastAPI function that reads it: Path, Query, ..., Body or Form
    required: bool = True
    default: Any = None  # the value of an optional argument (None: no value)
    alias: str | None = None  # the wire name, where FastAPI must be told it
    # FastAPI's validation keywords and their values: (("ge", 1), ("pattern", "^a"))
    constraints: tuple[tuple[str, Any], ...] = ()
    description: str | None = None
    deprecated: bool = False
    media_type: str | None = None  # a body's content type, unless plain JSON/form
    discriminator: str | None = None  # a sent form union's discriminating property
    # A body in several media types, or a form: read by the request's Content-Type
    media: tuple[ApiMediaModel, ...] = ()  # in ``media_types.RequestBody``


@dataclass(frozen=True)
class ApiResponseModel:
    """A response the route documents besides what it returns (or that one's text)."""

    status: str  # "404", "4XX" or "default"
    description: str
    model: ApiType | None = None  # the response model's type
    content_type: str | None = None  # a non-JSON body: its media type and schema
    schema: Any = None
    # The other media types the document lists for it, published beside it (the
    # route answers the first): json ones from their type, the others as written.
    also: tuple[ApiMediaModel, ...] = ()
    # A JSON body FastAPI publishes as application/json: the media type the
    # document gives it (``application/json; version=2``, ``application/hal+json``)
    json_as: str | None = None

    @property
    def error(self) -> bool:
        """Whether it is an error's (4XX, 5XX, default): error_bodies.py answers
        and publishes those in their media types."""
        return self.status[0] not in "123"


@dataclass(frozen=True)
class ApiContentModel:
    """A body of a request the service sends (webhook or callback), or of an answer
    to it, under the media types the document declares, where FastAPI would publish
    it otherwise: it lists a model only as ``application/json``, and a body under
    one media type."""

    part: tuple[str, ...]  # ("requestBody",) or ("responses", status)
    # (media type, its schema) in document order. The schema is None for the one
    # FastAPI publishes (the part's model's, or its first media type's), a JSON
    # schema as written, or an ApiType where it names components (as pydantic
    # writes it: the app's OpenAPI holds a component only where a route uses it)
    media_types: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class ApiOperationModel:
    """One OpenAPI operation, as a route and (unless a table serves it) a stub."""

    name: str
    method: str
    route: str
    router: str
    tag: str
    docstring: str  # one line of text, ending in a period
    params: tuple[ApiParamModel, ...]
    returns: ApiType
    status: int
    stub_returns: ApiType
    crud: str | None  # list, get, create, update or delete of ``resource``
    resource: str | None
    row_class: str | None
    pk_name: str | None
    id_param: str | None
    limit_param: str | None
    offset_param: str | None
    page_param: str | None  # a 1-based page number, in pages of ``limit_param``
    # (ORM attribute, parameter) of query parameters that are columns: equality
    # filters, and of array query parameters that are columns: IN
    filters: tuple[tuple[str, str], ...]
    any_filters: tuple[tuple[str, str], ...]
    refined: tuple[str, ...]  # list parameters fastgen does not apply: the user's hook
    policy: PolicyModel | None
    invalidates: bool
    # (url, query, json body) of a request that passes validation
    sample: tuple[str, dict[str, Any], Any] | None
    refine_sample: tuple[str, dict[str, Any], Any] | None  # one reaching ``refine``
    requirement_header: dict[str, str] | None  # credentials (headers) for tests
    form_sample: tuple[Any, ...] | None = None  # url, query, fields, files, a blank
    # create: required readOnly columns besides the id, which no request sends and
    # the response must carry: the resource's before_create hook fills them
    hook_fills: tuple[str, ...] = ()
    # property -> ORM attribute of the table's columns that are aliased
    row_attrs: dict[str, str] = field(default_factory=dict)
    # What the route decorator publishes besides the path and the status:
    operation_id: str | None = None
    summary: str | None = None
    deprecated: bool = False
    # The route answers a plain Response: a non-JSON success (the handler returns
    # it), or a success the document gives no body (the route answers none)
    response_class: bool = False
    response_model: ApiType | None = None  # a sent request's answer (no return type)
    responses: tuple[ApiResponseModel, ...] = ()
    callback_name: str | None = None  # a callback's key in its operation
    content: tuple[ApiContentModel, ...] = ()  # a sent request's declared media types
    dependency: str | None = None  # the security requirement's function
    callbacks_router: str | None = None  # the router of the operation's callbacks
    # A list taking the native query (filters, sort, cursor, count, expand) and
    # answering a page, as its table's ``x-fastgen-resource`` ``list`` asks.
    paged: bool = False
    errors: tuple[ErrorResponseModel, ...] = ()  # the error bodies it declares

    @property
    def openapi_path(self) -> str:
        """The route as the app's OpenAPI document lists it (without convertors)."""
        return re.sub(r"\{([^{}:]+):[^{}]+\}", r"{\1}", self.route)

    @property
    def refined_params(self) -> tuple[ApiParamModel, ...]:
        """The parameters passed on to the list's ``refine`` hook."""
        return tuple(p for p in self.params if p.name in self.refined)

    @property
    def required_params(self) -> tuple[ApiParamModel, ...]:
        return tuple(p for p in self.params if p.required)

    @property
    def optional_params(self) -> tuple[ApiParamModel, ...]:
        return tuple(p for p in self.params if not p.required)


@dataclass(frozen=True)
class ApiRouterModel:
    """The routes of one tag (``default`` for untagged operations)."""

    name: str
    tag: str
    operations: tuple[ApiOperationModel, ...]

    @property
    def stubs(self) -> tuple[ApiOperationModel, ...]:
        return tuple(op for op in self.operations if op.crud is None)

    @property
    def uses_convertors(self) -> bool:
        """Whether a route's path uses a convertor of ``convertors.py``."""
        return any(":pattern_" in op.route for op in self.operations)


@dataclass(frozen=True)
class ApiSchemeModel:
    """A security scheme: how a caller's credential travels (render writes the FastAPI
    security dependency that reads it)."""

    name: str
    var: str
    kind: str  # http_basic, api_key or a bearer (http_bearer, oauth2, openid_connect)
    location: str  # where the credential travels: header, query or cookie
    parameter: str  # its name there (headers lower-case)
    key_name: str | None = None  # an api_key's parameter name as written
    description: str | None = None
    bearer_format: str | None = None


@dataclass(frozen=True)
class ApiRequirementModel:
    """A dependency that lets a request through when any alternative is satisfied."""

    function: str
    schemes: tuple[ApiSchemeModel, ...]
    # each alternative: the vars of the schemes whose credentials must all be present
    alternatives: tuple[tuple[str, ...], ...]
    description: str


@dataclass(frozen=True)
class ApiTableModel:
    """One table-backed schema's CRUD operations and sample row, for the tests."""

    resource: str
    pk: str
    list: ApiOperationModel | None
    get: ApiOperationModel | None
    create: ApiOperationModel | None
    update: ApiOperationModel | None
    delete: ApiOperationModel | None
    row_sample: dict[str, Any] | None = None
    key_required: bool = False  # the row schema requires the key the database numbers


# The oldest FastAPI a generated project supports (pydantic models as form parameters).
FASTAPI_MINIMUM = "0.115"
# ... where a response schema has aliased fields (see ServiceModel.fastapi_minimum).
ALIASED_FASTAPI_MINIMUM = "0.128"


@dataclass(frozen=True)
class ApiCallbacksModel:
    """The callbacks of one served operation: a router whose routes it publishes."""

    var: str  # the APIRouter's name in outgoing.py
    path: str  # the served operation's path and method, as its OpenAPI lists them
    method: str
    callbacks: tuple[tuple[str, ApiOperationModel], ...]  # (callback name, request)


@dataclass(frozen=True)
class ApiModel:
    """What an OpenAPI document adds: per-tag routers, security, tables, errors (its
    pydantic models, Python source, travel beside it: ``spec.compiled.Compiled``)."""

    routers: tuple[ApiRouterModel, ...]
    schemes: tuple[ApiSchemeModel, ...]
    requirements: tuple[ApiRequirementModel, ...]
    policies: tuple[PolicyModel, ...]
    tables: tuple[ApiTableModel, ...]
    # Starlette path convertors made from patterns: ((name, regex), ...)
    convertors: tuple[tuple[str, str], ...] = ()
    # Requests the service sends, published in its OpenAPI as FastAPI does.
    webhooks: tuple[ApiOperationModel, ...] = ()
    callbacks: tuple[ApiCallbacksModel, ...] = ()
    fastapi_minimum: str = FASTAPI_MINIMUM  # raised by the features routes use
    # datamodel-code-generator's warnings about the schemas (see openapi/models.py)
    model_warnings: tuple[str, ...] = ()
    # Paths served with Python names for parameters Starlette cannot route by (not
    # identifiers), published under the document's: (served, document, renames).
    document_paths: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = ()
    # The error bodies the operations declare, those of a request no operation
    # takes (the ones most operations declare), and what fastgen cannot fill in
    # them: (JSON pointer of the schema, message), located by the front-end.
    error_shapes: tuple[ErrorShapeModel, ...] = ()
    error_fallback: tuple[ErrorResponseModel, ...] = ()
    error_warnings: tuple[tuple[str, str], ...] = ()
    # The components schemas published as written name: (name, schema as written)
    written_components: tuple[tuple[str, Any], ...] = ()

    def published_path(self, served: str) -> str:
        """The path the app's /openapi.json lists for a served one (see document_paths)."""
        return next((p for s, p, _ in self.document_paths if s == served), served)

    @property
    def outgoing(self) -> bool:
        """Whether ``outgoing.py`` declares webhooks or callbacks."""
        return bool(self.webhooks or self.callbacks)

    @property
    def operations(self) -> tuple[ApiOperationModel, ...]:
        return tuple(op for r in self.routers for op in r.operations)

    @property
    def stubs(self) -> tuple[ApiOperationModel, ...]:
        return tuple(op for op in self.operations if op.crud is None)

    @property
    def refined_lists(self) -> tuple[ApiOperationModel, ...]:
        """Table-backed lists with parameters only the user's ``refine`` can apply."""
        return tuple(op for op in self.operations if op.crud == "list" and op.refined)


@dataclass(frozen=True)
class ServiceModel:
    """The whole service, ready to render."""

    package: str
    title: str
    version: str  # the package's (PEP 440)
    description: str
    database_url: str
    pool_size: int
    max_overflow: int
    pool_timeout: float
    pool_recycle: int
    statement_timeout: float
    cache_backend: str
    redis_url: str  # "" when none is configured (a str: older templates quote it)
    max_entries: int
    max_bytes: int
    resources: tuple[ResourceModel, ...]
    endpoints: tuple[EndpointModel, ...]
    # write name ("author.update", "reindex") -> ((policy name, by id), ...)
    invalidations: dict[str, tuple[tuple[str, bool], ...]] = field(default_factory=dict)
    database_read_url: str = ""  # a read replica; "" when none is configured
    # The HTTP surface of an OpenAPI input (None for a native spec).
    api: ApiModel | None = None
    deploy: DeployModel = field(default_factory=DeployModel)
    # An OpenAPI document's info.version as written (any text), and the rest of its
    # info as FastAPI's keyword arguments with JSON values: its /openapi.json says so.
    api_version: str = ""
    api_info: tuple[tuple[str, str], ...] = ()

    @property
    def served_version(self) -> str:
        """The version the served OpenAPI document states."""
        return self.api_version or self.version

    @property
    def policies(self) -> tuple[PolicyModel, ...]:
        found = [p for r in self.resources for p in r.policies.values()]
        found += [e.policy for e in self.endpoints if e.policy]
        if self.api is not None:
            found += self.api.policies
        return tuple(found)

    @property
    def endpoint_schemas(self) -> bool:
        """Whether ``schemas/endpoints.py`` has a class: a response or ``Accepted``."""
        return any(
            e.response_class or (e.background and not e.queued) for e in self.endpoints
        )

    @property
    def hook_endpoints(self) -> tuple[EndpointModel, ...]:
        """Endpoints whose body is the user's ``hooks/endpoints/<name>.py``."""
        return tuple(e for e in self.endpoints if e.aggregate is None)

    @property
    def aggregate_endpoints(self) -> tuple[EndpointModel, ...]:
        return tuple(e for e in self.endpoints if e.aggregate is not None)

    @property
    def queued_endpoints(self) -> tuple[EndpointModel, ...]:
        """Endpoints whose bodies run in the worker: the project gets a task queue."""
        return tuple(e for e in self.endpoints if e.queued)

    @property
    def uses_datetime(self) -> bool:
        return any(
            f.type == "datetime" for r in self.resources for f in (r.pk, *r.fields)
        )

    @property
    def uncached_paths(self) -> tuple[str, ...]:
        """Streamed exports: a cached ``<path>/{id}`` pattern must never claim them."""
        return tuple(
            f"{r.path}/export" for r in self.resources if "export" in r.operations
        )

    @property
    def pydantic_minimum(self) -> str:
        """The oldest pydantic: 2.14 exports ``MISSING`` (the OpenAPI models' absent
        properties), 2.11 brought ``serialize_by_alias`` and validation ``by_name``
        (aliased columns)."""
        if self.api is not None:
            return "2.14"
        return "2.11" if any(r.aliased for r in self.resources) else "2.9"

    @property
    def fastapi_minimum(self) -> str:
        """The oldest FastAPI that serves this service's routes.

        Before 0.128 FastAPI dumped a returned model by alias and validated the dump
        again, which a schema whose aliases only name the JSON output refuses."""
        if self.api:
            return self.api.fastapi_minimum
        aliased = any(r.aliased for r in self.crud_resources) or any(
            f.attr != f.name for e in self.endpoints for f in e.response_fields
        )
        return ALIASED_FASTAPI_MINIMUM if aliased else FASTAPI_MINIMUM

    @property
    def api_routers(self) -> tuple[ApiRouterModel, ...]:
        return self.api.routers if self.api is not None else ()

    @property
    def api_schemes(self) -> tuple[ApiSchemeModel, ...]:
        return self.api.schemes if self.api is not None else ()

    @property
    def api_requirements(self) -> tuple[ApiRequirementModel, ...]:
        return self.api.requirements if self.api is not None else ()

    @property
    def api_operations(self) -> tuple[ApiOperationModel, ...]:
        return self.api.operations if self.api is not None else ()

    @property
    def api_stubs(self) -> tuple[ApiOperationModel, ...]:
        return self.api.stubs if self.api is not None else ()

    @property
    def api_refined_lists(self) -> tuple[ApiOperationModel, ...]:
        return self.api.refined_lists if self.api is not None else ()

    @property
    def api_json_bodies(self) -> bool:
        """Whether an operation reads an ``application/json`` body (``strict_json``)."""
        sent = [op for group in self.callbacks for _, op in group.callbacks]
        return any(
            p.marker == "Body"
            and p.media_type is None
            or any(m.reader == "json" for m in p.media)
            for op in (*self.api_operations, *self.webhooks, *sent)
            for p in op.params
        )

    @property
    def api_media_bodies(self) -> bool:
        """Whether a route reads a body in several media types (``media_types.py``)."""
        return any(p.media for op in self.api_operations for p in op.params)

    @property
    def api_media_readers(self) -> frozenset[str]:
        """The readers (json, form, text, bytes) of the bodies read by Content-Type:
        ``media_types.py`` defines those."""
        return frozenset(
            m.reader for op in self.api_operations for p in op.params for m in p.media
        )

    @property
    def several_media_types(self) -> bool:
        """Whether ``media_types.py`` reads or publishes a body in several media
        types: a request's, or a response's also published from its model."""
        return self.api_media_bodies or any(
            r.json_as and not r.error or any(m.published_type for m in r.also)
            for op in self.api_operations
            for r in op.responses
        )

    @property
    def api_tables(self) -> tuple[ApiTableModel, ...]:
        return self.api.tables if self.api is not None else ()

    @property
    def webhooks(self) -> tuple[ApiOperationModel, ...]:
        return self.api.webhooks if self.api is not None else ()

    @property
    def callbacks(self) -> tuple[ApiCallbacksModel, ...]:
        return self.api.callbacks if self.api is not None else ()

    @property
    def outgoing(self) -> bool:
        """Whether ``outgoing.py`` declares webhooks or callbacks."""
        return bool(self.webhooks or self.callbacks)

    @property
    def convertors(self) -> tuple[tuple[str, str], ...]:
        api = self.api.convertors if self.api is not None else ()
        return with_int_key(api, self.crud_resources)

    @property
    def error_shapes(self) -> tuple[ErrorShapeModel, ...]:
        """The error bodies an OpenAPI document declares (none for a native spec)."""
        return self.api.error_shapes if self.api is not None else ()

    @property
    def document_paths(
        self,
    ) -> tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]:
        return self.api.document_paths if self.api is not None else ()

    def published_path(self, served: str) -> str:
        """The path the app's /openapi.json lists for a served one."""
        return self.api.published_path(served) if self.api is not None else served

    def resource(self, name: str) -> ResourceModel:
        return next(r for r in self.resources if r.name == name)

    @property
    def listed_resources(self) -> tuple[ResourceModel, ...]:
        """Tables whose list takes filters, sort, cursor, count and expand
        (listing.py): every native resource with a list route, and the OpenAPI
        tables whose ``x-fastgen-resource`` has ``list``."""
        if self.api is not None:
            return tuple(r for r in self.resources if r.api_list)
        return tuple(r for r in self.resources if "list" in r.operations)

    @property
    def crud_resources(self) -> tuple[ResourceModel, ...]:
        """Resources served by the native CRUD routers (an OpenAPI input has its own)."""
        return () if self.api is not None else self.resources

    def invalidates(self, write: str) -> tuple[tuple[str, bool], ...]:
        return self.invalidations.get(write, ())
