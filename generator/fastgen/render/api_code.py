"""Python source for the routes of an OpenAPI service, from the model's plain data.

The OpenAPI compile records what a route reads and publishes (names, wire names,
constraints, default values, docstring text, sample requests); this module writes
it as the generated code spells it: ``Annotated[int, Query(ge=1)]``, the arguments of
``@router.get(...)``, docstrings and literals, with every spec string ``pystr``'d.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from fastgen.model.service import (
    ApiOperationModel,
    ApiParamModel,
    ApiResponseModel,
    ApiSchemeModel,
    ApiType,
    ServiceModel,
)
from fastgen.render.formatting import clean_python
from fastgen.render.literals import docstring, pyliteral, pystr
from fastgen.render.pyimports import Import, render_imports


def api_models_module(source: str) -> str:
    """``api_models.py``: the module of pydantic models the OpenAPI compile wrote
    (datamodel-code-generator's, or model_writer's), imports sorted and ruff-formatted."""
    return clean_python(source)


def api_type(type_: ApiType) -> str:
    """A type as Python: ``list[api_models.Pet] | None``, ``Literal["a", "b"]``."""
    if type_.kind == "optional":
        return api_type(type_.args[0]) + " | None"
    written = _SIMPLE.get(type_.kind) or _composite(type_)
    if type_.bounds:  # a list item's, which a marker's keywords would not reach
        limits = ", ".join(f"{key}={pyliteral(value)}" for key, value in type_.bounds)
        written = f"Annotated[{written}, Field({limits})]"
    return written + " | None" if type_.nullable else written


_SIMPLE = {"any": "Any", "none": "None", "response": "Response"}


def _composite(type_: ApiType) -> str:
    if type_.kind == "scalar":
        return _SCALAR_NAMES.get(type_.name, type_.name)
    if type_.kind == "model":
        return f"api_models.{type_.name}"
    if type_.kind == "list":
        return f"list[{api_type(type_.args[0])}]"
    if type_.kind == "dict":
        return f"dict[str, {api_type(type_.args[0])}]"
    if type_.kind == "union":
        return " | ".join(api_type(member) for member in type_.args)
    literal = f"Literal[{', '.join(pyliteral(v) for v in type_.values)}]"
    if type_.from_text:  # a Literal of ints does not match "1": convert first
        return f"Annotated[{literal}, BeforeValidator(int)]"
    return literal


def api_item_model(op: ApiOperationModel) -> str:
    """The element type of a list response (``list[X]`` -> ``X``)."""
    return api_type(op.returns.args[0])


def api_param_annotation(param: ApiParamModel) -> str:
    """The route argument's type with its FastAPI marker: ``Annotated[int, Path(ge=1)]``."""
    return f"Annotated[{api_type(param.type)}, {_marker(param)}]"


def api_body_annotation(op: ApiOperationModel, param: ApiParamModel) -> str:
    """The type of a body read by Content-Type, with the dependency reading it
    (``media_types.REQUEST_BODIES``)."""
    key = f"{pystr(op.method)}, {pystr(op.openapi_path)}"
    return f"Annotated[{api_type(param.type)}, Depends(REQUEST_BODIES[{key}])]"


def _marker(param: ApiParamModel) -> str:
    if param.discriminator is not None:  # a sent form that is a union of models
        media = param.media_type
        form = "Form()" if media is None else f"Form(media_type={pystr(media)})"
        return f"Field(discriminator={pystr(param.discriminator)}), {form}"
    args = []
    if param.alias is not None:
        args.append(f"alias={pystr(param.alias)}")
    if param.location == "header":  # the wire name as written, not _ for -
        args.append("convert_underscores=False")
    args += [f"{keyword}={pyliteral(value)}" for keyword, value in param.constraints]
    if param.description:
        args.append(f"description={pystr(param.description)}")
    if param.deprecated:
        args.append("deprecated=True")
    if param.media_type is not None:
        args.append(f"media_type={pystr(param.media_type)}")
    marker = f"{param.marker}({', '.join(args)})"
    if _strict_json(param):
        return f"{marker}, strict_json({api_type(param.type)})"
    if param.type.kind == "model" and param.type.from_text:
        return f"{marker}, ints_from_text({api_type(param.type)})"
    return marker


