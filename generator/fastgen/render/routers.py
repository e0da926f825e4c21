"""The modules of ``routers/``, one view per module, whatever the input kind.

A native resource and an OpenAPI tag both become a ``RouterView``: its routes as
the decorators, signature and body parts ``routers/<module>.py.jinja`` writes.
A get, create, update or delete of a table does the same thing from either input,
so the template has one body for each; what differs (a native ``Page`` against an
OpenAPI list with its document's filters, the native NDJSON export, an OpenAPI
operation's stub) is a route kind of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastgen.model.convertors import key_convertor
from fastgen.model.service import (
    ApiOperationModel,
    ApiRouterModel,
    ResourceModel,
    ServiceModel,
)
from fastgen.render.api_code import (
    api_body_annotation,
    api_decorator,
    api_docstring,
    api_from_row,
    api_item_model,
    api_param_annotation,
    api_reads_json,
    api_type,
    if_match_read,
    if_match_source,
    sends_etag,
    undeclared_errors,
)
from fastgen.render.listing import list_item, listing_name
from fastgen.render.literals import docstring, pyliteral, pystr
from fastgen.render.openapi_routes import api_router_imports, list_filters
from fastgen.render.orm import ref_class
from fastgen.render.routes import (
    conditional_writes,
    route_class,
    router_imports,
)
from fastgen.render.routes import sends_etag as resource_sends_etag


@dataclass(frozen=True)
class RouteView:
    """One route function of a router module."""

    # page (a native list), export, get, create, update, delete, list (an OpenAPI
    # table's list) or stub (an OpenAPI operation the user's hook answers)
    kind: str
    name: str
    decorators: tuple[str, ...]  # each ``router.get(...)``, without the ``@``
    params: tuple[str, ...]  # ``session: SessionDep``, ``book_id: int``
    returns: str
    docstring: str  # a Python string literal
    row: str = ""  # the ORM class of the table it serves
    key: str = ""  # the argument holding the primary key
    pk: str = ""  # the ORM attribute of the primary key
    hooks: str = ""  # the resource's hooks object (before_create, ...)
    answer: str = ""  # the response model validating a row, without the row
    from_row: str = ""  # keyword arguments of that model_validate, if any
    present: bool = False  # read the row through crud.present (OpenAPI models)
    body: str = ""  # the argument holding the request body
    values: str = ""  # the body's column values for a create or an update
    references: tuple[tuple[str, str, str], ...] = ()  # (field, ORM class, attr)
    invalidate: str = ""  # the arguments of cache.invalidate after the commit
    comment: str = ""  # a line above the decorators
    call: str = ""  # a stub's call of its hook
    listing: str = ""  # a native page's Listing (listing.py)
    # An OpenAPI list's document filters: (parameter, the condition it adds)
    filters: tuple[tuple[str, str], ...] = ()
    # A native write's representation as its GET answers it, for If-Match
    if_match: str = ""
    # A GET no cache answers: it sends the ETag its writes' If-Match names itself
    etag: bool = False
    op: ApiOperationModel | None = None  # an OpenAPI list's or stub's operation

    @property
    def validated(self) -> str:
        """The response model read from ``row``."""
        row = f"present({self.answer}, row)" if self.present else "row"
        return f"{self.answer}.model_validate({row}{self.from_row})"


@dataclass(frozen=True)
class RouterView:
    """One module of ``routers/``."""

    module: str
    docstring: str  # the module docstring's text, without quotes
    imports: str
    router_args: tuple[str, ...]  # of ``APIRouter(...)``
    routes: tuple[RouteView, ...]
    uses_convertors: bool = False  # OpenAPI path convertors: registered first


def routers(service: ServiceModel) -> tuple[RouterView, ...]:
    """The table and operation routers of the service (not ``endpoints``/``jobs``)."""
    native = tuple(_resource_router(r, service) for r in service.crud_resources)
    return native + tuple(_api_router(r, service) for r in service.api_routers)


def _resource_router(resource: ResourceModel, service: ServiceModel) -> RouterView:
    docstring = (
        f"HTTP routes of the {resource.name} resource.\n\n"
        "Reads may be answered by the cache layer before they get here; every write "
        f"runs the\nrules in hooks/resources/{resource.module}.py and, once "
        "committed, invalidates the\ncached entries it made stale."
    )
    ops = resource.operations
    routes = [
        _RESOURCE_ROUTES[kind](resource, service) for kind in _ORDER if kind in ops
    ]
    return RouterView(
        module=resource.module,
        docstring=docstring,
        imports=router_imports(resource, service),
        router_args=(
            f"prefix={pystr(resource.path)}",
            f"tags=[{pystr(resource.name)}]",
            *((f"route_class={kind}",) if (kind := route_class(resource)) else ()),
        ),
        routes=tuple(routes),
        uses_convertors=key_convertor(resource.pk.py_type, ops) is not None,
    )


# The order of a resource's routes: the export before ``/{id}``, which would take
# "export" for an id.
_ORDER = ("list", "export", "get", "create", "update", "delete")


def _table_route(resource: ResourceModel, kind: str, **parts: object) -> RouteView:
    """A route of a native resource's table, with what every such route shares."""
    name = resource.name
    shared: dict[str, object] = {
        "row": resource.class_name,
        "key": resource.id_param,
        "pk": resource.pk.attr,
        "hooks": "hooks",
        "answer": f"{resource.class_name}Read",
        "returns": f"{resource.class_name}Read",
        "body": "payload",
        "invalidate": f"{pystr(f'{name}.{kind}')}, {resource.id_param}",
    }
    shared.update(parts)
    cached = {"page": "list", "get": "get"}.get(kind) in resource.policies
    statuses = (304, *ROUTE_ERRORS[kind]) if cached else ROUTE_ERRORS[kind]
    if parts.get("if_match"):  # a write's If-Match that names no current version
        statuses = tuple(sorted((*statuses, 412)))
    shared["decorators"] = tuple(
        _with_errors(d, statuses)
        for d in shared["decorators"]  # type: ignore[attr-defined]
    )
    verb = "list" if kind == "page" else kind
    return RouteView(kind=kind, name=f"{verb}_{name}", **shared)  # type: ignore[arg-type]


