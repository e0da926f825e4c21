"""The lists of native resources: ``schemas/lists.py`` (each list's query model and
item) and the ``Listing`` each list route runs (``listing.py``)."""

from __future__ import annotations

from typing import Any

from fastgen.model.service import (
    FieldModel,
    ListFilterModel,
    PolicyModel,
    ResourceModel,
    ServiceModel,
)
from fastgen.render.literals import pyliteral, pystr
from fastgen.render.pyimports import Import, render_imports
from fastgen.render.pysource import type_imports, wrap
from fastgen.render.schemas import COLUMN_ALIASES

_TYPED_OPS = ("eq", "gt", "gte", "lt", "lte", "startswith", "contains")


def _param_type(field: FieldModel, api: bool = False) -> str:
    """A filter value's type: the column's, bounded as a request body's is (an
    OpenAPI table's enum as its values: the document declares no alias)."""
    if field.type == "datetime":
        return "UTCDateTime"
    if api and field.type == "date":  # the document's format date, as written
        return "IsoDate"
    if api and field.enum_values:
        return _choices(list(field.enum_values))
    if api and field.value_type:  # the API's type: the column stores its JSON form
        return field.value_type
    return COLUMN_ALIASES.get(field.py_type, field.py_type)


def _read(resource: ResourceModel) -> str:
    """The model answering one row: ``BookRead``, or an OpenAPI table's API model."""
    if resource.row_model:
        return f"api_models.{resource.row_model}"
    return f"{resource.class_name}Read"


def _read_import(resource: ResourceModel, pkg: str) -> Import:
    if resource.row_model:
        return (pkg, "api_models")
    return (f"{pkg}.schemas.{resource.module}", f"{resource.class_name}Read")


def page_route_imports(resource: ResourceModel, pkg: str) -> list[Import]:
    """What a list route taking the query of ``schemas/lists.py`` imports."""
    imports: list[Import] = [
        ("typing", "Annotated"),
        ("fastapi", "Query"),
        (f"{pkg}.listing", listing_name(resource)),
        (f"{pkg}.schemas.common", "Page"),
        (f"{pkg}.schemas.lists", f"{resource.class_name}Query"),
    ]
    if resource.expansions:
        imports.append((f"{pkg}.schemas.lists", list_item(resource)))
    elif resource.row_model:
        imports.append(_read_import(resource, pkg))
    return imports


def _param_name(field: FieldModel, op: str, *, python: bool) -> str:
    base = field.attr if python else field.name
    return base if op == "eq" else f"{base}__{op}"


def _filter_lines(item: ListFilterModel, api: bool) -> list[str]:
    field, lines = item.field, []
    for op in item.ops:
        if op in _TYPED_OPS:
            annotation = _bounded(field, api) if op == "eq" else _param_type(field, api)
            if op in ("startswith", "contains"):
                annotation = "str"
        elif op == "in":
            annotation = f"CommaList[{_bounded(field, api)}]"
        else:  # isnull
            annotation = "bool"
        head = f"{_param_name(field, op, python=True)}: {annotation} | None"
        args = ["None"]
        if op == "in" and _text_list(field):
            args.append("description=TEXT_LIST")
        if field.aliased:
            args.append(f"alias={pystr(_param_name(field, op, python=False))}")
        if len(args) > 1:
            lines.append(wrap(f"{head} = Field", args, indent=4))
        else:
            lines.append(f"    {head} = None")
    return lines


def _bounded(field: FieldModel, api: bool) -> str:
    """An ``eq`` or ``in`` filter value's type with the OpenAPI column's limits: a
    value the column cannot hold is a 422 naming the parameter, not an empty page
    (a range's bound need not be a value of the column)."""
    integers = integer_enum(field) if api else ()
    if integers:  # a Literal of ints does not match the text "1": converted first
        values = ", ".join(map(str, integers))
        return f"Annotated[Literal[{values}], BeforeValidator(int)]"
    limits = filter_limits(field) if api else ()
    if not limits:
        return _param_type(field, api)
    keywords = ", ".join(f"{key}={pyliteral(value)}" for key, value in limits)
    return f"Annotated[{_param_type(field, api)}, Field({keywords})]"


def filter_limits(field: FieldModel) -> tuple[tuple[str, Any], ...]:
    """The column's limits pydantic's ``Field`` takes (a number enum is no keyword;
    a text limit is the stored text's, which the API's type of a format, a URL or
    an IP address, takes none of)."""
    if field.value_type:
        return ()
    return tuple((k, v) for k, v in field.limits or () if k != "enum")


def integer_enum(field: FieldModel) -> tuple[int, ...]:
    """An integer column's enum, which its API models read as a Literal; () for
    any other column (the models take any number for an enum of floats)."""
    values = dict(field.limits or ()).get("enum", ())
    if field.type == "integer" and all(type(v) is int for v in values):
        return tuple(values)
    return ()


def _text_list(field: FieldModel) -> bool:
    """Whether an ``__in`` list of the field's values may need CSV quoting."""
    return field.type in ("string", "text", "enum")


