"""Python source lines whose shape depends on the spec, formatted as ruff would.

Templates call these for the lines that vary (columns, schema fields, literal tuples);
the wrapping rule is ruff's: keep on one line if it fits, else put the arguments on one
indented line, else one per line with a trailing comma.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from fastgen.model.naming import python_name
from fastgen.model.service import (
    AggregateFieldModel,
    ApiOperationModel,
    ApiRouterModel,
    EndpointModel,
    FieldModel,
    ParamModel,
    ResourceModel,
    ServiceModel,
)
from fastgen.render.api_code import (
    api_operation_imports,
    api_scheme_class,
    api_scheme_credentials,
    api_type,
)
from fastgen.render.literals import pystr
from fastgen.render.pyimports import LINE_LENGTH, Import, render_imports


def wrap(
    head: str,
    args: Sequence[str],
    indent: int = 0,
    brackets: str = "()",
    collection: bool = False,
) -> str:
    """``head(args...)`` as ruff formats it at ``indent`` spaces.

    A call that does not fit first gets its arguments on one indented line; a
    collection literal (``collection=True``) goes straight to one item per line.
    """
    open_, close = brackets
    pad = " " * indent
    one_line = f"{pad}{head}{open_}{', '.join(args)}{close}"
    if len(one_line) <= LINE_LENGTH or not args:
        return one_line
    inner = " " * (indent + 4)
    joined = f"{inner}{', '.join(args)}"
    if not collection and len(joined) <= LINE_LENGTH and "\n" not in joined:
        return f"{pad}{head}{open_}\n{joined}\n{pad}{close}"
    body = "".join(f"{inner}{a},\n" for a in args)
    return f"{pad}{head}{open_}\n{body}{pad}{close}"


def _py_import(py_type: str) -> list[Import]:
    if py_type.startswith("dt."):
        return [("datetime as dt", None)]
    if py_type == "Decimal":
        return [("decimal", "Decimal")]
    if py_type.startswith("uuid."):
        return [("uuid", None)]
    if py_type == "JsonValue":
        return [("pydantic", "JsonValue")]
    return []


# --- ORM -------------------------------------------------------------------------


def _orm_py_type(field: FieldModel) -> str:
    if field.enum_alias:
        return "str"
    if field.py_type == "JsonValue":
        return "Any"
    return field.py_type


def _orm_sa_type(field: FieldModel) -> str:
    """The column type in the model; migrations keep ``field.sa_type``, its DDL."""
    return "UTCTimestamp()" if field.type == "datetime" else field.sa_type


def orm_column(field: FieldModel) -> str:
    """The ``name: Mapped[...] = mapped_column(...)`` line of one field (indented 4)."""
    py_type = _orm_py_type(field)
    if field.nullable:
        py_type += " | None"
    args: list[str] = []
    if field.ref_table:
        args.append(f"ForeignKey({pystr(f'{field.ref_table}.{field.ref_column}')})")
    elif not (field.primary_key and field.type == "integer"):
        args.append(_orm_sa_type(field))
    if field.primary_key:
        args.append("primary_key=True")
    if field.index and not field.unique:
        args.append("index=True")
    if field.unique and not field.primary_key:
        args.append("unique=True")
    if field.default is not None:
        args.append(f"default={field.default}")
    if field.aliased:  # the column keeps its name; the attribute is an alias
        args.insert(0, pystr(field.name))
    return wrap(f"{field.attr}: Mapped[{py_type}] = mapped_column", args, indent=4)


def orm_imports(resource: ResourceModel, package: str) -> str:
    imports: list[Import] = [
        ("sqlalchemy.orm", "Mapped"),
        ("sqlalchemy.orm", "mapped_column"),
        (f"{package}.db", "Base"),
    ]
    for field in (resource.pk, *resource.fields):
        if field.ref_table:
            imports.append(("sqlalchemy", "ForeignKey"))
        elif field.type == "datetime":
            imports.append((f"{package}.db", "UTCTimestamp"))
        elif not (field.primary_key and field.type == "integer"):
            imports.append(("sqlalchemy", field.sa_type.split("(")[0]))
        py_type = _orm_py_type(field)
        imports += [("typing", "Any")] if py_type == "Any" else _py_import(py_type)
        if field.default and field.default.startswith("Decimal("):
            imports.append(("decimal", "Decimal"))
    return render_imports(imports, package)


# --- pydantic schemas -------------------------------------------------------------


# Column types whose range is narrower than the Python type: the API type says so
# (schemas/common.py), so an out-of-range value is a 422, not a database error.
_COLUMN_ALIASES = {"int": "IntColumn", "Decimal": "DecimalColumn"}


def _schema_type(field: FieldModel, mode: str) -> str:
    if field.max_length and field.type == "string":
        return f"Annotated[str, Field(max_length={field.max_length})]"
    if field.type == "datetime":
        return "UTCDateTime"
    if mode == "read":  # what the column holds already fits it
        return field.py_type
    return _COLUMN_ALIASES.get(field.py_type, field.py_type)


def _sent_fields(resource: ResourceModel) -> tuple[FieldModel, ...]:
    """The fields a client sends; a natural (non-``id``) key is one of them."""
    natural_key = (resource.pk,) if resource.pk.name != "id" else ()
    return natural_key + resource.fields


def _aliases(resource: ResourceModel) -> set[str]:
    return {
        _COLUMN_ALIASES[field.py_type]
        for field in _sent_fields(resource)
        if field.py_type in _COLUMN_ALIASES
    }


def column_aliases(service: ServiceModel) -> tuple[str, ...]:
    """The aliases of ``_COLUMN_ALIASES`` some request schema uses, sorted."""
    return tuple(sorted(set().union(*(_aliases(r) for r in service.resources))))


def schema_field(field: FieldModel, mode: str) -> str:
    """One field line of the Create / Update / Read schema (indented 4).

    An aliased field is read from its wire name in a request body and written under
    it in a response; the stored row is read by its attribute (``from_attributes``).
    """
    annotation = _schema_type(field, mode)
    head = f"    {field.attr}: {annotation}"
    default: str | None = None
    if mode == "update":
        head, default = head + " | None", "None"
    elif mode == "read":
        if field.nullable:
            head += " | None"
    elif field.default is not None:
        default = field.default
    elif not field.required:
        head, default = head + " | None", "None"
    if not field.aliased:
        if default is None:
            return head
        if default == "None":
            return f"{head} = None"
        return _assign(f"{head} = ", default)
    alias = "serialization_alias" if mode == "read" else "alias"
    args = [] if default is None else [default]
    field_args = [*args, f"{alias}={pystr(field.name)}"]
    return wrap(f"{head.strip()} = Field", field_args, indent=4)


def _assign(head: str, value: str) -> str:
    line = head + value
    if len(line) <= LINE_LENGTH:
        return line
    indent = len(head) - len(head.lstrip())
    inner = " " * (indent + 4) + value
    if len(inner) <= LINE_LENGTH and "\n" not in value:
        return f"{head}(\n{inner}\n{' ' * indent})"
    return line


def enum_alias(field: FieldModel) -> str:
    """``BookGenre = Literal["a", "b"]`` for an enum field."""
    return wrap(
        f"{field.enum_alias} = Literal",
        [pystr(v) for v in field.enum_values],
        brackets="[]",
    )


def schema_imports(resource: ResourceModel, package: str) -> str:
    imports: list[Import] = [("pydantic", "BaseModel"), ("pydantic", "ConfigDict")]
    fields = (resource.pk, *resource.fields)
    if any(f.max_length and f.type == "string" for f in fields):
        imports += [("typing", "Annotated"), ("pydantic", "Field")]
    if resource.aliased:
        imports.append(("pydantic", "Field"))
    if resource.enums:
        imports.append(("typing", "Literal"))
    if any(f.required and not f.primary_key for f in resource.fields):
        imports += [
            ("typing", "Self"),
            ("pydantic", "model_validator"),
            (f"{package}.schemas.common", "reject_nulls"),
        ]
    imports += [(f"{package}.schemas.common", alias) for alias in _aliases(resource)]
    for field in fields:
        if field.type == "datetime":
            imports.append((f"{package}.schemas.common", "UTCDateTime"))
        else:
            imports += _py_import(field.py_type)
        if field.default and field.default.startswith("Decimal("):
            imports.append(("decimal", "Decimal"))
    return render_imports(imports, package)


def tuple_assign(name: str, items: Sequence[str]) -> str:
    """``NAME = ("a", "b")`` at module level, a one-item tuple keeping its comma."""
    if len(items) == 1:
        return f"{name} = ({items[0]},)"
    return wrap(f"{name} = ", list(items), collection=True)


def endpoint_imports(service: ServiceModel) -> str:
    """Imports of ``schemas/endpoints.py``."""
    imports: list[Import] = [("pydantic", "BaseModel")]
    for endpoint in service.endpoints:
        for field in endpoint.response_fields:
            imports += _py_import(field.py_type.removesuffix(" | None"))
            if field.attr != field.name:
                imports.append(("pydantic", "Field"))
    return render_imports(imports, service.package)


def router_imports(resource: ResourceModel, service: ServiceModel) -> str:
    """Imports of ``routers/<resource>.py`` for the operations it serves."""
    pkg = service.package
    ops = set(resource.operations)
    schemas = f"{pkg}.schemas.{resource.module}"
    imports: list[Import] = [
        ("fastapi", "APIRouter"),
        (f"{pkg}.models", resource.class_name),
        (schemas, f"{resource.class_name}Read"),
    ]
    if ops & {"get", "update", "delete"}:  # routes that take the key
        imports += _py_import(resource.pk.py_type)
    if ops - {"export"}:
        imports.append((f"{pkg}.deps", "SessionDep"))
    if ops & {"list", "export"}:
        imports.append(("sqlalchemy", "select"))
    if "export" in ops:
        imports += [
            ("fastapi", "Request"),
            ("fastapi.responses", "StreamingResponse"),
            (f"{pkg}.export", "NDJSON"),
            (f"{pkg}.export", "ndjson_export"),
        ]
    if "list" in ops:
        imports += [
            (f"{pkg}.deps", "Limit"),
            (f"{pkg}.deps", "Offset"),
            (f"{pkg}.schemas.common", "Page"),
        ]
    if ops & {"get", "update", "delete"}:
        imports.append((f"{pkg}.crud", "get_or_404"))
    if ops & {"create", "update", "delete"}:
        imports += [(f"{pkg}.crud", "commit_or_409"), (f"{pkg}.deps", "CacheDep")]
    if "delete" in ops:
        imports.append(("fastapi", "Response"))
    if ops & {"create", "update", "delete"}:
        imports.append((f"{pkg}.hooks.resources.{resource.module}", "hooks"))
    if "create" in ops:
        imports.append((schemas, f"{resource.class_name}Create"))
    if "update" in ops:
        imports.append((schemas, f"{resource.class_name}Update"))
    if ops & {"create", "update"} and resource.refs:
        imports.append((f"{pkg}.crud", "ensure_references"))
        imports += [(f"{pkg}.models", ref_class(f, service)) for f in resource.refs]
    return render_imports(imports, pkg)


def ref_class(field: FieldModel, service: ServiceModel) -> str:
    """The ORM class a ref field points to."""
    return next(r.class_name for r in service.resources if r.name == field.ref_table)


def pytuple(items: Sequence[str]) -> str:
    """A tuple literal of strings as ruff formats it inline: ``()``, ``("a",)``, ``("a", "b")``."""
    literals = [pystr(item) for item in items]
    if len(literals) == 1:
        return f"({literals[0]},)"
    return "(" + ", ".join(literals) + ")"


def endpoint_router_imports(service: ServiceModel) -> str:
    """Imports of ``routers/endpoints.py``."""
    pkg = service.package
    imports: list[Import] = [("fastapi", "APIRouter")]
    for endpoint in service.endpoints:
        if any(p.attr != p.name for p in endpoint.params):
            imports += [("typing", "Annotated"), ("fastapi", "Path")]
        if endpoint.aggregate is not None:
            imports += _aggregate_imports(endpoint, service)
            continue
        if not endpoint.queued:  # a queued body runs in the worker
            imports.append(
                (f"{pkg}.hooks.endpoints", f"{endpoint.name} as {endpoint.name}_hook")
            )
        imports += [imp for p in endpoint.params for imp in _py_import(p.py_type)]
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
    return render_imports(imports, pkg)


def _aggregate_imports(endpoint: EndpointModel, service: ServiceModel) -> list[Import]:
    aggregate = endpoint.aggregate
    assert aggregate is not None and endpoint.response_class
    pkg = service.package
    imports: list[Import] = [
        ("sqlalchemy", "func"),
        ("sqlalchemy", "select"),
        (f"{pkg}.deps", "SessionDep"),
        (f"{pkg}.models", aggregate.class_name),
        (f"{pkg}.schemas.endpoints", endpoint.response_class),
    ]
    for column, _ in aggregate.where:
        if column.enum_alias:
            schemas = f"{pkg}.schemas.{aggregate.resource}"
            imports.append((schemas, column.enum_alias))
        elif column.py_type in _COLUMN_ALIASES:
            imports.append((f"{pkg}.schemas.common", _COLUMN_ALIASES[column.py_type]))
        else:
            imports += _py_import(column.py_type)
    if aggregate.parents:
        imports.append(("fastapi", "HTTPException"))
        imports += [(f"{pkg}.models", p.class_name) for p in aggregate.parents]
    for field in aggregate.fields:
        if field.function == "avg" and field.column and field.column.type == "decimal":
            imports += [("sqlalchemy", "cast"), ("sqlalchemy", "Numeric")]
    return imports


def aggregate_param_type(param: ParamModel) -> str:
    """The annotation of an aggregate's path parameter: its column's API type.

    An integer a column cannot hold is a 422, as in a request body; asking the
    database would be an error.
    """
    column_type = _COLUMN_ALIASES.get(param.py_type, param.py_type)
    return param_annotation(replace(param, py_type=column_type))


def param_annotation(param: ParamModel) -> str:
    """A route argument's type; an aliased one names its path parameter."""
    if param.attr == param.name:
        return param.py_type
    return f"Annotated[{param.py_type}, Path(alias={pystr(param.name)})]"


