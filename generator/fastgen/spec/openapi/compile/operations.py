"""Operations as FastAPI routes: the served ones, and the requests the service sends
(webhooks and callbacks), published in its OpenAPI but never served."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from fastgen.model.naming import python_identifier
from fastgen.model.service import (
    ApiCallbacksModel,
    ApiOperationModel,
    ApiParamModel,
    ApiResponseModel,
    ApiSchemeModel,
    ApiType,
    PolicyModel,
)
from fastgen.spec.openapi.compile.bodies import Other, Success, body_param, responses
from fastgen.spec.openapi.compile.caching import Invalidations
from fastgen.spec.openapi.compile.context import IDENTIFIER, Context, path_param
from fastgen.spec.openapi.compile.errors import error_responses
from fastgen.spec.openapi.compile.form_samples import form_sample
from fastgen.spec.openapi.compile.listing import (
    ListQuery,
    enum_filters,
    enum_sample,
    list_query,
)
from fastgen.spec.openapi.compile.params import param_model
from fastgen.spec.openapi.compile.samples import refine_sample, sample_request
from fastgen.spec.openapi.compile.security import credential_header, requirement_model
from fastgen.spec.openapi.compile.sent import sent_content
from fastgen.spec.openapi.compile.tables import hook_fills, table_class
from fastgen.spec.openapi.compile.types import NONE, Types
from fastgen.spec.openapi.description import Operation, Resource
from fastgen.spec.openapi.models import REQUEST, RESPONSE
from fastgen.spec.openapi.routes import CATCH_ALL

METHODS = {"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"}
_SHAPE = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True)
class _Signature:
    """What a route reads and answers, each part checked."""

    params: tuple[ApiParamModel, ...]  # the parameters, then the body if any
    body: ApiParamModel | None
    status: str
    success: Success
    others: list[Other]


def _signature(
    ctx: Context, op: Operation, types: Types, *, sent: bool = False
) -> _Signature | None:
    """The route's arguments and responses; None (with problems) if one is unreadable.

    The service owns what it sends, so for a webhook or callback readOnly and
    writeOnly swap roles: the body is a response model, the answer a request model.
    """
    if op.method not in METHODS:
        ctx.error(op.source, f"{op.method} operations are not supported")
        return None
    params = [p for p in (param_model(ctx, op, p, types) for p in op.parameters) if p]
    if not sent and len(params) != len(op.parameters):
        return None
    body = body_param(ctx, op, types, RESPONSE if sent else REQUEST, sent)
    if not sent and body is False:
        return None
    status, success, others = responses(ctx, op, types, REQUEST if sent else RESPONSE)
    if len(params) != len(op.parameters) or body is False:
        return None
    body_model = body if isinstance(body, ApiParamModel) else None
    arguments = (*params, *([body_model] if body_model else []))
    return _Signature(arguments, body_model, status, success, others)


def operation_model(
    ctx: Context,
    op: Operation,
    policies: dict[str, PolicyModel],
    invalidations: Invalidations,
    schemes: tuple[ApiSchemeModel, ...],
) -> ApiOperationModel | None:
    """The route serving ``op``; None (with problems) when it cannot be generated."""
    types = Types(ctx.models, ctx.api.schemas)
    signature = _signature(ctx, op, types)
    if signature is None:
        return None
    owner = ctx.resources_by_op.get(op.name)
    crud = None
    if owner is not None:
        crud = _check_crud(ctx, op, owner, signature)
        if crud is None:
            return None
    requirement = requirement_model(ctx, op, schemes)
    served = served_path(op, _convertors(ctx, op))
    callbacks = _callbacks(ctx, op, served) if op.callbacks else None
    if op.callbacks and callbacks is None:
        return None
    fills = hook_fills(ctx, owner[0]) if owner and crud == "create" else ()
    params = [p for p in signature.params if p.location != "body"]
    table = owner[0] if crud == "list" else None
    listing = list_query(ctx, op, params, table)
    arguments = enum_filters(ctx, table, listing, signature.params)
    published = _published(ctx, op, signature)
    tests = _test_fields(ctx, op, listing, requirement is not None, schemes)
    for key in ("sample", "refine_sample"):
        tests[key] = enum_sample(tests[key], signature.params, arguments)
    models = {status: model for status, _, model, _, _ in signature.others}
    return ApiOperationModel(
        name=op.name,
        method=op.method.lower(),
        route=served,
        router=python_identifier(op.tags[0], prefix="tag") if op.tags else "default",
        tag=op.tags[0] if op.tags else "",
        docstring=_docstring(op),
        params=arguments,
        returns=signature.success.annotation,
        status=int(signature.status) if signature.status.isdigit() else 200,
        stub_returns=signature.success.annotation,
        crud=crud,
        **_table_fields(ctx, op, owner),
        **asdict(listing),
        policy=policies.get(op.name),
        invalidates=op.name in invalidations,
        **tests,
        hook_fills=fills,
        **published,
        dependency=requirement.function if requirement else None,
        callbacks_router=callbacks,
        errors=error_responses(ctx, op, models),
    )


def _test_fields(
    ctx: Context,
    op: Operation,
    listing: ListQuery,
    secured: bool,
    schemes: tuple[ApiSchemeModel, ...],
) -> dict[str, Any]:
    """What the generated tests send: sample requests, unless no credential travels
    in headers alone (the tests then skip the route), and those credentials."""
    headers = credential_header(op, schemes) if secured else None
    testable = not secured or headers
    return {
        "sample": sample_request(ctx, op) if testable else None,
        "refine_sample": refine_sample(ctx, op, listing.refined)
        if testable and listing.refined
        else None,
        "requirement_header": headers,
        "form_sample": form_sample(ctx, op) if testable else None,
    }


def _table_fields(
    ctx: Context, op: Operation, owner: tuple[Resource, str] | None
) -> dict[str, object]:
    """The fields of a route that a table serves: its row class, key and aliases."""
    if owner is None:
        return {
            "resource": None,
            "row_class": None,
            "pk_name": None,
            "id_param": None,
            "row_attrs": {},
        }
    resource = owner[0]
    name = resource.annotation.table or resource.name
    table = ctx.table_models.get(resource.name)
    row_attrs = (
        {f.name: f.attr for f in (table.pk, *table.fields) if f.aliased}
        if table
        else {}
    )
    return {
        "resource": name,
        "row_class": table_class(name),
        "pk_name": row_attrs.get(resource.annotation.id, resource.annotation.id),
        "id_param": path_param(op),
        "row_attrs": row_attrs,
    }


def _callbacks(ctx: Context, op: Operation, served: str) -> str | None:
    """The router in ``outgoing.py`` whose routes are ``op``'s callbacks."""
    sent = [(c.name, sent_model(ctx, c.operation, c.name)) for c in op.callbacks]
    callbacks = tuple((name, model) for name, model in sent if model is not None)
    if len(callbacks) != len(sent):
        return None
    var = f"{op.name}_callbacks"
    path = re.sub(r"\{([^{}:]+):[^{}]+\}", r"{\1}", served)
    ctx.callbacks.append(ApiCallbacksModel(var, path, op.method.lower(), callbacks))
    return var