# The reader of each kind of media type in media_types.py.
_READERS = {"json": "JsonBody", "form": "FormBody", "text": "TextBody"}


def api_request_body(param: ApiParamModel) -> str:
    """``RequestBody({"application/json": JsonBody(api_models.Pet), ...})``: a body
    read in each media type the document declares for it."""
    readers = []
    for media in param.media:
        reader = _READERS.get(media.reader, "BytesBody")
        published = media.published_type
        if published is None:
            read = f"{reader}({pyliteral(media.schema)})"
        elif media.discriminator is not None:
            chosen_by = pystr(media.discriminator)
            read = f"{reader}({api_type(published)}, discriminator={chosen_by})"
        else:
            read = f"{reader}({api_type(published)})"
        readers.append(f"{pystr(media.content_type)}: {read}")
    required = "True" if param.required else "False"
    return f"RequestBody({{{', '.join(readers)}}}, required={required})"


def query_int_models(service: ServiceModel) -> bool:
    """Whether a route reads an object query parameter with integer enums
    (``crud.ints_from_text``)."""
    return any(
        p.type.kind == "model" and p.type.from_text
        for op in service.api_operations
        for p in op.params
    )


def api_reads_json(op: ApiOperationModel) -> bool:
    """Whether FastAPI reads the operation's body as JSON (``crud.JsonBodyRoute``):
    not a form, another media type, or several (``media_types.RequestBody``)."""
    return any(
        p.marker == "Body" and not p.media and _json_media(p.media_type)
        for p in op.params
    )


def _json_media(media_type: str | None) -> bool:
    """A body in this media type is read as JSON: plain (None), ``+json``, or
    ``application/json`` with parameters."""
    if media_type is None:
        return True
    kind, _, subtype = media_type.split(";")[0].strip().lower().partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


def _strict_json(param: ApiParamModel) -> bool:
    """An ``application/json`` body is read as JSON Schema reads it (``strict_json``)."""
    return param.marker == "Body" and param.media_type is None


def if_match_source(
    op: ApiOperationModel, service: ServiceModel
) -> ApiOperationModel | None:
    """The GET of the table an update or delete writes, whose answers' ETags its
    If-Match names (RFC 9110 13.1.1); None for other operations, or a table
    without that GET."""
    if op.crud not in ("update", "delete"):
        return None
    gets = (t.get for t in service.api_tables if t.resource == op.resource)
    get = next(gets, None)
    return get if get is not None and get.returns.kind != "none" else None


def sends_etag(op: ApiOperationModel, service: ServiceModel) -> bool:
    """Whether a table's GET answers its ETag itself: no cache policy does, and the
    table's writes take If-Match naming it (``if_match_source``)."""
    return op.policy is None and any(
        if_match_source(write, service) == op for write in service.api_operations
    )


def if_match_read(get: ApiOperationModel) -> str:
    """The row as ``get`` answers it: what an If-Match's ETag is of."""
    model = api_type(get.returns)
    return f"{model}.model_validate(present({model}, row), {api_from_row(get)})"


def undeclared_errors(
    op: ApiOperationModel, *, conditional: bool = False
) -> tuple[int, ...]:
    """The statuses the generated route may answer that its document does not
    declare (the status, its range, or ``default``): the route publishes them with
    FastAPI's body (``crud.errors``), so a client generated from the served document
    parses every answer. A 304 has no body: only ``304`` or ``3XX`` covers it.

    401 answers a request its security refuses, 412 and 304 conditional reads
    (304 of a cached one) and 412 the ``conditional`` writes
    (``if_match_source``), 413 a body over
    MAX_BODY_BYTES, 415 one in a content coding or a media type it does not read,
    503/504 a database away or too slow, 404 and 409 a missing row and a
    constraint (or a row deleted meanwhile), 501 a hook not written yet.
    """
    statuses = {401} if op.dependency else set()
    if op.method == "get":
        statuses |= {412, 304} if op.policy is not None else {412}
    if conditional:
        statuses.add(412)
    if any(p.location == "body" for p in op.params):
        statuses |= {413, 415}
    if op.crud is not None:
        statuses |= {503, 504}
    if op.crud in ("get", "update", "delete"):
        statuses.add(404)
    if op.crud in ("create", "update", "delete"):
        statuses.add(409)
    if op.crud is None or op.refined:
        statuses.add(501)
    declared = {r.status for r in op.responses} | {str(op.status)}

    def covered(status: int) -> bool:
        ranges = {f"{str(status)[0]}XX", *(() if status == 304 else ("default",))}
        return bool(declared & {str(status), *ranges})

    return tuple(sorted(s for s in statuses if not covered(s)))


