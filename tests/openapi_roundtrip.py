"""Does a generated app's own OpenAPI document describe the same API as its input?

``compare(input_document, app.openapi())`` returns the differences (empty when none).
It is strict on what a client is generated from: ``info`` (title, version,
description, summary, termsOfService, contact, license), paths and methods (as
written: ``{pet-id}`` stays ``{pet-id}``), parameters (name, in, required and their
schema), status codes, the media types of every request and response body (of one
declared in several, each one's schema too), and the shape of each JSON schema down to a bounded depth: types, nullability, required
lists, properties, items, enums, formats and constraints (bounds, lengths,
patterns, item counts, multipleOf). The same for every webhook (by name and
method) and every operation's callbacks (by callback name, expression as written,
and method).

Only what means the same is normalised: component names and ``$ref`` indirection,
titles, descriptions, examples and defaults; OpenAPI 3.0's ``nullable``, boolean
``exclusiveMinimum``, ``const`` and one-part ``allOf`` against 3.1's forms (FastAPI
writes 3.1); ``0.0`` and ``0``; a boolean ``enum`` of both values; an ``enum`` of null
alone and ``type: null``; ``format: binary`` and 3.1's ``contentMediaType:
application/octet-stream``; the
``minLength: 1`` pydantic writes beside ``format: uri``. The differences generation introduces on purpose are listed in
docs/openapi.md ("What the served document changes") and are the only ones allowed:

- ``DIFFERENCES[0]``: a validation 422 FastAPI adds where the input has none, and
  the route's own 200 where the input lists only ranges or ``default``;
- ``DIFFERENCES[1]``: an integer's ``format: int32``/``int64`` is served as the
  ``minimum``/``maximum`` of its range, and a table column's integer is bounded to
  the 32 bits the column holds (never wider than the input);
- ``DIFFERENCES[2]``: an optional parameter or request body is served as
  ``anyOf [X, null]``, FastAPI's way to say it may be absent (no request can send
  null in a query string, header or cookie);
- ``DIFFERENCES[3]``: a request body leaves out the properties the input marks
  readOnly, a response the writeOnly ones (the other way round in a webhook or
  callback, which the service sends), as OpenAPI means them;
- ``DIFFERENCES[4]``: a number's ``format: float``/``double`` is not served (every
  number is a Python float, a double; pydantic writes no format for it);
- ``DIFFERENCES[5]``: the list of a table whose ``x-fastgen-resource`` has ``list``
  takes the native list's query parameters and answers a page (``_as_declared``
  compares it as the input declares it: its declared parameters and the page's items
  as the array, without the rows ``?expand=`` embeds).

A URL in ``info`` that has no path is compared with its ``/`` (FastAPI's pydantic
writes ``http://swagger.io`` as ``http://swagger.io/``, the same URL).

The served document must also stand alone: a local ``$ref`` naming nothing in it
is a difference too (``dangling_references``).

Reusable: the corpus harness runs it over every document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

DEPTH = 4
READ_ONLY, WRITE_ONLY = "readOnly", "writeOnly"
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


# The differences docs/openapi.md lists, in the order of the module docstring.
DIFFERENCES = (
    "422 and 200 added",
    "integer formats as bounds, table columns 32-bit",
    "optional parameters and bodies nullable",
    "readOnly and writeOnly left out",
    "number formats not served",
    "a query list's parameters and page",
)
NUMBER_FORMATS = ("float", "double")
INFO = ("title", "version", "description", "summary", "termsOfService")
INFO_OBJECTS = ("contact", "license")
INTEGER_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
COLUMN_RANGE = INTEGER_RANGES["int32"]  # what a table's integer column holds
CONSTRAINTS = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
)


def compare(source: dict[str, Any], served: dict[str, Any]) -> list[str]:
    """The differences between the input document and the app's, as sentences."""
    have = _operations(served, "paths")
    for path, expand in _query_lists(source).items():
        if (path, "get") in have:
            op = have[(path, "get")]
            want = _operations(source, "paths").get((path, "get"), {})
            have[(path, "get")] = _as_declared(served, op, want, expand)
    problems = _info_diff(source.get("info") or {}, served.get("info") or {})
    problems += _compare_all(source, _operations(source, "paths"), served, have)
    problems += [
        f"webhook {p}"
        for p in _compare_all(
            source,
            _operations(source, "webhooks"),
            served,
            _operations(served, "webhooks"),
            sent=True,
        )
    ]
    return problems + dangling_references(served)


