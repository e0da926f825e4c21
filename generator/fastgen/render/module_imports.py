"""The import blocks of generated modules whose imports depend on the spec but that
no other render module writes (``main.py``, ``db.py``, ``hooks/auth.py``, Alembic's
``env.py`` and two generated tests).

Every spec-dependent import block comes from a function like these, laid out by
``render_imports`` as ruff's isort would: templates hold no ``{% if %}`` among
their imports.
"""

from __future__ import annotations

import re
from typing import Any

from fastgen.model.service import ApiTableModel, ServiceModel
from fastgen.render.api_code import api_reads_json, query_int_models
from fastgen.render.error_code import retyped_errors
from fastgen.render.openapi_routes import sent_media_types, typed_list_filters
from fastgen.render.orm import db_column_types, decimal_aggregates
from fastgen.render.pyimports import Import, render_imports
from fastgen.render.routes import conditional_resources, json_bodies
from fastgen.render.schemas import decimal_bodies, query_credentials


def main_imports(service: ServiceModel) -> str:
    """Imports of ``main.py``, the application factory."""
    pkg = service.package
    imports: list[Import] = [
        ("asyncio", None),
        ("gc", None),
        ("collections.abc", "AsyncIterator"),
        ("contextlib", "asynccontextmanager"),
        ("typing", "TYPE_CHECKING"),
        ("fastapi", "FastAPI"),
        ("fastapi", "Request"),
        ("fastapi.exceptions", "RequestValidationError"),
        ("fastapi.responses", "JSONResponse"),
    ]
    imports += [
        (f"{pkg}.{module}", name)
        for module, names in _MAIN_OWN.items()
        for name in names
    ]
    if service.document_paths or service.api and service.api.written_components:
        imports += [("collections.abc", "Callable"), ("typing", "Any")]
    if service.uses_datetime:
        imports.append(("sqlalchemy.exc", "StatementError"))
    if service.queued_endpoints:
        imports.append((f"{pkg}.jobs", "create_job_queue"))
    if service.webhooks:
        imports.append((f"{pkg}.outgoing", "webhooks"))
    if service.error_shapes:
        imports.append((f"{pkg}.error_bodies", "ShapedErrors"))
    if retyped_errors(service):
        imports.append((f"{pkg}.error_bodies", "with_declared_media_types"))
    if sent_media_types(service):
        imports.append((f"{pkg}.outgoing", "with_sent_media_types"))
    if service.several_media_types:
        imports.append((f"{pkg}.media_types", "with_media_types"))
    return render_imports(imports, pkg)


# What main.py imports from the generated package whatever the spec.
_MAIN_OWN = {
    "body_limit": ("BodyLimit",),
    "cache": ("CachedFastAPI", "CacheLayer", "CacheMetrics"),
    "cache_config": ("INVALIDATIONS", "POLICIES", "UNCACHED_PATHS"),
    "compression": ("GZip",),
    "crud": ("DATABASE_UNAVAILABLE", "database_error", "internal_error"),
    "db": ("create_engine", "create_session_factory"),
    "deps": ("get_settings",),
    "health": ("Drain", "router as health_router"),
    "hooks.auth": ("principal",),
    "hooks.settings": ("Settings",),
    "http_semantics": (
        "ReadSemantics",
        "invalid",
        "method_not_allowed",
        "unreadable_body",
    ),
    "metrics": ("create_registry", "router as metrics_router"),
    "models": ("Base",),
    "observability": ("configure_logging", "observe"),
    "outbound": ("OutboundClient",),
    "replica": ("PrimaryRetry", "ReadReplica"),
    "routers": ("api_router",),
    "schema_version": ("create_schema", "load_migrations"),
    "settings": ("DESCRIPTION", "TITLE", "VERSION"),
}


