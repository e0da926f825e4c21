"""The HTTP contract a native spec's app serves, as an OpenAPI-shaped document.

``fastgen update`` and ``fastgen check`` report what a spec change means for API
clients by comparing two OpenAPI documents (``render/api_changes.py``). An OpenAPI
input is its own document, but for what its app serves otherwise: a paged list's
query and page, and the values of a filter read as its column's integer enum. A
list's filters, native or OpenAPI, are described as the app publishes them
(``render/listing.py``'s types). For a native spec this module writes the one its app
serves at ``/openapi.json``, from the model rather than by running the app (which
would need the project's dependencies installed, twice): the paths, methods, success
statuses, parameters and the request and response bodies, with each field's type,
whether it is required or nullable, and its enum values and length. Titles,
descriptions and the error responses every route shares are left out: they change no
client's code.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from fastgen.model.endpoints import AggregateFieldModel, EndpointModel
from fastgen.model.files import is_openapi
from fastgen.model.service import (
    ApiOperationModel,
    FieldModel,
    ResourceModel,
    ServiceModel,
)
from fastgen.render.listing import filter_limits, integer_enum

Schema = dict[str, Any]

# FieldModel.py_type / ResponseFieldModel.py_type -> its JSON Schema
_SCALARS: dict[str, Schema] = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "Decimal": {"type": "string", "format": "decimal"},
    "bool": {"type": "boolean"},
    "dt.date": {"type": "string", "format": "date"},
    "dt.datetime": {"type": "string", "format": "date-time"},
    "uuid.UUID": {"type": "string", "format": "uuid"},
    "JsonValue": {},
}
# What the list routes of every resource take (deps.Limit, deps.Offset).
_PAGE_PARAMS = ("limit", "offset")
# A column's limit as pydantic's Field takes it -> the JSON Schema keyword it writes
_LIMIT_KEYWORDS = {
    "ge": "minimum",
    "gt": "exclusiveMinimum",
    "le": "maximum",
    "lt": "exclusiveMaximum",
    "multiple_of": "multipleOf",
    "min_length": "minLength",
    "max_length": "maxLength",
    "pattern": "pattern",
}
# An OpenAPI column's value type (FieldModel.value_type) -> the schema pydantic
# publishes for it, which a list's filter of the column takes
_TEXT = {"type": "string"}
_VALUE_SCHEMAS: dict[str, Schema] = {
    "AnyUrl": {**_TEXT, "format": "uri", "minLength": 1},
    "EmailStr": {**_TEXT, "format": "email"},
    "Base64Str": {**_TEXT, "format": "base64"},
    "ipaddress.IPv4Address": {**_TEXT, "format": "ipv4"},
    "ipaddress.IPv6Address": {**_TEXT, "format": "ipv6"},
    "ipaddress.IPv4Network": {**_TEXT, "format": "ipv4network"},
    "ipaddress.IPv6Network": {**_TEXT, "format": "ipv6network"},
    "dt.time": {**_TEXT, "format": "time"},
    "dt.timedelta": {**_TEXT, "format": "duration"},
    "NaiveDatetime": {**_TEXT, "format": "date-time"},
    "Decimal": {"anyOf": [{"type": "number"}, _TEXT]},
}


def field_schema(field: FieldModel, *, nullable: bool = False) -> Schema:
    """A column's JSON Schema: its type, enum values and length."""
    if field.enum_values:
        schema: Schema = {"type": "string", "enum": list(field.enum_values)}
    else:
        schema = dict(_SCALARS.get(field.py_type, {"type": "string"}))
    if field.max_length and field.type == "string":
        schema["maxLength"] = field.max_length
    if nullable:
        schema["nullable"] = True
    return schema


def _object(properties: dict[str, Schema], required: list[str]) -> Schema:
    return {"type": "object", "properties": properties, "required": sorted(required)}


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _resource_schemas(resource: ResourceModel) -> dict[str, Schema]:
    """Its Create, Update and Read bodies (schemas/<resource>.py)."""
    sent = (() if resource.pk.generated else (resource.pk,)) + resource.fields
    every = (resource.pk, *resource.fields)
    name = resource.class_name
    return {
        f"{name}Create": _object(
            {f.name: field_schema(f, nullable=not f.required) for f in sent},
            [f.name for f in sent if f.required and not f.has_default],
        ),
        f"{name}Update": _object(
            {f.name: field_schema(f, nullable=not f.required) for f in sent}, []
        ),
        f"{name}Read": _object(
            {f.name: field_schema(f, nullable=f.nullable) for f in every},
            [f.name for f in every],
        ),
    }