def aggregate_query(endpoint: EndpointModel) -> str:
    """The ``query = select(...)`` statement of an aggregate route (indented 4)."""
    aggregate = endpoint.aggregate
    assert aggregate is not None
    table = aggregate.class_name
    columns = []
    for field in aggregate.fields:
        column = f"{table}.{field.column.attr}" if field.column else ""
        expression = f"func.{field.function}({column})"
        if field.function == "sum":
            expression = f"func.coalesce({expression}, 0)"
        elif (
            field.function == "avg" and field.column and field.column.type == "decimal"
        ):
            expression = f"cast({expression}, {field.column.sa_type})"
        columns.append(expression)
    for parent in aggregate.parents:
        key = f"{parent.class_name}.{parent.pk}"
        columns.append(f"select({key}).where({key} == {parent.param}).exists()")
    conditions = [
        f"{table}.{c.attr} == {python_name(param)}" for c, param in aggregate.where
    ]
    body = "".join(f"        {c},\n" for c in columns)
    # Without a condition naming the table, count() alone would select from no
    # table at all (and count one row).
    where = (
        f".where({', '.join(conditions)})" if conditions else f".select_from({table})"
    )
    return f"    query = select(\n{body}    ){where}"


def aggregate_names(endpoint: EndpointModel) -> list[str]:
    """The names a row of ``aggregate_query`` unpacks into, in column order."""
    aggregate = endpoint.aggregate
    assert aggregate is not None
    return [f.attr for f in endpoint.response_fields] + [
        f"{p.resource}_found" for p in aggregate.parents
    ]


