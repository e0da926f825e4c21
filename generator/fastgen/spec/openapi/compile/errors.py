"""The error bodies a document declares, and which part of an error fills each property.

FastAPI and the generated service answer errors as ``{"detail": ...}``. When an
operation declares an error response (a 4xx/5xx status, a ``4XX``/``5XX`` range or
``default``) with a body, the generated app answers that body instead, filled by the
user's ``hooks/errors/<schema>.py``, which fastgen writes once from these rules (a
property's name is compared in lower case without ``_``/``-``):

- an integer property named ``code``, ``status``, ``statusCode``, ``httpStatus`` or
  ``httpCode`` gets the status, when it admits every status (a plain string one, the
  status as text);
- the first plain string property among ``message``, ``detail``, ``details``,
  ``description``, ``errorDescription``, ``errorMessage``, ``msg`` and ``error`` gets
  the message (a 422's problems joined); one of these with no type gets FastAPI's
  detail as it is (a 422's list of problems);
- a plain string ``title``, ``name``, ``reason`` or ``error`` (when another property
  has the message) gets the status's reason phrase (``Not Found``); ``instance`` or
  ``path`` the request's path; in an RFC 9457 problem (``application/problem+json``,
  or a schema with ``type`` and ``title``) ``type`` gets ``about:blank``;
- an array named ``errors``, ``detail``, ``details``, ``violations``,
  ``invalidParams``, ``fieldErrors`` or ``validationErrors`` gets a 422's problems
  (empty otherwise): of each, ``loc`` (an array) the location, a string ``field``,
  ``name``, ``param``, ``parameter``, ``pointer``, ``path``, ``property``,
  ``location`` or ``in`` it as ``body.name``, ``msg``, ``message``, ``detail``,
  ``reason`` or ``description`` the message, ``type`` or ``code`` the error's type;
  an array of strings gets the problems' messages;
- an object property is filled by the same rules (``{"error": {"message": ...}}``);
- a body that is a string is the message, an integer the status.

A required property no rule fills gets a placeholder of its type and a warning at the
schema, naming the hook to complete; so does a body these rules cannot shape at all.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import replace
from typing import Any

from fastgen.model.errors import ErrorFieldModel, ErrorResponseModel, ErrorShapeModel
from fastgen.model.naming import python_identifier
from fastgen.model.service import ApiType
from fastgen.spec.openapi.compile.context import Context, declared_type
from fastgen.spec.openapi.compile.samples import NO_SAMPLE, sample
from fastgen.spec.openapi.description import (
    InlineSchema,
    MediaType,
    Operation,
    SchemaRef,
)
from fastgen.spec.openapi.pointer import escape

STATUS_NAMES = frozenset({"code", "status", "statuscode", "httpstatus", "httpcode"})
MESSAGE_NAMES = (
    "message",
    "detail",
    "details",
    "description",
    "errordescription",
    "errormessage",
    "msg",
    "error",
)
TITLE_NAMES = frozenset({"title", "name", "reason", "error"})
PATH_NAMES = frozenset({"instance", "path"})
ERRORS_NAMES = frozenset(
    {
        "errors",
        "detail",
        "details",
        "violations",
        "invalidparams",
        "fielderrors",
        "validationerrors",
    }
)
WHERE_NAMES = frozenset(
    {
        "field",
        "name",
        "param",
        "parameter",
        "pointer",
        "path",
        "property",
        "location",
        "in",
    }
)
ITEM_MESSAGE_NAMES = frozenset({"msg", "message", "detail", "reason", "description"})
ITEM_TYPE_NAMES = frozenset({"type", "code"})
PROBLEM_JSON = "application/problem+json"
MAX_DEPTH = 4
_ERROR_STATUS = re.compile(r"^([45][0-9][0-9]|[45]XX|default)$")


def error_responses(
    ctx: Context, op: Operation, models: dict[str, ApiType | None]
) -> tuple[ErrorResponseModel, ...]:
    """The error bodies ``op`` declares, each shaped once for the whole document;
    ``models`` holds each response's model (by status), which a body validates as."""
    found = []
    for response in op.responses:
        if not _ERROR_STATUS.match(response.status) or not response.content:
            continue
        media = _media(response.content)
        if media is None:
            types = ", ".join(m.content_type for m in response.content)
            message = (
                f"the {response.status} error body is {types}: fastgen answers "
                'errors as JSON or text; this one stays FastAPI\'s {"detail": ...}'
            )
            ctx.error_warnings.append((f"{response.source.pointer}/content", message))
            continue
        content_type = media.content_type
        if content_type.split(";")[0].strip() == "*/*":
            content_type = "application/json"
        model = models.get(response.status)
        shape = _shape(ctx, op, response.status, media, model)
        found.append(ErrorResponseModel(response.status, shape.name, content_type))
    return tuple(found)


