"""The routes of an OpenAPI service: imports of its routers, hooks, security and
outgoing requests, and the arguments a route passes to its stub."""

from __future__ import annotations

import re
from typing import Any

from fastgen.model.service import (
    ApiOperationModel,
    ApiRouterModel,
    ApiType,
    ServiceModel,
)
from fastgen.render.api_code import (
    api_operation_imports,
    api_reads_json,
    api_scheme_class,
    api_scheme_credentials,
    api_type,
    api_type_imports,
    if_match_source,
    sends_etag,
    undeclared_errors,
)
from fastgen.render.listing import page_route_imports
from fastgen.render.literals import pyliteral, pystr
from fastgen.render.pyimports import Import, render_imports
from fastgen.render.pysource import type_imports


def _pages(op: ApiOperationModel) -> bool:
    """A table list operation taking a page size, a page or an offset."""
    return op.crud == "list" and bool(op.limit_param or op.offset_param)


def paged_tables(service: ServiceModel) -> bool:
    """Whether some table list operation pages (``crud.within_rows`` is used)."""
    routers = service.api.routers if service.api else ()
    return any(_pages(op) for router in routers for op in router.operations)


def list_filters(
    op: ApiOperationModel, service: ServiceModel
) -> tuple[tuple[str, str], ...]:
    """Each document filter of a table's list (equality, then IN for an array): its
    parameter and the condition it adds. A column of a format compares the value
    read by its API type, in the form it stores (``crud.filter_value``)."""
    row = op.row_class
    found = []
    for attr, param, kind, many in _filters(op, service):
        value = param
        if kind is not None:
            read = f"list[{kind}]" if many else kind
            wire = next(p.alias or p.name for p in op.params if p.name == param)
            value = f"filter_value({row}.{attr}, {read}, {param}, {pystr(wire)})"
        compared = f".in_({value})" if many else f" == {value}"
        found.append((param, f"{row}.{attr}{compared}"))
    return tuple(found)


def typed_list_filters(service: ServiceModel) -> bool:
    """Whether a table's list reads a filter by its column's type (``filter_value``)."""
    routers = service.api.routers if service.api else ()
    return any(
        kind is not None
        for router in routers
        for op in router.operations
        for _, _, kind, _ in _filters(op, service)
    )


def _filters(
    op: ApiOperationModel, service: ServiceModel
) -> list[tuple[str, str, str | None, bool]]:
    """(attribute, parameter, the column's value type or None, IN) of each filter."""
    if op.crud != "list" or op.paged or not op.resource:
        return []
    table = service.resource(op.resource)
    columns = {f.attr: f for f in (table.pk, *table.fields)}
    return [
        (attr, param, column.value_type if column else None, many)
        for many, filters in ((False, op.filters), (True, op.any_filters))
        for attr, param in filters
        for column in [columns.get(attr)]
    ]


def api_router_imports(router: ApiRouterModel, service: ServiceModel) -> str:
    """Imports of one per-tag router module of an OpenAPI service."""
    pkg = service.package
    imports: list[Import] = [("fastapi", "APIRouter"), (f"{pkg}.deps", "SessionDep")]
    if router.uses_convertors:
        imports.append((f"{pkg}.convertors", "register_convertors"))
    if any(api_reads_json(op) for op in router.operations):
        imports.append((f"{pkg}.crud", "JsonBodyRoute"))
    for op in router.operations:
        imports += api_operation_imports(op, pkg)
        conditional = if_match_source(op, service) is not None
        if undeclared_errors(op, conditional=conditional):
            imports.append((f"{pkg}.crud", "errors"))
        if conditional:
            imports += [(pkg, "api_models"), (f"{pkg}.crud", "present")]
            imports += [(f"{pkg}.crud", n) for n in ("IfMatch", "check_if_match")]
            imports.append((f"{pkg}.crud", "lock_row"))
        if op.invalidates:
            imports.append((f"{pkg}.deps", "CacheDep"))
        if sends_etag(op, service):
            imports += [("fastapi", "Response"), (f"{pkg}.crud", "answer_etag")]
        if op.crud is None:
            imports.append((f"{pkg}.hooks.operations", f"{op.name} as {op.name}_hook"))
            continue
        if op.paged and op.resource:
            imports += page_route_imports(service.resource(op.resource), pkg)
            continue
        imports.append((f"{pkg}.models", op.row_class))
        if op.crud in ("get", "update", "delete"):
            imports.append((f"{pkg}.crud", "get_or_404"))
        if op.crud in ("create", "update", "delete"):
            imports.append((f"{pkg}.crud", "commit_or_409"))
            hooks = f"{pkg}.hooks.resources.{op.resource}"
            imports.append((hooks, f"hooks as {op.resource}_hooks"))
        if op.crud in ("create", "update"):
            imports += [(f"{pkg}.crud", "column_values"), (f"{pkg}.crud", "reread")]
        if op.crud != "delete" or op.returns.kind != "none":
            imports.append((f"{pkg}.crud", "present"))
        if op.crud == "list":
            imports.append(("sqlalchemy", "select"))
        for _, _, kind, _ in _filters(op, service):
            if kind is not None:
                imports += [(f"{pkg}.crud", "filter_value"), *type_imports(kind)]
        if _pages(op):
            imports.append((f"{pkg}.crud", "within_rows"))
        if op.refined:
            imports.append((f"{pkg}.hooks.operations", f"{op.name} as {op.name}_hook"))
    return render_imports(imports, pkg)


