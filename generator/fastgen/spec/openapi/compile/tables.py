"""Tables: the ``x-fastgen-resource`` schemas as ORM models, columns from properties."""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from fastgen.errors import FastgenError
from fastgen.model.naming import (
    CLASS_BODY_NAMES,
    GENERATED_CLASS_NAMES,
    python_identifier,
    python_name,
)
from fastgen.model.service import (
    ApiOperationModel,
    ApiTableModel,
    FieldModel,
    ResourceModel,
)
from fastgen.spec.native.compile import field_model
from fastgen.spec.native.model import FieldSpec
from fastgen.spec.openapi.annotations import RENAMED_KEY, RESOURCE_KEY
from fastgen.spec.openapi.compile.column_samples import NoSample, column_samples
from fastgen.spec.openapi.compile.context import (
    Context,
    declared_type,
    one_part,
    path_param,
    read_only,
    unwrapped,
)
from fastgen.spec.openapi.compile.samples import sample
from fastgen.spec.openapi.description import ApiDescription, Resource
from fastgen.spec.openapi.models import RESPONSE, api_class_name, field_attributes
from fastgen.spec.openapi.pointer import escape, unescape

# A string's format -> the column type that stores it.
STRING_FORMATS = {"date-time": "datetime", "date": "date", "uuid": "uuid"}
# A text column's format -> the type its API models read a value into (as
# datamodel-code-generator writes it), where the value's JSON form, which the column
# stores, may differ from the text sent (``https://example.com`` is stored as
# ``https://example.com/``): a list's filter reads its values so.
VALUE_TYPES = {
    "uri": "AnyUrl",
    "email": "EmailStr",
    "idn-email": "EmailStr",
    "byte": "Base64Str",
    "ipv4": "ipaddress.IPv4Address",
    "ipv6": "ipaddress.IPv6Address",
    "ipv4-network": "ipaddress.IPv4Network",
    "ipv6-network": "ipaddress.IPv6Network",
    "time": "dt.time",
    "time-local": "dt.time",
    "duration": "dt.timedelta",
    "date-time-local": "NaiveDatetime",
    "decimal": "Decimal",
}
SCALAR_COLUMNS = {"integer": "integer", "number": "float", "boolean": "boolean"}
# What an integer column holds on PostgreSQL (int4), the narrowest supported database.
INTEGER_RANGE = (-(2**31), 2**31 - 1)


def resource_model(ctx: Context, resource: Resource) -> ResourceModel | None:
    """The table of ``resource``; None when it has no id column (or a clash)."""
    properties, required = ctx.object_schema(ctx.api.schemas[resource.schema])
    table = resource.annotation.table or resource.name
    id_name = resource.annotation.id
    fields: list[FieldModel] = []
    pk: FieldModel | None = None
    taken = set(properties)
    folded: dict[str, str] = {}
    for name in properties:
        other = folded.setdefault(name.casefold(), name)
        if other != name:
            ctx.error(
                resource.source,
                f"properties {other!r} and {name!r} would be one column: SQLite, "
                "MariaDB and MySQL compare column names without case",
            )
            return None
    for name, schema in properties.items():
        before = _kept_json(ctx, resource, table, name, schema)
        spec = column_spec(ctx, schema, name == id_name, name in required, before)
        if spec.type == "integer" and _own_type(schema):
            ctx.models.bounds[id(schema)] = INTEGER_RANGE
        attr = property_attr(name, taken)
        if attr != name and not _alias_free(ctx, resource, table, name, attr):
            return None
        renamed = schema.get(RENAMED_KEY) if isinstance(schema, dict) else None
        if renamed is not None and not _rename_ok(ctx, resource, name, renamed):
            return None
        model = replace(
            field_model(table, name, spec, {}),
            attr=attr,
            renamed_from=renamed,
            fill_value=_fill_value(schema, spec),
            answers_null=_may_be_null(ctx, schema, before),
            limits=_limits(ctx, schema, spec.type),
            json_schema=_json_schema(ctx, schema) if spec.type == "json" else None,
            samples=_samples(ctx, resource, name, schema, spec.type),
            value_type=_value_type(ctx, schema, spec.type),
        )
        if name == id_name:
            pk = model
        else:
            fields.append(model)
    if pk is None:
        return None
    return ResourceModel(
        name=table,
        class_name=table_class(table),
        table=table,
        path=resource.annotation.path,
        id_param=_item_param(resource, ctx.api) or id_name,
        pk=pk,
        fields=tuple(fields),
        operations=tuple(crud for crud, _ in resource.operations),
        policies={},
        enums=tuple(f for f in fields if f.enum_alias),
        renamed_from=resource.annotation.renamed_from,
        row_model=ctx.models.variant(ctx.models.names[resource.schema], RESPONSE),
    )