def api_decorator(op: ApiOperationModel, added: tuple[int, ...] = ()) -> str:
    """The arguments of the route's ``@router.<method>(...)``, with the ``added``
    error responses (``undeclared_errors``) before the document's own."""
    args = [pystr(op.route)]
    if op.callback_name is not None:
        args.append(f"name={pystr(op.callback_name)}")
    if op.operation_id:
        args.append(f"operation_id={pystr(op.operation_id)}")
    if op.status != 200:
        args.append(f"status_code={op.status}")
    if op.response_class:
        args.append("response_class=Response")
    elif op.response_model is not None:
        args.append(f"response_model={api_type(op.response_model)}")
    listed = f"**errors({', '.join(map(str, added))})" if added else ""
    if op.responses:
        entries = ", ".join(
            [*filter(None, [listed]), *map(_response_entry, op.responses)]
        )
        args.append(f"responses={{{entries}}}")
    elif added:
        args.append(f"responses={listed[2:]}")
    if op.summary:
        args.append(f"summary={pystr(op.summary)}")
    if op.deprecated:
        args.append("deprecated=True")
    dependencies = [f"Depends({op.dependency})"] if op.dependency else []
    if op.paged:  # total and embedded rows only when asked for
        args.append("response_model_exclude_unset=True")
    elif op.crud == "list":  # nothing a list is asked is silently ignored
        names = ", ".join(pystr(name) for name in list_query_names(op))
        dependencies.append(f"Depends(only_query_parameters({names}))")
    if dependencies:
        args.append(f"dependencies=[{', '.join(dependencies)}]")
    if op.callbacks_router:
        args.append(f"callbacks={op.callbacks_router}.routes")
    return ", ".join(args)


def list_query_names(op: ApiOperationModel) -> tuple[str, ...]:
    """The query parameters a table-backed list takes, as clients send them."""
    return tuple(p.alias or p.name for p in op.params if p.location == "query")


def _response_entry(response: ApiResponseModel) -> str:
    """``404: {"description": ..., "model": ...}`` of a route's ``responses``."""
    parts = [f'"description": {pystr(response.description)}']
    if response.model is not None:
        parts.append(f'"model": {api_type(response.model)}')
    content = [(m.content_type, m.schema) for m in response.also if m.schema]
    if response.model is None and response.content_type is not None:
        content.insert(0, (response.content_type, response.schema))
    if content:  # media types with a schema as written (media_types.py: models)
        entries = ", ".join(
            f'{pystr(media)}: {{"schema": {pyliteral(schema)}}}'
            for media, schema in content
        )
        parts.append(f'"content": {{{entries}}}')
    key = response.status if response.status.isdigit() else pystr(response.status)
    return f"{key}: {{{', '.join(parts)}}}"


def api_from_row(op: ApiOperationModel) -> str:
    """How the route reads a response model from an ORM row: by attribute, which
    for an aliased column is the field's Python name; never by alias (the row's
    ``metadata`` is SQLAlchemy's, the column is ``metadata_``)."""
    if op.row_attrs:
        return "from_attributes=True, by_alias=False, by_name=True"
    return "from_attributes=True"


def api_docstring(op: ApiOperationModel) -> str:
    """The route's docstring (its text is one line, ending in a period)."""
    return docstring(op.docstring)


def api_request(request: tuple[str, dict[str, Any], Any] | None) -> str:
    """A sample request ``[url, query, json body]`` as a Python literal."""
    return pyliteral(None if request is None else list(request))


def api_form_request(request: tuple[Any, ...]) -> str:
    """A sample form request ``[url, query, fields, files]`` as a Python literal."""
    return pyliteral(list(request[:4]))


