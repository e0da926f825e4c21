"""The native routes of a generated project: imports and arguments of ``routers/``,
the user's endpoint hooks, the worker's jobs, and ``cache_config.py``'s invalidations."""

from __future__ import annotations

from fastgen.model.convertors import key_convertor
from fastgen.model.endpoints import EndpointModel, ParamModel
from fastgen.model.service import ResourceModel, ServiceModel
from fastgen.render.api_code import api_reads_json, if_match_source
from fastgen.render.listing import page_route_imports
from fastgen.render.literals import pystr
from fastgen.render.orm import exact_aggregate, ref_class
from fastgen.render.pyimports import LINE_LENGTH, Import, render_imports
from fastgen.render.pysource import type_imports
from fastgen.render.schemas import COLUMN_ALIASES, reads_decimals


def conditional_writes(resource: ResourceModel) -> bool:
    """Whether the resource's updates and deletes take If-Match: it has writes by
    key and a GET whose answers carry the ETags."""
    ops = set(resource.operations)
    return "get" in ops and bool(ops & {"update", "delete"})


def sends_etag(resource: ResourceModel) -> bool:
    """Whether the resource's GET answers its ETag itself: no cache policy does,
    and its writes take If-Match naming it."""
    return conditional_writes(resource) and "get" not in resource.policies


def conditional_resources(service: ServiceModel) -> bool:
    """Whether some write takes If-Match (``crud.check_if_match``): a native
    resource's, or an OpenAPI table's update or delete."""
    if service.api is not None:
        return any(if_match_source(op, service) for op in service.api_operations)
    return any(map(conditional_writes, service.resources))


def reads_json(resource: ResourceModel) -> bool:
    """Whether the resource's router reads JSON bodies (a create or an update)."""
    return bool({"create", "update"} & set(resource.operations))


def json_bodies(service: ServiceModel) -> bool:
    """Whether some route reads a JSON body (``crud.JsonBodyRoute``)."""
    return any(map(reads_json, service.crud_resources)) or any(
        api_reads_json(op) for op in service.api_operations
    )


def route_class(resource: ResourceModel) -> str | None:
    """The ``APIRoute`` class of the resource's router, if not FastAPI's."""
    if reads_decimals(resource):
        return "ExactNumbersRoute"
    return "JsonBodyRoute" if reads_json(resource) else None


def router_imports(resource: ResourceModel, service: ServiceModel) -> str:
    """Imports of ``routers/<resource>.py`` for the operations it serves."""
    pkg = service.package
    ops = set(resource.operations)
    schemas = f"{pkg}.schemas.{resource.module}"
    imports: list[Import] = [("fastapi", "APIRouter"), (f"{pkg}.crud", "errors")]
    if ops - {"list"}:  # a list reads its rows in listing.py
        imports.append((f"{pkg}.models", resource.class_name))
    # A delete answers no row; a list with expansions answers ``<Class>Item``s.
    if ops - {"delete", "list"} or ("list" in ops and not resource.expansions):
        imports.append((schemas, f"{resource.class_name}Read"))
    if ops & {"get", "update", "delete"}:  # routes that take the key
        imports += type_imports(resource.pk.py_type)
    if ops - {"export"}:
        imports.append((f"{pkg}.deps", "SessionDep"))
    if "export" in ops:  # a list builds its query in listing.py
        imports += [
            ("sqlalchemy", "select"),
            ("fastapi", "Request"),
            ("fastapi.responses", "StreamingResponse"),
            (f"{pkg}.export", "NDJSON"),
            (f"{pkg}.export", "ndjson_export"),
        ]
    if "list" in ops:
        imports += page_route_imports(resource, pkg)
    if key_convertor(resource.pk.py_type, resource.operations):
        imports.append((f"{pkg}.convertors", "register_convertors"))
    if ops & {"get", "update", "delete"}:
        imports.append((f"{pkg}.crud", "get_or_404"))
    if ops & {"create", "update", "delete"}:
        imports += [(f"{pkg}.crud", "commit_or_409"), (f"{pkg}.deps", "CacheDep")]
    if ops & {"create", "update"}:
        imports += [(f"{pkg}.crud", "column_values"), (f"{pkg}.crud", "reread")]
    if ops & {"create", "update", "delete"}:
        imports.append((f"{pkg}.hooks.resources.{resource.module}", "hooks"))
    if "create" in ops:
        imports.append((schemas, f"{resource.class_name}Create"))
    if "update" in ops:
        imports.append((schemas, f"{resource.class_name}Update"))
    if (kind := route_class(resource)) is not None:
        imports.append((f"{pkg}.crud", kind))
    if conditional_writes(resource):
        imports += [
            (f"{pkg}.crud", "IfMatch"),
            (f"{pkg}.crud", "check_if_match"),
            (f"{pkg}.crud", "lock_row"),
        ]
    if sends_etag(resource):
        imports += [("fastapi", "Response"), (f"{pkg}.crud", "answer_etag")]
    if ops & {"create", "update"} and resource.refs:
        imports.append((f"{pkg}.crud", "ensure_references"))
        imports += [(f"{pkg}.models", ref_class(f, service)) for f in resource.refs]
    return render_imports(imports, pkg)