def bound_write_bodies(ctx: Context, resource: Resource, model: ResourceModel) -> None:
    """A create's or update's body of another schema than the table's (a PATCH
    body of its own component) bounded as the columns its properties fill are: an
    integer to the column's range, a string to its length. A value the column
    cannot store is then a 422, as for the table's own schema, not a 500 (or, on
    SQLite, a stored row its answers cannot serve)."""
    columns = {f.name: f for f in (model.pk, *model.fields)}
    table = ctx.api.schemas.get(resource.schema)
    for crud, name in resource.operations:
        request = ctx.api.operation(name).request_body
        if crud not in ("create", "update") or request is None:
            continue
        for media in request.content:
            schema = ctx.resolve(ctx.deref(media.schema))
            if schema is table:  # bounded as the table's schema
                continue
            for prop, node in ctx.object_schema(schema)[0].items():
                column = columns.get(prop)
                if column is None or not isinstance(node, dict) or "$ref" in node:
                    continue
                if column.type == "integer":
                    ctx.models.bounds[id(node)] = INTEGER_RANGE
                elif column.max_length is not None:
                    ctx.models.lengths[id(node)] = column.max_length


def table_class(table: str) -> str:
    """The ORM class of ``table``: its name in CamelCase, unless a generated module
    that imports it defines or imports that name itself (``Listing``, ``Page``)."""
    name = api_class_name(table)
    return f"{name}Table" if name in GENERATED_CLASS_NAMES else name


def check_table_renames(ctx: Context) -> None:
    """A table's previous name (``renamed_from``) is no table's now, nor another's
    previous name."""
    tables = {m.table for m in ctx.table_models.values()}
    claimed: dict[str, str] = {}
    for resource in ctx.api.resources:
        model = ctx.table_models.get(resource.name)
        old = resource.annotation.renamed_from
        if model is None or old is None:
            continue
        if old in tables:
            problem = f"{old!r} is still a table"
        elif old in claimed:
            problem = f"table {claimed[old]!r} is renamed from {old!r} too"
        else:
            claimed[old] = model.table
            continue
        ctx.error(resource.source, f"{RESOURCE_KEY}: renamed_from: {problem}")


def _rename_ok(ctx: Context, resource: Resource, name: str, renamed: Any) -> bool:
    """A property's previous name (x-fastgen-renamed-from) is a name it no longer
    shares with another property."""
    properties, _ = ctx.object_schema(ctx.api.schemas[resource.schema])
    if not isinstance(renamed, str) or not renamed.isidentifier():
        problem = f"expected a property name (an identifier), got {renamed!r}"
    elif renamed in properties:
        problem = f"{renamed!r} is still a property of this schema"
    else:
        return True
    source = resource.renamed_sources.get(name)
    if source is None:  # not found where the compile read it: the schema's place
        ctx.error(resource.source, f"property {name!r}: {RENAMED_KEY}: {problem}")
    else:
        ctx.error(source, f"property {name!r}: {problem}")
    return False


def _alias_free(
    ctx: Context, resource: Resource, table: str, name: str, attr: str
) -> bool:
    """Whether property ``name`` may be the attribute ``attr``: the API models name a
    property once for the whole document."""
    given = ctx.models.aliases.setdefault(name, attr)
    if given == attr:
        return True
    ctx.error(
        resource.source,
        f"property {name!r} of table {table!r} would be the "
        f"attribute {attr!r}, but another table's property of the "
        f"same name is {given!r}; the API models name a property "
        "once for the whole document: rename one of the properties",
    )
    return False


def check_column_names(ctx: Context, source: str) -> None:
    """Each table's ORM attributes are its API models' fields (rows and models
    convert by attribute): datamodel-code-generator took the names it was given."""
    for resource in ctx.api.resources:
        model = ctx.table_models.get(resource.name)
        if model is None:
            continue
        row_class = ctx.models.variant(ctx.models.names[resource.schema], RESPONSE)
        given = field_attributes(source, row_class)
        for column in (model.pk, *model.fields):
            if given.get(column.name, column.name) != column.attr:
                raise FastgenError(
                    f"datamodel-code-generator named property {column.name!r} of "
                    f"{row_class} {given.get(column.name)!r}, not {column.attr!r}"
                )


