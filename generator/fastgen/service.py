"""Compile a validated spec into the service model the templates render.

Everything a template needs — class names, Python and SQL types, imports, literals, cache
policies, which write invalidates which entry — is computed here, where it can be tested,
so the Jinja tree stays a dumb mirror of the generated project.
"""

from __future__ import annotations

import decimal
import json
import re
from dataclasses import dataclass, field
from typing import Any

from fastgen.naming import (
    CLASS_BODY_NAMES,
    ROUTER_NAMES,
    ResourceNames,
    class_name,
    python_name,
    resource_names,
)
from fastgen.spec.model import (
    AggregateSpec,
    CacheDefaults,
    CachePolicySpec,
    DatabaseSpec,
    EndpointSpec,
    FastgenSpec,
    FieldSpec,
    ResourceSpec,
)

PATH_PARAM_RE = re.compile(r"\{([a-z][a-z0-9_]*)\}")

# type -> (python annotation, SQLAlchemy column type, extra imports)
_TYPES: dict[str, tuple[str, str]] = {
    "string": ("str", "String({length})"),
    "text": ("str", "Text()"),
    "integer": ("int", "Integer()"),
    "float": ("float", "Float()"),
    "decimal": ("Decimal", "Numeric(18, 4)"),
    "boolean": ("bool", "Boolean()"),
    "date": ("dt.date", "Date()"),
    "datetime": ("dt.datetime", "DateTime(timezone=True)"),
    "uuid": ("uuid.UUID", "Uuid()"),
    "json": ("JsonValue", "JSON()"),
}
DEFAULT_STRING_LENGTH = 255


def pystr(value: str) -> str:
    """A Python string literal for ``value``, quoted the way ``ruff format`` prefers.

    Double quotes unless that needs more escapes than single quotes; control and
    non-printable characters are escaped, so no spec string can end the literal early.
    """
    quote = "'" if value.count('"') > value.count("'") else '"'
    out = []
    for char in value:
        if char == "\\":
            out.append("\\\\")
        elif char == quote:
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif not char.isprintable():
            code = ord(char)
            out.append(
                f"\\x{code:02x}"
                if code < 0x100
                else f"\\u{code:04x}"
                if code < 0x10000
                else f"\\U{code:08x}"
            )
        else:
            out.append(char)
    return quote + "".join(out) + quote


def pyliteral(value: Any) -> str:
    """A Python literal for a JSON-like value (strings via ``pystr``)."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, str):
        return pystr(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(pyliteral(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{pystr(str(k))}: {pyliteral(v)}" for k, v in value.items())
            + "}"
        )
    raise TypeError(f"no literal for {type(value).__name__}")


def default_problem(spec: FieldSpec) -> str | None:
    """Why ``spec.default`` does not fit ``spec.type``, or None when it fits."""
    value = spec.default
    kind = spec.type
    ok: bool
    if kind in ("string", "text"):
        ok = isinstance(value, str) and (
            spec.max_length is None or len(value) <= spec.max_length
        )
    elif kind == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "float":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif kind == "decimal":
        ok = isinstance(value, int | float | str) and not isinstance(value, bool)
        if ok:
            try:
                decimal.Decimal(str(value))
            except decimal.InvalidOperation:
                ok = False
    elif kind == "boolean":
        ok = isinstance(value, bool)
    elif kind == "enum":
        ok = value in (spec.values or [])
    elif kind == "json":
        try:
            json.dumps(value, allow_nan=False)
            ok = True
        except (TypeError, ValueError):
            ok = False
    else:
        return f"defaults are not supported for {kind} fields"
    return None if ok else f"{value!r} is not a valid {kind} default"


@dataclass(frozen=True)
class FieldModel:
    """One column, with everything needed to write its ORM and schema lines."""

    name: str
    type: str
    py_type: str
    sa_type: str
    required: bool
    default: str | None  # a Python expression, already a safe literal
    max_length: int | None
    index: bool
    unique: bool
    primary_key: bool
    ref_table: str | None
    ref_column: str | None
    enum_alias: str | None
    enum_values: tuple[str, ...]
    default_value: Any = None  # the spec's default, for SQL server defaults
    # The Python identifier of the column (``name`` is its wire name: the column and
    # the JSON key); they differ where ``name`` would collide (fastgen.naming).
    attr: str = ""

    def __post_init__(self) -> None:
        if not self.attr:
            object.__setattr__(self, "attr", self.name)

    @property
    def nullable(self) -> bool:
        return not self.required and self.default is None

    @property
    def aliased(self) -> bool:
        return self.attr != self.name


@dataclass(frozen=True)
class PolicyModel:
    """How one read route is cached; rendered into the generated ``cache_config``."""

    name: str
    path: str
    ttl: int
    strategy: str
    stale_ttl: int
    backend: str
    scope: str
    vary: tuple[str, ...]
    warm: bool
    id_param: str | None


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
class ParamModel:
    name: str  # in the path template and the published OpenAPI
    py_type: str
    attr: str = ""  # the argument's name in Python (``class`` -> ``class_``)

    def __post_init__(self) -> None:
        if not self.attr:
            object.__setattr__(self, "attr", self.name)

    @property
    def annotation(self) -> str:
        """The route argument's type; an aliased one names its path parameter."""
        if self.attr == self.name:
            return self.py_type
        return f"Annotated[{self.py_type}, Path(alias={pystr(self.name)})]"