def api_scheme_class(scheme: ApiSchemeModel) -> str:
    """The FastAPI security class that reads the scheme's credential."""
    if scheme.kind == "http_basic":
        return "HTTPBasic"
    if scheme.kind == "api_key":
        return "APIKey" + scheme.location.capitalize()
    return "HTTPBearer"


def api_scheme_factory(scheme: ApiSchemeModel) -> str:
    """The security dependency: ``HTTPBearer(scheme_name="bearer", auto_error=False)``."""
    args = [f"scheme_name={pystr(scheme.name)}", "auto_error=False"]
    if scheme.key_name is not None:
        args.insert(0, f"name={pystr(scheme.key_name)}")
    if scheme.description:
        args.append(f"description={pystr(scheme.description)}")
    if scheme.bearer_format and scheme.kind not in ("http_basic", "api_key"):
        args.append(f"bearerFormat={pystr(scheme.bearer_format)}")
    return f"{api_scheme_class(scheme)}({', '.join(args)})"


def api_scheme_credentials(scheme: ApiSchemeModel) -> str:
    """The type of the credential the dependency gives the route (None when absent)."""
    return {
        "http_basic": "HTTPBasicCredentials | None",
        "api_key": "str | None",
    }.get(scheme.kind, "HTTPAuthorizationCredentials | None")


# Scalars whose Python name is not theirs, and the import it needs.
_SCALAR_NAMES = {"datetime": "dt.datetime", "date": "dt.date", "uuid": "UUID"}
_SCALAR_IMPORTS: dict[str, Import] = {
    "datetime": ("datetime as dt", None),
    "date": ("datetime as dt", None),
    "uuid": ("uuid", "UUID"),
}


def api_operation_imports(op: ApiOperationModel, package: str) -> list[Import]:
    """What a route's (or stub's) signature and decorator need imported."""
    found: list[Import] = []
    # A paged list takes its query model and answers a page instead (see routers.py).
    for param in () if op.paged else op.params:
        found += [("typing", "Annotated"), ("fastapi", param.marker)]
        if param.media:
            found.append((".media_types", "REQUEST_BODIES"))
        if param.discriminator is not None:
            found.append(("pydantic", "Field"))
        if _strict_json(param):
            found.append((".crud", "strict_json"))
        if param.type.kind == "model" and param.type.from_text:
            found.append((".crud", "ints_from_text"))
        found += _type_imports(param.type)
    answers = (op.returns, op.response_model, *(r.model for r in op.responses))
    if op.paged:
        answers = tuple(r.model for r in op.responses)
    for answer in answers:
        found += _type_imports(answer) if answer is not None else []
    if op.response_class:
        found.append(("fastapi", "Response"))
    if op.dependency:
        found += [("fastapi", "Depends"), (".security", op.dependency)]
    if op.crud == "list" and not op.paged:
        found += [("fastapi", "Depends"), (".crud", "only_query_parameters")]
    if op.callbacks_router:
        found.append((".outgoing", op.callbacks_router))
    if op.hook_fills:  # the route answers 501 until before_create fills them
        found.append(("fastapi", "HTTPException"))
    return package_imports(found, package)


def api_type_imports(type_: ApiType, package: str) -> list[Import]:
    """What ``api_type(type_)`` needs imported, named absolutely."""
    return package_imports(_type_imports(type_), package)


def _type_imports(type_: ApiType) -> list[Import]:
    found: list[Import] = []
    if type_.kind == "any":
        found.append(("typing", "Any"))
    elif type_.kind == "model":
        found.append((".", "api_models"))
    elif type_.kind == "literal":
        found.append(("typing", "Literal"))
        if type_.from_text:
            found.append(("pydantic", "BeforeValidator"))
    elif type_.kind == "scalar" and type_.name in _SCALAR_IMPORTS:
        found.append(_SCALAR_IMPORTS[type_.name])
    if type_.bounds:
        found += [("typing", "Annotated"), ("pydantic", "Field")]
    for arg in type_.args:
        found += _type_imports(arg)
    return found


def package_imports(imports: Iterable[Import], package: str) -> list[Import]:
    """``imports`` with the generated package's relative modules (``.``,
    ``.security``) named absolutely."""
    return [(_absolute(module, package), name) for module, name in imports]