def _resolved(ctx: Context, schema: Any) -> dict[str, Any]:
    """A property's schema as its column sees it (``unwrapped``)."""
    return unwrapped(ctx.api.schemas, schema)


def _own_type(schema: Any) -> bool:
    """Whether the property's schema is its type, not a ``$ref`` or a wrapper of
    one: the API models give such a property the component's class, which the
    bounds of ``INTEGER_RANGE`` on the property would not reach."""
    return (
        isinstance(schema, dict)
        and "$ref" not in schema
        and not one_part(schema.get("allOf"))
    )


def _kept_json(
    ctx: Context, resource: Resource, table: str, name: str, schema: Any
) -> dict[str, Any] | None:
    """``_json_before``'s schema where the project records the column as JSON, under
    its name or its previous one (the table's or the property's renamed_from)."""
    renamed = schema.get(RENAMED_KEY) if isinstance(schema, dict) else None
    tables, names = (table, resource.annotation.renamed_from), (name, renamed)
    if not any((t, n) in ctx.stored_json for t in tables for n in names):
        return None
    return _json_before(ctx, schema)


def _json_before(ctx: Context, schema: Any) -> dict[str, Any] | None:
    """The schema fastgen 0.2.0 read a property's column from (a ``$ref`` followed
    once, an ``allOf`` not at all) when that made it a JSON column; None when it
    did not. A project it made keeps such a column JSON (``Context.stored_json``):
    its rows hold JSON text (``'"ABC"'``), which no cast makes the value."""
    old = schema
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        old = ctx.api.schemas.get(unescape(schema["$ref"].rsplit("/", 1)[-1]), {})
    old = old if isinstance(old, dict) else {}
    return old if _column_type(old, declared_type(old)[0], False)[0] == "json" else None


def _may_be_null(
    ctx: Context, schema: Any, resolved: dict[str, Any] | None = None
) -> bool:
    """Whether the property (or the schema it refers to: ``resolved``, by default
    ``_resolved``'s) takes null."""
    own = isinstance(schema, dict) and bool(declared_type(schema)[1])
    if resolved is None:
        resolved = _resolved(ctx, schema)
    return own or bool(declared_type(resolved)[1])


_NUMBER_LIMITS = {"minimum": "ge", "maximum": "le"}
_EXCLUSIVE = {
    "exclusiveMinimum": ("minimum", "ge", "gt"),
    "exclusiveMaximum": ("maximum", "le", "lt"),
}


def _limits(ctx: Context, schema: Any, kind: str) -> tuple[tuple[str, Any], ...]:
    """The limits the answer model checks a stored value against (migrations
    check the rows when one tightens): bounds, multipleOf and the values of a
    number's enum; minLength and pattern of strings (maxLength is the column's
    length, a string enum's values the column's ``values``)."""
    merged = {**_resolved(ctx, schema), **(schema if isinstance(schema, dict) else {})}
    found: dict[str, Any] = {}

    def number(value: Any) -> bool:
        return isinstance(value, int | float) and not isinstance(value, bool)

    if kind in ("integer", "float"):
        for key, name in _NUMBER_LIMITS.items():
            if number(merged.get(key)):
                found[name] = merged[key]
        for key, (bound, inclusive, exclusive) in _EXCLUSIVE.items():
            value = merged.get(key)
            if value is True and number(merged.get(bound)):  # OpenAPI 3.0
                found[exclusive] = found.pop(inclusive)
            elif number(value):  # 3.1: the bound itself
                found[exclusive] = value
        if number(merged.get("multipleOf")):
            found["multiple_of"] = merged["multipleOf"]
        enum = merged.get("enum")
        values = [v for v in enum if v is not None] if isinstance(enum, list) else []
        if values and all(map(number, values)):  # null is the column's NULL
            found["enum"] = tuple(values)
    elif kind in ("string", "text", "enum"):
        if isinstance(merged.get("minLength"), int) and merged["minLength"] > 0:
            found["min_length"] = merged["minLength"]
        if isinstance(merged.get("pattern"), str):
            found["pattern"] = merged["pattern"]
    return tuple(sorted(found.items()))