def _choices(values: list[str]) -> str:
    # One line, always: it goes inside other annotations, which wrap() cannot lay
    # out around a multi-line part; a line too long sends the module through ruff.
    return f"Literal[{', '.join(pystr(v) for v in values)}]"


def list_query_class(resource: ResourceModel) -> str:
    """``class BookQuery(ListQuery)``: the filters, sort fields and expansions of
    ``GET /books``, each typed so a bad value is a 422 naming its parameter."""
    cls = resource.class_name
    lines = [
        f"class {cls}Query(ListQuery):",
        f'    """The query of ``GET {resource.path}``."""',
        "",
    ]
    if resource.sorts:
        names = [n for f in resource.sorts for n in (f.name, f"-{f.name}")]
        lines.append(
            wrap(
                f"sort: CommaList[{_choices(names)}] = Field",
                ["default_factory=list", 'description="Sort keys, - for descending."'],
                indent=4,
            )
        )
    if resource.expansions:
        names = [e.name for e in resource.expansions]
        lines.append(
            wrap(
                f"expand: CommaList[{_choices(names)}] = Field",
                ["default_factory=list", 'description="Refs whose rows to embed."'],
                indent=4,
            )
        )
    for item in resource.filters:
        lines += _filter_lines(item, bool(resource.row_model))
    if len(lines) == 3:  # nothing but the docstring: no blank line after it
        lines.pop()
    return "\n".join(lines)


def list_item(resource: ResourceModel) -> str:
    """The model of one listed row: the Read model, or one with its expansions."""
    return f"{resource.class_name}Item" if resource.expansions else _read(resource)


def _a_row(resource: ResourceModel) -> str:
    """ "A book" (a native resource is named in the singular), or "A row of pets"."""
    return f"A row of {resource.table}" if resource.row_model else f"A {resource.name}"


def list_item_class(resource: ResourceModel, service: ServiceModel) -> str:
    """``class BookItem(BookRead)``: a listed row with the refs ``?expand=`` embeds
    (absent from the answer unless asked for)."""
    cls = resource.class_name
    lines = [
        f"class {cls}Item({_read(resource)}):",
        f'    """{_a_row(resource)} in a list, with the rows ``?expand=`` embeds."""',
        "",
    ]
    for expansion in resource.expansions:
        target = _read(service.resource(expansion.resource))
        lines.append(f"    {expansion.name}: {target} | None = None")
    return "\n".join(lines)


def lists_imports(service: ServiceModel) -> str:
    """Imports of ``schemas/lists.py``."""
    pkg = service.package
    common = f"{pkg}.schemas.common"
    imports: list[Import] = [(common, "ListQuery")]
    for resource in service.listed_resources:
        schemas = f"{pkg}.schemas.{resource.module}"
        if resource.sorts or resource.expansions:
            imports += [("typing", "Literal"), ("pydantic", "Field")]
            imports.append((common, "CommaList"))
        if resource.expansions:
            imports.append(_read_import(resource, pkg))
        for expansion in resource.expansions:
            imports.append(_read_import(service.resource(expansion.resource), pkg))
        for item in resource.filters:
            imports += _filter_imports(item, pkg, schemas, bool(resource.row_model))
    return render_imports(imports, pkg)


def _filter_imports(
    item: ListFilterModel, pkg: str, schemas: str, api: bool
) -> list[Import]:
    field = item.field
    imports: list[Import] = []
    if "in" in item.ops:
        imports.append((f"{pkg}.schemas.common", "CommaList"))
        if _text_list(field):
            imports += [(f"{pkg}.schemas.common", "TEXT_LIST"), ("pydantic", "Field")]
    if field.aliased:
        imports.append(("pydantic", "Field"))
    exact = api and set(item.ops) & {"eq", "in"}
    if exact and integer_enum(field):
        imports += [("typing", "Annotated"), ("typing", "Literal")]
        imports.append(("pydantic", "BeforeValidator"))
    elif exact and filter_limits(field):
        imports += [("typing", "Annotated"), ("pydantic", "Field")]
    typed = set(item.ops) & {"eq", "in", "gt", "gte", "lt", "lte"}
    if not typed:
        return imports
    written = _param_type(field, api)
    if written in ("UTCDateTime", "IsoDate", *COLUMN_ALIASES.values()):
        imports.append((f"{pkg}.schemas.common", written))
    elif api and field.enum_values:
        imports.append(("typing", "Literal"))
    elif field.enum_alias:
        imports.append((schemas, field.enum_alias))
    else:
        imports += type_imports(written)
    return imports


def listing_name(resource: ResourceModel) -> str:
    """The ``Listing`` constant of a resource's list in ``listing.py``."""
    return f"{resource.name.upper()}_LIST"