def sent_model(
    ctx: Context, op: Operation, callback: str | None = None
) -> ApiOperationModel | None:
    """A webhook or callback (a request the service sends) as a FastAPI route that
    is never served: only its signature, published in the app's OpenAPI, counts.

    The service owns what it sends, so readOnly and writeOnly swap roles (as
    Redoc, RapiDoc and Swagger UI read them): the body is a response model, with
    the readOnly properties, and the subscriber's answer a request model.
    """
    types = Types(ctx.models, ctx.api.schemas)
    signature = _signature(ctx, op, types, sent=True)
    if signature is None:
        return None
    published = _published(ctx, op, signature, response_model=True)
    return ApiOperationModel(
        name=op.name,
        method=op.method.lower(),
        route=op.path,
        router="outgoing",
        tag="",
        docstring=_docstring(op),
        params=signature.params,
        returns=NONE,
        status=int(signature.status) if signature.status.isdigit() else 200,
        stub_returns=NONE,
        crud=None,
        resource=None,
        row_class=None,
        pk_name=None,
        id_param=None,
        **asdict(ListQuery()),
        policy=None,
        invalidates=False,
        sample=None,
        refine_sample=None,
        requirement_header=None,
        **published,
        callback_name=callback,  # FastAPI's callback key
        content=sent_content(ctx, op, types),
    )


