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

from fastgen.releases.v0_1_0.spec.model import (
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


def class_name(name: str) -> str:
    """``book_review`` -> ``BookReview``."""
    return "".join(part.capitalize() for part in name.split("_") if part)


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

    @property
    def nullable(self) -> bool:
        return not self.required and self.default is None


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

    @property
    def module(self) -> str:
        return self.name

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
    name: str
    py_type: str


@dataclass(frozen=True)
class ResponseFieldModel:
    name: str
    py_type: str


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
    background: bool

    @property
    def status_code(self) -> int:
        return 202 if self.background else 200


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
    cache_backend: str
    redis_url: str
    max_entries: int
    max_bytes: int
    resources: tuple[ResourceModel, ...]
    endpoints: tuple[EndpointModel, ...]
    # write name ("author.update", "reindex") -> ((policy name, by id), ...)
    invalidations: dict[str, tuple[tuple[str, bool], ...]] = field(default_factory=dict)

    @property
    def policies(self) -> tuple[PolicyModel, ...]:
        found = [p for r in self.resources for p in r.policies.values()]
        found += [e.policy for e in self.endpoints if e.policy]
        return tuple(found)

    def invalidates(self, write: str) -> tuple[tuple[str, bool], ...]:
        return self.invalidations.get(write, ())


def compile_service(spec: FastgenSpec) -> ServiceModel:
    """Build the service model of a validated spec (pure; same spec → equal model)."""
    cache = spec.cache
    pk_types = {name: _primary_key(name, r) for name, r in spec.resources.items()}
    resources = tuple(
        _resource(name, r, cache, pk_types) for name, r in spec.resources.items()
    )
    endpoints = tuple(
        _endpoint(name, e, cache, pk_types) for name, e in spec.endpoints.items()
    )
    return ServiceModel(
        package=spec.service.name,
        title=spec.service.title or spec.service.name,
        version=spec.service.version,
        description=spec.service.description,
        database_url=_database_url(spec.database, spec.service.name),
        pool_size=spec.database.pool_size,
        max_overflow=spec.database.max_overflow,
        pool_timeout=spec.database.pool_timeout,
        pool_recycle=spec.database.pool_recycle,
        cache_backend=cache.backend,
        redis_url=cache.redis_url,
        max_entries=cache.max_entries,
        max_bytes=cache.max_bytes,
        resources=resources,
        endpoints=endpoints,
        invalidations=_invalidations(spec, resources, endpoints),
    )


def _database_url(database: DatabaseSpec, name: str) -> str:
    return database.url or f"sqlite+aiosqlite:///./{name}.db"


def _primary_key(rname: str, resource: ResourceSpec) -> FieldModel:
    for fname, spec in resource.fields.items():
        if spec.primary_key:
            return _field(rname, fname, spec, {})
    return _field(rname, "id", FieldSpec(type="integer", primary_key=True), {})


def _field(
    rname: str, fname: str, spec: FieldSpec, pk_types: dict[str, FieldModel]
) -> FieldModel:
    ref_table = ref_column = enum_alias = None
    enum_values: tuple[str, ...] = ()
    if spec.type == "ref":
        target = pk_types[spec.to or ""]
        py_type, sa_type = target.py_type, target.sa_type
        ref_table, ref_column = spec.to, target.name
    elif spec.type == "enum":
        enum_values = tuple(spec.values or ())
        enum_alias = class_name(rname) + class_name(fname)
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
    )


def _default_literal(spec: FieldSpec) -> str | None:
    if spec.default is None:
        return None
    if spec.type == "decimal":
        return f"Decimal({pystr(str(spec.default))})"
    if spec.type == "float":
        return repr(float(spec.default))
    return pyliteral(spec.default)


def _policy(
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
) -> ResourceModel:
    pk = pk_types[name]
    fields = tuple(
        _field(name, fname, fspec, pk_types)
        for fname, fspec in spec.fields.items()
        if not fspec.primary_key
    )
    id_param = f"{name}_id" if pk.name == "id" else pk.name
    base = spec.path.rstrip("/")
    paths = {"list": base, "get": f"{base}/{{{id_param}}}"}
    policies = {}
    for op in ("list", "get"):
        policy = _policy(
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
        for op in ("list", "get", "create", "update", "delete")
        if op in spec.operations
    )
    return ResourceModel(
        name=name,
        class_name=class_name(name),
        table=name,
        path=base,
        id_param=id_param,
        pk=pk,
        fields=fields,
        operations=ordered_ops,
        policies=policies,
        enums=tuple(f for f in fields if f.enum_alias),
    )


def _endpoint(
    name: str,
    spec: EndpointSpec,
    defaults: CacheDefaults,
    pk_types: dict[str, FieldModel],
) -> EndpointModel:
    params = []
    for pname in PATH_PARAM_RE.findall(spec.path):
        if pname in spec.params:
            py_type = _TYPES[spec.params[pname]][0]
        elif pname.endswith("_id") and pname[: -len("_id")] in pk_types:
            py_type = pk_types[pname[: -len("_id")]].py_type
        else:
            py_type = "str"
        params.append(ParamModel(pname, py_type))
    response_fields = tuple(
        ResponseFieldModel(fname, _TYPES[ftype][0])
        for fname, ftype in (spec.response or {}).items()
    )
    policy = _policy(name, spec.path, spec.cache, defaults, None)
    return EndpointModel(
        name=name,
        method=spec.method,
        path=spec.path,
        summary=spec.summary,
        params=tuple(params),
        response_class=f"{class_name(name)}Response"
        if spec.response is not None
        else None,
        response_fields=response_fields,
        policy=policy,
        background=spec.background,
    )


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
