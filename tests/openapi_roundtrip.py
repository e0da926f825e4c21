"""Does a generated app's own OpenAPI document describe the same API as its input?

``compare(input_document, app.openapi())`` returns the differences (empty when none),
after normalising what legitimately differs: component names and ``$ref`` indirection, titles,
descriptions, examples, and the validation-error responses FastAPI adds. A request
body is compared without the properties the input marks readOnly (and a response
without the writeOnly ones): OpenAPI leaves them out there, and so do the generated
request and response models; in a webhook or callback, which the service sends,
the other way round. Compared:
paths and methods (as written: ``{pet-id}`` stays ``{pet-id}``), parameters (name, in,
required), status codes, and the shape of each
request and response schema (type, properties, required, items, enum) down to a
bounded depth; the same for every webhook (by name and method) and every operation's
callbacks (by callback name, expression as written, and method). Reusable: the corpus
harness runs it over every document.
"""

from __future__ import annotations

import json
import re
from typing import Any

DEPTH = 4
READ_ONLY, WRITE_ONLY = "readOnly", "writeOnly"
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def compare(source: dict[str, Any], served: dict[str, Any]) -> list[str]:
    """The differences between the input document and the app's, as sentences."""
    have = _operations(served, "paths")
    for path, expand in _query_lists(source).items():
        if (path, "get") in have:
            op = have[(path, "get")]
            want = _operations(source, "paths").get((path, "get"), {})
            have[(path, "get")] = _as_declared(served, op, want, expand)
    problems = _compare_all(source, _operations(source, "paths"), served, have)
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
    return problems


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
    if want_params != have_params:
        problems.append(f"parameters: expected {want_params}, served {have_params}")
    want_codes = _codes(want)
    have_codes = _codes(have) - ({"422"} - want_codes)
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
    for code in sorted(want_codes & have_codes):
        w = _response_shape(source, want, code, response_drop)
        h = _response_shape(served, have, code, response_drop)
        if not same(w, h):
            problems.append(f"response {code}{difference(w, h)}")
    return problems


def same(want: Any, have: Any) -> bool:
    """Equal shapes; None (cut at the depth bound on one side) matches anything."""
    if want is None or have is None:
        return True
    if isinstance(want, dict) and isinstance(have, dict):
        return set(want) == set(have) and all(same(want[k], have[k]) for k in want)
    return want == have


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
) -> dict[tuple[str, str], bool]:
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
        out[(name.lower() if where == "header" else name, where)] = bool(
            param.get("required") or where == "path"
        )
    return out


def _exploded_object(
    document: dict[str, Any], param: dict[str, Any], drop: str
) -> dict[tuple[str, str], bool] | None:
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
    return {(name, "query"): name in required for name in object_shape["properties"]}


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
    return shape(document, schema, DEPTH, drop)


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
    """A schema reduced to what must survive generation: types and structure.

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
        merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        for part in [
            *schema["allOf"],
            {k: v for k, v in schema.items() if k != "allOf"},
        ]:
            part = _resolve(document, part)
            if isinstance(part, dict) and "allOf" in part:
                part = _flattened(document, part)  # pydantic inherits through chains
            if isinstance(part, dict):
                merged["properties"] |= part.get("properties") or {}
                merged["required"] += part.get("required") or []
        schema = merged
    for key in ("oneOf", "anyOf"):
        if key in schema:
            # pydantic writes nullable as anyOf [X, null]: no extra level
            variants = [shape(document, v, depth, drop) for v in schema[key]]
            # pydantic drops repeated variants (oneOf: [A, A] is A)
            unique = {
                json.dumps(v, sort_keys=True): v
                for v in variants
                if v != {"type": "null"}
            }
            if len(unique) == 1:
                return next(iter(unique.values()))
            return {"union": sorted(unique)}
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else tuple(sorted(kinds))
    if kind is None and "properties" in schema:
        kind = "object"
    enum = [schema["const"]] if "const" in schema else schema.get("enum")
    if kind is None and isinstance(enum, list) and enum:
        # pydantic writes the type of a Literal's values
        kinds = {_JSON_TYPES.get(type(v)) for v in enum if v is not None}
        kind = kinds.pop() if len(kinds) == 1 else None
    if kind == "integer" and schema.get("format") not in (None, "int32", "int64"):
        kind = "integer"
    out: dict[str, Any] = {"type": kind}
    # pydantic writes a one-value enum (a Literal) as const.
    if isinstance(enum, list):
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