def fallback(
    operations: list[tuple[ErrorResponseModel, ...]],
) -> tuple[ErrorResponseModel, ...]:
    """For a request no operation takes (an unknown path): per status, the body most
    operations declare (the first such in document order on a tie)."""
    counts: Counter[ErrorResponseModel] = Counter(
        response for errors in operations for response in errors
    )
    chosen: dict[str, ErrorResponseModel] = {}
    for response, count in counts.items():
        best = chosen.get(response.status)
        if best is None or count > counts[best]:
            chosen[response.status] = response
    return tuple(chosen.values())


def _media(content: tuple[MediaType, ...]) -> MediaType | None:
    """The media type errors are answered in: JSON first (``*/*`` is JSON), then text."""
    for kinds in (("json",), ("text",)):
        for media in content:
            if media.kind in kinds:
                return media
    return next((m for m in content if m.content_type.startswith("*/*")), None)


def _shape(
    ctx: Context,
    op: Operation,
    status: str,
    media: MediaType,
    model: ApiType | None,
) -> ErrorShapeModel:
    """The shape of ``media``'s schema, made once per schema."""
    schema = media.schema
    if isinstance(schema, SchemaRef):
        key, title = schema.name, schema.name
        pointer = f"#/components/schemas/{escape(schema.name)}"
        base = python_identifier(schema.name, prefix="error")
        json_schema: Any = ctx.deref(schema)
    else:
        json_schema = dict(schema.schema) if isinstance(schema, InlineSchema) else {}
        key = json.dumps(json_schema, sort_keys=True, default=str)
        pointer = schema.source.pointer if isinstance(schema, InlineSchema) else ""
        title = f"{op.method} {op.path} {status}"
        base = python_identifier(f"{op.name}_{status}", prefix="error")
    problem = media.content_type.split(";")[0].strip() == PROBLEM_JSON
    text = media.kind == "text"
    known = ctx.error_shapes.get((key, problem, text))
    if known is not None:
        return known
    taken = {s.name for s in ctx.error_shapes.values()}
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    if text:  # a text body is the message, whatever its schema says
        shape = ErrorShapeModel(name, title, pointer, "message")
    else:
        shape = shape_of(
            ctx, json_schema, name=name, title=title, pointer=pointer, problem=problem
        )
    if model is not None and model.kind == "model" and media.kind == "json":
        shape = replace(shape, model=model.name)
    ctx.error_shapes[(key, problem, text)] = shape
    _warn(ctx, shape)
    return shape


def shape_of(
    ctx: Context,
    schema: Any,
    *,
    name: str,
    title: str,
    pointer: str,
    problem: bool = False,
) -> ErrorShapeModel:
    """How an error fills ``schema`` (see the module's rules)."""
    resolved = ctx.resolve(schema)
    if not isinstance(resolved, dict) or not resolved:
        return ErrorShapeModel(name, title, pointer, "detail")
    kind, _ = declared_type(resolved)
    if kind == "string" and _plain(resolved):
        return ErrorShapeModel(name, title, pointer, "message")
    if kind == "integer":
        return ErrorShapeModel(name, title, pointer, "status")
    properties, _ = ctx.object_schema(resolved)
    if kind not in (None, "object") or not properties:
        unfilled = () if kind in (None, "object") else ("the body",)
        return ErrorShapeModel(name, title, pointer, "detail", unfilled=unfilled)
    problem = problem or {"type", "title"} <= set(properties)
    fields, unfilled = _fields(ctx, resolved, problem, 0)
    return ErrorShapeModel(
        name, title, pointer, "object", tuple(fields), unfilled=tuple(unfilled)
    )