def endpoint_router_imports(service: ServiceModel) -> str:
    """Imports of ``routers/endpoints.py``."""
    pkg = service.package
    imports: list[Import] = [("fastapi", "APIRouter")]
    for endpoint in service.endpoints:
        if any(p.attr != p.name for p in endpoint.params):
            imports += [("typing", "Annotated"), ("fastapi", "Path")]
        if endpoint.aggregate is not None:
            imports += aggregate_route_imports(endpoint, service)
            continue
        if not endpoint.queued:  # a queued body runs in the worker
            imports.append(
                (f"{pkg}.hooks.endpoints", f"{endpoint.name} as {endpoint.name}_hook")
            )
        imports += [imp for p in endpoint.params for imp in type_imports(p.py_type)]
        if endpoint.queued:
            imports += [
                ("fastapi", "Response"),
                (f"{pkg}.jobs", "JobQueueDep"),
                (f"{pkg}.jobs", "enqueue"),
                (f"{pkg}.schemas.jobs", "JobAccepted"),
            ]
        elif endpoint.background:
            imports += [
                ("fastapi", "BackgroundTasks"),
                (f"{pkg}.schemas.endpoints", "Accepted"),
            ]
        else:
            imports.append((f"{pkg}.deps", "SessionDep"))
        if endpoint.response_class:
            imports.append((f"{pkg}.schemas.endpoints", endpoint.response_class))
        if service.invalidates(endpoint.name):
            imports.append((f"{pkg}.deps", "CacheDep"))
    if any(endpoint_errors(e) for e in service.endpoints):
        imports.append((f"{pkg}.crud", "errors"))
    return render_imports(imports, pkg)


def endpoint_errors(endpoint: EndpointModel) -> tuple[int, ...]:
    """The error statuses an endpoint's route may answer, for its OpenAPI responses
    (as ``ROUTE_ERRORS`` for a table's): 404 an aggregate's parent row missing, 412
    a GET's failed If-Match, 501 a hook still unwritten, 503/504 the database (or a
    queued job's Redis) away or too slow. (422 FastAPI publishes itself.)"""
    statuses: set[int] = set()
    if endpoint.method == "GET":
        statuses.add(412)
    if endpoint.aggregate is not None:
        statuses |= {503, 504} | ({404} if endpoint.aggregate.parents else set())
    elif endpoint.queued:
        statuses.add(503)
    elif not endpoint.background:
        statuses |= {501, 503, 504}
    return tuple(sorted(statuses))


def endpoint_responses(endpoint: EndpointModel) -> str:
    """The route decorator's ``responses=`` argument (with its comma), or nothing:
    its errors, and a cached read's 304 (its If-None-Match answer)."""
    cached = (304,) if endpoint.policy is not None else ()
    statuses = (*cached, *endpoint_errors(endpoint))
    if not statuses:
        return ""
    return f", responses=errors({', '.join(map(str, statuses))})"


def aggregate_route_imports(
    endpoint: EndpointModel, service: ServiceModel
) -> list[Import]:
    aggregate = endpoint.aggregate
    assert aggregate is not None and endpoint.response_class
    pkg = service.package
    imports: list[Import] = [
        ("sqlalchemy", "select"),
        (f"{pkg}.crud", "errors"),
        (f"{pkg}.deps", "SessionDep"),
        (f"{pkg}.models", aggregate.class_name),
        (f"{pkg}.schemas.endpoints", endpoint.response_class),
    ]
    for column, _ in aggregate.where:
        if column.enum_alias:
            schemas = f"{pkg}.schemas.{aggregate.resource}"
            imports.append((schemas, column.enum_alias))
        elif column.py_type in COLUMN_ALIASES:
            imports.append((f"{pkg}.schemas.common", COLUMN_ALIASES[column.py_type]))
        else:
            imports += type_imports(column.py_type)
    if aggregate.parents:
        imports.append(("fastapi", "HTTPException"))
        imports += [(f"{pkg}.models", p.class_name) for p in aggregate.parents]
    for field in aggregate.fields:
        exact = exact_aggregate(field)
        if exact:
            imports.append((f"{pkg}.db", exact))
        if exact != "DecimalAvg":
            imports.append(("sqlalchemy", "func"))  # func.count(), func.coalesce()...
    return imports