def api_security_imports(service: ServiceModel) -> str:
    """Imports of ``security.py``: the FastAPI security classes the schemes use."""
    imports: list[Import] = [
        ("collections.abc", "Awaitable"),
        ("collections.abc", "Callable"),
        ("functools", "partial"),
        ("typing", "Annotated"),
        ("urllib.parse", "urlencode"),
        ("fastapi", "HTTPException"),
        ("fastapi", "Request"),
        ("fastapi", "Security"),
        ("fastapi", "status"),
    ]
    for scheme in service.api_schemes:
        imports.append(("fastapi.security", api_scheme_class(scheme)))
        for name in ("HTTPAuthorizationCredentials", "HTTPBasicCredentials"):
            if name in api_scheme_credentials(scheme):
                imports.append(("fastapi.security", name))
    return render_imports(imports, service.package)


def api_hook_imports(
    op: ApiOperationModel, service: ServiceModel, *, refine: bool = False
) -> str:
    """Imports of one operation's module in hooks/operations/: a stub's ``handle``,
    or with ``refine`` a table-backed list's ``refine``."""
    pkg = service.package
    imports: list[Import] = [("sqlalchemy.ext.asyncio", "AsyncSession")]
    if refine:
        imports += [("typing", "Any"), ("sqlalchemy", "Select")]
        types = " ".join(api_type(p.type) for p in op.refined_params)
    else:
        written = [api_type(op.stub_returns), *(api_type(p.type) for p in op.params)]
        types = " ".join(written)
    for module, name in api_operation_imports(op, pkg):
        if (
            name
            and re.search(rf"\b{re.escape(name)}\b", types)
            or (name is None and module.split(" as ")[-1] + "." in types)
        ):
            imports.append((module, name))
    if op.stub_returns.kind == "response":
        imports.append(("fastapi", "Response"))
    return render_imports(imports, pkg)


def api_outgoing_imports(service: ServiceModel) -> str:
    """Imports of ``outgoing.py``: its routers and the types of the requests sent."""
    assert service.api is not None
    imports: list[Import] = [("fastapi", "APIRouter")]
    for op in service.api.webhooks:
        imports += api_operation_imports(op, service.package)
    for group in service.api.callbacks:
        for _, op in group.callbacks:
            imports += api_operation_imports(op, service.package)
    if sent_media_types(service):
        imports += [
            ("collections.abc", "Callable"),
            ("functools", "reduce"),
            ("operator", "getitem"),
            ("typing", "Any"),
            ("fastapi", "FastAPI"),
        ]
    for type_ in sent_types(service):
        imports.append(("pydantic", "TypeAdapter"))
        imports += api_type_imports(type_, service.package)
    return render_imports(imports, service.package)


def sent_media_types(
    service: ServiceModel,
) -> list[tuple[tuple[str, ...], dict[str, Any]]]:
    """``outgoing.py``'s ``SENT_MEDIA_TYPES``: where each body a webhook or callback
    declares under other media types than FastAPI publishes is in the app's OpenAPI
    (under the document's paths), and those media types with their schemas."""
    if service.api is None:
        return []
    sent = [(("webhooks", op.route, op.method), op) for op in service.api.webhooks]
    for group in service.api.callbacks:
        path = service.api.published_path(group.path)
        parent = ("paths", path, group.method, "callbacks")
        sent += [
            ((*parent, name, op.route, op.method), op) for name, op in group.callbacks
        ]
    return [
        ((*where, *content.part), dict(content.media_types))
        for where, op in sent
        for content in op.content
    ]


def sent_types(service: ServiceModel) -> list[ApiType]:
    """The types in ``SENT_MEDIA_TYPES``: schemas naming components, which the app's
    OpenAPI publishes as pydantic writes them."""
    return [
        own
        for _, media_types in sent_media_types(service)
        for own in media_types.values()
        if isinstance(own, ApiType)
    ]


def sent_media_literal(media_types: dict[str, Any]) -> str:
    """One body's media types in ``SENT_MEDIA_TYPES``: None, a schema, or a type."""
    entries = (
        f"{pystr(media_type)}: "
        + (api_type(own) if isinstance(own, ApiType) else pyliteral(own))
        for media_type, own in media_types.items()
    )
    return "{" + ", ".join(entries) + "}"