def listing_constant(resource: ResourceModel, service: ServiceModel) -> str:
    """``BOOK_LIST = Listing(...)``: which parameter filters which column how,
    which columns sort, which refs embed."""
    cls = resource.class_name
    filters = [
        f"{pystr(_param_name(i.field, op, python=True))}: ({cls}.{i.field.attr}, "
        f"{pystr(op)})"
        for i in resource.filters
        for op in i.ops
    ]
    sorts = [f"{pystr(f.name)}: {cls}.{f.attr}" for f in resource.sorts]
    expansions = []
    for expansion in resource.expansions:
        target = service.resource(expansion.resource)
        expansions.append(
            f"{pystr(expansion.name)}: Expansion({cls}.{expansion.field.attr}, "
            f"{target.class_name}.{target.pk.attr}, {_read(target)})"
        )
    args = [f"model={cls}", f"key={cls}.{resource.pk.attr}"]
    args.append(wrap("filters=", filters, brackets="{}", collection=True))
    args.append(wrap("sorts=", sorts, brackets="{}", collection=True))
    if expansions:
        args.append(wrap("expansions=", expansions, brackets="{}", collection=True))
    return (
        f"{listing_name(resource)} = Listing(\n"
        + "".join(f"    {arg},\n" for arg in args)
        + ")"
    )


def sorts_decimals(service: ServiceModel) -> bool:
    """Whether a list sorts by a decimal (its cursors then carry one)."""
    return any(f.type == "decimal" for r in service.listed_resources for f in r.sorts)


def listing_imports(service: ServiceModel) -> str:
    """Imports of ``listing.py``: its machinery and the tables it lists."""
    pkg = service.package
    imports: list[Import] = [
        ("base64", None),
        ("binascii", None),
        ("hashlib", None),
        ("json", None),
        ("math", None),
        ("collections.abc", "Callable"),
        ("collections.abc", "Mapping"),
        ("collections.abc", "Sequence"),
        ("dataclasses", "dataclass"),
        ("dataclasses", "field"),
        ("typing", "Any"),
        ("typing", "TypeVar"),
        ("fastapi.exceptions", "RequestValidationError"),
        ("pydantic", "BaseModel"),
        ("pydantic", "TypeAdapter"),
        ("pydantic", "ValidationError"),
        ("urllib.parse", "parse_qsl"),
        ("pydantic_core", "to_jsonable_python"),
        ("sqlalchemy", "Boolean"),
        ("sqlalchemy", "ColumnElement"),
        ("sqlalchemy", "and_"),
        ("sqlalchemy", "func"),
        ("sqlalchemy", "literal"),
        ("sqlalchemy", "or_"),
        ("sqlalchemy", "select"),
        ("sqlalchemy", "tuple_"),
        ("sqlalchemy.ext.asyncio", "AsyncSession"),
        ("sqlalchemy.ext.compiler", "compiles"),
        ("sqlalchemy.orm", "DeclarativeBase"),
        ("sqlalchemy.orm", "InstrumentedAttribute"),
        ("sqlalchemy.sql.compiler", "SQLCompiler"),
        ("sqlalchemy.sql.functions", "FunctionElement"),
        (f"{pkg}.schemas.common", "INTEGER_MAX"),
        (f"{pkg}.schemas.common", "INTEGER_MIN"),
        (f"{pkg}.schemas.common", "ListQuery"),
        (f"{pkg}.schemas.common", "Page"),
    ]
    imports.append((f"{pkg}.crud", "stored"))  # a filter's value as a column's
    if service.api_tables:  # crud.present reads an OpenAPI table's rows
        imports.append((f"{pkg}.crud", "present"))
    if sorts_decimals(service):
        imports.append(("decimal", "Decimal"))
    for resource in service.listed_resources:
        imports.append((f"{pkg}.models", resource.class_name))
        for expansion in resource.expansions:
            target = service.resource(expansion.resource)
            imports.append((f"{pkg}.models", target.class_name))
            imports.append(_read_import(target, pkg))
    return render_imports(imports, pkg)


def policy_query(policy: PolicyModel, service: ServiceModel) -> str | None:
    """``canonical_query(BookQuery)`` for the cache policy of a list taking the
    query of ``schemas/lists.py``."""
    for resource in service.listed_resources:
        if list_policy(resource, service) == policy:
            return f"canonical_query({resource.class_name}Query)"
    return None


def list_policy(resource: ResourceModel, service: ServiceModel) -> PolicyModel | None:
    """The cache policy of a listed table's list: a native resource's, or its
    OpenAPI list operation's (``x-fastgen-cache``)."""
    if not resource.row_model:
        return resource.policies.get("list")
    table = next(t for t in service.api_tables if t.resource == resource.name)
    return table.list.policy if table.list else None


def cache_config_imports(service: ServiceModel) -> str:
    """Imports of ``cache_config.py``: the policy class, the lists' queries, and the
    check of the private policies' security."""
    pkg = service.package
    imports: list[Import] = [(f"{pkg}.cache", "CachePolicy")]
    for resource in service.listed_resources:
        if list_policy(resource, service) is not None:
            imports += [
                (f"{pkg}.listing", "canonical_query"),
                (f"{pkg}.schemas.lists", f"{resource.class_name}Query"),
            ]
    if any(p.security is not None for p in service.policies):
        imports.append((f"{pkg}.security", "carrying"))
    return render_imports(imports, pkg)


HELPERS = (
    policy_query,
    list_policy,
    cache_config_imports,
    list_query_class,
    list_item_class,
    list_item,
    lists_imports,
    listing_name,
    listing_constant,
    listing_imports,
    sorts_decimals,
)
