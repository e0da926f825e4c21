"""Sample form requests (urlencoded or multipart, files as parts), for the generated
tests: what a browser or ``curl -F`` sends must reach the operation."""

from __future__ import annotations

import json
from typing import Any

from fastgen.spec.openapi.compile.context import Context, read_only
from fastgen.spec.openapi.compile.samples import (
    NO_SAMPLE,
    FormRequest,
    sample,
    sample_url,
)
from fastgen.spec.openapi.description import Operation

FILE_TEXT = "hello"  # the content of each file a sample uploads


def form_sample(ctx: Context, op: Operation) -> FormRequest | None:
    """A request sending the operation's form body, or None: its body is no form
    (in one media type), or no value can be sampled, or a multipart form has no
    file (a request without one would be sent urlencoded). A required string field
    is sent empty where the empty string is valid: it is a value, not a field left
    out."""
    request = op.request_body
    if request is None or len(request.content) != 1:
        return None
    media = request.content[0]
    if media.kind not in ("form", "multipart"):
        return None
    parts = sample_url(ctx, op)
    properties, required = ctx.object_schema(ctx.deref(media.schema))
    if parts is None or not properties:
        return None
    multipart = media.kind == "multipart"
    data: dict[str, Any] = {}
    files: dict[str, str] = {}
    blank = None
    for name, prop in properties.items():
        schema = ctx.resolve(prop)
        if not isinstance(schema, dict) or read_only(schema):
            continue
        if _binary(schema):
            if not multipart:
                return None
            if name in required or not files:
                files[name] = FILE_TEXT
            continue
        if blank is None and _typed_scalar(schema):
            blank = name
        if name not in required:
            continue
        value = "" if _any_text(schema) else sample(prop, ctx.api.schemas)
        text = _as_text(value, multipart)
        if text is None or text == []:  # a form cannot send an empty array
            return None
        data[name] = text
    if multipart and not files:
        return None
    return parts[0], parts[1], data, files, blank


def _binary(schema: dict[str, Any]) -> bool:
    """A file: ``format: binary`` (3.0) or a string with a content media type (3.1)."""
    return schema.get("format") == "binary" or (
        "contentMediaType" in schema and "contentEncoding" not in schema
    )


def _typed_scalar(schema: dict[str, Any]) -> bool:
    """A number, an integer or a boolean: its empty text is no value of its type."""
    return schema.get("type") in ("integer", "number", "boolean") and not any(
        key in schema for key in ("enum", "const", "nullable")
    )


def _any_text(schema: dict[str, Any]) -> bool:
    """A string the empty string satisfies (no length, pattern, format or enum)."""
    return schema.get("type") == "string" and not any(
        schema.get(key)
        for key in ("minLength", "pattern", "format", "enum", "const", "default")
    )


def _as_text(value: Any, multipart: bool) -> str | list[str] | None:
    """A field's value as a form sends it: objects as JSON parts of a multipart
    body (OpenAPI's default encoding), arrays as repeated fields."""
    if value is NO_SAMPLE:
        return None
    if isinstance(value, list):
        items = [_as_text(item, multipart) for item in value]
        texts = [item for item in items if isinstance(item, str)]
        return texts if len(texts) == len(items) else None
    if isinstance(value, dict):
        return json.dumps(value) if multipart else None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
