"""The generated project's tests: sample values, keys no row has, ``tests/`` imports."""

from __future__ import annotations

from typing import Any

from fastgen.model.endpoints import EndpointModel
from fastgen.model.listing import ExpandModel
from fastgen.model.service import (
    ApiOperationModel,
    FieldModel,
    ResourceModel,
    ServiceModel,
)
from fastgen.render.listing import list_policy
from fastgen.render.literals import pyliteral, pystr
from fastgen.render.orm import db_column_types, decimal_aggregates
from fastgen.render.pyimports import Import, render_imports
from fastgen.render.pysource import pytuple
from fastgen.render.routers import ROUTE_ERRORS
from fastgen.render.routes import conditional_writes, endpoint_errors
from fastgen.render.sample_keys import distinct_values, short_unique


def sample_expr(field: FieldModel) -> str:
    """A Python expression of a valid JSON value for ``field`` in generated tests.

    It uses the variable ``n`` so that rows made with different ``n`` differ (unique
    columns). Refs are not handled here: tests pass the id of a row they made first.
    """
    if field.samples:  # the values its limits accept (an OpenAPI column's)
        values = ", ".join(map(pyliteral, field.samples))
        if len(field.samples) == 1:
            return f"({values},)[0]"
        return f"({values})[n % {len(field.samples)}]"
    kind = field.type
    if short_unique(field):  # the last digits of n would repeat
        return f"short_text(n, {field.max_length})"
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


def test_imports(resource: ResourceModel, service: ServiceModel) -> str:
    """Imports of the generated ``tests/test_<resource>.py``."""
    ops = set(resource.operations)
    changes = "update" in ops and _changeable(resource)
    helpers: set[str] = set()
    # Each name only where a block of the template that uses it is written.
    if ops & {"create", "export"} or changes:
        helpers.add(f"{resource.name}_payload")
    if ops & {"create", "export"}:  # a payload's required refs are made first
        helpers |= {f"make_{f.ref_table}" for f in resource.refs if f.required}
    if "create" in ops or changes:
        helpers.add("assert_stored")
    if any(p.backend == "redis" for p in resource.policies.values()):
        helpers.add("REDIS_CONFIGURED")
    imports: list[Import] = [("httpx", None), ("pytest", None)]
    if _makes_rows(resource, service):
        helpers.add(f"make_{resource.name}")
    if _makes_rows(resource, service) or ops & {"create", "export"}:
        imports.append(("fastapi", "FastAPI"))  # tests that take the app
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
    if "create" in ops:  # a body sent as bytes: mislabelled, or a number's digits
        imports.append(("json", None))
    if "update" in ops and _changeable(resource):
        imports += [  # test_update_<resource>_racing_a_delete_is_404
            ("sqlalchemy", "delete"),
            ("sqlalchemy.ext.asyncio", "AsyncSession"),
            (f"{service.package}.hooks.resources.{resource.module}", "hooks"),
            (f"{service.package}.models", resource.class_name),
        ]
    if (
        conditional_writes(resource)
        and "update" in ops
        and if_match_test_field(resource, race=True)
    ):
        imports.append(("asyncio", None))
    imports += [("conftest", name) for name in helpers]
    return render_imports(imports, service.package)


def if_match_test_field(
    resource: ResourceModel, *, race: bool = False
) -> FieldModel | None:
    """The field the If-Match test changes, or None. Its sample (``sample_expr``)
    must differ from the row's (n = 1 to n = 2) for a write to change the ETag,
    and for the ``race`` of two writes, each of theirs (n = 3, 4) from n = 2: two
    distinct samples, three for the race (a boolean has two, an enum its values)."""
    wanted = 3 if race else 2
    for field in resource.fields:
        if not field.required or field.ref_table:
            continue
        if (distinct_values(field) or wanted) >= wanted:
            return field
    return None


def _changeable(resource: ResourceModel) -> bool:
    return any(f.required and not f.ref_table for f in resource.fields)