def _operation(status: int, response: Schema | None, **parts: Any) -> Schema:
    content = {"application/json": {"schema": response}} if response else {}
    return {**parts, "responses": {str(status): {"content": content}}}


def _body(schema: str) -> Schema:
    content = {"application/json": {"schema": _ref(schema)}}
    return {"required": True, "content": content}


def _parameter(name: str, where: str, schema: Schema, required: bool) -> Schema:
    return {"name": name, "in": where, "required": required, "schema": schema}


def _resource_paths(resource: ResourceModel) -> dict[str, dict[str, Schema]]:
    ops, name = resource.operations, resource.class_name
    read = _ref(f"{name}Read")
    key = [_parameter(resource.id_param, "path", field_schema(resource.pk), True)]
    listed = {"type": "array", "items": read}
    collection: dict[str, Schema] = {}
    item: dict[str, Schema] = {}
    if "list" in ops:
        params = _list_parameters(resource)
        collection["get"] = _operation(200, _page(listed), parameters=params)
    if "create" in ops:
        collection["post"] = _operation(201, read, requestBody=_body(f"{name}Create"))
    if "get" in ops:
        item["get"] = _operation(200, read, parameters=key)
    if "update" in ops:
        for method in ("patch", "put"):
            body = _body(f"{name}Update")
            item[method] = _operation(200, read, parameters=key, requestBody=body)
    if "delete" in ops:
        item["delete"] = _operation(204, None, parameters=key)
    paths = {
        resource.path: collection,
        f"{resource.path}/{{{resource.id_param}}}": item,
    }
    if "export" in ops:
        paths[f"{resource.path}/export"] = {"get": _operation(200, listed)}
    return {path: methods for path, methods in paths.items() if methods}


def _aggregate_schema(field: AggregateFieldModel) -> Schema:
    """Types as docs say: count an integer, avg a decimal over decimals (a float
    otherwise), sum/min/max the column's; avg, min and max are null without rows."""
    if field.column is None:
        return {"type": "integer"}
    if field.function == "avg":
        decimal = field.column.type == "decimal"
        schema = dict(_SCALARS["Decimal" if decimal else "float"])
    else:
        schema = field_schema(field.column)
    if field.function != "sum":
        schema["nullable"] = True
    return schema


def _endpoint(endpoint: EndpointModel) -> Schema:
    properties = {
        f.name: _aggregate_schema(f.aggregate)
        if f.aggregate
        else dict(_SCALARS.get(f.py_type or "", {"type": "string"}))
        for f in endpoint.response_fields
    }
    response = _object(properties, list(properties)) if properties else None
    params = [
        _parameter(p.name, "path", dict(_SCALARS.get(p.py_type, {})), True)
        for p in endpoint.params
    ]
    return _operation(endpoint.status_code, response, parameters=params)