def aggregate_expected(field: AggregateFieldModel) -> str:
    """What a generated test expects of ``field`` over the created JSON ``rows``.

    The test compares with ``same``: decimals at any scale, datetimes as instants.
    """
    if field.column is None:
        return "len(rows)"
    values = f"present(rows, {pystr(field.column.name)})"
    decimal = field.column.type == "decimal"
    if field.function == "count":
        return f"len({values})"
    if field.function == "sum":
        return f"str(sum(map(Decimal, {values})))" if decimal else f"sum({values})"
    if field.function == "avg":
        return f"decimal_mean({values})" if decimal else f"float_mean({values})"
    key = ", key=Decimal" if decimal else ""
    return f"{field.function}({values}{key}, default=None)"


def aggregate_extras(endpoint: EndpointModel) -> tuple[FieldModel, ...]:
    """Optional columns an aggregate reads or filters on, which the payload omits."""
    aggregate = endpoint.aggregate
    assert aggregate is not None
    columns = [f.column for f in aggregate.fields if f.column is not None]
    columns += [column for column, _ in aggregate.where]
    found: dict[str, FieldModel] = {}
    for column in columns:
        if not column.required and not column.ref_table and not column.primary_key:
            found.setdefault(column.name, column)
    return tuple(found.values())


def aggregate_url(endpoint: EndpointModel, missing: str | None = None) -> str:
    """An f-string of the endpoint's URL in a generated test.

    Each parameter is the test's ``where`` value of its column; ``missing`` (a
    parameter naming a parent row) is a key no row has.
    """
    aggregate = endpoint.aggregate
    assert aggregate is not None
    path = endpoint.path
    for column, param in aggregate.where:
        if param == missing:
            path = path.replace(f"{{{param}}}", missing_ref(column))
        else:
            path = path.replace(f"{{{param}}}", f"{{where[{column.name!r}]}}")
    return ("f" if "{" in path else "") + pystr(path)