@dataclass(frozen=True)
class ResponseFieldModel:
    name: str  # the JSON key
    py_type: str
    attr: str = ""  # the field's name in Python, where ``name`` would collide

    def __post_init__(self) -> None:
        if not self.attr:
            object.__setattr__(self, "attr", self.name)


@dataclass(frozen=True)
class AggregateFieldModel:
    """One response field of an aggregate: a SQL function over the matching rows."""

    name: str
    function: str  # count, sum, avg, min or max
    column: FieldModel | None  # None: count the rows
    py_type: str  # its response type, ``| None`` included when it can be null


@dataclass(frozen=True)
class ParentModel:
    """A row a ref column in ``where`` names: without it the endpoint answers 404."""

    param: str  # the path parameter's Python name
    resource: str
    class_name: str
    pk: str  # the Python name of its key column


@dataclass(frozen=True)
class AggregateModel:
    """``SELECT <functions> FROM <resource> WHERE <column> = <param> ...``."""

    resource: str
    class_name: str
    where: tuple[tuple[FieldModel, str], ...]  # (column, path parameter)
    fields: tuple[AggregateFieldModel, ...]
    parents: tuple[ParentModel, ...]


@dataclass(frozen=True)
class EndpointModel:
    name: str
    method: str
    path: str
    summary: str
    params: tuple[ParamModel, ...]
    response_class: str | None
    response_fields: tuple[ResponseFieldModel, ...]
    policy: PolicyModel | None
    background: bool  # answers 202 and runs the body later ...
    queued: bool  # ... on the task queue (in the worker) rather than in-process
    aggregate: AggregateModel | None = None  # computed by fastgen: no hook to write

    @property
    def status_code(self) -> int:
        return 202 if self.background else 200


@dataclass(frozen=True)
class ApiParamModel:
    """One argument of an OpenAPI route (a parameter or the request body)."""

    name: str
    annotation: str  # with its FastAPI marker: Annotated[int, Query(ge=1)]
    py_type: str  # the plain type the handler stub receives
    default: str | None  # a Python expression, or None when required
    location: str  # path, query, header, cookie or body