def served_document(model: ServiceModel) -> Schema:
    """The OpenAPI document of a native spec's app, in the terms clients depend on."""
    paths: dict[str, dict[str, Schema]] = {}
    schemas: dict[str, Schema] = {}
    for resource in model.resources:
        schemas.update(_resource_schemas(resource))
        for path, methods in _resource_paths(resource).items():
            paths.setdefault(path, {}).update(methods)
    for endpoint in model.endpoints:
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = _endpoint(
            endpoint
        )
    return {
        "openapi": "3.0.3",
        "info": {"title": model.title, "version": model.version},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def client_document(answer: Any, model: ServiceModel) -> Schema:
    """The OpenAPI document clients of the app see: an OpenAPI input's own (``answer``
    is the bundled document, with the query and page of each list that takes the
    native list's query, and each list filter the app reads as its column's
    integer enum with those values), or the one a native spec's app serves."""
    if not is_openapi(answer):
        return served_document(model)
    lists = {r.path: r for r in model.listed_resources}
    enums = [(op, found) for op in model.api_operations if (found := _enum_filters(op))]
    if not lists and not enums:
        return answer
    paths = dict(answer.get("paths") or {})
    for path, resource in lists.items():
        item = paths.get(path)
        if isinstance(item, dict) and isinstance(item.get("get"), dict):
            paths[path] = {**item, "get": _query_list(item["get"], resource)}
    routes = {re.sub(r"\{[^{}]*\}", "{}", path): path for path in paths}
    for op, found in enums:
        path = routes.get(re.sub(r"\{[^{}]*\}", "{}", op.openapi_path))
        item = paths.get(path) if path else None
        if isinstance(item, dict) and isinstance(item.get(op.method), dict):
            listed = _enum_list(answer, item, op.method, found)
            paths[str(path)] = {**item, op.method: listed}
    return {**answer, "paths": paths}


def _enum_filters(op: ApiOperationModel) -> dict[str, Schema]:
    """The schema the app publishes for each document filter of a table's list
    that it reads as an integer enum (``spec/openapi/compile/listing.py``'s
    ``enum_filters``), by the parameter's name in the query."""
    if op.crud != "list" or op.paged:
        return {}
    names = {param for _, param in (*op.filters, *op.any_filters)}
    found: dict[str, Schema] = {}
    for param in op.params:
        many = param.type.kind == "list"
        value = param.type.args[0] if many else param.type
        if param.name not in names or value.kind != "literal" or not value.from_text:
            continue
        schema = {"type": "integer", "enum": list(value.values)}
        found[param.alias or param.name] = (
            {"type": "array", "items": schema} if many else schema
        )
    return found


def _enum_list(
    answer: Schema, item: Schema, method: str, found: dict[str, Schema]
) -> Schema:
    """The list operation with each of ``found``'s query parameters taking its
    schema (declared on the operation, which overrides the path's)."""
    op = item[method]
    own = list(op.get("parameters") or ())
    declared = [
        _parameter_object(answer, raw)
        for raw in (*(item.get("parameters") or ()), *own)
    ]
    required = {
        p.get("name"): bool(p.get("required"))
        for p in declared
        if p.get("in") == "query"
    }
    kept = []
    for raw in own:
        param = _parameter_object(answer, raw)
        if param.get("in") != "query" or param.get("name") not in found:
            kept.append(raw)
    kept += [
        _parameter(name, "query", schema, required.get(name, False))
        for name, schema in found.items()
    ]
    return {**op, "parameters": kept}


def _parameter_object(answer: Schema, raw: Any) -> Schema:
    """A parameter, or the one its ``$ref`` to ``#/components/parameters/`` names."""
    ref = raw.get("$ref") if isinstance(raw, dict) else None
    if isinstance(ref, str) and ref.startswith("#/components/parameters/"):
        name = ref.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
        raw = ((answer.get("components") or {}).get("parameters") or {}).get(name)
    return raw if isinstance(raw, dict) else {}


def _list_parameters(resource: ResourceModel) -> list[Schema]:
    """What a list takes, native or an OpenAPI table's: the page, the sort keys and
    expansions it accepts (enums: one dropped is a breaking change) and each
    filter's operators with their types."""
    params = [_parameter(p, "query", {"type": "integer"}, False) for p in _PAGE_PARAMS]
    params += [
        _parameter("cursor", "query", {"type": "string"}, False),
        _parameter("count", "query", {"type": "boolean"}, False),
    ]
    keys = [k for f in resource.sorts for k in (f.name, f"-{f.name}")]
    if keys:
        words = {"type": "array", "items": {"type": "string", "enum": keys}}
        params.append(_parameter("sort", "query", words, False))
    if resource.expansions:
        names = [e.name for e in resource.expansions]
        words = {"type": "array", "items": {"type": "string", "enum": names}}
        params.append(_parameter("expand", "query", words, False))
    api = bool(resource.row_model)
    for item in resource.filters:
        value = _filter_value(item.field, api, bounded=True)
        ops = {"eq": value, "in": {"type": "array", "items": value}}
        ops |= {"isnull": {"type": "boolean"}}
        ops |= {"startswith": {"type": "string"}, "contains": {"type": "string"}}
        for name in item.ops:
            wire = item.field.name if name == "eq" else f"{item.field.name}__{name}"
            schema = ops.get(name) or _filter_value(item.field, api, bounded=False)
            params.append(_parameter(wire, "query", schema, False))
    return params


def _filter_value(field: FieldModel, api: bool, *, bounded: bool) -> Schema:
    """A filter's value as the app publishes it (``render/listing.py``'s types): the
    column's type, an OpenAPI table's format as its value type; an ``eq`` or ``in``
    filter of an OpenAPI table with the column's integer enum or limits (so a
    narrowed one is a breaking change of the parameter). No filter publishes a
    column's length: a longer text is no error, it finds no row."""
    if api and field.value_type:
        return dict(_VALUE_SCHEMAS.get(field.value_type, _TEXT))
    schema = field_schema(field)
    schema.pop("maxLength", None)
    if not (api and bounded):
        return schema
    integers = integer_enum(field)
    if integers:
        return {**schema, "enum": list(integers)}
    for key, value in filter_limits(field):
        schema[_LIMIT_KEYWORDS.get(key, key)] = value
    return schema


def _page(items: Schema) -> Schema:
    """A list's answer: a page of ``items``."""
    integer, text = {"type": "integer"}, {"type": "string"}
    return _object(
        {
            "items": items,
            "limit": integer,
            "offset": integer,
            "next_offset": {**integer, "nullable": True},
            "next_cursor": {**text, "nullable": True},
            "total": {**integer, "nullable": True},
        },
        ["items", "limit", "offset", "next_offset"],
    )


def _query_list(op: Schema, resource: ResourceModel) -> Schema:
    """An OpenAPI list taking the native list's query, as its app serves it: those
    parameters, and a page of the items the document's array holds."""
    responses = dict(op.get("responses") or {})
    ok = responses.get("200")
    content = ok.get("content") if isinstance(ok, dict) else None
    media = (content or {}).get("application/json") or {}
    page = _page(media.get("schema") or {})
    responses["200"] = {**(ok or {}), "content": {"application/json": {"schema": page}}}
    return {**op, "parameters": _list_parameters(resource), "responses": responses}


class _Fingerprints:
    """Digests of a document's values where a local ``$ref`` stands for the digest of
    what it names: each named schema is hashed once, so a schema reused everywhere
    costs nothing more (inlining it would grow with every use)."""

    def __init__(self, document: Schema) -> None:
        self.document = document
        self._refs: dict[str, str] = {}
        self._open: set[str] = set()

    def of(self, item: Any) -> str:
        text = json.dumps(self._canonical(item), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def _canonical(self, item: Any) -> Any:
        if isinstance(item, list):
            return [self._canonical(value) for value in item]
        if not isinstance(item, dict):
            return item
        ref = item.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            return {"$ref": self._ref(ref)}
        return {key: self._canonical(value) for key, value in item.items()}

    def _ref(self, ref: str) -> str:
        if ref in self._open:  # a recursive schema: its name ends the recursion
            return ref
        if ref not in self._refs:
            self._open.add(ref)
            target: Any = self.document
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                target = target.get(part) if isinstance(target, dict) else None
            self._refs[ref] = self.of(target)
            self._open.discard(ref)
        return self._refs[ref]


def response_shapes(answer: Any, model: ServiceModel) -> dict[str, str]:
    """A fingerprint of the response each cached route answers, by policy name.

    The cache keys its shared (Redis) entries by it: during a rolling deploy a worker
    never serves an entry that another version stored in another shape. A route the
    document does not list gets the fingerprint of all its paths (any change then
    keeps the versions apart).
    """
    document = client_document(answer, model)
    fingerprints = _Fingerprints(document)
    gets: dict[str, Any] = {}
    for path, item in (document.get("paths") or {}).items():
        if isinstance(item, dict) and isinstance(item.get("get"), dict):
            gets[re.sub(r"\{[^{}]*\}", "{}", path)] = item["get"].get("responses")
    shapes = {}
    for policy in model.policies:
        responses = gets.get(re.sub(r"\{[^{}]*\}", "{}", policy.path))
        shapes[policy.name] = fingerprints.of(
            document.get("paths") if responses is None else responses
        )
    return shapes