def db_imports(service: ServiceModel) -> str:
    """Imports of ``db.py``: the engine, the session factory and the UTC column."""
    pkg = service.package
    imports: list[Import] = [
        ("asyncio", None),
        ("datetime as dt", None),
        ("logging", None),
        ("functools", "partial"),
        ("typing", "Any"),
        ("typing", "ClassVar"),
        ("sqlalchemy", "MetaData"),
        ("sqlalchemy", "event"),
        ("sqlalchemy", "make_url"),
        ("sqlalchemy.ext.asyncio", "AsyncEngine"),
        ("sqlalchemy.ext.asyncio", "AsyncSession"),
        ("sqlalchemy.ext.asyncio", "async_sessionmaker"),
        ("sqlalchemy.ext.asyncio", "create_async_engine"),
        ("sqlalchemy.engine", "Connection"),
        ("sqlalchemy.engine", "Dialect"),
        ("sqlalchemy.orm", "DeclarativeBase"),
        (f"{pkg}.settings", "GeneratedSettings"),
    ]
    if service.uses_datetime:
        imports += [
            ("datetime as dt", None),
            ("sqlalchemy", "DateTime"),
            ("sqlalchemy", "TypeDecorator"),
            ("sqlalchemy.dialects", "mysql"),
            ("sqlalchemy.types", "TypeEngine"),
            (f"{pkg}.schemas.common", "as_utc"),
        ]
    if "ExactDecimal" in db_column_types(service):
        imports += [
            ("decimal", "Decimal"),
            ("sqlalchemy", "Numeric"),
            ("sqlalchemy", "TypeDecorator"),
            ("sqlalchemy.engine", "Dialect"),
            ("sqlalchemy.types", "TypeEngine"),
        ]
    if decimal_aggregates(service):
        imports += [
            ("decimal", "ROUND_HALF_UP"),
            ("sqlalchemy", "Text"),
            ("sqlalchemy", "func"),
            ("sqlalchemy.ext.compiler", "compiles"),
            ("sqlalchemy.sql.compiler", "SQLCompiler"),
            ("sqlalchemy.sql.functions", "FunctionElement"),
        ]
    if "DecimalAvg" in decimal_aggregates(service):  # AVG is cast to its NUMERIC
        imports.append(("sqlalchemy", "cast"))
    return render_imports(imports, pkg)


# crud.JsonBodyRequest and crud.JsonBodyRoute
_JSON_BODY_IMPORTS: list[Import] = [
    ("json", None),
    ("math", None),
    ("collections.abc", "Coroutine"),
    ("fastapi", "Response"),
    ("fastapi.routing", "APIRoute"),
]


def crud_imports(service: ServiceModel) -> str:
    """Imports of ``crud.py``: ``present`` reads rows for the OpenAPI models'
    ``MISSING``, ``strict_json`` reads their JSON bodies."""
    pkg = service.package
    imports: list[Import] = [
        ("logging", None),
        ("collections.abc", "Callable"),
        ("typing", "Any"),
        ("typing", "TypeVar"),
        ("fastapi", "HTTPException"),
        ("fastapi", "Request"),
        ("fastapi", "status"),
        ("fastapi.encoders", "jsonable_encoder"),
        ("fastapi.exceptions", "RequestValidationError"),
        ("fastapi.responses", "JSONResponse"),
        ("pydantic", "BaseModel"),
        *(("sqlalchemy", name) for name in ("JSON", "ColumnElement", "String")),
        ("sqlalchemy.exc", "DBAPIError"),
        ("sqlalchemy.exc", "IntegrityError"),
        ("sqlalchemy.exc", "InterfaceError"),
        ("sqlalchemy.exc", "InvalidRequestError"),
        ("sqlalchemy.exc", "OperationalError"),
        ("sqlalchemy.exc", "TimeoutError as PoolTimeoutError"),
        ("sqlalchemy.ext.asyncio", "AsyncSession"),
        ("sqlalchemy.orm.exc", "StaleDataError"),
        (f"{pkg}.db", "Base"),
        (f"{pkg}.observability.logs", "REQUEST_ID"),
        (f"{pkg}.schemas.common", "INTEGER_MAX"),
        (f"{pkg}.schemas.common", "INTEGER_MIN"),
        (f"{pkg}.schemas.common", "Error"),
    ]
    if query_credentials(service):  # only_query_parameters lets them through
        imports.append((f"{pkg}.schemas.common", "CREDENTIALS_IN_QUERY"))
    if conditional_resources(service):
        imports += [
            ("typing", "Annotated"),
            ("fastapi", "Depends"),
            ("sqlalchemy", "update"),
            (f"{pkg}.cache.store", "etag_of"),
            (f"{pkg}.cache.store", "gzip_etag_of"),
            (f"{pkg}.http_semantics", "if_match_holds"),
        ]
    imports += _api_crud_imports(service)
    if json_bodies(service):
        imports += _JSON_BODY_IMPORTS
    if decimal_bodies(service):
        imports += [(f"{pkg}.schemas.common", "JsonNumber")]
    return render_imports(imports, pkg)