@dataclass(frozen=True)
class ApiOperationModel:
    """One OpenAPI operation, as a route and (unless a table serves it) a stub."""

    name: str
    method: str
    route: str
    router: str
    tag: str
    docstring: str  # a Python string literal
    decorator: tuple[str, ...]  # arguments of @router.<method>(...)
    params: tuple[ApiParamModel, ...]
    returns: str
    status: int
    stub_returns: str
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
    imports: tuple[tuple[str, str | None], ...]
    sample: str | None  # a literal [url, query, body] that passes validation
    refine_sample: str | None  # a sample request that reaches the list's refine
    requirement_header: str | None  # a literal dict of credentials for tests
    # create: required readOnly columns besides the id, which no request sends and
    # the response must carry: the resource's before_create hook fills them
    hook_fills: tuple[str, ...] = ()
    # property -> ORM attribute of the table's columns that are aliased
    row_attrs: dict[str, str] = field(default_factory=dict)

    @property
    def from_row(self) -> str:
        """How the route reads a response model from an ORM row: by attribute, which
        for an aliased column is the field's Python name; never by alias (the row's
        ``metadata`` is SQLAlchemy's, the column is ``metadata_``)."""
        if self.row_attrs:
            return "from_attributes=True, by_alias=False, by_name=True"
        return "from_attributes=True"

    @property
    def openapi_path(self) -> str:
        """The route as the app's OpenAPI document lists it (without convertors)."""
        return re.sub(r"\{([^{}:]+):[^{}]+\}", r"{\1}", self.route)

    @property
    def item_model(self) -> str:
        """The element type of a list response (``list[X]`` -> ``X``)."""
        return self.returns.removeprefix("list[").removesuffix("]")

    @property
    def refined_params(self) -> tuple[ApiParamModel, ...]:
        """The parameters passed on to the list's ``refine`` hook."""
        return tuple(p for p in self.params if p.name in self.refined)

    @property
    def required_params(self) -> tuple[ApiParamModel, ...]:
        return tuple(p for p in self.params if p.default is None)

    @property
    def optional_params(self) -> tuple[ApiParamModel, ...]:
        return tuple(p for p in self.params if p.default is not None)


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
    """A security scheme, as a FastAPI security dependency."""

    name: str
    var: str
    factory: str  # e.g. HTTPBearer(scheme_name="bearer", auto_error=False)
    annotation: str
    location: str  # where the credential travels: header, query or cookie
    parameter: str  # its name there (headers lower-case)


@dataclass(frozen=True)
class ApiRequirementModel:
    """A dependency that lets a request through when any alternative is satisfied."""

    function: str
    schemes: tuple[ApiSchemeModel, ...]
    condition: str  # e.g. "bearer is not None or api_key is not None"
    description: str


@dataclass(frozen=True)
class ApiTableModel:
    """The CRUD operations of one table-backed schema (for the generated tests)."""

    resource: str
    pk: str
    list: ApiOperationModel | None
    get: ApiOperationModel | None
    create: ApiOperationModel | None
    update: ApiOperationModel | None
    delete: ApiOperationModel | None


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
    """What an OpenAPI document adds: models, per-tag routers, security."""

    models_source: str
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
    version: str
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
    # The HTTP surface of an OpenAPI input (None for a native spec).
    api: ApiModel | None = None

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
        """The oldest pydantic: 2.11 brought ``serialize_by_alias`` and validation
        ``by_name`` (aliased columns)."""
        return "2.11" if any(r.aliased for r in self.resources) else "2.9"

    @property
    def fastapi_minimum(self) -> str:
        """The oldest FastAPI that serves this service's routes.

        Before 0.128 FastAPI dumped a returned model by alias and validated the dump
        again, which a schema whose aliases only name the JSON output (aliased
        columns) would refuse.
        """
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
    def crud_resources(self) -> tuple[ResourceModel, ...]:
        """Resources served by the native CRUD routers (an OpenAPI input has its own)."""
        return () if self.api is not None else self.resources

    def invalidates(self, write: str) -> tuple[tuple[str, bool], ...]:
        return self.invalidations.get(write, ())


