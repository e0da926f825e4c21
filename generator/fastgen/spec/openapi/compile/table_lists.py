"""An OpenAPI table's ``list`` (in ``x-fastgen-resource``): the native list's query.

Its names are checked against the table's columns, each problem placed at the name
in the document; the filters, sort fields, expansions and implied indexes are then
the native compile's (``fastgen.spec.native.listing``), so both inputs build the same
list model and the project runs the same ``listing.py``.
"""

from __future__ import annotations

from dataclasses import replace

from fastgen.model.service import FieldModel, ResourceModel
from fastgen.spec.native.listing import (
    STRING_TYPES,
    UNCOMPARABLE_TYPES,
    filter_clashes,
    filter_names,
    listing,
)
from fastgen.spec.native.model import FieldSpec, ResourceSpec
from fastgen.spec.openapi.annotations import ListAnnotation
from fastgen.spec.openapi.compile.context import Context
from fastgen.spec.openapi.description import Resource
from fastgen.spec.problems import did_you_mean


def with_listing(
    ctx: Context, resource: Resource, model: ResourceModel
) -> ResourceModel:
    """The table with what its list takes (once every table is known: an expand
    names another); unchanged without ``list``, or after reporting a wrong name."""
    wanted = resource.annotation.listing
    if wanted is None:
        return model
    pk, fields = model.pk, model.fields
    columns = {f.name: f for f in (pk, *fields)}
    before = len(ctx.problems)
    aliased = [f.name for f in columns.values() if f.aliased]
    if aliased:
        _error(
            ctx,
            resource,
            "",
            "a list with filters and sort is not supported yet on a table whose "
            f"properties are Python aliases ({', '.join(aliased)})",
        )
    _check_names(ctx, resource, wanted, columns)
    refs = _refs(ctx, resource, wanted, columns)
    if len(ctx.problems) > before:
        return model
    specs = {
        f.name: FieldSpec.model_construct(
            type=f.type, primary_key=f.primary_key, required=not f.nullable
        )
        for f in (pk, *fields)
    }
    spec = ResourceSpec.model_construct(path=model.path, fields=specs, listing=wanted)
    for name, why in filter_clashes(spec, filter_names(spec, refs)).items():
        named = wanted.filter or []
        where = f"filter/{named.index(name)}" if name in named else f"match/{name}"
        _error(ctx, resource, where, f"{name!r} cannot be a filter: {why}")
    if len(ctx.problems) > before:
        return model
    found = listing(spec, pk, fields, refs)
    return replace(
        model,
        fields=found.fields,
        filters=found.filters,
        sorts=found.sorts,
        expansions=found.expansions,
        api_list=True,
    )


def _error(ctx: Context, resource: Resource, where: str, message: str) -> None:
    ctx.error(resource.list_sources[where], message)


def _check_names(
    ctx: Context,
    resource: Resource,
    wanted: ListAnnotation,
    columns: dict[str, FieldModel],
) -> None:
    for key in ("filter", "sort"):
        names = getattr(wanted, key) or []
        for i, name in enumerate(names):
            where = f"{key}/{i}"
            column = columns.get(name)
            if name in names[:i]:
                _error(ctx, resource, where, f"{name!r} is listed twice")
            elif column is None:
                _no_column(ctx, resource, where, name, columns)
            elif column.type in UNCOMPARABLE_TYPES:
                verb = "filter" if key == "filter" else "sort"
                _error(
                    ctx,
                    resource,
                    where,
                    f"{name!r} is stored as JSON; a list cannot {verb} by it",
                )
            elif key == "sort" and column.nullable:
                _error(ctx, resource, where, _unsortable(ctx, resource, name))
    for name in wanted.match:
        column = columns.get(name)
        if column is None:
            _no_column(ctx, resource, f"match/{name}", name, columns)
        elif column.type not in STRING_TYPES:
            _error(
                ctx,
                resource,
                f"match/{name}",
                f"{name!r} is stored as {column.type}; prefix and contains match "
                "string properties only",
            )


def _unsortable(ctx: Context, resource: Resource, name: str) -> str:
    """Why a list cannot sort by a property that may have no value: not required,
    or required but nullable."""
    _, required = ctx.object_schema(ctx.api.schemas[resource.schema])
    if name in required:
        return (
            f"{name!r} may be null; a list sorts only by properties with a value in "
            "every row (drop its nullable, or 'null' from its type)"
        )
    return (
        f"{name!r} is optional; a list sorts only by properties with a value in "
        "every row (list it in the schema's required)"
    )


def _no_column(
    ctx: Context,
    resource: Resource,
    where: str,
    name: str,
    columns: dict[str, FieldModel],
) -> None:
    _error(
        ctx,
        resource,
        where,
        f"{resource.schema} has no property {name!r}; expected one of: "
        f"{', '.join(columns)}{did_you_mean(name, list(columns))}",
    )


def _refs(
    ctx: Context,
    resource: Resource,
    wanted: ListAnnotation,
    columns: dict[str, FieldModel],
) -> dict[str, str]:
    """Each expand property -> the table whose key it holds."""
    tables = {r.schema: r for r in ctx.api.resources}
    refs = {}
    for name, schema in wanted.expand.items():
        where = f"expand/{name}"
        target = tables.get(schema)
        model = ctx.table_models.get(target.name) if target else None
        if name not in columns:
            _no_column(ctx, resource, where, name, columns)
        elif target is None:
            _error(
                ctx,
                resource,
                where,
                f"{schema!r} is not a schema with x-fastgen-resource; expected one "
                f"of: {', '.join(tables)}{did_you_mean(schema, list(tables))}",
            )
        elif model is not None and model.pk.py_type != columns[name].py_type:
            _error(
                ctx,
                resource,
                where,
                f"{name!r} is stored as {columns[name].type}, but the key "
                f"{model.pk.name!r} of {schema} is {model.pk.type}: it cannot hold one",
            )
        elif model is not None:
            refs[name] = model.table
    return refs