def _api_crud_imports(service: ServiceModel) -> list[Import]:
    """What ``crud.py`` imports for an OpenAPI document's tables, bodies and lists."""
    imports: list[Import] = []
    if service.api_tables:
        imports += [
            ("types", "SimpleNamespace"),
            ("typing", "get_args"),
            *(("pydantic", name) for name in ("MISSING", "SecretStr")),
        ]
    if service.api_json_bodies:
        imports += [
            ("json", None),
            ("pydantic", "BeforeValidator"),
            ("pydantic", "TypeAdapter"),
        ]
    if query_int_models(service):
        imports.append(("pydantic", "BeforeValidator"))
    if typed_list_filters(service):  # crud.filter_value
        imports += [("functools", "cache"), ("pydantic", "TypeAdapter")]
        imports.append(("pydantic", "ValidationError"))
        imports.append(("sqlalchemy.orm", "InstrumentedAttribute"))
    return imports


def auth_imports(service: ServiceModel) -> str:
    """Imports of the user-owned ``hooks/auth.py`` as fastgen first writes it."""
    imports: list[Import] = [("hashlib", None), ("fastapi", "Request")]
    if service.api_schemes:
        imports.append((f"{service.package}.security", "credential"))
    return render_imports(imports, service.package)


def env_imports(service: ServiceModel) -> str:
    """Imports of Alembic's ``migrations/env.py``."""
    pkg = service.package
    imports: list[Import] = [
        ("asyncio", None),
        ("logging.config", "fileConfig"),
        ("alembic", "context"),
        ("sqlalchemy", "text"),
        ("sqlalchemy.engine", "Connection"),
        (f"{pkg}.db", "create_engine"),
        (f"{pkg}.deps", "get_settings"),
        (f"{pkg}.models", "Base"),
    ]
    if db_column_types(service):
        imports += [("typing", "Any"), ("typing", "Literal")]
        imports += [(f"{pkg}.db", name) for name in db_column_types(service)]
    return render_imports(imports, pkg)


def migrations_test_imports(service: ServiceModel) -> str:
    """Imports of the generated ``tests/test_migrations.py``."""
    imports: list[Import] = [
        ("asyncio", None),
        ("pathlib", "Path"),
        ("typing", "Any"),
        ("alembic", "command"),
        ("alembic.autogenerate", "compare_metadata"),
        ("alembic.config", "Config"),
        ("alembic.migration", "MigrationContext"),
        ("sqlalchemy", "inspect"),
        ("sqlalchemy.engine", "Connection"),
        ("sqlalchemy.ext.asyncio", "create_async_engine"),
        (f"{service.package}.models", "Base"),
    ]
    if db_column_types(service):
        imports.append(("shutil", None))
    return render_imports(imports, service.package)


def operations_test_imports(service: ServiceModel, tested: list[ApiTableModel]) -> str:
    """Imports of the generated ``tests/test_openapi_operations.py``."""
    imports: list[Import] = [("typing", "Any"), ("httpx", None), ("pytest", None)]
    if tested:
        imports += [
            ("collections.abc", "Awaitable"),
            ("collections.abc", "Callable"),
            ("fastapi", "HTTPException"),
            ("sqlalchemy.ext.asyncio", "AsyncSession"),
        ]
    for table in tested:
        module = f"{service.package}.hooks.resources.{table.resource}"
        imports.append((module, f"hooks as {table.resource}_hooks"))
        if api_reads_json(table.create):  # a JSON body sent labelled as a form
            imports.append(("json", None))
    if service.api_schemes:
        imports += [
            ("fastapi", "Request"),
            (service.package, "main"),
            (f"{service.package}.security", "credential"),
        ]
    return render_imports(imports, service.package)


def shared_error_name(spec: Any) -> str:
    """The class, and so the published schema name, of the shared error body
    (``schemas.common.Error``): ``Error``, unless a schema of the OpenAPI document
    already takes that name. Two models of one name would be published under
    module-qualified names, which client generators do not resolve."""
    schemas = (
        (spec.get("components") or {}).get("schemas") if "openapi" in spec else None
    )
    taken = {re.sub(r"[^0-9a-z]", "", str(name).lower()) for name in schemas or {}}
    candidates = ("Error", "ErrorDetail", "HTTPError")
    free = [name for name in candidates if name.lower() not in taken]
    n = 2
    while not free:
        free = [f"HTTPError{n}"] if f"httperror{n}" not in taken else []
        n += 1
    return free[0]


HELPERS = (
    shared_error_name,
    main_imports,
    crud_imports,
    db_imports,
    auth_imports,
    env_imports,
    migrations_test_imports,
    operations_test_imports,
)
