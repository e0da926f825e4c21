"""Request bodies and responses: the body argument, the return type, other statuses."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from packaging.version import Version

from fastgen.model.service import ApiMediaModel, ApiParamModel, ApiType
from fastgen.spec.openapi.compile.context import Context, primary
from fastgen.spec.openapi.compile.tables import property_attr
from fastgen.spec.openapi.compile.types import ANY, NONE, Types
from fastgen.spec.openapi.description import MediaType, Operation, RequestBody
from fastgen.spec.openapi.models import REQUEST, RESPONSE, api_class_name

FORM_UNIONS = "0.160"  # FastAPI's Form() of a union of models (a sent form)

# A response other than the success one: (status, description, model, media type,
# the other media types it is published in).
Other = tuple[str, str, ApiType | None, MediaType | None, tuple[ApiMediaModel, ...]]
# How a media type is read: a model from JSON or a form, else text or bytes.
READERS = {"json": "json", "form": "form", "multipart": "form", "text": "text"}


@dataclass(frozen=True)
class Success:
    annotation: ApiType
    response_class: bool  # the route answers a plain Response, not JSON


def body_param(
    ctx: Context, op: Operation, types: Types, role: str = REQUEST, sent: bool = False
) -> ApiParamModel | None | bool:
    """The body argument of a route; None without a body, False (and a problem)
    when FastAPI cannot read it. A body the route receives in several media types
    is read in each (``sent``: a webhook's or callback's is published in the first)."""
    request = op.request_body
    if request is None or not request.content:
        return None
    if len(request.content) > 1 and not sent:
        return _several(ctx, op, request, types, role)
    media = primary(request.content)
    if media.kind in ("form", "multipart"):
        form = _form(ctx, op, request, media, types, role)
        if form is None:
            return False
        py_type, discriminator = form
        if not sent:
            # Read by ``media_types.FormBody``, as a body in several media types
            # is: FastAPI's Form() model takes an empty value for one not sent,
            # and hands a file to a bytes field as an UploadFile, which it refuses.
            read = ApiMediaModel(
                media.content_type, "form", py_type, discriminator=discriminator
            )
            return _body(request, py_type, marker="Depends", media=(read,))
        # A webhook's or callback's form is only published, by FastAPI's Form()
        # (a union from 0.160), urlencoded unless told the declared media type.
        if py_type.kind == "union":
            ctx.fastapi_minimum = max(ctx.fastapi_minimum, FORM_UNIONS, key=Version)
        marker = "Form"
        media_type = media.content_type if media.kind == "multipart" else None
    else:
        py_type, media_type = _payload(ctx, op, media, types, role)
        marker, discriminator = "Body", None
    return _body(
        request,
        py_type or ANY,
        marker=marker,
        media_type=media_type,
        discriminator=discriminator,
    )


def _body(request: RequestBody, py_type: ApiType, **read: Any) -> ApiParamModel:
    """The ``body`` argument: optional unless the document requires it."""
    if not request.required:
        py_type = ApiType("optional", args=(py_type,))
    return ApiParamModel(
        name="body",
        type=py_type,
        location="body",
        required=request.required,
        **read,
    )


def _several(
    ctx: Context, op: Operation, request: RequestBody, types: Types, role: str
) -> ApiParamModel | bool:
    """A body read in each media type the document declares, by Content-Type: JSON
    and forms into the model of its schema (one model where the schemas are the
    same), text as ``str``, anything else as ``bytes``."""
    # a schema (as JSON) -> how the first media type of it is read: one class
    models: dict[str, ApiMediaModel] = {}
    # JSON and forms first: an XML body of the same schema is published as theirs
    structured = [m for m in request.content if m.kind in ("json", "form", "multipart")]
    read = {
        m.content_type: _media(ctx, op, request, m, types, role, models)
        for m in [*structured, *(m for m in request.content if m not in structured)]
    }
    found = [read[m.content_type] for m in request.content]
    media = tuple(m for m in found if m is not None)
    if len(media) != len(found):
        return False
    py_type = _union(tuple(dict.fromkeys(m.type for m in media)))
    return _body(request, py_type, marker="Depends", media=media)


def _union(members: tuple[ApiType, ...]) -> ApiType:
    return members[0] if len(members) == 1 else ApiType("union", args=members)


def _media(
    ctx: Context,
    op: Operation,
    request: RequestBody,
    media: MediaType,
    types: Types,
    role: str,
    models: dict[str, ApiMediaModel],
) -> ApiMediaModel | None:
    """How one of several media types of a body is read; None (and a problem) for
    a form that is no object. A form of a union has its discriminator, and so has
    every other media type of the same schema."""
    reader = READERS.get(media.kind, "bytes")
    key = json.dumps(ctx.deref(media.schema), sort_keys=True)
    if reader in ("json", "form") and key in models:
        first = models[key]
        return ApiMediaModel(
            media.content_type, reader, first.type, discriminator=first.discriminator
        )
    if reader == "form":
        form = _form(ctx, op, request, media, types, role)
        if form is None:
            return None
        type_, discriminator = form
        read = ApiMediaModel(
            media.content_type, reader, type_, discriminator=discriminator
        )
    elif reader == "json":
        type_ = _payload(ctx, op, media, types, role)[0] or ANY
        read = ApiMediaModel(media.content_type, reader, type_)
    else:
        published = {schema: model.type for schema, model in models.items()}
        return _unstructured(ctx, media, reader, ctx.deref(media.schema), published)
    models[key] = read
    return read


def _unstructured(
    ctx: Context,
    media: MediaType,
    reader: str,
    schema: Any,
    models: dict[str, ApiType],
) -> ApiMediaModel:
    """Text (``str``) or bytes, published as the model of a JSON or form media type
    of the same schema (XML), else with its schema as written (a string if none;
    ``Context.written``)."""
    scalar = ApiType("scalar", "str" if reader == "text" else "bytes")
    published = models.get(json.dumps(schema, sort_keys=True))
    if published is not None:
        return ApiMediaModel(media.content_type, reader, scalar, published=published)
    written = ctx.written(schema) or {"type": "string"}
    return ApiMediaModel(media.content_type, reader, scalar, written)


def _payload(
    ctx: Context, op: Operation, media: MediaType, types: Types, role: str
) -> tuple[ApiType | None, str | None]:
    """The type of a JSON, text or binary body, and its media type unless plain JSON."""
    if media.kind == "text":
        return ApiType("scalar", "str"), media.content_type
    if media.kind != "json":
        return ApiType("scalar", "bytes"), media.content_type
    base = api_class_name(op.name) + "Request"
    py_type = types.of(ctx.deref(media.schema), hoist=base, role=role)
    if media.content_type == "application/json":
        return py_type, None
    return py_type, media.content_type


def _form(
    ctx: Context,
    op: Operation,
    request: RequestBody,
    media: MediaType,
    types: Types,
    role: str,
) -> tuple[ApiType, str | None] | None:
    """The type of a form body and a union's discriminator; None (and a problem) if
    it is no object."""
    schema = ctx.deref(media.schema)
    props, _ = ctx.object_schema(schema)
    union = None if props else _form_union(ctx, schema, types, role)
    if not props and union is None:
        ctx.error(
            request.source,
            f"a {media.content_type} body must be an object with properties, "
            "or a oneOf/anyOf of component schemas that are (not free-form): "
            "FastAPI reads a form into one model, or a union of models",
        )
        return None
    base = api_class_name(op.name) + "Request"
    return union or (types.of(schema, hoist=base, role=role) or ANY, None)


def _form_union(
    ctx: Context, schema: Any, types: Types, role: str
) -> tuple[ApiType, str | None] | None:
    """The union of models a form body may be, and its discriminator; None if it is
    not a ``oneOf``/``anyOf`` of component objects.

    ``media_types.FormBody`` validates the form as pydantic does a JSON body of
    the union: as the model it fits, or the one its discriminator names.
    """
    schema = ctx.resolve(schema)
    variants = schema.get("oneOf") or schema.get("anyOf")
    if not isinstance(variants, list) or not variants:
        return None
    classes: list[ApiType | None] = []
    for variant in variants:
        if not (isinstance(variant, dict) and isinstance(variant.get("$ref"), str)):
            return None
        if not ctx.object_schema(variant)[0]:
            return None
        classes.append(types.of(variant, role=role))
    if None in classes:
        return None
    discriminator = schema.get("discriminator")
    name = None
    if isinstance(discriminator, dict) and discriminator.get("propertyName"):
        name = _field(ctx, str(discriminator["propertyName"]))
    return ApiType("union", args=tuple(c for c in classes if c)), name


def _field(ctx: Context, name: str) -> str:
    """The field of the models holding property ``name``, which pydantic looks a
    discriminator up by: the property, or the attribute the models are given for
    one Python cannot name as written (``item-kind``: ``item_kind``), as a table's."""
    attr = property_attr(name, set())
    return name if attr == name else ctx.models.aliases.setdefault(name, attr)


