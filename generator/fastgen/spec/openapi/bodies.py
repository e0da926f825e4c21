"""Request bodies, responses and the schemas they carry."""

from __future__ import annotations

import re
from typing import Any

from fastgen.spec.openapi.description import (
    BodyKind,
    Header,
    InlineSchema,
    MediaType,
    RequestBody,
    Response,
    Schema,
    SchemaRef,
)
from fastgen.spec.openapi.refs import Resolver, schema_name
from fastgen.spec.problems import Loc

STATUS_RE = re.compile(r"^([1-5][0-9][0-9]|[1-5]XX|default)$")


def media_kind(content_type: str) -> BodyKind:
    """How a body of ``content_type`` is read: JSON, a form, multipart, text or bytes."""
    base = content_type.split(";")[0].strip().lower()
    if base == "application/json" or base.endswith("+json"):
        return "json"
    if base == "application/x-www-form-urlencoded":
        return "form"
    if base.startswith("multipart/"):
        return "multipart"
    if base.startswith("text/"):
        return "text"
    return "binary"


def schema_use(node: Any, loc: Loc, resolver: Resolver) -> Schema | None:
    """A component by name, or the schema in place (a ref elsewhere is followed)."""
    if node is None:
        return None
    name = schema_name(node)
    if name is not None and set(node) == {"$ref"}:
        return SchemaRef(name)
    resolved = resolver.resolve(node, loc)
    if resolved is None:
        return None
    target, target_loc = resolved
    if not isinstance(target, dict | bool):
        resolver.report.error(target_loc, "a schema must be a mapping")
        return None
    schema = target if isinstance(target, dict) else {} if target else {"not": {}}
    return InlineSchema(schema, resolver.report.source_map.source(target_loc))


def content(node: Any, loc: Loc, resolver: Resolver) -> tuple[MediaType, ...]:
    """The media types of a ``content`` map, in document order."""
    if node is None:
        return ()
    if not isinstance(node, dict):
        resolver.report.error(loc, "content must be a mapping of media types")
        return ()
    media = []
    for content_type, entry in node.items():
        entry_loc = (*loc, content_type)
        if not isinstance(entry, dict):
            resolver.report.error(entry_loc, "a media type must be a mapping")
            continue
        schema = schema_use(entry.get("schema"), (*entry_loc, "schema"), resolver)
        media.append(
            MediaType(str(content_type), media_kind(str(content_type)), schema)
        )
    return tuple(media)


def request_body(node: Any, loc: Loc, resolver: Resolver) -> RequestBody | None:
    resolved = resolver.resolve(node, loc)
    if resolved is None:
        return None
    body, body_loc = resolved
    if not isinstance(body, dict):
        resolver.report.error(body_loc, "requestBody must be a mapping")
        return None
    if not body.get("content"):
        resolver.report.error(
            body_loc, "requestBody needs 'content': the media types it accepts"
        )
        return None
    return RequestBody(
        required=body.get("required") is True,
        description=str(body.get("description") or ""),
        content=content(body["content"], (*body_loc, "content"), resolver),
        source=resolver.report.source_map.source(body_loc),
    )


def responses(node: Any, loc: Loc, resolver: Resolver) -> tuple[Response, ...]:
    """The responses of an operation; status codes as written ("2XX" upper-cased)."""
    if node is None:
        return ()
    if not isinstance(node, dict):
        resolver.report.error(loc, "responses must be a mapping of status codes")
        return ()
    result = []
    for status, entry in node.items():
        status_loc = (*loc, status)
        code = str(status).upper() if str(status) != "default" else "default"
        if isinstance(status, str) and status.startswith("x-"):
            continue
        if not STATUS_RE.match(code):
            resolver.report.error(
                status_loc,
                f"{status!r} is not a status code; expected e.g. 200, 2XX or default",
                key=True,
            )
            continue
        resolved = resolver.resolve(entry, status_loc)
        if resolved is None:
            continue
        response, response_loc = resolved
        if not isinstance(response, dict):
            resolver.report.error(response_loc, "a response must be a mapping")
            continue
        result.append(
            Response(
                status=code,
                description=str(response.get("description") or ""),
                content=content(
                    response.get("content"), (*response_loc, "content"), resolver
                ),
                headers=_headers(
                    response.get("headers"), (*response_loc, "headers"), resolver
                ),
                source=resolver.report.source_map.source(response_loc),
            )
        )
    return tuple(result)


def _headers(node: Any, loc: Loc, resolver: Resolver) -> tuple[Header, ...]:
    if not isinstance(node, dict):
        return ()
    headers = []
    for name, entry in node.items():
        resolved = resolver.resolve(entry, (*loc, name))
        if resolved is None or not isinstance(resolved[0], dict):
            continue
        header, header_loc = resolved
        schema = schema_use(header.get("schema"), (*header_loc, "schema"), resolver)
        headers.append(Header(str(name), header.get("required") is True, schema))
    return tuple(headers)