def _norm(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", key.lower())


def _plain(schema: Any, formats: tuple[str, ...] = ()) -> bool:
    """A schema any text of the kind an error carries is valid for."""
    if not isinstance(schema, dict):
        return False
    if any(k in schema for k in ("enum", "const", "pattern")):
        return False
    if schema.get("minLength", 0) > 1:
        return False
    return schema.get("format") in (None, *formats)


def _admits_status(schema: dict[str, Any]) -> bool:
    """Whether every HTTP status (100 to 599) is valid for an integer schema."""
    if any(k in schema for k in ("enum", "const", "multipleOf")):
        return False
    low, high = schema.get("minimum", 100), schema.get("maximum", 599)
    low_ok = isinstance(low, int | float) and low <= 100
    high_ok = isinstance(high, int | float) and high >= 599
    exclusive = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    bounded = [
        e for e in exclusive if isinstance(e, int | float) and not isinstance(e, bool)
    ]
    return low_ok and high_ok and all(e < 100 or e > 599 for e in bounded)


def _fields(
    ctx: Context, schema: Any, problem: bool, depth: int
) -> tuple[list[ErrorFieldModel], list[str]]:
    """The filled properties of an object schema, and the required ones no rule fills."""
    properties, required = ctx.object_schema(schema)
    resolved = {key: ctx.resolve(prop) for key, prop in properties.items()}
    message = _message_key(resolved)
    fields: list[ErrorFieldModel] = []
    unfilled: list[str] = []
    for key, prop in resolved.items():
        field, inner = _field(ctx, key, prop, message == key, problem, depth)
        unfilled += [f"{key}.{name}" for name in inner]
        if field is not None and field.source == "object" and not field.fields:
            field = None  # nothing to say in it
        if field is None and key in required:
            field = _placeholder(ctx, key, prop)
            unfilled.append(key)
        if field is not None:
            fields.append(field)
    return fields, unfilled


def _message_key(properties: dict[str, Any]) -> str | None:
    """The property that carries the message: the first of MESSAGE_NAMES written
    as a plain string or with no type."""
    by_name = {_norm(key): key for key in properties}
    for name in MESSAGE_NAMES:
        key = by_name.get(name)
        if key is None:
            continue
        prop = properties[key]
        if prop == {} or _plain(prop) and declared_type(prop)[0] == "string":
            return key
    return None


def _field(
    ctx: Context, key: str, prop: Any, message: bool, problem: bool, depth: int
) -> tuple[ErrorFieldModel | None, list[str]]:
    """The field filling property ``key`` (None when no rule applies), and the
    required properties inside it that none fills."""
    if not isinstance(prop, dict):
        return None, []
    if message:
        return ErrorFieldModel(key, "message" if prop else "detail"), []
    source = _scalar_source(_norm(key), prop, problem)
    if source is not None:
        return ErrorFieldModel(key, source), []
    kind, _ = declared_type(prop)
    if kind == "array" and _norm(key) in ERRORS_NAMES:
        return _problems(ctx, key, prop), []
    properties, _ = ctx.object_schema(prop)
    if (kind == "object" or kind is None and properties) and depth < MAX_DEPTH:
        fields, unfilled = _fields(ctx, prop, False, depth + 1)
        return ErrorFieldModel(key, "object", tuple(fields)), unfilled
    return None, []


def _scalar_source(name: str, prop: dict[str, Any], problem: bool) -> str | None:
    """What fills a scalar property named ``name`` (normalised), if a rule does."""
    kind, _ = declared_type(prop)
    text = kind == "string" and _plain(prop)
    if name in STATUS_NAMES and kind in ("integer", "number") and _admits_status(prop):
        return "status"
    if name in STATUS_NAMES and text:
        return "status_text"
    if problem and name == "type" and kind == "string":
        return "about_blank" if _plain(prop, ("uri", "uri-reference")) else None
    if name in TITLE_NAMES and text:
        return "title"
    if name in PATH_NAMES and kind == "string" and _plain(prop, ("uri-reference",)):
        return "path"
    return None


def _problems(ctx: Context, key: str, prop: dict[str, Any]) -> ErrorFieldModel | None:
    """An array of a 422's problems: of objects (filled by the item rules) or strings."""
    items = ctx.resolve(prop.get("items"))
    if not isinstance(items, dict):
        return None
    kind, _ = declared_type(items)
    if kind == "string" and _plain(items):
        return ErrorFieldModel(key, "messages")
    properties, required = ctx.object_schema(items)
    if not properties:
        return None
    fields = []
    for name, item in properties.items():
        resolved = ctx.resolve(item)
        source = _item_source(name, resolved)
        if source is None and name in required:
            return None  # a problem cannot say it: no list (an empty one may do)
        if source is not None:
            fields.append(ErrorFieldModel(name, source))
    return ErrorFieldModel(key, "errors", tuple(fields))


def _item_source(key: str, prop: Any) -> str | None:
    """What fills property ``key`` of one problem of a 422."""
    if not isinstance(prop, dict):
        return None
    name = _norm(key)
    kind, _ = declared_type(prop)
    if name == "loc" and kind == "array":
        items = prop.get("items")
        item_kind = declared_type(items)[0] if isinstance(items, dict) else None
        return "loc" if item_kind in (None, "string") else None
    if kind != "string" or not _plain(prop):
        return None
    if name in WHERE_NAMES:
        return "where"
    if name in ITEM_MESSAGE_NAMES:
        return "message"
    if name in ITEM_TYPE_NAMES:
        return "type"
    return None


def _placeholder(ctx: Context, key: str, prop: Any) -> ErrorFieldModel:
    value = sample(prop, ctx.api.schemas)
    return ErrorFieldModel(
        key, "placeholder", value=None if value is NO_SAMPLE else value
    )


def _warn(ctx: Context, shape: ErrorShapeModel) -> None:
    """Say what the rules could not fill, at the schema."""
    hook = f"src/{ctx.package}/hooks/errors/{shape.name}.py"
    if shape.unfilled == ("the body",):
        message = (
            f"error body {shape.title}: fastgen fills an object, a string or an "
            f"integer, not this schema; errors are answered as FastAPI's "
            f'{{"detail": ...}} until you shape them in {hook}'
        )
    elif shape.unfilled:
        names = ", ".join(repr(name) for name in shape.unfilled)
        message = (
            f"error body {shape.title}: no rule fills the required "
            f"{'property' if len(shape.unfilled) == 1 else 'properties'} {names} "
            f"(docs/openapi.md, Error bodies); the app answers a placeholder "
            f"value until you fill it in {hook}"
        )
    else:
        return
    ctx.error_warnings.append((shape.pointer, message))
