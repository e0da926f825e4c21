"""How a table-backed list applies its query parameters: pagination and filters."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from fastgen.model.service import ApiParamModel, ApiType, FieldModel, ResourceModel
from fastgen.spec.openapi.compile.context import Context, unwrapped
from fastgen.spec.openapi.compile.tables import column_spec
from fastgen.spec.openapi.description import Operation, Parameter, Resource
from fastgen.spec.problems import did_you_mean

# Integer query parameters a list reads as pagination (Python names), as the corpus
# documents spell them: limit/offset, page/per_page (billingo), page/limit (museum).
LIMIT_NAMES = ("limit", "page_size", "per_page")
OFFSET_NAMES = ("offset", "skip")
PAGE_NAMES = ("page", "page_number")
_TEXT = {"string", "text", "enum"}
# Column type -> the kinds of query parameter an equality filter may compare it with
# (a datetime is left to the user: equal instants rarely mean what a filter means).
FILTER_KINDS = {
    "string": _TEXT,
    "text": _TEXT,
    "enum": _TEXT,
    "integer": {"integer"},
    "float": {"float", "integer"},
    "boolean": {"boolean"},
    "date": {"date"},
    "uuid": {"uuid"},
}


@dataclass(frozen=True)
class ListQuery:
    """The parameters a table-backed list applies, and those it passes to ``refine``."""

    limit_param: str | None = None
    offset_param: str | None = None
    page_param: str | None = None
    filters: tuple[tuple[str, str], ...] = ()  # (ORM attribute, parameter)
    any_filters: tuple[tuple[str, str], ...] = ()
    refined: tuple[str, ...] = ()
    paged: bool = False  # the native query (x-fastgen-resource list) instead


def list_query(
    ctx: Context,
    op: Operation,
    params: list[ApiParamModel],
    resource: Resource | None,
) -> ListQuery:
    """How a table-backed list applies its parameters (nothing for other operations).

    Pagination by its usual names, equality (or, for an array, IN) filters for
    parameters named like a column of the same kind; every other parameter is
    the user's, passed to ``refine`` in ``hooks/operations/`` so none is dropped.
    """
    if resource is None:
        return ListQuery()
    table = ctx.table_models.get(resource.name)
    if table is not None and table.api_list:
        _check_paged(ctx, op, table)
        return ListQuery(paged=True)
    limit = _named(params, LIMIT_NAMES)
    offset = _named(params, OFFSET_NAMES)
    page = _named(params, PAGE_NAMES) if limit and not offset else None
    kinds = _column_kinds(ctx, resource)
    filters, any_filters, refined = [], [], []
    for param, model in zip(op.parameters, params, strict=True):
        if model.name in (limit, offset, page):
            continue
        kind = _filter_kind(ctx, param)
        # the property's name, or the parameter's Python name (page-size: page_size)
        column = kinds.get(param.name) or kinds.get(model.name)
        if param.location == "query" and kind and column and kind in column[1]:
            is_list = model.type.leading.kind == "list"
            (any_filters if is_list else filters).append((column[0], model.name))
        else:
            refined.append(model.name)
    return ListQuery(
        limit, offset, page, tuple(filters), tuple(any_filters), tuple(refined)
    )


# A parameter's numeric keywords, each as the test a value of an enum must pass.
_BOUNDS: dict[str, Callable[[Any, Any], bool]] = {
    "ge": operator.ge,
    "gt": operator.gt,
    "le": operator.le,
    "lt": operator.lt,
    "multiple_of": lambda value, step: value % step == 0,
}


def enum_filters(
    ctx: Context,
    resource: Resource | None,
    listing: ListQuery,
    params: tuple[ApiParamModel, ...],
) -> tuple[ApiParamModel, ...]:
    """``params`` with each document filter of an integer column with an ``enum``
    read as those values where the document types it a plain integer (or an array
    of them): ``?status=7`` is a 422 naming the parameter, as a paged list's filter
    is, not an empty page, and the served document lists the values. A filter's own
    bounds keep the values they allow; a parameter with its own enum, another type,
    or a default outside the values keeps the document's type."""
    table = ctx.table_models.get(resource.name) if resource else None
    if table is None:
        return params
    columns = {f.attr: f for f in (table.pk, *table.fields)}
    filtered = {param: columns[attr] for attr, param in listing.filters}
    filtered |= {param: columns[attr] for attr, param in listing.any_filters}
    return tuple(
        _enum_filter(p, filtered[p.name]) if p.name in filtered else p for p in params
    )