# The error statuses each kind of native route may answer, published as its OpenAPI
# responses (``crud.errors``) so a client generated from the document parses every
# answer: 404 no such row, 409 a unique or foreign key constraint, 412 a failed
# If-Match (a write adds it where it takes one), 413 a body over MAX_BODY_BYTES,
# 415 a body not sent as JSON, 503/504 the database away or too slow.
# (422 FastAPI publishes itself; a cached read adds 304, its If-None-Match answer.)
ROUTE_ERRORS = {
    "page": (412, 503, 504),
    "export": (412, 503),
    "get": (404, 412, 503, 504),
    "create": (409, 413, 415, 503, 504),
    "update": (404, 409, 413, 415, 503, 504),
    "delete": (404, 409, 503, 504),
}


def _with_errors(decorator: str, statuses: tuple[int, ...]) -> str:
    """``router.get(...)`` with its error responses."""
    listed = f"errors({', '.join(map(str, statuses))})"
    if "responses={" in decorator:
        return decorator.replace("responses={", f"responses={{**{listed}, ", 1)
    return f"{decorator[:-1]}, responses={listed})"


def _key_param(resource: ResourceModel) -> str:
    return f"{resource.id_param}: {resource.pk.py_type}"


def _by_key(resource: ResourceModel) -> str:
    """``"/{book_id}"``, or ``"/{book_id:int_key}"`` (``key_convertor``)."""
    found = key_convertor(resource.pk.py_type, resource.operations)
    convertor = f":{found[0]}" if found else ""
    return pystr("/{" + resource.id_param + convertor + "}")


def _page(resource: ResourceModel, _service: ServiceModel) -> RouteView:
    item = list_item(resource)
    return _table_route(
        resource,
        "page",
        # A field unset in the answer is left out: total without ?count=true, an
        # embedded row without ?expand=.
        decorators=('router.get("", response_model_exclude_unset=True)',),
        params=(
            "session: SessionDep",
            f"query: Annotated[{resource.class_name}Query, Query()]",
        ),
        returns=f"Page[{item}]",
        answer=item,
        docstring=docstring(
            f"A filtered, sorted page of {resource.name} rows (no N+1: one query, "
            "and one per expanded ref)."
        ),
        listing=listing_name(resource),
    )