def dangling_references(document: Any, where: str = "#") -> list[str]:
    """Each local ``$ref`` naming nothing in ``document``, where it is: a served
    document must stand alone (a schema published as written keeps its ``$ref``s,
    so the components they name must be published too)."""
    found = []
    for pointer, ref in _references(document, where):
        node: Any = document
        for part in ref.removeprefix("#/").split("/"):
            key = part.replace("~1", "/").replace("~0", "~")
            node = node.get(key) if isinstance(node, dict) else None
        if ref.startswith("#/") and node is None:
            found.append(f"{pointer}: $ref {ref} names nothing in the document")
    return found


def _references(node: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield where, node["$ref"]
        for key, value in node.items():
            escaped = str(key).replace("~", "~0").replace("/", "~1")
            yield from _references(value, f"{where}/{escaped}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _references(value, f"{where}/{index}")


def _query_lists(source: dict[str, Any]) -> dict[str, list[str]]:
    """The collection paths of the tables whose ``x-fastgen-resource`` has ``list``,
    with their ``expand`` columns: their GET takes the native list's query and
    answers a page, a difference docs/openapi.md justifies ("Lists that take a
    query")."""
    found = {}
    schemas = (source.get("components") or {}).get("schemas") or {}
    for schema in schemas.values():
        annotation = (
            schema.get("x-fastgen-resource") if isinstance(schema, dict) else None
        )
        if isinstance(annotation, dict) and isinstance(annotation.get("list"), dict):
            found[annotation["path"]] = list(annotation["list"].get("expand") or {})
    return found


def _as_declared(
    served: dict[str, Any], op: dict[str, Any], want: dict[str, Any], expand: list[str]
) -> dict[str, Any]:
    """A served query list as the input declares it: the parameters it declares (the
    others are the list's own), and the page's items as the array it answers
    (without the rows ``?expand=`` embeds)."""
    declared = {_resolve(served, p).get("name") for p in want.get("parameters") or []}
    params = [
        p for p in op["parameters"] if _resolve(served, p).get("name") in declared
    ]
    responses = dict(op.get("responses") or {})
    ok = _resolve(served, responses.get("200"))
    page = _resolve(served, _json_schema(served, (ok or {}).get("content")))
    items = _resolve(served, ((page or {}).get("properties") or {}).get("items"))
    item = dict(_resolve(served, (items or {}).get("items")) or {})
    properties = dict(item.get("properties") or {})
    for column in expand:
        row = f"{column}_row"
        properties.pop(row if row in properties else column.removesuffix("_id"), None)
    item["properties"] = properties
    array = {"type": "array", "items": item}
    responses["200"] = {**ok, "content": {"application/json": {"schema": array}}}
    return {**op, "parameters": params, "responses": responses}


def _info_diff(want: dict[str, Any], have: dict[str, Any]) -> list[str]:
    """``info`` as written: its text fields and its contact and license objects."""
    problems = []
    for key in (*INFO, *INFO_OBJECTS):
        expected, served = want.get(key), have.get(key)
        if key == "version" and expected is not None:
            expected = str(expected)  # YAML reads 1.0 as a number
        if key in INFO_OBJECTS and isinstance(expected, dict):
            expected, served = _with_paths(expected), _with_paths(served)
        if expected != served and (expected or served):
            problems.append(f"info.{key}: expected {expected!r}, served {served!r}")
    return problems


def _with_paths(info: Any) -> Any:
    """A contact or license whose ``url`` has no path, with its ``/``."""
    if not isinstance(info, dict) or not isinstance(info.get("url"), str):
        return info
    parts = urlsplit(info["url"])
    return {**info, "url": parts._replace(path=parts.path or "/").geturl()}


def _compare_all(
    source: dict[str, Any],
    want: dict[tuple[str, str], dict[str, Any]],
    served: dict[str, Any],
    have: dict[tuple[str, str], dict[str, Any]],
    *,
    sent: bool = False,
) -> list[str]:
    """``sent``: the operations are requests the service sends (webhooks, callbacks)."""
    problems = []
    for key in sorted(set(want) - set(have)):
        problems.append(f"{key[1].upper()} {key[0]}: missing from the app")
    for key in sorted(set(want) & set(have)):
        where = f"{key[1].upper()} {key[0]}"
        problems += [
            f"{where}: {p}"
            for p in _operation_diff(source, want[key], served, have[key], sent)
        ]
        problems += [
            f"{where}: callback {p}"
            for p in _compare_all(
                source,
                _callbacks(source, want[key]),
                served,
                _callbacks(served, have[key]),
                sent=True,
            )
        ]
    return problems


def _operations(
    document: dict[str, Any], section: str
) -> dict[tuple[str, str], dict[str, Any]]:
    """The operations of ``paths`` (by path) or ``webhooks`` (by name)."""
    found = {}
    for path, item in (document.get(section) or {}).items():
        item = _resolve(document, item)
        found |= _item_operations(item, path)
    return found


def _callbacks(
    document: dict[str, Any], op: dict[str, Any]
) -> dict[tuple[str, str], dict[str, Any]]:
    """An operation's callback operations, keyed by ``name expression`` and method."""
    found = {}
    for name, callback in (op.get("callbacks") or {}).items():
        callback = _resolve(document, callback)
        for expression, item in (callback or {}).items():
            found |= _item_operations(_resolve(document, item), f"{name} {expression}")
    return found


def _item_operations(item: Any, key: str) -> dict[tuple[str, str], dict[str, Any]]:
    if not isinstance(item, dict):
        return {}
    shared = item.get("parameters") or []
    return {
        (key, method): {**op, "parameters": [*shared, *(op.get("parameters") or [])]}
        for method in METHODS
        if isinstance(op := item.get(method), dict)
    }


def _operation_diff(
    source: dict[str, Any],
    want: dict[str, Any],
    served: dict[str, Any],
    have: dict[str, Any],
    sent: bool,
) -> list[str]:
    problems = []
    # What the sender leaves out: readOnly from a request the service receives,
    # writeOnly from one it sends; the answer the other.
    request_drop, response_drop = (
        (WRITE_ONLY, READ_ONLY) if sent else (READ_ONLY, WRITE_ONLY)
    )
    want_params = _params(source, want, request_drop)
    have_params = _params(served, have, request_drop)
    if set(want_params) != set(have_params) or any(
        want_params[k][0] != have_params[k][0]
        or not same(want_params[k][1], have_params[k][1])
        for k in want_params
    ):
        expected = {k: v[0] for k, v in want_params.items()}
        served_ = {k: v[0] for k, v in have_params.items()}
        if expected != served_:
            problems.append(f"parameters: expected {expected}, served {served_}")
        for k in sorted(set(want_params) & set(have_params)):
            w, h = want_params[k][1], have_params[k][1]
            if not same(w, h):
                problems.append(f"parameter {k[1]} {k[0]}{difference(w, h)}")
    want_codes = _codes(want)
    have_codes = _codes(have) - ({"422"} - want_codes)
    # What a generated route answers that the input leaves out, published with the
    # shared error body (README, "The generated project"; render.api_code
    # undeclared_errors): not a difference, but only with that body.
    added = {c for c in have_codes - want_codes if c in PUBLISHED and c != "200"}
    for code in sorted(added):
        if not _published_as_shared(served, have["responses"][code], code):
            problems.append(f"response {code}: not the shared error body")
    have_codes -= added
    if not any(code.isdigit() and code[0] == "2" for code in want_codes):
        # Only ranges or default: FastAPI still lists the route's own status, 200.
        have_codes -= {"200"}
    if want_codes != have_codes:
        problems.append(
            f"status codes: expected {sorted(want_codes)}, served {sorted(have_codes)}"
        )
    want_body = _body_shape(source, want, request_drop)
    have_body = _body_shape(served, have, request_drop)
    if not same(want_body, have_body):
        problems.append(f"request body{difference(want_body, have_body)}")
    want_media = _media(source, want.get("requestBody"))
    have_media = _media(served, have.get("requestBody"))
    if want_media != have_media:
        problems.append(
            f"request media types: expected {want_media}, served {have_media}"
        )
    body = _resolve(source, want.get("requestBody"))
    problems += [
        f"request body {p}"
        for p in _other_media_diff(
            source,
            body,
            served,
            have.get("requestBody"),
            request_drop,
            optional=isinstance(body, dict) and not body.get("required"),
        )
    ]
    for code in sorted(want_codes & have_codes):
        w = _response_shape(source, want, code, response_drop)
        h = _response_shape(served, have, code, response_drop)
        if not same(w, h):
            problems.append(f"response {code}{difference(w, h)}")
        w_media = _media(source, (want.get("responses") or {}).get(code))
        h_media = _media(served, (have.get("responses") or {}).get(code))
        if w_media != h_media:
            problems.append(
                f"response {code} media types: expected {w_media}, served {h_media}"
            )
        problems += [
            f"response {code} {p}"
            for p in _other_media_diff(
                source,
                (want.get("responses") or {}).get(code),
                served,
                (have.get("responses") or {}).get(code),
                response_drop,
            )
        ]
    return problems


def _other_media_diff(
    source: dict[str, Any],
    want: Any,
    served: dict[str, Any],
    have: Any,
    drop: str,
    *,
    optional: bool = False,
) -> list[str]:
    """Of a body declared in several media types, the schema of each besides the
    JSON one compared above (a form, text, bytes, a second JSON type), where both
    list it; an ``optional`` request body's may be null (DIFFERENCES[2])."""
    want_content = _content(source, want)
    have_content = _content(served, have)
    if len(want_content) < 2:
        return []
    compared = next((k for k in want_content if "json" in k), None)
    problems = []
    for media in sorted(set(want_content) & set(have_content) - {compared}):
        w = shape(source, want_content[media].get("schema"), DEPTH, drop)
        h = shape(served, have_content[media].get("schema"), DEPTH, drop)
        for body_shape in (w, h) if optional else ():
            if isinstance(body_shape, dict):
                body_shape.pop("nullable", None)  # DIFFERENCES[2]
        if not same(w, h):
            problems.append(f"{media}{difference(w, h)}")
    return problems


def _content(document: dict[str, Any], node: Any) -> dict[str, Any]:
    node = _resolve(document, node)
    content = node.get("content") if isinstance(node, dict) else None
    if not isinstance(content, dict):
        return {}
    return {k: v for k, v in content.items() if isinstance(v, dict)}


def _media(document: dict[str, Any], node: Any) -> list[str]:
    """The media types of a request body or response, as written."""
    node = _resolve(document, node)
    content = node.get("content") if isinstance(node, dict) else None
    return sorted(content) if isinstance(content, dict) else []


def same(want: Any, have: Any) -> bool:
    """Equal shapes; None (cut at the depth bound on one side) matches anything,
    and an integer's bounds may be narrowed to a table column's (DIFFERENCES[1])."""
    if want is None or have is None:
        return True
    if isinstance(want, dict) and isinstance(have, dict):
        if "bounds" in have and "bounds" not in want and want.get("type") == "integer":
            want = {**want, "bounds": [None, None]}  # unbounded: the column bounds it
        if set(want) != set(have):
            return False
        return all(
            _same_bounds(want[k], have[k]) if k == "bounds" else same(want[k], have[k])
            for k in want
        )
    return want == have


def _same_bounds(want: list[Any], have: list[Any]) -> bool:
    """The input's integer range, or that range within the column's 32 bits."""
    low, high = want
    column_low, column_high = COLUMN_RANGE
    narrowed = [
        column_low if low is None else max(low, column_low),
        column_high if high is None else min(high, column_high),
    ]
    # pydantic writes an int field's bounds as floats: 2**63 - 1 as 9.223372036854776e18
    return [_float(b) for b in have] in (
        [_float(b) for b in want],
        [_float(b) for b in narrowed],
    )


def _number(value: Any) -> Any:
    """0.0 as 0: pydantic writes a float field's bounds as floats."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _float(bound: Any) -> Any:
    return None if bound is None else float(bound)


def difference(want: Any, have: Any, at: str = "") -> str:
    """Where two shapes first differ: `` at .data.items: expected X, served Y``."""
    if isinstance(want, dict) and isinstance(have, dict):
        for key in sorted(set(want) | set(have)):
            if key not in want or key not in have or not same(want[key], have[key]):
                return difference(want.get(key), have.get(key), f"{at}.{key}")
    return f" at {at or '.'}: expected {want!r:.120}, served {have!r:.120}"


def _resolve(document: dict[str, Any], node: Any) -> Any:
    for _ in range(16):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            return node
        target: Any = document
        for token in node["$ref"].lstrip("#/").split("/"):
            token = token.replace("~1", "/").replace("~0", "~")
            target = target.get(token, {}) if isinstance(target, dict) else {}
        node = target
    return node


def _params(
    document: dict[str, Any], op: dict[str, Any], drop: str
) -> dict[tuple[str, str], tuple[bool, Any]]:
    out = {}
    for param in op.get("parameters") or []:
        param = _resolve(document, param)
        if not isinstance(param, dict):
            continue
        name, where = str(param.get("name")), str(param.get("in"))
        if where == "header" and name.lower() in (
            "accept",
            "content-type",
            "authorization",
        ):
            continue  # OpenAPI says these are ignored
        if where == "header" and not _HEADER_NAME.fullmatch(name):
            continue  # not an HTTP field name: no request can carry it
        exploded = _exploded_object(document, param, drop)
        if exploded is not None:
            out |= exploded
            continue
        required = bool(param.get("required") or where == "path")
        param_shape = shape(document, param.get("schema"), DEPTH, drop)
        if not required and isinstance(param_shape, dict):
            param_shape.pop("nullable", None)  # DIFFERENCES[2]
        key = (name.lower() if where == "header" else name, where)
        out[key] = (required, param_shape)
    return out


def _exploded_object(
    document: dict[str, Any], param: dict[str, Any], drop: str
) -> dict[tuple[str, str], tuple[bool, Any]] | None:
    """An object query parameter in form style, exploded: its properties are the
    query parameters on the wire (``?name=x&size=2``), as FastAPI publishes a model."""
    if param.get("in") != "query" or param.get("style", "form") != "form":
        return None
    if param.get("explode", True) is not True:
        return None
    object_shape = shape(document, param.get("schema"), 2, drop)
    if not isinstance(object_shape, dict) or not object_shape.get("properties"):
        return None
    required = object_shape["required"]
    out = {}
    for name, value in object_shape["properties"].items():
        if name not in required and isinstance(value, dict):
            value = {k: v for k, v in value.items() if k != "nullable"}
        out[(name, "query")] = (name in required, value)
    return out


# The statuses a generated route publishes where its document is silent (crud.ERRORS).
PUBLISHED = frozenset(
    {"304", "401", "404", "409", "412", "413", "415", "501", "503", "504"}
)


def _published_as_shared(served: dict[str, Any], response: Any, code: str) -> bool:
    """A 304 without a body; any other, ``Error {detail}`` in JSON."""
    content = (response or {}).get("content")
    if code == "304":
        return not content
    schema = ((content or {}).get("application/json") or {}).get("schema") or {}
    ref = str(schema.get("$ref", ""))
    shared = (
        (served.get("components") or {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1])
    )
    return bool(shared) and set(shared.get("properties", {})) == {"detail"}


def _codes(op: dict[str, Any]) -> set[str]:
    return {str(code) for code in (op.get("responses") or {})}


def _json_schema(document: dict[str, Any], content: Any) -> Any:
    if not isinstance(content, dict) or not content:
        return None
    # Only JSON bodies have a shape worth comparing (text and bytes are strings).
    media = next((v for k, v in content.items() if "json" in k), None)
    return media.get("schema") if isinstance(media, dict) else None


def _body_shape(document: dict[str, Any], op: dict[str, Any], drop: str) -> Any:
    body = _resolve(document, op.get("requestBody"))
    if not isinstance(body, dict):
        return None
    schema = _json_schema(document, body.get("content"))
    body_shape = shape(document, schema, DEPTH, drop)
    if not body.get("required") and isinstance(body_shape, dict):
        body_shape.pop("nullable", None)  # DIFFERENCES[2]
    return body_shape


def _response_shape(
    document: dict[str, Any], op: dict[str, Any], code: str, drop: str
) -> Any:
    response = _resolve(document, (op.get("responses") or {}).get(code))
    if not isinstance(response, dict):
        return None
    schema = _json_schema(document, response.get("content"))
    return shape(document, schema, DEPTH, drop)


def _flattened(
    document: dict[str, Any], schema: dict[str, Any], hops: int = 16
) -> dict[str, Any]:
    """The properties and required names of an ``allOf`` chain, in one schema."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    own = {k: v for k, v in schema.items() if k != "allOf"}
    for part in [*(schema.get("allOf") or []), own]:
        part = _resolve(document, part)
        if isinstance(part, dict) and "allOf" in part and hops:
            part = _flattened(document, part, hops - 1)
        if isinstance(part, dict):
            properties |= part.get("properties") or {}
            required += part.get("required") or []
    return {"type": "object", "properties": properties, "required": required}


def shape(document: dict[str, Any], schema: Any, depth: int, drop: str) -> Any:
    """A schema reduced to what a client is generated from: types, nullability,
    structure, enums, formats and constraints.

    ``drop`` (READ_ONLY in a request, WRITE_ONLY in a response) names the mark of
    the properties left out, at every level."""
    schema = _resolve(document, schema)
    if not isinstance(schema, dict) or depth == 0:
        return None
    if (
        isinstance(schema.get("allOf"), list)
        and len(schema["allOf"]) == 1
        and not {"properties", "required"} & set(schema)
    ):
        # One part with siblings (description, readOnly...) is that part.
        own = {k: v for k, v in schema.items() if k != "allOf"}
        part = _resolve(document, schema["allOf"][0])
        return shape(document, {**part, **own}, depth, drop)
    if "allOf" in schema:
        schema = _merged(document, schema)
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return _union(document, schema, key, depth, drop)
    kind = schema.get("type")
    nullable = schema.get("nullable") is True
    if isinstance(kind, list):
        nullable = nullable or "null" in kind
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else tuple(sorted(kinds))
    if kind is None and "properties" in schema:
        kind = "object"
    enum = [schema["const"]] if "const" in schema else schema.get("enum")
    if enum == [None] and kind in (None, "null"):
        kind, enum = "null", None  # null alone: the same as type null
    if isinstance(enum, list) and None in enum:
        nullable = True
    if kind is None and isinstance(enum, list) and enum:
        # pydantic writes the type of a Literal's values
        kinds = {_JSON_TYPES.get(type(v)) for v in enum if v is not None}
        kind = kinds.pop() if len(kinds) == 1 else None
    out: dict[str, Any] = {"type": kind, "nullable": nullable}
    out |= _constraints(schema, kind)
    # pydantic writes a one-value enum (a Literal) as const; a boolean enum of
    # both values is a plain boolean.
    if isinstance(enum, list) and not (kind == "boolean" and {*enum} >= {True, False}):
        out["enum"] = sorted(repr(v) for v in enum if v is not None)
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties") or {}
        kept = {
            name: value
            for name, value in properties.items()
            if not _marked(document, value, drop)
        }
        out["properties"] = {
            name: shape(document, value, depth - 1, drop)
            for name, value in kept.items()
        }
        left_out = set(properties) - set(kept)
        out["required"] = sorted(set(schema.get("required") or []) - left_out)
    if kind == "array":
        out["items"] = shape(document, schema.get("items"), depth - 1, drop)
    return out


def _merged(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """An ``allOf`` of objects as the one object pydantic inherits it into."""
    merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
    for part in [*schema["allOf"], {k: v for k, v in schema.items() if k != "allOf"}]:
        part = _resolve(document, part)
        if isinstance(part, dict) and "allOf" in part:
            part = _flattened(document, part)  # pydantic inherits through chains
        if isinstance(part, dict):
            merged["properties"] |= part.get("properties") or {}
            merged["required"] += part.get("required") or []
            if part.get("nullable") is True:
                merged["nullable"] = True
    return merged


def _union(
    document: dict[str, Any], schema: dict[str, Any], key: str, depth: int, drop: str
) -> Any:
    """A ``oneOf``/``anyOf``: pydantic writes nullable as anyOf [X, null] (no extra
    level) and drops repeated variants (oneOf: [A, A] is A)."""
    variants = [shape(document, v, depth, drop) for v in schema[key]]
    null = {"type": "null", "nullable": False}
    nullable = schema.get("nullable") is True or any(v == null for v in variants)
    unique = {
        json.dumps(v, sort_keys=True): v
        for v in variants
        if v is not None and v != null
    }
    if len(unique) == 1:
        (only,) = unique.values()
        return {**only, "nullable": nullable or only["nullable"]}
    return {"union": sorted(unique), "nullable": nullable}


def _constraints(schema: dict[str, Any], kind: Any) -> dict[str, Any]:
    """The format and the validation keywords, in 3.1's form; an integer's range
    (its format's, narrowed by minimum and maximum) as ``bounds``."""
    found = {k: _number(schema[k]) for k in CONSTRAINTS if k in schema}
    if schema.get("format") == "uri" and found.get("minLength") == 1:
        del found["minLength"]  # pydantic's: no URI is empty (it has a scheme)
    for bound, edge in (
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ):
        if found.get(bound) is True:  # 3.0: a flag on minimum / maximum
            found[bound] = found.pop(edge, None)
        elif found.get(bound) is False:
            del found[bound]
    if found.get("uniqueItems") is False:
        del found["uniqueItems"]
    fmt = schema.get("format")
    if schema.get("contentMediaType") == "application/octet-stream":
        fmt = fmt or "binary"  # 3.1's spelling of format: binary (FastAPI's)
    if kind == "number" and fmt in NUMBER_FORMATS:
        fmt = None  # DIFFERENCES[4]
    if kind != "integer":
        return found | ({"format": fmt} if fmt else {})
    low, high = INTEGER_RANGES.get(fmt, (None, None))
    # A format's edge an exclusive bound already narrows is implied, not written
    # (int32 with exclusiveMaximum 600 is served as just that).
    if _within(found.get("exclusiveMinimum"), fmt):
        low = None
    if _within(found.get("exclusiveMaximum"), fmt):
        high = None
    if fmt and fmt not in INTEGER_RANGES:
        found["format"] = fmt
    minimum, maximum = found.pop("minimum", None), found.pop("maximum", None)
    if minimum is not None:
        low = minimum if low is None else max(low, minimum)
    if maximum is not None:
        high = maximum if high is None else min(high, maximum)
    if [low, high] != [None, None]:
        found["bounds"] = [low, high]
    return found


def _within(bound: Any, fmt: Any) -> bool:
    """Whether an exclusive bound lies in the range of an integer format."""
    if fmt not in INTEGER_RANGES or isinstance(bound, bool):
        return False
    low, high = INTEGER_RANGES[fmt]
    return isinstance(bound, int | float) and low <= bound <= high


def _marked(document: dict[str, Any], schema: Any, mark: str) -> bool:
    """Whether a property's schema, as written or as referenced, carries ``mark``."""
    if not isinstance(schema, dict):
        return False
    target = _resolve(document, schema)
    return (
        schema.get(mark) is True
        or isinstance(target, dict)
        and target.get(mark) is True
    )