def _absolute(module: str, package: str) -> str:
    if module == ".":
        return package
    return package + module if module.startswith(".") else module


def media_responses(
    service: ServiceModel,
) -> list[tuple[str, str, str, list[tuple[str, str]]]]:
    """(method, path, status, [(media type, body type)]) of the responses also
    published in a JSON or form media type besides the one the route answers in
    (``media_types.RESPONSES``)."""
    found = []
    for op in service.api_operations:
        for response in op.responses:
            media = [
                (m.content_type, api_type(m.published_type))
                for m in response.also
                if m.published_type
            ]
            if media:
                found.append((op.method, op.openapi_path, response.status, media))
    return found


def media_requests(service: ServiceModel) -> list[tuple[str, str, str]]:
    """(method, path, its ``RequestBody(...)``) of the operations reading a body in
    several media types (``media_types.REQUEST_BODIES``)."""
    return [
        (op.method, op.openapi_path, api_request_body(param))
        for op in service.api_operations
        for param in op.params
        if param.media
    ]


def media_json_as(service: ServiceModel) -> list[tuple[str, str, str, str]]:
    """(method, path, status, media type) of the JSON responses the document gives
    another media type than application/json (``media_types.JSON_AS``); error
    bodies are ``error_bodies.py``'s."""
    return [
        (op.method, op.openapi_path, r.status, r.json_as)
        for op in service.api_operations
        for r in op.responses
        if r.json_as and not r.error
    ]


def media_types_imports(service: ServiceModel) -> str:
    """Imports of ``media_types.py``: its own, and the types its tables name."""
    found: list[Import] = [
        ("collections.abc", "Callable"),
        ("typing", "Any"),
        ("fastapi", "FastAPI"),
        ("pydantic", "TypeAdapter"),
        ("pydantic.json_schema", "GenerateJsonSchema"),
        ("pydantic.json_schema", "JsonSchemaMode"),
        ("pydantic.json_schema", "JsonSchemaValue"),
        ("pydantic_core", "CoreSchema"),
    ]
    if service.api_media_bodies:
        found += [("abc", "ABC"), ("abc", "abstractmethod")]
        found += [
            (module, name) for module, names in _READING.items() for name in names
        ]
    for op in service.api_operations:
        read = [m.published_type for p in op.params for m in p.media]
        published = [m.published_type for r in op.responses for m in r.also]
        for media in (*read, *published):
            found += _type_imports(media) if media else []
    readers = service.api_media_readers
    if "json" in readers:
        found += [("json", None), ("typing", "Annotated"), (".crud", "strict_json")]
    if "form" in readers:
        found.append(("starlette.datastructures", "UploadFile"))  # in Request.form()
        found.append(("starlette.datastructures", "FormData"))
        found.append(("typing", "NamedTuple"))  # _Shape, _Variant
        found.append(("typing", "get_args"))  # a union's models
        found.append(("json", None))  # an object's part
    if readers & {"json", "form"}:
        found.append(("pydantic", "ValidationError"))  # what _validated turns into 422s
        found += [("typing", "Annotated"), ("pydantic", "Field")]  # _told_apart
    return render_imports(package_imports(found, service.package), service.package)


# What media_types.py imports to read bodies (with api_media_bodies).
_READING = {
    "fastapi": ("HTTPException", "Request"),
    "fastapi.exceptions": ("RequestValidationError",),
    "fastapi.openapi.utils": (
        "validation_error_definition",
        "validation_error_response_definition",
    ),
}


# The Jinja globals of this module (registered by copier_ext.py).
def api_info_arguments(service: ServiceModel) -> tuple[str, ...]:
    """``contact={...}`` and the like: the rest of the document's info, for FastAPI."""
    return tuple(
        f"{argument}={pyliteral(json.loads(value))}"
        for argument, value in service.api_info
    )


HELPERS = (
    api_info_arguments,
    query_int_models,
    api_reads_json,
    media_json_as,
    media_requests,
    media_responses,
    media_types_imports,
    api_type,
    api_item_model,
    api_param_annotation,
    api_decorator,
    api_docstring,
    api_from_row,
    api_request,
    api_form_request,
    api_scheme_factory,
    api_scheme_credentials,
)
