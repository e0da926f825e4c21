"""Route parameters: path, query, header and cookie parameters as FastAPI arguments."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from packaging.version import Version

from fastgen.model.service import ApiParamModel, ApiType
from fastgen.spec.openapi.compile.context import IDENTIFIER, Context, unwrapped
from fastgen.spec.openapi.compile.types import Types
from fastgen.spec.openapi.description import Operation, Parameter
from fastgen.spec.openapi.models import REQUEST, api_class_name

QUERY_MODELS = "0.159"  # a model among other query parameters
CONSTRAINTS = {
    "minimum": "ge",
    "maximum": "le",
    "exclusiveMinimum": "gt",
    "exclusiveMaximum": "lt",
    "minLength": "min_length",
    "maxLength": "max_length",
    "pattern": "pattern",
    "minItems": "min_length",
    "maxItems": "max_length",
}
INTEGER_BOUNDS = {"int32": 2**31, "int64": 2**63}
MARKERS = {"path": "Path", "query": "Query", "header": "Header", "cookie": "Cookie"}


def param_model(
    ctx: Context, op: Operation, param: Parameter, types: Types
) -> ApiParamModel | None:
    """The route argument that reads ``param``; None (and a problem) if FastAPI can't."""
    schema = ctx.deref(param.schema)
    py_type = types.of(schema, depth=1)
    if py_type is None and ctx.object_schema(schema)[0]:
        return query_model(ctx, op, param, types)
    if not _readable(ctx, param, py_type) or py_type is None:
        return None
    schema = ctx.param_schema(param)
    is_list = py_type.leading.kind == "list"
    marker = MARKERS[param.location]
    required = param.required or param.location == "path"
    default = None
    if not required:
        default = schema.get("default") if isinstance(schema, dict) else None
        if default is None and not py_type.admits_none and py_type.kind != "any":
            py_type = replace(py_type, nullable=True)
    if is_list and isinstance(schema, dict):
        py_type = _bounded_items(ctx, py_type, schema.get("items"))
    return ApiParamModel(
        name=param.python_name,
        type=py_type,
        location=param.location,
        marker=marker,
        required=required,
        default=default,
        alias=_alias(param),
        constraints=_constraints(schema, is_list) if isinstance(schema, dict) else (),
        description=param.description or None,
        deprecated=bool(param.deprecated),
    )


def _readable(ctx: Context, param: Parameter, py_type: ApiType | None) -> bool:
    """Whether FastAPI can read a parameter of type ``py_type`` where it travels."""
    where = f"{param.location} parameter {param.name!r}"
    if py_type is None:
        ctx.error(
            param.source,
            f"{where} has a schema fastgen "
            "cannot read as a scalar or a list of scalars",
        )
        return False
    if py_type.leading.kind == "list" and (
        param.location in ("path", "header", "cookie") or not param.explode
    ):
        travels = (
            "with explode: false (comma-separated)"
            if param.location == "query"
            else f"in the {param.location}"
        )
        ctx.error(
            param.source,
            f"{where} is an array {travels}; FastAPI reads arrays only as repeated "
            "query parameters (style: form, explode: true)",
        )
        return False
    if py_type.leading.kind == "dict":
        ctx.error(
            param.source, f"{where} is an object; FastAPI cannot read it from the URL"
        )
        return False
    return True


def _alias(param: Parameter) -> str | None:
    """The wire name, where FastAPI must be told it: it is not the Python name (a
    path parameter's only if the route names it so), and always for a header, which
    FastAPI reads as written."""
    wire_in_route = param.location == "path" and IDENTIFIER.fullmatch(param.name)
    if (
        param.name != param.python_name
        and (param.location != "path" or wire_in_route)
        or param.location == "header"
    ):
        return param.name
    return None


def _constraints(schema: dict[str, Any], is_list: bool) -> tuple[tuple[str, Any], ...]:
    """FastAPI's validation keywords of a parameter's schema, with their values."""
    found: list[tuple[str, Any]] = []
    for key, arg in CONSTRAINTS.items():
        value = schema.get(key)
        if key.startswith("exclusive") and isinstance(value, bool):
            continue  # 3.0 booleans qualify minimum/maximum
        if value is None or key.endswith("Items") != is_list and key != "pattern":
            continue
        if key in ("minimum", "maximum") and _exclusive(schema, key) is True:
            arg = "gt" if key == "minimum" else "lt"
        if key == "pattern" and is_list:
            continue
        found.append((arg, value))
    bounds = INTEGER_BOUNDS.get(schema.get("format"))  # type: ignore[arg-type]
    if bounds and schema.get("type") == "integer" and not is_list:
        # int32/int64 say how large the value can be; without the bound a
        # larger one reaches the database driver and fails there (a 500).
        for key, arg, value in (
            ("minimum", "ge", -bounds),
            ("maximum", "le", bounds - 1),
        ):
            if key not in schema and _exclusive_key(key) not in schema:
                found.append((arg, value))
    return tuple(found)