def _published(
    ctx: Context,
    op: Operation,
    signature: _Signature,
    *,
    response_model: bool = False,
) -> dict[str, Any]:
    """What the route decorator publishes of ``op``: its id, responses and
    documentation; a route that is never served declares its response model,
    since it has no return annotation."""
    success = signature.success
    return {
        "operation_id": op.operation_id or None,
        "summary": op.summary or None,
        "deprecated": bool(op.deprecated),
        "response_class": success.response_class,
        "response_model": success.annotation
        if response_model
        and not success.response_class
        and success.annotation.kind != "none"
        else None,
        "responses": tuple(_response(ctx, other) for other in signature.others),
    }


def _response(ctx: Context, other: Other) -> ApiResponseModel:
    """A documented response: its model, or for a non-JSON body its media type and
    schema (a string when it has none)."""
    code, description, model, media, also = other
    if model is not None or media is None or media.kind == "json":
        json_as = None
        if media is not None and media.content_type != "application/json":
            json_as = media.content_type
        return ApiResponseModel(
            code, description or code, model, also=also, json_as=json_as
        )
    schema = ctx.written(ctx.deref(media.schema)) or {"type": "string"}
    return ApiResponseModel(
        code, description or code, None, media.content_type, schema, also
    )


def _check_crud(
    ctx: Context,
    op: Operation,
    owner: tuple[Resource, str],
    signature: _Signature,
) -> str | None:
    """``op``'s CRUD kind, if it answers and reads what the repository does."""
    resource, crud = owner
    row_class = ctx.models.names[resource.schema]
    row = ApiType("model", ctx.models.variant(row_class, RESPONSE))
    expected = {
        "list": ApiType("list", args=(row,)),
        "get": row,
        "create": row,
        "update": row,
    }
    want = expected.get(crud)
    if want is not None and signature.success.annotation != want:
        ctx.error(
            op.source,
            f"{op.method} {op.path} is the {crud!r} operation of resource "
            f"{resource.schema!r}, so its success response must be "
            f"{'an array of ' if crud == 'list' else ''}#/components/schemas/"
            f"{resource.schema}, which the generated repository returns",
        )
        return None
    if crud in ("create", "update") and signature.body is None:
        ctx.error(op.source, f"the {crud!r} operation needs a request body")
        return None
    return crud


def _convertors(ctx: Context, op: Operation) -> dict[str, str]:
    """Starlette convertors for the path parameters whose pattern routes them.

    A catch-all pattern (``.+``) matches slashes too, as the ``path`` convertor
    does. Of two same-shape routes (the description allows them when exactly one
    is constrained by a pattern), the constrained one must not match other values,
    or it would answer 422 where the other route should answer: its parameters get
    a convertor made from their pattern (registered in ``convertors.py``).
    """
    shape = _SHAPE.sub("{}", op.path)
    siblings = [
        other
        for other in ctx.api.operations
        if other is not op
        and other.method == op.method
        and _SHAPE.sub("{}", other.path) == shape
    ]
    found = {}
    for param in op.parameters:
        pattern = ctx.param_schema(param).get("pattern")
        if param.location != "path" or not isinstance(pattern, str):
            continue
        if pattern in CATCH_ALL and pattern.replace("^", "").startswith((".", "(.")):
            found[param.name] = "path"
        elif siblings and pattern not in CATCH_ALL:
            regex = pattern.removeprefix("^").removesuffix("$")
            name = ctx.patterns.setdefault(regex, f"pattern_{len(ctx.patterns) + 1}")
            found[param.name] = name
    return found


def served_path(op: Operation, convertors: Mapping[str, str]) -> str:
    """The path FastAPI serves: parameters keep their wire name where Starlette accepts
    it (so the app's OpenAPI names them as the document does), else their Python name;
    ``convertors`` (parameter -> Starlette convertor) make a route match only the
    values its pattern allows."""
    path = op.path
    for param in op.parameters:
        if param.location != "path":
            continue
        name = param.name if IDENTIFIER.fullmatch(param.name) else param.python_name
        convertor = convertors.get(param.name)
        served = f"{name}:{convertor}" if convertor else name
        path = path.replace("{" + param.name + "}", "{" + served + "}")
    return path


def _docstring(op: Operation) -> str:
    """The first line of the summary (or description), ending in a period."""
    text = (op.summary or op.description or f"{op.method} {op.path}").strip()
    first = text.splitlines()[0].strip() if text else f"{op.method} {op.path}"
    return first if first.endswith(".") else first + "."