def _enum_filter(param: ApiParamModel, column: FieldModel) -> ApiParamModel:
    values = dict(column.limits or ()).get("enum", ())
    if (
        column.type != "integer"
        or not values
        or any(type(v) is not int for v in values)
    ):
        return param
    many = param.type.kind == "list"
    item = param.type.args[0] if many else param.type
    if item.kind != "scalar" or item.name != "int":
        return param
    bounds = item.bounds if many else param.constraints
    kept = tuple(v for v in values if _within(v, bounds))
    if not kept or param.default is not None and param.default not in kept:
        return param
    literal = ApiType("literal", values=kept, from_text=True, nullable=item.nullable)
    if not many:
        others = tuple((k, v) for k, v in param.constraints if k not in _BOUNDS)
        return replace(param, type=literal, constraints=others)
    return replace(param, type=replace(param.type, args=(literal,)))


def enum_sample(
    request: Any,
    written: tuple[ApiParamModel, ...],
    params: tuple[ApiParamModel, ...],
) -> Any:
    """A sample request (url, query, ...) whose required filters ``enum_filters``
    narrowed (``written`` as the document types them, ``params`` after) send one
    of their values: the document's type sampled another."""
    if request is None:
        return None
    query = dict(request[1])
    for before, param in zip(written, params, strict=True):
        wire = param.alias or param.name
        values = param.type.values if param.type.kind == "literal" else ()
        if param != before and values and query.get(wire, values[0]) not in values:
            query[wire] = values[0]
    return (request[0], query, *request[2:])


def _within(value: int, bounds: tuple[tuple[str, Any], ...]) -> bool:
    return all(_BOUNDS[k](value, v) for k, v in bounds if k in _BOUNDS)


def paged_parameters(table: ResourceModel) -> list[str]:
    """The query parameters of a list that takes the native query, as the served
    document lists them."""
    names = ["limit", "offset", "cursor", "count"]
    names += ["sort"] if table.sorts else []
    names += ["expand"] if table.expansions else []
    for item in table.filters:
        names += [
            item.field.name if op == "eq" else f"{item.field.name}__{op}"
            for op in item.ops
        ]
    return names


def _check_paged(ctx: Context, op: Operation, table: ResourceModel) -> None:
    """A list taking the native query serves its parameters, not the document's:
    each one the document declares must be one of them, or it would be a 422."""
    accepted = paged_parameters(table)
    for param in op.parameters:
        if param.location == "query" and param.name in accepted:
            continue
        ctx.error(
            param.source,
            f"{param.location} parameter {param.name!r} is not one the list of "
            f"table {table.table!r} takes (its x-fastgen-resource has list); "
            f"expected one of: {', '.join(accepted)}"
            f"{did_you_mean(param.name, accepted)}",
        )


def _column_kinds(ctx: Context, resource: Resource) -> dict[str, tuple[str, set[str]]]:
    """Each column's name: its attribute, and the kinds of parameter it can be
    compared with."""
    model = ctx.table_models.get(resource.name)
    if model is None:
        return {}
    return {
        f.name: (f.attr, FILTER_KINDS[f.type])
        for f in (model.pk, *model.fields)
        if f.type in FILTER_KINDS
    }


def _filter_kind(ctx: Context, param: Parameter) -> str | None:
    """The column type a parameter's values (an array's items) would be stored as."""
    schema = ctx.param_schema(param)
    if schema.get("type") == "array":
        schema = unwrapped(ctx.api.schemas, schema.get("items"))
    if "type" not in schema and "enum" not in schema:
        return None
    return column_spec(ctx, schema, False, False).type


def _named(params: list[ApiParamModel], names: tuple[str, ...]) -> str | None:
    return next(
        (
            p.name
            for p in params
            if p.location == "query" and p.name in names and _is_int(p.type)
        ),
        None,
    )


def _is_int(param_type: ApiType) -> bool:
    """An integer (perhaps None), or a union led by one."""
    leading = param_type.leading
    return leading.kind == "scalar" and leading.name == "int"
