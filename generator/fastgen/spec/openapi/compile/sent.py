"""The media types a request the service sends (a webhook or callback) publishes.

FastAPI lists a model (a request body or an answer) as ``application/json``, or a
request body as the one media type ``Body()`` is told, so a subscriber's
``application/problem+json`` answer, a body declared under several media types or a
JSON one under another name would be published otherwise than the document declares.
These routes are never served: the app's OpenAPI is all they are for, so
``outgoing.py`` publishes each such body under the document's media types.

A media type declaring the same schema as the one FastAPI publishes gets it; another
gets its own: as written, or, where it names components (which the app's OpenAPI
holds only where a route uses their model), as pydantic writes its type.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from fastgen.model.service import ApiContentModel, ApiType
from fastgen.spec.openapi.compile.context import Context, primary
from fastgen.spec.openapi.compile.types import ANY, Types
from fastgen.spec.openapi.description import MediaType, Operation
from fastgen.spec.openapi.models import REQUEST, RESPONSE, api_class_name

URLENCODED = "application/x-www-form-urlencoded"


def sent_content(
    ctx: Context, op: Operation, types: Types
) -> tuple[ApiContentModel, ...]:
    """The bodies of ``op`` (request body, then each answer) FastAPI would publish
    under other media types than the document declares."""
    base = api_class_name(op.name)
    parts: list[tuple[tuple[str, ...], tuple[MediaType, ...], str]] = []
    if op.request_body is not None:
        parts.append((("requestBody",), op.request_body.content, base + "Request"))
    for response in op.responses:
        hoist = base + "Response" + response.status.title()
        parts.append((("responses", response.status), response.content, hoist))
    found = []
    for part, content, hoist in parts:
        request = part == ("requestBody",)
        if not content:
            continue
        first = primary(content)
        if [m.content_type for m in content] == [_published_as(first, request)]:
            continue
        # The service sends the request and reads the answer (see sent_model).
        typed = partial(types.of, hoist=hoist, role=RESPONSE if request else REQUEST)
        declared = tuple(
            (m.content_type, _schema(ctx, m, first, typed)) for m in content
        )
        found.append(ApiContentModel(part, declared))
    return tuple(found)


def _published_as(media: MediaType, request: bool) -> str:
    """The media type FastAPI publishes a body read as ``media`` under: an answer's
    model as JSON, a request body as the media type it is told (a form urlencoded
    by default)."""
    if media.kind == "json" and not request:
        return "application/json"
    if media.kind == "form" and request:
        return URLENCODED
    return media.content_type


def _schema(
    ctx: Context,
    media: MediaType,
    first: MediaType,
    typed: Callable[[Any], ApiType | None],
) -> Any:
    """The schema published under ``media``: None for the one FastAPI publishes
    (``first``'s, or a media type's declaring the same); else the document's (a
    string when a body that is not JSON has none), or its type where it names
    components (``typed`` makes it)."""
    schema = ctx.deref(media.schema)
    if media is first or schema == ctx.deref(first.schema):
        return None
    if not _names_components(schema):
        return schema if schema or media.kind == "json" else {"type": "string"}
    return typed(schema) or ANY


def _names_components(schema: Any) -> bool:
    if isinstance(schema, dict):
        return "$ref" in schema or any(map(_names_components, schema.values()))
    if isinstance(schema, list):
        return any(map(_names_components, schema))
    return False