def compile_service(spec: FastgenSpec) -> ServiceModel:
    """Build the service model of a validated spec (pure; same spec → equal model)."""
    cache = spec.cache
    names = resource_names(spec)
    pk_types = {
        name: _primary_key(name, r, names[name]) for name, r in spec.resources.items()
    }
    resources = tuple(
        _resource(name, r, cache, pk_types, names[name])
        for name, r in spec.resources.items()
    )
    endpoints = tuple(
        _endpoint(name, e, cache, pk_types, resources)
        for name, e in spec.endpoints.items()
    )
    return ServiceModel(
        package=spec.service.name,
        title=spec.service.title or spec.service.name,
        version=spec.service.version,
        description=spec.service.description,
        **runtime_settings(spec.database, cache, spec.service.name),
        resources=resources,
        endpoints=endpoints,
        invalidations=_invalidations(spec, resources, endpoints),
    )


def runtime_settings(
    database: DatabaseSpec, cache: CacheDefaults, package: str
) -> dict[str, Any]:
    """The database and cache fields of a ServiceModel: one place for both inputs."""
    return {
        "database_url": database_url(database, package),
        "pool_size": database.pool_size,
        "max_overflow": database.max_overflow,
        "pool_timeout": database.pool_timeout,
        "pool_recycle": database.pool_recycle,
        "statement_timeout": database.statement_timeout,
        "cache_backend": cache.backend,
        "redis_url": cache.redis_url or "",
        "max_entries": cache.max_entries,
        "max_bytes": cache.max_bytes,
    }


def database_url(database: DatabaseSpec, name: str) -> str:
    return database.url or f"sqlite+aiosqlite:///./{name}.db"


def _primary_key(
    rname: str, resource: ResourceSpec, names: ResourceNames
) -> FieldModel:
    for fname, spec in resource.fields.items():
        if spec.primary_key:
            return field_model(rname, fname, spec, {}, names)
    return field_model(rname, "id", FieldSpec(type="integer", primary_key=True), {})


def field_model(
    rname: str,
    fname: str,
    spec: FieldSpec,
    pk_types: dict[str, FieldModel],
    names: ResourceNames | None = None,
) -> FieldModel:
    ref_table = ref_column = enum_alias = None
    enum_values: tuple[str, ...] = ()
    if spec.type == "ref":
        target = pk_types[spec.to or ""]
        py_type, sa_type = target.py_type, target.sa_type
        ref_table, ref_column = spec.to, target.name
    elif spec.type == "enum":
        enum_values = tuple(spec.values or ())
        enum_alias = (
            names.enum_aliases[fname]
            if names
            else class_name(rname) + class_name(fname)
        )
        longest = max(len(v) for v in enum_values)
        py_type = enum_alias
        sa_type = f"String({longest})"
    else:
        py_type, sa_template = _TYPES[spec.type]
        sa_type = sa_template.format(length=spec.max_length or DEFAULT_STRING_LENGTH)
    return FieldModel(
        name=fname,
        type=spec.type,
        py_type=py_type,
        sa_type=sa_type,
        required=spec.required,
        default=_default_literal(spec),
        max_length=spec.max_length
        or (DEFAULT_STRING_LENGTH if spec.type == "string" else None),
        index=spec.index,
        unique=spec.unique,
        primary_key=spec.primary_key,
        ref_table=ref_table,
        ref_column=ref_column,
        enum_alias=enum_alias,
        enum_values=enum_values,
        default_value=spec.default,
        attr=names.attrs.get(fname, fname) if names else fname,
    )


def _default_literal(spec: FieldSpec) -> str | None:
    if spec.default is None:
        return None
    if spec.type == "decimal":
        return f"Decimal({pystr(str(spec.default))})"
    if spec.type == "float":
        return repr(float(spec.default))
    return pyliteral(spec.default)