def missing_ref(column: FieldModel) -> str:
    """A key the resource a ref column names has no row for (as written in a URL)."""
    return {"int": "999999", "uuid.UUID": "00000000-0000-4000-8000-999999999999"}.get(
        column.py_type, "no-such-key"
    )


def aggregate_means(service: ServiceModel) -> set[str]:
    """The mean helpers (``decimal_mean``, ``float_mean``) the aggregate tests call."""
    return {
        name
        for endpoint in service.aggregate_endpoints
        for field in endpoint.aggregate.fields  # type: ignore[union-attr]
        for name in ("decimal_mean", "float_mean")
        if name in aggregate_expected(field)
    }


def aggregate_test_imports(service: ServiceModel) -> str:
    """Imports of the generated ``tests/test_aggregates.py``."""
    imports: list[Import] = [
        ("typing", "Any"),
        ("httpx", None),
        ("pytest", None),
        ("fastapi", "FastAPI"),
        ("conftest", "same"),
    ]
    for endpoint in service.aggregate_endpoints:
        aggregate = endpoint.aggregate
        assert aggregate is not None
        resource = next(r for r in service.resources if r.name == aggregate.resource)
        imports.append(("conftest", f"{resource.name}_payload"))
        imports += [("conftest", f"make_{p.resource}") for p in aggregate.parents]
        imports += [
            ("conftest", f"make_{f.ref_table}") for f in resource.refs if f.required
        ]
        if aggregate.where and len(aggregate.parents) == len(aggregate.where):
            imports.append(("conftest", f"make_{resource.name}"))  # rows not counted
        if any("dt." in sample_expr(f) for f in aggregate_extras(endpoint)):
            imports.append(("datetime as dt", None))
        for field in aggregate.fields:
            expected = aggregate_expected(field)
            if "Decimal" in expected or "decimal_mean" in expected:
                imports.append(("decimal", "Decimal"))
            if "float_mean" in expected:
                imports.append(("statistics", "fmean"))
    return render_imports(imports, service.package)