def param_annotation(param: ParamModel) -> str:
    """A route argument's type; an aliased one names its path parameter."""
    if param.attr == param.name:
        return param.py_type
    return f"Annotated[{param.py_type}, Path(alias={pystr(param.name)})]"


def hook_imports(endpoint: EndpointModel, service: ServiceModel) -> str:
    """Imports of the user-owned ``hooks/endpoints/<name>.py``."""
    imports: list[Import] = [
        imp for p in endpoint.params for imp in type_imports(p.py_type)
    ]
    if endpoint.queued:
        imports += [
            ("logging", None),
            ("pydantic", "JsonValue"),
            (f"{service.package}.jobs", "JobContext"),
        ]
    elif endpoint.background:
        imports.append(("logging", None))
    else:
        imports.append(("sqlalchemy.ext.asyncio", "AsyncSession"))
    if endpoint.response_class:
        imports.append(
            (f"{service.package}.schemas.endpoints", endpoint.response_class)
        )
    return render_imports(imports, service.package)


# A path parameter travels to the worker as JSON; this turns it back into its type.
_FROM_JSON = {
    "Decimal": "Decimal({})",
    "dt.date": "dt.date.fromisoformat({})",
    "dt.datetime": "dt.datetime.fromisoformat({})",
    "uuid.UUID": "uuid.UUID({})",
}


def job_param_value(param: ParamModel) -> str:
    """The expression a worker job passes to its hook for one path parameter."""
    value = f"params[{pystr(param.name)}]"
    return _FROM_JSON.get(param.py_type, "{}").format(value)


def worker_imports(service: ServiceModel) -> str:
    """Imports of ``worker.py``: arq, metrics, the database and each job's hook."""
    pkg = service.package
    imports: list[Import] = [
        ("asyncio", None),
        ("logging", None),
        ("time", None),
        ("collections.abc", "AsyncIterator"),
        ("contextlib", "asynccontextmanager"),
        ("typing", "Any"),
        ("wsgiref.simple_server", "WSGIServer"),
        ("arq", "Retry"),
        ("arq", "Worker"),
        ("arq", "func"),
        ("arq.connections", "ArqRedis"),
        ("arq.connections", "RedisSettings"),
        ("prometheus_client", "CollectorRegistry"),
        ("prometheus_client", "Counter"),
        ("prometheus_client", "Gauge"),
        ("prometheus_client", "Histogram"),
        ("prometheus_client", "start_http_server"),
        ("pydantic", "JsonValue"),
        ("redis.asyncio", "RedisError"),
        (f"{pkg}.db", "create_engine"),
        (f"{pkg}.db", "create_session_factory"),
        (f"{pkg}.deps", "get_settings"),
        (f"{pkg}.hooks.settings", "Settings"),
        (f"{pkg}.jobs", "QUEUE_NAME"),
        (f"{pkg}.jobs", "JobContext"),
        (f"{pkg}.jobs", "deserialize"),
        (f"{pkg}.jobs", "serialize"),
        (f"{pkg}.observability", "configure_logging"),
    ]
    for endpoint in service.queued_endpoints:
        imports.append(
            (f"{pkg}.hooks.endpoints", f"{endpoint.name} as {endpoint.name}_hook")
        )
        imports += [imp for p in endpoint.params for imp in type_imports(p.py_type)]
    return render_imports(imports, pkg)


def routers_imports(service: ServiceModel) -> str:
    """Imports of ``routers/__init__.py``."""
    modules = [r.module for r in service.crud_resources]
    if service.endpoints:
        modules.append("endpoints")
    if service.queued_endpoints:
        modules.append("jobs")
    modules += [r.name for r in service.api_routers]
    imports: list[Import] = [("fastapi", "APIRouter")]
    imports += [(f"{service.package}.routers", m) for m in modules]
    return render_imports(imports, service.package)


def invalidations_literal(service: ServiceModel) -> str:
    """The ``INVALIDATIONS = {...}`` statement of ``cache_config.py``."""
    head = "INVALIDATIONS: dict[str, tuple[tuple[str, bool], ...]] = "
    if not service.invalidations:
        return head + "{}"
    lines = [head + "{"]
    for write, targets in service.invalidations.items():
        pairs = [f"({pystr(name)}, {by_id})" for name, by_id in targets]
        inline = f"    {pystr(write)}: ({pairs[0]},),"
        if len(pairs) == 1 and len(inline) <= LINE_LENGTH:
            lines.append(inline)
        else:
            lines.append(f"    {pystr(write)}: (")
            lines += [f"        {pair}," for pair in pairs]
            lines.append("    ),")
    lines.append("}")
    return "\n".join(lines)