def _value_type(ctx: Context, schema: Any, kind: str) -> str | None:
    """``VALUE_TYPES``' type of a text column's format; None for other columns."""
    if kind not in ("string", "text"):
        return None
    merged = {**_resolved(ctx, schema), **(schema if isinstance(schema, dict) else {})}
    fmt = merged.get("format")
    return VALUE_TYPES.get(fmt) if isinstance(fmt, str) else None


def _samples(
    ctx: Context, resource: Resource, name: str, schema: Any, kind: str
) -> tuple[Any, ...] | None:
    """The values of a column the generated tests store (``column_samples``); a
    problem where no value keeps the property's limits: no row could be stored."""
    merged = {**_resolved(ctx, schema), **(schema if isinstance(schema, dict) else {})}
    try:
        return column_samples(merged, kind)
    except NoSample as exc:
        ctx.error(resource.source, f"property {name!r} takes no value: {exc}")
        return None


# Keywords that change no value a schema accepts.
_ANNOTATIONS = frozenset(
    {"title", "description", "example", "examples", "default", "deprecated"}
    | {"readOnly", "writeOnly", "externalDocs", "xml", "$comment"}
)


def _json_schema(ctx: Context, schema: Any) -> str:
    """A JSON column's schema as ``schema.json`` records it: canonical JSON, its
    ``$ref``s inlined, annotations and extensions left out, so any change it shows
    may refuse a stored value. A recursive ``$ref`` becomes a JSON pointer to where
    its schema was inlined (``#/properties/kids/items``), so the record is whole."""

    def inline(node: Any, seen: dict[str, str], at: str) -> Any:
        if isinstance(node, list):
            return [inline(item, seen, f"{at}/{i}") for i, item in enumerate(node)]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref not in seen:
            return inline(ctx.resolve({"$ref": ref}), {**seen, ref: at}, at)
        kept = {
            key: inline(value, seen, f"{at}/{quote(escape(key), safe='')}")
            for key, value in node.items()
            if key not in _ANNOTATIONS and not key.startswith("x-")
        }
        return {**kept, "$ref": f"#{seen[ref]}"} if isinstance(ref, str) else kept

    return json.dumps(inline(schema, {}, ""), sort_keys=True)


def column_spec(
    ctx: Context,
    schema: Any,
    primary: bool,
    required: bool,
    resolved: dict[str, Any] | None = None,
) -> FieldSpec:
    """The native column a property's schema stores as (``resolved``: the schema it
    is read from, by default ``_resolved``'s)."""
    if resolved is None:
        resolved = _resolved(ctx, schema)
    kind, nullable = declared_type(resolved)
    enum = resolved.get("enum")
    ftype, max_length = _column_type(resolved, kind, primary)
    return FieldSpec(
        type=ftype,  # type: ignore[arg-type]
        required=primary or (required and not nullable),
        primary_key=primary,
        max_length=max_length,
        values=[str(v) for v in enum if v is not None] if ftype == "enum" else None,
    )


# The column types whose value SQL gives as text (a server default, an UPDATE).
_FILLED_TYPES = frozenset({"string", "text", "enum", "integer", "float", "boolean"})


def _fill_value(schema: Any, spec: FieldSpec) -> Any:
    """What the rows stored before an optional property existed hold: its
    ``default``, which the API answers for their NULL (``crud.present``), so that
    filters and sorts see the rows as the API shows them. None where the property
    may be null (a NULL is then its value) or the default is no plain column value
    (a ``$ref``'s, an object, a date)."""
    if (
        spec.required
        or spec.type not in _FILLED_TYPES
        or not isinstance(schema, dict)
        or "$ref" in schema
        or declared_type(schema)[1]
    ):
        return None
    value = schema.get("default")
    if spec.type == "boolean":
        return value if isinstance(value, bool) else None
    if isinstance(value, bool) or not _within_limits(schema, value):
        return None
    if spec.type == "integer":
        low, high = INTEGER_RANGE
        return value if isinstance(value, int) and low <= value <= high else None
    if spec.type == "float":
        fits = isinstance(value, int | float) and math.isfinite(value)
        return value if fits else None
    if not isinstance(value, str) or "\x00" in value:
        return None
    if spec.type == "enum":
        return value if value in (spec.values or ()) else None
    return value


# Keywords whose rule _within_limits does not check: a default under one fills no rows.
_UNCHECKED = frozenset(
    {"format", "multipleOf", "const", "not", "allOf", "anyOf", "oneOf"}
)