def hook_imports(endpoint: EndpointModel, service: ServiceModel) -> str:
    """Imports of the user-owned ``hooks/endpoints/<name>.py``."""
    imports: list[Import] = [
        imp for p in endpoint.params for imp in _py_import(p.py_type)
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
    ]
    for endpoint in service.queued_endpoints:
        imports.append(
            (f"{pkg}.hooks.endpoints", f"{endpoint.name} as {endpoint.name}_hook")
        )
        imports += [imp for p in endpoint.params for imp in _py_import(p.py_type)]
    return render_imports(imports, pkg)


def sample_expr(field: FieldModel) -> str:
    """A Python expression of a valid JSON value for ``field`` in generated tests.

    It uses the variable ``n`` so that rows made with different ``n`` differ (unique
    columns). Refs are not handled here: tests pass the id of a row they made first.
    """
    kind = field.type
    if kind == "string":
        limit = field.max_length or 255
        if limit >= len(field.name) + 15:  # room for non-ASCII: 4-byte UTF-8 too
            return f'f"{field.name}-{{n}}-é🚀"'
        text = f'f"{field.name}-{{n}}"'
        return text if limit >= len(field.name) + 12 else f"{text}[-{limit}:]"
    if kind == "enum":
        values = pytuple(field.enum_values)
        return f"{values}[n % {len(field.enum_values)}]"
    return {
        "text": f'f"{field.name} text {{n}} é🚀"',
        "integer": "n",
        "float": "n + 0.5",
        "decimal": 'f"{n}.25"',
        "boolean": "n % 2 == 1",
        # a valid, distinct day for every n (an export test makes thousands of rows)
        "date": "str(dt.date(2024, 1, 1) + dt.timedelta(days=n))",
        "datetime": 'f"{dt.date(2024, 1, 1) + dt.timedelta(days=n)}T12:30:00+02:00"',
        "uuid": 'f"00000000-0000-4000-8000-{n:012d}"',
        "json": '{"n": n}',
    }[kind]