def _makes_rows(resource: ResourceModel, service: ServiceModel) -> bool:
    """Whether a test of the module stores a row first (``make_<resource>``): the
    blocks of the template that do, by the condition each is written under."""
    ops = set(resource.operations)
    changeable = any(f.required and not f.ref_table for f in resource.fields)
    deletable_targets = {
        target.name
        for f in resource.refs
        if f.required
        for target in service.resources
        if target.name == f.ref_table and "delete" in target.operations
    } - {resource.name}
    return bool(
        ops & {"list", "export", "delete"}
        or ("update" in ops and changeable)
        or deletable_targets
        or resource.policies.get("list")
        or resource.policies.get("get")
    )


def database_test_imports(service: ServiceModel) -> str:
    """Imports of the generated ``tests/test_database.py``."""
    pkg = service.package
    imports: list[Import] = [
        ("asyncio", None),
        ("contextlib", None),
        ("pathlib", "Path"),
        ("anyio", None),
        ("datetime as dt", None),
        ("fastapi", "FastAPI"),
        ("httpx", None),
        ("pytest", None),
        ("sqlalchemy", "make_url"),
        ("sqlalchemy", "text"),
        (f"{pkg}.deps", "SessionDep"),
        (f"{pkg}.main", "create_app"),
        ("conftest", "settings_for"),
    ]
    column_types = db_column_types(service)
    if column_types:
        imports += [
            ("fastapi", "FastAPI"),
            ("sqlalchemy", "Column"),
            ("sqlalchemy", "MetaData"),
            ("sqlalchemy", "Table"),
            ("sqlalchemy", "select"),
        ]
        imports += [(f"{pkg}.db", name) for name in column_types]
    if service.uses_datetime:
        imports.append(("datetime as dt", None))
    if "ExactDecimal" in column_types:
        imports += [("decimal", "Decimal"), ("sqlalchemy", "func")]
    if decimal_aggregates(service):
        imports.append(("typing", "Any"))
        imports += [(f"{pkg}.db", name) for name in decimal_aggregates(service)]
    return render_imports(imports, pkg)