def policy_model(
    name: str,
    path: str,
    spec: CachePolicySpec | None,
    defaults: CacheDefaults,
    id_param: str | None,
) -> PolicyModel | None:
    if spec is None or spec.strategy == "none":
        return None
    ttl = defaults.ttl if spec.ttl is None else spec.ttl
    if ttl == 0:
        return None
    swr = spec.strategy == "stale-while-revalidate"
    return PolicyModel(
        name=name,
        path=path,
        ttl=ttl,
        strategy=spec.strategy,
        stale_ttl=(spec.stale_ttl if spec.stale_ttl is not None else ttl) if swr else 0,
        backend=spec.backend or defaults.backend,
        scope=spec.scope,
        vary=tuple(sorted({h.lower() for h in spec.vary})),
        warm=spec.warm,
        id_param=id_param,
    )


def _resource(
    name: str,
    spec: ResourceSpec,
    defaults: CacheDefaults,
    pk_types: dict[str, FieldModel],
    names: ResourceNames,
) -> ResourceModel:
    pk = pk_types[name]
    fields = tuple(
        field_model(name, fname, fspec, pk_types, names)
        for fname, fspec in spec.fields.items()
        if not fspec.primary_key
    )
    id_param = python_name(f"{name}_id" if pk.name == "id" else pk.attr, ROUTER_NAMES)
    base = spec.path.rstrip("/")
    paths = {"list": base, "get": f"{base}/{{{id_param}}}"}
    policies = {}
    for op in ("list", "get"):
        policy = policy_model(
            f"{name}.{op}",
            paths[op],
            spec.cache.get(op),
            defaults,
            id_param if op == "get" else None,
        )
        if policy and op in spec.operations:
            policies[op] = policy
    ordered_ops = tuple(
        op
        for op in ("list", "export", "get", "create", "update", "delete")
        if op in spec.operations
    )
    return ResourceModel(
        name=name,
        class_name=names.class_name,
        table=name,
        path=base,
        id_param=id_param,
        pk=pk,
        fields=fields,
        operations=ordered_ops,
        policies=policies,
        enums=tuple(f for f in fields if f.enum_alias),
        module_name=names.module,
    )


def _endpoint(
    name: str,
    spec: EndpointSpec,
    defaults: CacheDefaults,
    pk_types: dict[str, FieldModel],
    resources: tuple[ResourceModel, ...],
) -> EndpointModel:
    aggregate = None
    # An aggregate's path parameter has the type of the column it is compared with.
    typed_by_column: dict[str, str] = {}
    if spec.aggregate is not None:
        source = next(r for r in resources if r.name == spec.aggregate.from_)
        aggregate = _aggregate(spec.aggregate, source, resources)
        typed_by_column = {
            param: _column(source, column).py_type
            for column, param in spec.aggregate.where.items()
        }
    params = []
    for pname in PATH_PARAM_RE.findall(spec.path):
        if pname in typed_by_column:
            py_type = typed_by_column[pname]
        elif pname in spec.params:
            py_type = _TYPES[spec.params[pname]][0]
        elif pname.endswith("_id") and pname[: -len("_id")] in pk_types:
            py_type = pk_types[pname[: -len("_id")]].py_type
        else:
            py_type = "str"
        params.append(ParamModel(pname, py_type, python_name(pname)))
    if aggregate is not None:
        typed = {f.name: f.py_type for f in aggregate.fields}
    else:
        typed = {f: _TYPES[ftype][0] for f, ftype in (spec.response or {}).items()}
    response_fields = tuple(
        ResponseFieldModel(
            fname,
            py_type,
            python_name(fname, CLASS_BODY_NAMES | (set(typed) - {fname})),
        )
        for fname, py_type in typed.items()
    )
    policy = policy_model(name, spec.path, spec.cache, defaults, None)
    return EndpointModel(
        name=name,
        method=spec.method,
        path=spec.path,
        summary=spec.summary,
        params=tuple(params),
        response_class=f"{class_name(name)}Response"
        if spec.response is not None or aggregate is not None
        else None,
        response_fields=response_fields,
        policy=policy,
        background=spec.background is not False,
        queued=spec.background == "queue",
        aggregate=aggregate,
    )