def responses(
    ctx: Context, op: Operation, types: Types, role: str = RESPONSE
) -> tuple[str, Success, list[Other]]:
    """The success status, its return type, and the other responses."""
    statuses = [r.status for r in op.responses]
    success_status = next((s for s in statuses if s.isdigit() and s[0] == "2"), "200")
    success = Success(NONE, False)
    others: list[Other] = []
    for response in op.responses:
        media = primary(response.content) if response.content else None
        suffix = "" if response.status == success_status else response.status.title()
        model = None
        base = api_class_name(op.name) + "Response" + suffix
        if media is not None and media.kind == "json":
            model = types.of(ctx.deref(media.schema), hoist=base, role=role)
        also = _also(ctx, response.content, media, model, types, base, role)
        if response.status != success_status:
            others.append((response.status, response.description, model, media, also))
            continue
        success = _success(media, model)
        if response.description or media is not None and media.kind != "json" or also:
            others.append((response.status, response.description, None, media, also))
    return success_status, success, others


def _also(
    ctx: Context,
    content: tuple[MediaType, ...],
    served: MediaType | None,
    model: ApiType | None,
    types: Types,
    base: str,
    role: str,
) -> tuple[ApiMediaModel, ...]:
    """The media types of a response besides the one the route answers in, as
    published: JSON and forms by their model (the served one's where the schemas
    are the same, whatever the media type), the others with their schema as
    written."""
    models: dict[str, ApiType] = {}
    if served is not None and model is not None:
        models[json.dumps(ctx.deref(served.schema), sort_keys=True)] = model
    found = []
    for media in content:
        if media is served:
            continue
        reader = READERS.get(media.kind, "bytes")
        schema = ctx.deref(media.schema)
        key = json.dumps(schema, sort_keys=True)
        if reader in ("json", "form"):
            if key not in models:
                models[key] = types.of(schema, hoist=base, role=role) or ANY
            found.append(ApiMediaModel(media.content_type, reader, models[key]))
        else:
            found.append(_unstructured(ctx, media, reader, schema, models))
    return tuple(found)


def _success(media: MediaType | None, model: ApiType | None) -> Success:
    """What a route returns for its success response served as ``media``; one the
    document gives no body answers none (not JSON ``null``), and publishes none."""
    if media is None:
        return Success(NONE, True)
    if media.kind == "json":
        return Success(model or ANY, False)
    return Success(ApiType("response"), True)