def missing_key(resource: ResourceModel) -> str:
    """A primary-key literal that names no row (used for 404 tests)."""
    return {"integer": "999999", "uuid": '"00000000-0000-4000-8000-999999999999"'}.get(
        resource.pk.type, '"no-such-key"'
    )


def missing_url(resource: ResourceModel) -> str:
    """The URL literal of an item route whose key names no row (404 tests)."""
    if resource.pk.type == "integer":
        return f'f"{resource.path}/{{{missing_key(resource)}}}"'
    key = missing_key(resource).strip('"')
    return pystr(f"{resource.path}/{key}")


def conftest_imports(service: ServiceModel) -> str:
    """Imports of the generated ``tests/conftest.py``."""
    pkg = service.package
    imports: list[Import] = [
        ("datetime as dt", None),
        ("os", None),
        ("collections.abc", "AsyncIterator"),
        ("decimal", "Decimal"),
        ("decimal", "InvalidOperation"),
        ("pathlib", "Path"),
        ("typing", "Any"),
        ("httpx", None),
        ("pytest", None),
        ("fastapi", "FastAPI"),
        ("pydantic", "BaseModel"),
        (f"{pkg}.db", "Base"),
        (f"{pkg}.main", "create_app"),
        (f"{pkg}.hooks.settings", "Settings"),
    ]
    if service.queued_endpoints:
        imports += [
            ("shutil", None),
            ("collections.abc", "Awaitable"),
            ("collections.abc", "Callable"),
            ("collections.abc", "Iterator"),
            (f"{pkg}.worker", "create_worker"),
            ("test_cache_redis", "RedisServer"),
        ]
    if service.uncached_paths:
        imports += [("asyncio", None), ("tracemalloc", None)]
    for resource in service.crud_resources:
        schemas = f"{pkg}.schemas.{resource.module}"
        imports += [
            (f"{pkg}.models", resource.class_name),
            (schemas, f"{resource.class_name}Create"),
            (schemas, f"{resource.class_name}Read"),
        ]
    return render_imports(imports, pkg)


def pk_of(resource_name: str, service: ServiceModel) -> str:
    """The primary-key column name of a resource."""
    return next(r.pk.name for r in service.resources if r.name == resource_name)