def _column(resource: ResourceModel, name: str) -> FieldModel:
    return next(f for f in (resource.pk, *resource.fields) if f.name == name)


def _aggregate(
    spec: AggregateSpec, source: ResourceModel, resources: tuple[ResourceModel, ...]
) -> AggregateModel:
    fields = []
    for fname, value in spec.fields.items():
        if isinstance(value, str):  # 'count': the matching rows
            fields.append(AggregateFieldModel(fname, "count", None, "int"))
            continue
        column = _column(source, value.column)
        fields.append(
            AggregateFieldModel(
                fname, value.function, column, aggregate_type(value.function, column)
            )
        )
    parents = []
    for column_name, param in spec.where.items():
        column = _column(source, column_name)
        if column.ref_table:
            parent = next(r for r in resources if r.name == column.ref_table)
            parents.append(
                ParentModel(
                    python_name(param), parent.name, parent.class_name, parent.pk.attr
                )
            )
    return AggregateModel(
        resource=source.name,
        class_name=source.class_name,
        where=tuple((_column(source, c), p) for c, p in spec.where.items()),
        fields=tuple(fields),
        parents=tuple(parents),
    )


def aggregate_type(function: str, column: FieldModel) -> str:
    """The response type of ``function`` over ``column``.

    count is an int and sum a number of the column's type, 0 without rows; avg is a
    Decimal over a decimal column (at the column's scale) and a float otherwise;
    min and max have the column's type. avg, min and max are null without rows.
    """
    if function == "count":
        return "int"
    if function == "sum":
        return column.py_type
    if function == "avg":
        return ("Decimal" if column.type == "decimal" else "float") + " | None"
    return ("str" if column.enum_alias else column.py_type) + " | None"


def _invalidations(
    spec: FastgenSpec,
    resources: tuple[ResourceModel, ...],
    endpoints: tuple[EndpointModel, ...],
) -> dict[str, tuple[tuple[str, bool], ...]]:
    """Which cached entries each write makes stale.

    Automatic: any write to a resource invalidates its list; update and delete also the
    ``get`` of that id. ``invalidated_by`` adds cross-resource edges.
    """
    table: dict[str, set[tuple[str, bool]]] = {}
    for resource in resources:
        for op in resource.writes:
            targets = table.setdefault(f"{resource.name}.{op}", set())
            if "list" in resource.policies:
                targets.add((resource.policies["list"].name, False))
            if op != "create" and "get" in resource.policies:
                targets.add((resource.policies["get"].name, True))
    for endpoint in endpoints:
        if endpoint.aggregate is None or endpoint.policy is None:
            continue
        source = next(r for r in resources if r.name == endpoint.aggregate.resource)
        writes = [f"{source.name}.{op}" for op in source.writes]
        # A deleted parent turns the answer into a 404.
        writes += [
            f"{parent.resource}.delete"
            for parent in endpoint.aggregate.parents
            if "delete" in spec.resources[parent.resource].operations
        ]
        for write in writes:
            table.setdefault(write, set()).add((endpoint.policy.name, False))
    specs = {
        **{
            f"{r}.{op}": p
            for r, rs in spec.resources.items()
            for op, p in rs.cache.items()
        },
        **{e: es.cache for e, es in spec.endpoints.items() if es.cache},
    }
    live = {p.name for r in resources for p in r.policies.values()} | {
        e.policy.name for e in endpoints if e.policy
    }
    for policy_name, policy_spec in specs.items():
        if policy_name not in live:
            continue
        for write in policy_spec.invalidated_by:
            table.setdefault(write, set()).add((policy_name, False))
    return {
        write: tuple(sorted(targets))
        for write, targets in sorted(table.items())
        if targets
    }