def _within_limits(schema: dict[str, Any], value: Any) -> bool:
    """Whether a default keeps its own property's limits. Rows filled with one that
    does not would fail the API's answer model: a 500 on every read of them."""
    if _UNCHECKED.intersection(schema):
        return False
    if "enum" in schema and value not in schema["enum"]:
        return False
    if isinstance(value, str):
        low, high = schema.get("minLength", 0), schema.get("maxLength", len(value))
        if not (_is_number(low) and _is_number(high) and low <= len(value) <= high):
            return False
        pattern = schema.get("pattern")
        try:
            return pattern is None or re.search(pattern, value) is not None
        except (re.error, TypeError):
            return False
    if not isinstance(value, int | float):
        return False
    for key, sign in (("minimum", 1), ("maximum", -1)):
        bound = schema.get(key)
        exclusive = schema.get("exclusive" + key.capitalize())
        if _is_number(bound):  # 3.0's exclusiveMinimum/Maximum: true or false
            inside = (value - bound) * sign
            if inside < 0 or (inside == 0 and exclusive is True):
                return False
        if _is_number(exclusive) and (value - exclusive) * sign <= 0:
            return False  # 3.1's exclusiveMinimum / exclusiveMaximum: numbers
    return True


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _column_type(
    schema: dict[str, Any], kind: Any, primary: bool
) -> tuple[str, int | None]:
    """The column type of a schema of JSON type ``kind``, and a string's max length
    (a string without one is text, unless it is the key)."""
    enum = schema.get("enum")
    # A nullable enum lists null too (OpenAPI requires it): the column's NULL.
    values = [v for v in enum if v is not None] if isinstance(enum, list) else []
    if values and all(isinstance(v, str) for v in values):
        return "enum", None
    if kind != "string":
        return SCALAR_COLUMNS.get(kind, "json") if isinstance(
            kind, str
        ) else "json", None
    ftype = STRING_FORMATS.get(schema.get("format") or "", "string")
    if ftype != "string":
        return ftype, None
    length = schema.get("maxLength")
    max_length = length if isinstance(length, int) and length > 0 else None
    if max_length is None and not primary:
        return "text", None
    return "string", max_length


def hook_fills(ctx: Context, resource: Resource) -> tuple[str, ...]:
    """The required readOnly columns of a table besides its id: no request sends
    them and every response must carry them, so the resource's before_create
    hook fills them (the database numbers the id)."""
    properties, required = ctx.object_schema(ctx.api.schemas[resource.schema])
    return tuple(
        name
        for name, schema in properties.items()
        if name in required and name != resource.annotation.id and read_only(schema)
    )


def table_models(
    ctx: Context, operations: list[ApiOperationModel]
) -> tuple[ApiTableModel, ...]:
    """The CRUD operations of each table (for the generated tests)."""
    by_name = {op.name: op for op in operations}
    tables = []
    for resource in ctx.api.resources:
        crud = {kind: by_name.get(name) for kind, name in resource.operations}
        schema = ctx.api.schemas[resource.schema]
        row = sample(schema, ctx.api.schemas)
        tables.append(
            ApiTableModel(
                resource=resource.annotation.table or resource.name,
                pk=resource.annotation.id,
                list=crud.get("list"),
                get=crud.get("get"),
                create=crud.get("create"),
                update=crud.get("update"),
                delete=crud.get("delete"),
                row_sample=row if isinstance(row, dict) else None,
                key_required=resource.annotation.id in ctx.object_schema(schema)[1],
            )
        )
    return tuple(tables)


def property_attr(name: str, taken: set[str]) -> str:
    """The Python name of a table's property: the ORM attribute and the API models'
    field (datamodel-code-generator is given it). The property itself unless Python,
    SQLAlchemy or pydantic claim it or it is no plain identifier; then an alias free
    in the class, which ``taken`` (the class's names) then holds."""
    base = name
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        base = python_identifier(name, prefix="field")
    reserved = CLASS_BODY_NAMES | {"Field"}  # pydantic's Field, renamed Field_ too
    attr = python_name(base, reserved)
    if attr != name:
        attr = python_name(base, reserved | taken)
        taken.add(attr)
    return attr


def _item_param(resource: Resource, api: ApiDescription) -> str | None:
    for crud, name in resource.operations:
        if crud in ("get", "update", "delete"):
            return path_param(api.operation(name))
    return None
