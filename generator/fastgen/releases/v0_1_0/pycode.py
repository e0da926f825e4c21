"""Python source lines whose shape depends on the spec, formatted as ruff would.

Templates call these for the lines that vary (columns, schema fields, literal tuples);
the wrapping rule is ruff's: keep on one line if it fits, else put the arguments on one
indented line, else one per line with a trailing comma.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastgen.releases.v0_1_0.pyimports import LINE_LENGTH, Import, render_imports
from fastgen.releases.v0_1_0.service import (
    EndpointModel,
    FieldModel,
    ResourceModel,
    ServiceModel,
    pystr,
)


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


def orm_column(field: FieldModel) -> str:
    """The ``name: Mapped[...] = mapped_column(...)`` line of one field (indented 4)."""
    py_type = _orm_py_type(field)
    if field.nullable:
        py_type += " | None"
    args: list[str] = []
    if field.ref_table:
        args.append(f"ForeignKey({pystr(f'{field.ref_table}.{field.ref_column}')})")
    elif not (field.primary_key and field.type == "integer"):
        args.append(field.sa_type)
    if field.primary_key:
        args.append("primary_key=True")
    if field.index and not field.unique:
        args.append("index=True")
    if field.unique and not field.primary_key:
        args.append("unique=True")
    if field.default is not None:
        args.append(f"default={field.default}")
    return wrap(f"{field.name}: Mapped[{py_type}] = mapped_column", args, indent=4)


def orm_imports(resource: ResourceModel, package: str) -> str:
    imports: list[Import] = [
        ("sqlalchemy.orm", "Mapped"),
        ("sqlalchemy.orm", "mapped_column"),
        (f"{package}.db", "Base"),
    ]
    for field in (resource.pk, *resource.fields):
        if field.ref_table:
            imports.append(("sqlalchemy", "ForeignKey"))
        elif not (field.primary_key and field.type == "integer"):
            imports.append(("sqlalchemy", field.sa_type.split("(")[0]))
        py_type = _orm_py_type(field)
        imports += [("typing", "Any")] if py_type == "Any" else _py_import(py_type)
        if field.default and field.default.startswith("Decimal("):
            imports.append(("decimal", "Decimal"))
    return render_imports(imports, package)


# --- pydantic schemas -------------------------------------------------------------


def _schema_type(field: FieldModel) -> str:
    if field.max_length and field.type == "string":
        return f"Annotated[str, Field(max_length={field.max_length})]"
    return field.py_type


def schema_field(field: FieldModel, mode: str) -> str:
    """One field line of the Create / Update / Read schema (indented 4)."""
    annotation = _schema_type(field)
    if mode == "update":
        return f"    {field.name}: {annotation} | None = None"
    if mode == "read":
        if field.nullable:
            annotation += " | None"
        return f"    {field.name}: {annotation}"
    if field.default is not None:
        return _assign(f"    {field.name}: {annotation} = ", field.default)
    if not field.required:
        return f"    {field.name}: {annotation} | None = None"
    return f"    {field.name}: {annotation}"


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
    if resource.enums:
        imports.append(("typing", "Literal"))
    if any(f.required and not f.primary_key for f in resource.fields):
        imports += [
            ("typing", "Self"),
            ("pydantic", "model_validator"),
            (f"{package}.schemas.common", "reject_nulls"),
        ]
    for field in fields:
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
        for param in endpoint.params:
            imports += _py_import(param.py_type)
        for field in endpoint.response_fields:
            imports += _py_import(field.py_type)
    return render_imports(imports, service.package)


def router_imports(resource: ResourceModel, service: ServiceModel) -> str:
    """Imports of ``routers/<resource>.py`` for the operations it serves."""
    pkg = service.package
    ops = set(resource.operations)
    schemas = f"{pkg}.schemas.{resource.module}"
    imports: list[Import] = [
        ("fastapi", "APIRouter"),
        (f"{pkg}.deps", "SessionDep"),
        (f"{pkg}.models", resource.class_name),
        (schemas, f"{resource.class_name}Read"),
        *_py_import(resource.pk.py_type),
    ]
    if "list" in ops:
        imports += [
            ("sqlalchemy", "select"),
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
        imports.append(
            (f"{pkg}.hooks.endpoints", f"{endpoint.name} as {endpoint.name}_hook")
        )
        imports += [imp for p in endpoint.params for imp in _py_import(p.py_type)]
        if endpoint.background:
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


def hook_imports(endpoint: EndpointModel, service: ServiceModel) -> str:
    """Imports of the user-owned ``hooks/endpoints/<name>.py``."""
    imports: list[Import] = [
        imp for p in endpoint.params for imp in _py_import(p.py_type)
    ]
    if endpoint.background:
        imports.append(("logging", None))
    else:
        imports.append(("sqlalchemy.ext.asyncio", "AsyncSession"))
    if endpoint.response_class:
        imports.append(
            (f"{service.package}.schemas.endpoints", endpoint.response_class)
        )
    return render_imports(imports, service.package)


def sample_expr(field: FieldModel) -> str:
    """A Python expression of a valid JSON value for ``field`` in generated tests.

    It uses the variable ``n`` so that rows made with different ``n`` differ (unique
    columns). Refs are not handled here: tests pass the id of a row they made first.
    """
    kind = field.type
    if kind == "string":
        limit = field.max_length or 255
        text = f'f"{field.name}-{{n}}"'
        return text if limit >= len(field.name) + 12 else f"{text}[-{limit}:]"
    if kind == "enum":
        values = pytuple(field.enum_values)
        return f"{values}[n % {len(field.enum_values)}]"
    return {
        "text": f'f"{field.name} text {{n}}"',
        "integer": "n",
        "float": "n + 0.5",
        "decimal": 'f"{n}.25"',
        "boolean": "n % 2 == 1",
        "date": 'f"2024-01-{n:02d}"',
        "datetime": 'f"2024-01-{n:02d}T12:30:00"',
        "uuid": 'f"00000000-0000-4000-8000-{n:012d}"',
        "json": '{"n": n}',
    }[kind]


def missing_key(resource: ResourceModel) -> str:
    """A primary-key literal that names no row (used for 404 tests)."""
    return {"integer": "999999", "uuid": '"00000000-0000-4000-8000-999999999999"'}.get(
        resource.pk.type, '"no-such-key"'
    )


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
    for resource in service.resources:
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
    imports += [("conftest", name) for name in helpers]
    return render_imports(imports, service.package)


def routers_imports(service: ServiceModel) -> str:
    """Imports of ``routers/__init__.py``."""
    modules = [r.module for r in service.resources]
    if service.endpoints:
        modules.append("endpoints")
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
