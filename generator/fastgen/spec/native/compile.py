"""Compile a validated native spec (fastgen.yaml) into the service model.

Everything a template needs — class names, types, cache policies, which write
invalidates which entry — is computed here as data, where it can be tested; how it is
written as Python is fastgen.render's business.
"""

from __future__ import annotations

import re
from typing import Any

from fastgen.model.deploy import DeployModel
from fastgen.model.endpoints import (
    AggregateFieldModel,
    AggregateModel,
    EndpointModel,
    ParamModel,
    ParentModel,
    ResponseFieldModel,
)
from fastgen.model.naming import CLASS_BODY_NAMES, ROUTER_NAMES, class_name, python_name
from fastgen.model.policy import PolicyModel
from fastgen.model.service import FieldModel, ResourceModel, ServiceModel
from fastgen.spec.native.limits import DEFAULT_STRING_LENGTH
from fastgen.spec.native.listing import listing
from fastgen.spec.native.model import (
    AggregateSpec,
    CacheDefaults,
    CachePolicySpec,
    DatabaseSpec,
    DeploySpec,
    EndpointSpec,
    FastgenSpec,
    FieldSpec,
    ResourceSpec,
)
from fastgen.spec.native.names import ResourceNames, resource_names

PATH_PARAM_RE = re.compile(r"\{([a-z][a-z0-9_]*)\}")

# spec type -> the name of its Python type (FieldModel.py_type)
_PY_TYPES: dict[str, str] = {
    "string": "str",
    "text": "str",
    "integer": "int",
    "float": "float",
    "decimal": "Decimal",
    "boolean": "bool",
    "date": "dt.date",
    "datetime": "dt.datetime",
    "uuid": "uuid.UUID",
    "json": "JsonValue",
}


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
        deploy=deploy_model(spec.deploy),
    )


def runtime_settings(
    database: DatabaseSpec, cache: CacheDefaults, package: str
) -> dict[str, Any]:
    """The database and cache fields of a ServiceModel: one place for both inputs."""
    return {
        "database_url": database_url(database, package),
        "database_read_url": database.read_url or "",
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


def deploy_model(deploy: DeploySpec) -> DeployModel:
    """The ``deploy:`` section (of fastgen.yaml or the root ``x-fastgen``)."""
    return DeployModel(
        replicas=deploy.replicas,
        cpu_millis=round(deploy.cpu * 1000),
        memory=deploy.memory,
        worker_replicas=deploy.worker_replicas,
        min_replicas=deploy.autoscaling.min_replicas or deploy.replicas,
        max_replicas=deploy.autoscaling.max_replicas,
        target_cpu_percent=deploy.autoscaling.target_cpu_percent,
    )


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
        py_type = target.py_type
        ref_table, ref_column = spec.to, target.name
    elif spec.type == "enum":
        enum_values = tuple(spec.values or ())
        enum_alias = (
            names.enum_aliases[fname]
            if names
            else class_name(rname) + class_name(fname)
        )
        py_type = enum_alias
    else:
        py_type = _PY_TYPES[spec.type]
    return FieldModel(
        name=fname,
        type=spec.type,
        py_type=py_type,
        required=spec.required,
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
        renamed_from=spec.renamed_from,
    )


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
    queries = listing(spec, pk, fields)
    fields = queries.fields
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
        filters=queries.filters,
        sorts=queries.sorts,
        expansions=queries.expansions,
        renamed_from=spec.renamed_from,
        extra_fields=spec.extra_fields,
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
            py_type = _PY_TYPES[spec.params[pname]]
        elif pname.endswith("_id") and pname[: -len("_id")] in pk_types:
            py_type = pk_types[pname[: -len("_id")]].py_type
        else:
            py_type = "str"
        params.append(ParamModel(pname, py_type, python_name(pname)))
    response_fields = _response_fields(spec, aggregate)
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


def _response_fields(
    spec: EndpointSpec, aggregate: AggregateModel | None
) -> tuple[ResponseFieldModel, ...]:
    """The response's fields: the spec's ``response``, or the aggregate's functions."""
    typed: dict[str, tuple[str | None, AggregateFieldModel | None]]
    if aggregate is not None:
        typed = {f.name: (None, f) for f in aggregate.fields}
    else:
        typed = {
            f: (_PY_TYPES[ftype], None) for f, ftype in (spec.response or {}).items()
        }
    return tuple(
        ResponseFieldModel(
            fname,
            py_type,
            python_name(fname, CLASS_BODY_NAMES | (set(typed) - {fname})),
            aggregate_field,
        )
        for fname, (py_type, aggregate_field) in typed.items()
    )


def _column(resource: ResourceModel, name: str) -> FieldModel:
    return next(f for f in (resource.pk, *resource.fields) if f.name == name)


def _aggregate(
    spec: AggregateSpec, source: ResourceModel, resources: tuple[ResourceModel, ...]
) -> AggregateModel:
    fields = []
    for fname, value in spec.fields.items():
        if isinstance(value, str):  # 'count': the matching rows
            fields.append(AggregateFieldModel(fname, "count", None))
            continue
        column = _column(source, value.column)
        fields.append(AggregateFieldModel(fname, value.function, column))
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


def _add_expanded(
    resources: tuple[ResourceModel, ...], table: dict[str, set[tuple[str, bool]]]
) -> None:
    """A list that embeds another resource's rows (``?expand=``) holds them: that
    resource's updates and deletes clear it too (a new row is in no page yet)."""
    by_name = {r.name: r for r in resources}
    for resource in resources:
        if "list" not in resource.policies:
            continue
        for expansion in resource.expansions:
            embedded = by_name[expansion.resource]
            for op in embedded.writes:
                if op != "create":
                    table.setdefault(f"{embedded.name}.{op}", set()).add(
                        (resource.policies["list"].name, False)
                    )


def _invalidations(
    spec: FastgenSpec,
    resources: tuple[ResourceModel, ...],
    endpoints: tuple[EndpointModel, ...],
) -> dict[str, tuple[tuple[str, bool], ...]]:
    """Which cached entries each write makes stale.

    Automatic: any write to a resource invalidates its list; update and delete also the
    ``get`` of that id, and the lists that embed its rows (``?expand=``).
    ``invalidated_by`` adds cross-resource edges.
    """
    table: dict[str, set[tuple[str, bool]]] = {}
    for resource in resources:
        for op in resource.writes:
            targets = table.setdefault(f"{resource.name}.{op}", set())
            if "list" in resource.policies:
                targets.add((resource.policies["list"].name, False))
            if op != "create" and "get" in resource.policies:
                targets.add((resource.policies["get"].name, True))
    _add_expanded(resources, table)
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