def _export(resource: ResourceModel, _service: ServiceModel) -> RouteView:
    return _table_route(
        resource,
        "export",
        comment=f"# Before the /{{{resource.id_param}}} route, which would take "
        '"export" for an id.',
        decorators=(
            (
                'router.get("/export", response_class=StreamingResponse, '
                'responses={200: {"content": {NDJSON: {}}}})'
            ),
        ),
        params=("request: Request",),
        returns="StreamingResponse",
        docstring=docstring(
            f"Every {resource.name} row as NDJSON in primary-key order, in constant "
            "memory."
        ),
    )


def _get(resource: ResourceModel, _service: ServiceModel) -> RouteView:
    etag = resource_sends_etag(resource)
    return _table_route(
        resource,
        "get",
        decorators=(f"router.get({_by_key(resource)})",),
        params=(
            _key_param(resource),
            "session: SessionDep",
            *(("response: Response",) if etag else ()),
        ),
        docstring=docstring(f"One {resource.name} by primary key, or 404."),
        etag=etag,
    )


def _references(
    resource: ResourceModel, service: ServiceModel
) -> tuple[tuple[str, str, str], ...]:
    return tuple((f.name, ref_class(f, service), f.attr) for f in resource.refs)


def _create(resource: ResourceModel, service: ServiceModel) -> RouteView:
    return _table_route(
        resource,
        "create",
        decorators=('router.post("", status_code=201)',),
        params=(
            f"payload: {resource.class_name}Create",
            "session: SessionDep",
            "cache: CacheDep",
        ),
        docstring=docstring(
            f"Store a new {resource.name}; 409 if it breaks a unique constraint."
        ),
        values=f"column_values({resource.class_name}, payload)",
        references=_references(resource, service),
        invalidate=f"{pystr(f'{resource.name}.create')}, row.{resource.pk.attr}",
    )


def _if_match(resource: ResourceModel) -> tuple[tuple[str, ...], str]:
    """A write's If-Match parameter, and the row as its GET answers it (what the
    ETag is of), where the resource has that GET."""
    if not conditional_writes(resource):
        return (), ""
    read = f"{resource.class_name}Read.model_validate(row)"
    return ("if_match: IfMatch = None",), read


def _update(resource: ResourceModel, service: ServiceModel) -> RouteView:
    path = _by_key(resource)
    conditional, read = _if_match(resource)
    return _table_route(
        resource,
        "update",
        decorators=(f"router.patch({path})", f"router.put({path})"),
        params=(
            _key_param(resource),
            f"payload: {resource.class_name}Update",
            "session: SessionDep",
            "cache: CacheDep",
            *conditional,
        ),
        if_match=read,
        docstring=docstring(
            "Change the fields sent (PATCH semantics for both PATCH and PUT)."
        ),
        values=f"column_values({resource.class_name}, payload, exclude_unset=True)",
        references=_references(resource, service),
    )


def _delete(resource: ResourceModel, _service: ServiceModel) -> RouteView:
    conditional, read = _if_match(resource)
    return _table_route(
        resource,
        "delete",
        decorators=(f"router.delete({_by_key(resource)}, status_code=204)",),
        params=(
            _key_param(resource),
            "session: SessionDep",
            "cache: CacheDep",
            *conditional,
        ),
        if_match=read,
        returns="None",
        answer="",
        docstring=docstring(
            f"Delete one {resource.name}; 409 while other rows still refer to it."
        ),
    )


_RESOURCE_ROUTES = {
    "list": _page,
    "export": _export,
    "get": _get,
    "create": _create,
    "update": _update,
    "delete": _delete,
}


def _api_router(router: ApiRouterModel, service: ServiceModel) -> RouterView:
    if router.tag:
        about = f"the {pystr(router.tag)} tag"
    else:
        about = "the untagged operations"
    docstring = (
        f"Routes of {about} of the OpenAPI document.\n\n"
        "Table-backed operations are served by the generated repository; the others "
        "call their\nhandler in ``hooks/operations/``, which you own. Reads may be "
        "answered by the cache\nlayer before they get here; writes invalidate what "
        "they made stale once committed."
    )
    return RouterView(
        module=router.name,
        docstring=docstring,
        imports=api_router_imports(router, service),
        router_args=(
            *((f"tags=[{pystr(router.tag)}]",) if router.tag else ()),
            *(("route_class=JsonBodyRoute",) if _reads_json(router) else ()),
        ),
        routes=tuple(_api_route(op, service) for op in router.operations),
        uses_convertors=router.uses_convertors,
    )


