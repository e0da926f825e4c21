"""The media types a request the service sends (a webhook or callback) publishes.

FastAPI lists a model (a request body or an answer) as ``application/json``, or a
request body as the one media type ``Body()`` is told, so a subscriber's
``application/problem+json`` answer, a body declared under several media types or a
JSON one under another name would be published otherwise than the document declares.
These routes are never served: the app's OpenAPI is all they are for, so
``outgoing.py`` publishes each such body under the document's media types.
"""

from __future__ import annotations

from typing import Any

from fastgen.model.service import ApiContentModel
from fastgen.spec.openapi.compile.context import Context, primary
from fastgen.spec.openapi.description import MediaType, Operation

URLENCODED = "application/x-www-form-urlencoded"


def sent_content(ctx: Context, op: Operation) -> tuple[ApiContentModel, ...]:
    """The bodies of ``op`` (request body, then each answer) FastAPI would publish
    under other media types than the document declares."""
    parts: list[tuple[tuple[str, ...], tuple[MediaType, ...], bool]] = []
    if op.request_body is not None:
        parts.append((("requestBody",), op.request_body.content, True))
    for response in op.responses:
        parts.append((("responses", response.status), response.content, False))
    found = []
    for part, content, request in parts:
        if not content:
            continue
        first = primary(content)
        if [m.content_type for m in content] == [_published_as(first, request)]:
            continue
        declared = tuple((m.content_type, _schema(ctx, m, first)) for m in content)
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


def _schema(ctx: Context, media: MediaType, first: MediaType) -> Any:
    """The schema published under ``media``: None for the one FastAPI publishes
    (``first``'s, or a media type's declaring the same), else the document's (a
    string when a body that is not JSON has none)."""
    schema = ctx.deref(media.schema)
    if media is first or schema == ctx.deref(first.schema):
        return None
    return schema if schema or media.kind == "json" else {"type": "string"}
