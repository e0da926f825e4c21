"""How a table-backed list applies its query parameters: pagination and filters."""

from __future__ import annotations

from dataclasses import dataclass

from fastgen.model.service import ApiParamModel, ApiType
from fastgen.spec.openapi.compile.context import Context
from fastgen.spec.openapi.compile.tables import column_spec
from fastgen.spec.openapi.description import Operation, Parameter, Resource

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
    schema = ctx.resolve(ctx.deref(param.schema))
    if isinstance(schema, dict) and schema.get("type") == "array":
        schema = ctx.resolve(schema.get("items"))
    if not isinstance(schema, dict) or "type" not in schema and "enum" not in schema:
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
