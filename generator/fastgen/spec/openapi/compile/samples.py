"""Sample requests that pass validation, for the generated tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastgen.spec.openapi.compile.column_samples import NoSample, column_samples
from fastgen.spec.openapi.compile.context import (
    Context,
    primary,
    read_only,
    unwrapped,
)
from fastgen.spec.openapi.description import Operation
from fastgen.spec.openapi.pointer import unescape

NO_SAMPLE = object()
MAX_DEPTH = 8
# A string of one of these formats -> a valid value.
FORMATTED = {
    "date-time": "2024-01-01T12:00:00+02:00",
    "date": "2024-01-01",
    "uuid": "00000000-0000-4000-8000-000000000001",
    "email": "someone@example.com",
    "uri": "https://example.com/",
}


Request = tuple[str, dict[str, Any], Any]  # url, query, json body
# url, query, a form's fields as text, its files' contents, and a field of a number
# or boolean that a test sends empty (or None)
FormRequest = tuple[str, dict[str, Any], dict[str, Any], dict[str, str], str | None]


def sample_request(ctx: Context, op: Operation) -> Request | None:
    """The url, query and json body of a request that passes validation, or None."""
    return _sample_parts(ctx, op)


def sample_url(ctx: Context, op: Operation) -> tuple[str, dict[str, Any]] | None:
    """The url and query of a request that passes validation (its body aside)."""
    parts = _sample_parts(ctx, op, body_too=False)
    return None if parts is None else (parts[0], parts[1])


def refine_sample(
    ctx: Context, op: Operation, refined: tuple[str, ...]
) -> Request | None:
    """A sample request (as ``sample_request``) using a parameter only the list's
    ``refine`` applies, so its stub answers 501; None when none can be made."""
    parts = _sample_parts(ctx, op)
    if parts is None:
        return None
    url, query, body = parts
    for param in op.parameters:
        if param.python_name not in refined:
            continue
        if param.required and param.location in ("path", "query"):
            return url, query, body  # every request uses it
        schema = ctx.param_schema(param)
        if param.location != "query" or "default" in schema:
            continue  # the default is what refine leaves alone
        value = sample(schema, ctx.api.schemas)
        if value == [] and isinstance(schema.get("items"), dict):
            value = [
                sample(unwrapped(ctx.api.schemas, schema["items"]), ctx.api.schemas)
            ]
        if all(_scalar(v) for v in (value if isinstance(value, list) else [value])):
            return url, {**query, param.name: value}, body
    return None


def _sample_parts(
    ctx: Context, op: Operation, *, body_too: bool = True
) -> tuple[str, dict[str, Any], Any] | None:
    """The url, query and json body of a request that passes validation, or None;
    without ``body_too``, the url and query of one (and no body)."""
    url = op.route
    query: dict[str, Any] = {}
    for param in op.parameters:
        if not param.required and param.location != "path":
            continue  # not sent
        value = sample(ctx.param_schema(param), ctx.api.schemas)
        if value is NO_SAMPLE or isinstance(value, dict | list):
            return None
        if param.location == "path":
            url = url.replace("{" + param.python_name + "}", str(value))
        elif param.required and param.location == "query":
            query[param.name] = value
        elif param.required:
            return None
    body: Any = None
    request = op.request_body
    if body_too and request is not None and request.content:
        media = primary(request.content)
        if media.kind != "json":
            return None
        body = sample(ctx.deref(media.schema), ctx.api.schemas)
        if body is NO_SAMPLE:
            return None
    return url, query, body


def sample(schema: Any, schemas: Mapping[str, Any], depth: int = 0) -> Any:
    """A value valid for ``schema`` (required properties only), or ``NO_SAMPLE``."""
    if depth > MAX_DEPTH or not isinstance(schema, dict):
        return NO_SAMPLE
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return sample(schemas.get(unescape(ref.rsplit("/", 1)[-1])), schemas, depth + 1)
    if isinstance(schema.get("default"), str | int | float | bool):
        return schema["default"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    if "allOf" in schema:
        return _all_of(schema, schemas, depth)
    if "oneOf" in schema or "anyOf" in schema:
        return NO_SAMPLE
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if kinds else None
    if kind == "object" or kind is None and "properties" in schema:
        return _object(schema, schemas, depth)
    if kind == "array":
        return _array(schema, schemas, depth)
    if kind == "string":
        return _string(schema)
    if kind in ("integer", "number"):
        return _number(schema, kind)
    if kind == "boolean":
        return True
    if kind is None and not schema:
        return {}
    return NO_SAMPLE


def _all_of(schema: dict[str, Any], schemas: Mapping[str, Any], depth: int) -> Any:
    """The parts of an ``allOf`` sampled and merged (with the schema's own properties)."""
    merged: dict[str, Any] = {}
    for part in schema["allOf"]:
        value = sample(part, schemas, depth + 1)
        if not isinstance(value, dict):
            return NO_SAMPLE
        merged |= value
    own = {k: v for k, v in schema.items() if k != "allOf"}
    if own.get("properties"):
        value = sample({"type": "object", **own}, schemas, depth + 1)
        if not isinstance(value, dict):
            return NO_SAMPLE
        merged |= value
    return merged


def _object(schema: dict[str, Any], schemas: Mapping[str, Any], depth: int) -> Any:
    out = {}
    properties = schema.get("properties") or {}
    for name in schema.get("required") or []:
        if read_only(properties.get(name)):
            continue  # not part of a request
        value = sample(properties.get(name, {}), schemas, depth + 1)
        if value is NO_SAMPLE:
            return NO_SAMPLE
        out[name] = value
    return out


def _array(schema: dict[str, Any], schemas: Mapping[str, Any], depth: int) -> Any:
    count = schema.get("minItems") or 0
    if not count:
        return []
    item = sample(schema.get("items", {}), schemas, depth + 1)
    return NO_SAMPLE if item is NO_SAMPLE else [item] * count


def _string(schema: dict[str, Any]) -> Any:
    if "pattern" in schema:
        return _first(schema, "string")
    fmt = schema.get("format")
    if fmt in FORMATTED:
        return FORMATTED[fmt]
    length = max(int(schema.get("minLength") or 1), 1)
    if schema.get("maxLength") is not None and schema["maxLength"] < length:
        return NO_SAMPLE
    return "x" * length


def _number(schema: dict[str, Any], kind: str) -> Any:
    """The least value ``column_samples`` finds within the bounds (3.0's boolean
    exclusives, 3.1's numbers) and multiple; 1 where nothing limits it."""
    integer = kind == "integer"
    try:
        values = column_samples(schema, "integer" if integer else "float")
    except NoSample:
        return NO_SAMPLE
    if values is None:
        return 1 if integer else 1.0
    return values[0]


def _first(schema: dict[str, Any], kind: str) -> Any:
    """The least of the values ``column_samples`` finds, or ``NO_SAMPLE``."""
    try:
        values = column_samples(schema, kind)
    except NoSample:
        return NO_SAMPLE
    return values[0] if values else NO_SAMPLE


def _scalar(value: Any) -> bool:
    """A sample value a query string can carry."""
    return value is not NO_SAMPLE and isinstance(value, str | int | float | bool)