def test_imports(resource: ResourceModel, service: ServiceModel) -> str:
    """Imports of the generated ``tests/test_<resource>.py``."""
    ops = set(resource.operations)
    helpers = {f"make_{resource.name}", f"{resource.name}_payload"}
    helpers |= {f"make_{f.ref_table}" for f in resource.refs if f.required}
    if ops & {"create", "update"}:
        helpers.add("assert_stored")
    if any(p.backend == "redis" for p in resource.policies.values()):
        helpers.add("REDIS_CONFIGURED")
    imports: list[Import] = [("httpx", None), ("pytest", None), ("fastapi", "FastAPI")]
    if "export" in ops:
        helpers |= {"add_rows", "export_peak"}
        imports += [
            ("json", None),
            (f"{service.package}.export", "BATCH_SIZE"),
            (f"{service.package}.export", "NDJSON"),
            (f"{service.package}.models", resource.class_name),
            (
                f"{service.package}.schemas.{resource.module}",
                f"{resource.class_name}Create",
            ),
        ]
    imports += [("conftest", name) for name in helpers]
    return render_imports(imports, service.package)


def database_test_imports(service: ServiceModel) -> str:
    """Imports of the generated ``tests/test_database.py``."""
    pkg = service.package
    imports: list[Import] = [
        ("pathlib", "Path"),
        ("httpx", None),
        ("pytest", None),
        ("sqlalchemy", "make_url"),
        ("sqlalchemy", "text"),
        (f"{pkg}.deps", "SessionDep"),
        (f"{pkg}.main", "create_app"),
        ("conftest", "settings_for"),
    ]
    if service.uses_datetime:
        imports += [
            ("datetime as dt", None),
            ("fastapi", "FastAPI"),
            ("sqlalchemy", "Column"),
            ("sqlalchemy", "MetaData"),
            ("sqlalchemy", "Table"),
            ("sqlalchemy", "select"),
            (f"{pkg}.db", "UTCTimestamp"),
        ]
    return render_imports(imports, pkg)


def health_test_imports(service: ServiceModel) -> str:
    """Imports of the generated ``tests/test_health.py``."""
    pkg = service.package
    imports: list[Import] = [
        ("gc", None),
        ("signal", None),
        ("collections.abc", "AsyncIterator"),
        ("collections.abc", "Iterator"),
        ("pathlib", "Path"),
        ("anyio", None),
        ("httpx", None),
        ("pytest", None),
        ("fastapi", "FastAPI"),
        ("sqlalchemy.exc", "DBAPIError"),
        (f"{pkg}.health", "Drain"),
        (f"{pkg}.hooks.settings", "Settings"),
        (f"{pkg}.main", "GC_YOUNG_THRESHOLD"),
        (f"{pkg}.main", "create_app"),
        ("conftest", "settings_for"),
    ]
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


def models_init_imports(service: ServiceModel) -> str:
    """Imports of ``models/__init__.py``: ``Base`` and every model class."""
    pkg = service.package
    imports: list[Import] = [(f"{pkg}.db", "Base")]
    imports += [(f"{pkg}.models.{r.module}", r.class_name) for r in service.resources]
    return render_imports(imports, pkg)


def tables_in_creation_order(service: ServiceModel) -> list[ResourceModel]:
    """Resources ordered so every table comes after the tables it refers to."""
    by_name = {r.name: r for r in service.resources}
    ordered: list[ResourceModel] = []
    visiting: set[str] = set()

    def visit(resource: ResourceModel) -> None:
        if resource in ordered or resource.name in visiting:
            return
        visiting.add(resource.name)
        for field in resource.refs:
            if field.ref_table and field.ref_table != resource.name:
                visit(by_name[field.ref_table])
        ordered.append(resource)

    for resource in service.resources:
        visit(resource)
    return ordered


def sample_url(endpoint: EndpointModel) -> str:
    """The endpoint's path with a plausible value for each parameter (for tests)."""
    samples = {
        "int": "1",
        "float": "1.5",
        "Decimal": "1.5",
        "bool": "true",
        "uuid.UUID": "00000000-0000-4000-8000-000000000001",
        "dt.date": "2024-01-01",
        "dt.datetime": "2024-01-01T12:00:00",
    }
    url = endpoint.path
    for param in endpoint.params:
        url = url.replace(f"{{{param.name}}}", samples.get(param.py_type, "sample"))
    return url


