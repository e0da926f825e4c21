"""Cache policies of operations, and which writes clear which cached reads."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastgen.model.policy import PolicyModel
from fastgen.spec.native.compile import policy_model
from fastgen.spec.openapi.compile.context import Context, path_param
from fastgen.spec.openapi.description import Operation

Invalidations = dict[str, tuple[tuple[str, bool], ...]]


def operation_policy(
    ctx: Context, op: Operation, defaults: Any, schemes: tuple[str, ...] = ()
) -> PolicyModel | None:
    """The cache policy of ``op`` (its ``x-fastgen-cache``), or None; ``schemes``:
    the names of the security schemes the document declares."""
    if op.cache is None:
        return None
    id_param = None
    owner = ctx.resources_by_op.get(op.name)
    if owner and owner[1] == "get":
        id_param = path_param(op)
    policy = policy_model(op.name, op.route, op.cache, defaults, id_param)
    # The key holds the path and the query; a header or cookie parameter selects
    # the response too, so it varies the key (a cookie as the whole Cookie header).
    selecting = {
        "cookie" if p.location == "cookie" else p.name.lower()
        for p in op.parameters
        if p.location in ("header", "cookie")
    }
    if policy is None:
        return None
    if policy.scope == "private" and schemes:
        policy = replace(policy, security=private_security(op, schemes))
    if selecting <= set(policy.vary):
        return policy
    return replace(policy, vary=tuple(sorted(selecting | set(policy.vary))))


def private_security(
    op: Operation, schemes: tuple[str, ...]
) -> tuple[tuple[str, ...], ...]:
    """The alternatives whose credentials key a private entry of ``op``: those of
    its security requirements (the anonymous one aside), else, for an operation
    without any, each declared scheme on its own."""
    alternatives = tuple(
        names
        for requirement in op.security
        if (names := tuple(n for n, _ in requirement.schemes if n in schemes))
    )
    return alternatives or tuple((name,) for name in schemes)


def invalidations(ctx: Context, policies: dict[str, PolicyModel]) -> Invalidations:
    """Writes on a resource clear its cached reads; ``invalidated_by`` adds more."""
    table: dict[str, set[tuple[str, bool]]] = {}
    for resource in ctx.api.resources:
        crud = dict(resource.operations)
        reads = [(crud.get("list"), False), (crud.get("get"), True)]
        for op_kind in ("create", "update", "delete"):
            write = crud.get(op_kind)
            if write is None:
                continue
            targets = table.setdefault(write, set())
            for read, by_id in reads:
                if read in policies and not (op_kind == "create" and by_id):
                    targets.add((read, by_id))
    _add_expanded(ctx, policies, table)
    _add_invalidated_by(ctx, policies, table)
    return {
        write: tuple(sorted(targets))
        for write, targets in sorted(table.items())
        if targets
    }


def _add_expanded(
    ctx: Context,
    policies: dict[str, PolicyModel],
    table: dict[str, set[tuple[str, bool]]],
) -> None:
    """A list that embeds another table's rows (``list.expand``) holds them: that
    table's writes clear it too, creates included (the property is no foreign key:
    a row may name a key before it exists, or one reused after a delete)."""
    crud_of = {r.schema: dict(r.operations) for r in ctx.api.resources}
    for resource in ctx.api.resources:
        listing = resource.annotation.listing
        read = dict(resource.operations).get("list")
        if listing is None or read not in policies:
            continue
        for schema in listing.expand.values():
            for kind in ("create", "update", "delete"):
                write = crud_of.get(schema, {}).get(kind)
                if write is not None:
                    table.setdefault(write, set()).add((read, False))


def _add_invalidated_by(
    ctx: Context,
    policies: dict[str, PolicyModel],
    table: dict[str, set[tuple[str, bool]]],
) -> None:
    """The writes a policy's ``invalidated_by`` names (by operationId) clear it."""
    by_operation_id = {op.operation_id or op.name: op.name for op in ctx.api.operations}
    for name, policy in policies.items():
        cache = ctx.api.operation(name).cache
        for write in cache.invalidated_by if cache else []:
            writer = by_operation_id.get(write, write)
            table.setdefault(writer, set()).add((policy.name, False))