def _reads_json(router: ApiRouterModel) -> bool:
    return any(api_reads_json(op) for op in router.operations)


def _api_route(op: ApiOperationModel, service: ServiceModel) -> RouteView:
    if op.paged and op.resource:
        return _api_page(op, service.resource(op.resource))
    source = if_match_source(op, service)
    params = ["session: SessionDep"]
    if op.invalidates:
        params.append("cache: CacheDep")
    # A body read by Content-Type is a dependency: it answers None when absent.
    params += [
        f"{p.name}: {api_body_annotation(op, p) if p.media else api_param_annotation(p)}"
        for p in op.params
        if p.required or p.media
    ]
    params += [
        f"{p.name}: {api_param_annotation(p)} = {pyliteral(p.default)}"
        for p in op.optional_params
        if not p.media
    ]
    if source is not None:  # read, not published: as the native writes
        params.append("if_match: IfMatch = None")
    if sends_etag(op, service):
        params.append("response: Response")
    returns = api_type(op.returns)
    added = undeclared_errors(op, conditional=source is not None)
    view = RouteView(
        etag=sends_etag(op, service),
        kind=op.crud or "stub",
        name=op.name,
        decorators=(f"router.{op.method}({api_decorator(op, added)})",),
        params=tuple(params),
        returns=returns,
        docstring=api_docstring(op),
        call=_hook_call(op) if op.crud is None else "",
        op=op,
    )
    if op.crud is None:
        return view
    return _api_table_route(view, op, source, list_filters(op, service))


def _api_page(op: ApiOperationModel, resource: ResourceModel) -> RouteView:
    """An OpenAPI table's list taking the native query: the native page route."""
    item = list_item(resource)
    return RouteView(
        kind="page",
        name=op.name,
        decorators=(f"router.{op.method}({api_decorator(op, undeclared_errors(op))})",),
        params=(
            "session: SessionDep",
            f"query: Annotated[{resource.class_name}Query, Query()]",
        ),
        returns=f"Page[{item}]",
        docstring=api_docstring(op),
        answer=item,
        listing=listing_name(resource),
        op=op,
    )


def _hook_call(op: ApiOperationModel) -> str:
    """``await <name>_hook.handle(session, <each parameter>=...)``."""
    args = ["session", *(f"{p.name}={p.name}" for p in op.params)]
    return f"await {op.name}_hook.handle({', '.join(args)})"


def _api_table_route(
    view: RouteView,
    op: ApiOperationModel,
    source: ApiOperationModel | None,
    filters: tuple[tuple[str, str], ...],
) -> RouteView:
    """The table parts of an OpenAPI route that a table serves; ``source`` is the
    GET whose ETags a write's If-Match names, ``filters`` a list's."""
    row = op.row_class or ""
    key = op.id_param or ""
    invalidate = ""
    if op.invalidates:
        invalidate = pystr(op.name) + (
            f", row.{op.pk_name}" if op.crud == "create" else f", {key}"
        )
    answer = api_type(op.returns) if op.returns.kind != "none" else ""
    if op.crud == "list":
        answer = api_item_model(op)
    values = f"column_values({row}, body)"
    if op.crud == "update":
        values = f"column_values({row}, body, exclude_unset=True)"
    return RouteView(
        kind=view.kind,
        name=view.name,
        decorators=view.decorators,
        params=view.params,
        returns=view.returns,
        docstring=view.docstring,
        row=row,
        key=key,
        pk=op.pk_name or "",
        hooks=f"{op.resource}_hooks",
        answer=answer,
        from_row=", " + api_from_row(op),
        present=True,
        body="body",
        values=values,
        invalidate=invalidate,
        if_match=if_match_read(source) if source is not None else "",
        etag=view.etag,
        op=op,
        filters=filters,
    )