# --- OpenAPI input ------------------------------------------------------------------


def api_router_imports(router: ApiRouterModel, service: ServiceModel) -> str:
    """Imports of one per-tag router module of an OpenAPI service."""
    pkg = service.package
    imports: list[Import] = [("fastapi", "APIRouter"), (f"{pkg}.deps", "SessionDep")]
    if router.uses_convertors:
        imports.append((f"{pkg}.convertors", "register_convertors"))
    for op in router.operations:
        imports += api_operation_imports(op, pkg)
        if op.invalidates:
            imports.append((f"{pkg}.deps", "CacheDep"))
        if op.crud is None:
            imports.append((f"{pkg}.hooks.operations", f"{op.name} as {op.name}_hook"))
            continue
        imports.append((f"{pkg}.models", op.row_class))
        if op.crud in ("get", "update", "delete"):
            imports.append((f"{pkg}.crud", "get_or_404"))
        if op.crud in ("create", "update", "delete"):
            imports.append((f"{pkg}.crud", "commit_or_409"))
            hooks = f"{pkg}.hooks.resources.{op.resource}"
            imports.append((hooks, f"hooks as {op.resource}_hooks"))
        if op.crud in ("create", "update"):
            imports.append((f"{pkg}.crud", "column_values"))
        if op.crud == "list":
            imports.append(("sqlalchemy", "select"))
        if op.refined:
            imports.append((f"{pkg}.hooks.operations", f"{op.name} as {op.name}_hook"))
    return render_imports(imports, pkg)


def api_security_imports(service: ServiceModel) -> str:
    """Imports of ``security.py``: the FastAPI security classes the schemes use."""
    imports: list[Import] = [
        ("typing", "Annotated"),
        ("fastapi", "HTTPException"),
        ("fastapi", "Request"),
        ("fastapi", "Security"),
        ("fastapi", "status"),
    ]
    for scheme in service.api_schemes:
        imports.append(("fastapi.security", api_scheme_class(scheme)))
        for name in ("HTTPAuthorizationCredentials", "HTTPBasicCredentials"):
            if name in api_scheme_credentials(scheme):
                imports.append(("fastapi.security", name))
    return render_imports(imports, service.package)


def api_hook_imports(
    op: ApiOperationModel, service: ServiceModel, *, refine: bool = False
) -> str:
    """Imports of one operation's module in hooks/operations/: a stub's ``handle``,
    or with ``refine`` a table-backed list's ``refine``."""
    pkg = service.package
    imports: list[Import] = [("sqlalchemy.ext.asyncio", "AsyncSession")]
    if refine:
        imports += [("typing", "Any"), ("sqlalchemy", "Select")]
        types = " ".join(api_type(p.type) for p in op.refined_params)
    else:
        written = [api_type(op.stub_returns), *(api_type(p.type) for p in op.params)]
        types = " ".join(written)
    for module, name in api_operation_imports(op, pkg):
        if (
            name
            and re.search(rf"\b{re.escape(name)}\b", types)
            or (name is None and module.split(" as ")[-1] + "." in types)
        ):
            imports.append((module, name))
    if op.stub_returns.kind == "response":
        imports.append(("fastapi", "Response"))
    return render_imports(imports, pkg)


def api_outgoing_imports(service: ServiceModel) -> str:
    """Imports of ``outgoing.py``: its routers and the types of the requests sent."""
    assert service.api is not None
    imports: list[Import] = [("fastapi", "APIRouter")]
    for op in service.api.webhooks:
        imports += api_operation_imports(op, service.package)
    for group in service.api.callbacks:
        for _, op in group.callbacks:
            imports += api_operation_imports(op, service.package)
    return render_imports(imports, service.package)


def api_call_args(op: ApiOperationModel) -> list[str]:
    """Keyword arguments passing a route's parameters on to its stub."""
    return [f"{p.name}={p.name}" for p in op.params]