def health_test_imports(service: ServiceModel) -> str:
    """Imports of the generated ``tests/test_health.py``."""
    pkg = service.package
    imports: list[Import] = [
        ("asyncio", None),
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


def schema_version_test_imports(service: ServiceModel) -> str:
    """Imports of the generated ``tests/test_schema_version.py``."""
    pkg = service.package
    imports: list[Import] = [
        ("asyncio", None),
        ("logging", None),
        ("pathlib", "Path"),
        ("typing", "Any"),
        ("httpx", None),
        ("pytest", None),
        ("alembic", "command"),
        ("alembic.config", "Config"),
        ("alembic.runtime.migration", "MigrationContext"),
        ("alembic.script", "ScriptDirectory"),
        ("fastapi", "FastAPI"),
        ("sqlalchemy", "text"),
        ("sqlalchemy.ext.asyncio", "create_async_engine"),
        (f"{pkg}.main", "create_app"),
        ("conftest", "settings_for"),
    ]
    return render_imports(imports, pkg)


def query_past_every_row(op: ApiOperationModel) -> dict[str, Any] | None:
    """The list's sample query with its page (or offset) far past every row, where
    the document sets no upper bound on it: 10**18 pages of the sample's size
    overflow every database's OFFSET unless the route bounds it. None: no such
    parameter."""
    if op.sample is None:
        return None
    for name in (op.page_param, op.offset_param):
        param = next((p for p in op.params if p.name == name), None)
        bounds = {key for key, _ in param.constraints} if param else {"le"}
        if param is not None and not bounds & {"le", "lt"}:
            return {**op.sample[1], param.alias or param.name: 10**18}
    return None


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


# Field types a generated list test filters and sorts by: their JSON values compare
# as the database compares them.
_LIST_TEST_TYPES = ("integer", "ref", "string", "date")
# A query value each filter type refuses.
_BAD_VALUES = {
    "int": "not-a-number",
    "Decimal": "not-a-number",
    "float": "not-a-number",
    "dt.date": "not-a-date",
    "dt.datetime": "not-a-datetime",
    "uuid.UUID": "not-a-uuid",
    "bool": "not-a-boolean",
}


def list_test_filter(resource: ResourceModel) -> FieldModel | None:
    """The field a generated test filters the list by: a field other than the key
    where there is one, since every row has its own key, and one every test row
    sets: a native sample leaves optional fields out, and the test names a row in
    an optional ref itself (``list_test_given``)."""
    usable = [
        f.field
        for f in resource.filters
        if "in" in f.ops
        and f.field.type in (*_LIST_TEST_TYPES, "enum")
        and (f.field.required or f.field.ref_table or resource.row_model)
    ]
    others = [f for f in usable if not f.primary_key]
    return (others or usable or [None])[0]


def hand_written_policies(service: ServiceModel) -> tuple[str, ...]:
    """The cache policies of GETs whose bodies are the user's hooks (a 501 stub
    until written), which the generated observability tests try last."""
    hooks = {e.name for e in service.hook_endpoints if e.method.upper() == "GET"}
    hooks |= {op.name for op in service.api_stubs if op.method.upper() == "GET"}
    return tuple(p.name for p in service.policies if p.name in hooks)


def list_test_given(resource: ResourceModel, field: FieldModel) -> bool:
    """Whether the list tests fill ``field`` themselves: an optional ref of a
    native resource, which its sample leaves empty (an OpenAPI table's rows set
    every column)."""
    return not (field.required or resource.row_model)


def list_test_sort(resource: ResourceModel) -> FieldModel | None:
    """The field a generated test sorts the list by."""
    usable = [f for f in resource.sorts if f.type in _LIST_TEST_TYPES]
    others = [f for f in usable if not f.primary_key]
    return (others or usable or [None])[0]


def list_test_auth(resource: ResourceModel, service: ServiceModel) -> tuple[str, str]:
    """How the list tests of ``resource`` authenticate: the ``, headers=...`` their
    requests add, and a skip marker (with its newline) for a list whose security
    no header satisfies, which the tests cannot call."""
    policy = list_policy(resource, service)
    user = ", headers=USER" if policy and policy.scope == "private" else ""
    op = None
    if resource.row_model:
        op = next(t.list for t in service.api_tables if t.resource == resource.name)
    if op is None or op.dependency is None:
        return user, ""  # a private entry needs a caller, any caller
    if op.requirement_header:
        return f", headers={pyliteral(op.requirement_header)}", ""
    reason = pystr(f"no header satisfies the security of GET {resource.path}")
    return "", f"@pytest.mark.skip(reason={reason})\n"


def list_tests_user(service: ServiceModel) -> bool:
    """Whether the list tests call a list as ``USER`` (a private one, unsecured)."""
    return any(
        list_test_auth(r, service)[0] == ", headers=USER"
        for r in service.listed_resources
    )


def list_test_lookup(resource: ResourceModel, op: str) -> FieldModel | None:
    """The field a generated test filters with lookup ``op`` (gte: a range,
    startswith or contains: a match, isnull), one other than the key where there is
    one, of a type whose samples compare on the wire as in the database. A range
    or a match needs a field every sample row sets (the samples leave optional
    fields out)."""
    usable = [
        f.field
        for f in resource.filters
        if op in f.ops
        and f.field.type in ("integer", "date", "string", "text")
        and (op == "isnull" or f.field.required)
    ]
    others = [f for f in usable if not f.primary_key]
    return (others or usable or [None])[0]


def list_test_quoted(resource: ResourceModel) -> FieldModel | None:
    """The text field a generated test selects with ``__in`` values in double quotes
    (one holding a comma and double quotes), set in a row through the ORM: a native
    table keyed by an integer or a string, a field every sample sets, long enough."""
    if resource.row_model or resource.pk.type not in ("integer", "string"):
        return None
    usable = [
        f.field
        for f in resource.filters
        if "in" in f.ops
        and f.field.type in ("string", "text")
        and f.field.required
        and not f.field.primary_key
        and (f.field.max_length or 16) >= 16
    ]
    return (usable or [None])[0]


def list_test_bad_value(field: FieldModel) -> str | None:
    """A value the filter refuses with a 422 (None: it takes any text)."""
    if field.enum_alias:
        return "not-one-of-the-values"
    return _BAD_VALUES.get(field.py_type)


def list_test_fresh_expansion(
    resource: ResourceModel, service: ServiceModel
) -> tuple[ExpandModel, ResourceModel, FieldModel] | None:
    """(expansion, the resource it embeds, a text field of it an update changes) for
    the generated test that a cached list embeds a row as it is after its update;
    None for a list without one (uncached, OpenAPI, nothing to update)."""
    if resource.row_model or list_policy(resource, service) is None:
        return None
    for expansion in resource.expansions:
        if not expansion.field.required:  # a sample row may refer to nothing
            continue
        embedded = service.resource(expansion.resource)
        changeable = [
            f
            for f in embedded.fields
            if f.required and not f.ref_table and f.type in ("string", "text")
        ]
        if "update" in embedded.operations and changeable:
            return expansion, embedded, changeable[0]
    return None


def lists_test_imports(service: ServiceModel) -> str:
    """Imports of the generated ``tests/test_lists.py``."""
    imports: list[Import] = [
        ("base64", None),
        ("json", None),
        ("collections.abc", "Iterator"),
        ("contextlib", "contextmanager"),
        ("typing", "Any"),
        ("httpx", None),
        ("pytest", None),
        ("fastapi", "FastAPI"),
        ("sqlalchemy", "event"),
    ]
    if any(list_test_filter(r) for r in service.listed_resources):
        imports.append(("conftest", "DATABASE_URL"))
    imports += [("conftest", f"make_{r.name}") for r in service.listed_resources]
    if service.error_shapes:  # its table, emptied: FastAPI's own error bodies
        imports.append((service.package, "error_bodies"))
    for resource in service.listed_resources:
        filtered = list_test_filter(resource)
        if filtered and list_test_given(resource, filtered):
            imports.append(("conftest", f"make_{filtered.ref_table}"))
        # An optional ref's expand test makes the row it names itself.
        imports += [
            ("conftest", f"make_{e.resource}")
            for e in resource.expansions
            if not (e.field.required or resource.row_model)
        ]
        if list_test_quoted(resource):
            imports.append((f"{service.package}.models", resource.class_name))
        if fresh := list_test_fresh_expansion(resource, service):
            imports.append(("conftest", f"{fresh[1].name}_payload"))
    return render_imports(imports, service.package)


def body_limit_test_imports(service: ServiceModel) -> str:
    """Imports of the generated ``tests/test_body_limit.py``."""
    imports: list[Import] = [
        ("collections.abc", "AsyncIterator"),
        ("gzip", None),
        ("pathlib", "Path"),
        ("httpx", None),
        ("pytest", None),
        ("fastapi", "Request"),
        ("pydantic", "BaseModel"),
        (f"{service.package}.main", "create_app"),
        ("conftest", "settings_for"),
    ]
    return render_imports(imports, service.package)


def documented_errors(service: ServiceModel) -> list[tuple[str, str, tuple[int, ...]]]:
    """(path, method, error statuses) of every native table route and endpoint (and
    the job route), as its OpenAPI lists them (render.routers.ROUTE_ERRORS,
    routes.endpoint_errors, the jobs router's RESPONSES)."""
    found = []
    methods = {"list": ["get"], "export": ["get"], "get": ["get"], "create": ["post"]}
    methods |= {"update": ["patch", "put"], "delete": ["delete"]}
    for resource in service.crud_resources:
        item = f"{resource.path}/{{{resource.id_param}}}"
        for op in resource.operations:
            path = {"list": resource.path, "create": resource.path}.get(op, item)
            if op == "export":
                path = f"{resource.path}/export"
            kind = "page" if op == "list" else op
            found += [(path, m, ROUTE_ERRORS[kind]) for m in methods[op]]
    for endpoint in service.endpoints:
        if statuses := endpoint_errors(endpoint):
            found.append((endpoint.path, endpoint.method.lower(), statuses))
    if service.queued_endpoints:  # routers/jobs.py
        found.append(("/jobs/{job_id}", "get", (404, 412, 503)))
    return found