def _bounded_items(ctx: Context, py_type: ApiType, items: Any) -> ApiType:
    """A list of scalars whose items carry their schema's limits (``list[Annotated[
    int, Field(le=10)]]``): a marker's keywords bound the list, not its items."""
    item = py_type.args[0] if py_type.kind == "list" and py_type.args else None
    if item is None or item.kind != "scalar":
        return py_type
    bounds = _constraints(unwrapped(ctx.api.schemas, items), is_list=False)
    return replace(py_type, args=(replace(item, bounds=bounds),)) if bounds else py_type


def _exclusive_key(key: str) -> str:
    """``minimum`` -> ``exclusiveMinimum``."""
    return "exclusive" + key[0].upper() + key[1:]


def _exclusive(schema: dict[str, Any], key: str) -> Any:
    return schema.get(_exclusive_key(key))


def query_model(
    ctx: Context, op: Operation, param: Parameter, types: Types
) -> ApiParamModel | None:
    """An object query parameter as a pydantic model of query parameters.

    With style form and explode (OpenAPI's default), an object travels as its
    properties (``?name=x&size=2``), which is how FastAPI (0.159 and later) reads
    ``Annotated[Model, Query()]``. Each property must be readable from a query
    string. A model that forbids additional properties would take the
    operation's other query parameters for extras, so the route reads a
    subclass that allows them.
    """
    schema = ctx.deref(param.schema)
    problem = _query_model_problem(ctx, param, schema)
    if problem is not None:
        ctx.error(param.source, problem)
        return None
    base = api_class_name(f"{op.name}_{param.python_name}") + "Query"
    others = [p for p in op.parameters if p.location == "query" and p is not param]
    if others and ctx.resolve(schema).get("additionalProperties") is False:
        schema = {"allOf": [schema], "additionalProperties": True}
    py_type = types.of(schema, hoist=base, role=REQUEST)
    if py_type is None:
        return None
    if py_type.kind == "model" and _integer_enums(ctx, schema):
        py_type = replace(py_type, from_text=True)  # crud.ints_from_text
    ctx.fastapi_minimum = max(ctx.fastapi_minimum, QUERY_MODELS, key=Version)
    return ApiParamModel(
        name=param.python_name, type=py_type, location="query", marker="Query"
    )


def _integer_enums(ctx: Context, schema: Any) -> bool:
    """Whether an integer enum is among the object's properties: its value arrives
    as text, which no ``Literal`` of ints matches."""
    properties, _ = ctx.object_schema(schema)
    return any(_integer_enum(ctx, value, 0) for value in properties.values())


def _integer_enum(ctx: Context, schema: Any, depth: int) -> bool:
    """An integer enum, or one among a union's members or an array's items."""
    schema = ctx.resolve(schema)
    if depth > 8 or not isinstance(schema, dict):
        return False
    enum = schema.get("enum")
    values = [*(enum if isinstance(enum, list) else ()), schema.get("const")]
    if any(type(value) is int for value in values):
        return True
    members = [
        member
        for key in ("oneOf", "anyOf", "allOf")
        if isinstance(schema.get(key), list)
        for member in schema[key]
    ]
    if isinstance(schema.get("items"), dict):
        members.append(schema["items"])
    return any(_integer_enum(ctx, member, depth + 1) for member in members)


def _query_model_problem(ctx: Context, param: Parameter, schema: Any) -> str | None:
    """Why an object parameter cannot be read as a model of query parameters."""
    properties, required = ctx.object_schema(schema)
    where = f"{param.location} parameter {param.name!r} is an object"
    if param.location != "query" or not param.explode:
        return (
            f"{where} {'with explode: false' if param.explode is False else ''}"
            f"{'' if param.location == 'query' else 'in the ' + param.location}; "
            "FastAPI reads an object only from the query string, as its "
            "properties (style: form, explode: true)"
        ).replace(" ;", ";")
    if required and not param.required:
        return (
            f"{where} with required properties but is not required itself; "
            "FastAPI reads it as a model whose required fields are required"
        )
    probe = Types(ctx.models, ctx.api.schemas)
    unreadable = [
        name
        for name, value in properties.items()
        if (kind := probe.of(value, depth=1)) is None or kind.leading.kind == "dict"
    ]
    if unreadable:
        return (
            f"{where} whose properties {', '.join(map(repr, unreadable))} "
            "cannot be read from a query string (objects)"
        )
    return None
