"""Routers: one per first tag, registered so each route precedes the ones it shadows."""

from __future__ import annotations

from fastgen.model.service import ApiOperationModel, ApiRouterModel
from fastgen.spec.openapi.compile.context import IDENTIFIER, Context
from fastgen.spec.openapi.compile.operations import served_path
from fastgen.spec.openapi.description import Operation
from fastgen.spec.openapi.routes import _precedes, _rank

# (served path, document path, ((Python name, wire name), ...))
DocumentPath = tuple[str, str, tuple[tuple[str, str], ...]]


def router_models(
    ctx: Context, operations: list[ApiOperationModel]
) -> list[ApiRouterModel]:
    """One router per first tag, in the order their first route must be registered."""
    groups: dict[str, list[ApiOperationModel]] = {}
    for op in operations:
        groups.setdefault(op.router, []).append(op)
    registered = [op for ops in groups.values() for op in ops]
    _check_order(ctx, operations, {op.name: i for i, op in enumerate(registered)})
    return [
        ApiRouterModel(name=name, tag=ops[0].tag, operations=tuple(ops))
        for name, ops in groups.items()
    ]


def _check_order(
    ctx: Context, operations: list[ApiOperationModel], position: dict[str, int]
) -> None:
    """A problem for each route registered after a less specific one it shadows."""
    by_name = {op.name: ctx.api.operation(op.name) for op in operations}
    schemas = ctx.api.schemas
    for a in operations:
        for b in operations:
            oa, ob = by_name[a.name], by_name[b.name]
            if (
                oa.method == ob.method
                and position[a.name] > position[b.name]
                and _precedes(_rank(oa, schemas), _rank(ob, schemas))
            ):
                ctx.error(
                    ob.source,
                    f"{ob.method} {ob.path} must be registered after "
                    f"{oa.method} {oa.path}, which is more specific, but their "
                    "tags put them in different routers in the other order; "
                    "give them the same first tag",
                )


def document_paths(operations: list[Operation]) -> tuple[DocumentPath, ...]:
    """Served paths whose parameters Starlette cannot name as the document does
    (not identifiers): (served path, document path, ((Python name, wire name), ...))."""
    found: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {}
    for op in operations:
        renamed = tuple(
            (p.python_name, p.name)
            for p in op.parameters
            if p.location == "path" and not IDENTIFIER.fullmatch(p.name)
        )
        if renamed:
            found.setdefault(served_path(op, {}), (op.path, renamed))
    return tuple((served, path, names) for served, (path, names) in found.items())
