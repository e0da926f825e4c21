"""Python source for the error bodies an OpenAPI document declares.

The front-end decides which part of an error fills each property of a declared error
body (``ErrorShapeModel``); this module writes that as the expression the user's
``hooks/errors/<schema>.py`` returns (``{"code": error.status, "message":
error.message}``), and the table of ``error_bodies.py`` that says which body each
operation answers for each status, in which media type.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, replace
from typing import Any

from fastgen.model.errors import ErrorFieldModel, ErrorResponseModel, ErrorShapeModel
from fastgen.model.service import ApiOperationModel, ApiParamModel, ServiceModel
from fastgen.render.literals import pyliteral, pystr
from fastgen.render.pyimports import LINE_LENGTH, Import, render_imports

# What an error answer's property is filled with (see ErrorFieldModel).
_VALUES = {
    "status": "error.status",
    "status_text": "str(error.status)",
    "message": "error.message",
    "title": "error.title",
    "detail": "error.detail",
    "path": "error.path",
    "about_blank": '"about:blank"',
    "messages": "[problem.message for problem in error.problems]",
}
# ... and a property of one of a 422's problems.
_PROBLEM_VALUES = {
    "loc": "list(problem.loc)",
    "where": "problem.where",
    "message": "problem.message",
    "type": "problem.type",
}


def error_body(shape: ErrorShapeModel) -> str:
    """The expression ``body(error)`` returns: the declared body, filled."""
    if shape.kind == "message":
        return "error.message"
    if shape.kind == "status":
        return "error.status"
    if shape.kind == "detail":
        return '{"detail": error.detail}'
    return _object(shape.fields)


def _object(fields: tuple[ErrorFieldModel, ...]) -> str:
    return "{" + ", ".join(f"{pystr(f.key)}: {_value(f)}" for f in fields) + "}"


def _value(field: ErrorFieldModel) -> str:
    if field.source == "placeholder":
        return pyliteral(field.value)
    if field.source == "object":
        return _object(field.fields)
    if field.source == "errors":
        item = ", ".join(
            f"{pystr(f.key)}: {_PROBLEM_VALUES[f.source]}" for f in field.fields
        )
        return f"[{{{item}}} for problem in error.problems]"
    return _VALUES[field.source]


def error_body_type(shape: ErrorShapeModel) -> str:
    """The return annotation of the hook's ``body``."""
    return {"message": "str", "status": "int"}.get(shape.kind, "dict[str, Any]")


def error_docstring(shape: ErrorShapeModel) -> str:
    """The docstring of the hook's ``body``: what fills the body, and what no rule
    does."""
    text = _fills(shape) + "."
    if not shape.unfilled:
        one_line = f'"""{text}"""'
        if len(one_line) + 4 <= LINE_LENGTH:
            return one_line
        return f'"""{_docstring_text(text)}\n    """'
    missing = (
        f"fastgen has no rule for {', '.join(shape.unfilled)}: each holds a "
        "placeholder of its type until you write what it should be."
    )
    return f'"""{_docstring_text(text)}\n\n    {_docstring_text(missing)}\n    """'


def _fills(shape: ErrorShapeModel) -> str:
    """What fills the body, in words."""
    words = {
        "status": "the status",
        "status_text": "the status as text",
        "message": "the message",
        "title": "the status's reason phrase",
        "detail": "FastAPI's detail",
        "path": "the request's path",
        "about_blank": '"about:blank"',
        "messages": "a 422's messages",
        "errors": "a 422's problems",
        "placeholder": "a placeholder",
    }
    if shape.kind in ("message", "status"):
        return f"The body is {words[shape.kind]}"
    if shape.kind == "detail":
        return "No rule applies: the body is FastAPI's"

    def listed(fields: tuple[ErrorFieldModel, ...], prefix: str) -> list[str]:
        found = []
        for f in fields:
            if f.source == "object":
                found += listed(f.fields, f"{prefix}{f.key}.")
            else:
                found.append(f"{prefix}{f.key} with {words[f.source]}")
        return found

    return "Fills " + ", ".join(listed(shape.fields, ""))


def _docstring_text(text: str) -> str:
    """``text`` wrapped as a paragraph of a function's docstring (after its quotes)."""
    wrapped = textwrap.fill(
        text, width=LINE_LENGTH, initial_indent=" " * 7, subsequent_indent="    "
    )
    return wrapped[7:]


def error_hook_imports(shape: ErrorShapeModel, service: ServiceModel) -> str:
    """Imports of one module of ``hooks/errors/``."""
    imports: list[Import] = [(f"{service.package}.error_info", "ErrorInfo")]
    if error_body_type(shape).startswith("dict"):
        imports.append(("typing", "Any"))
    return render_imports(imports, service.package)


def error_test_imports(service: ServiceModel) -> str:
    """Imports of the generated ``tests/test_error_bodies.py``."""
    imports: list[Import] = [
        ("json", None),
        ("pytest", None),
        (f"{service.package}", "api_models"),
        (f"{service.package}.error_info", "ErrorInfo"),
    ]
    cases = error_cases(service) + failed_if_match_cases(service)
    if cases:
        imports.append(("httpx", None))
    if any(case.headers for case in cases):  # any credential names a caller
        imports += [
            ("fastapi", "Request"),
            (service.package, "main"),
            (f"{service.package}.security", "credential"),
        ]
    imports += [
        (f"{service.package}.hooks.errors", f"{shape.name} as {shape.name}_hook")
        for shape in service.error_shapes
        if shape.model
    ]
    return render_imports(imports, service.package)


def error_table(responses: tuple[ErrorResponseModel, ...]) -> str:
    """``{"404": (error.body, "application/json"), ...}``: a route's error bodies."""
    entries = ", ".join(
        f"{pystr(r.status)}: ({r.shape}_hook.body, {pystr(r.content_type)})"
        for r in responses
    )
    return "{" + entries + "}"


def error_bodies_imports(service: ServiceModel) -> str:
    """Imports of ``error_bodies.py``: its own, and each body's hook module."""
    imports: list[Import] = [
        ("gzip", None),
        ("json", None),
        ("collections.abc", "Callable"),
        ("collections.abc", "Sequence"),
        ("typing", "Any"),
        (f"{service.package}.error_info", "ErrorInfo"),
        ("starlette.routing", "BaseRoute"),
        ("starlette.routing", "Match"),
        ("starlette.routing", "compile_path"),
        ("starlette.types", "ASGIApp"),
        ("starlette.types", "Message"),
        ("starlette.types", "Receive"),
        ("starlette.types", "Scope"),
        ("starlette.types", "Send"),
    ]
    imports += [
        (f"{service.package}.hooks.errors", f"{shape.name} as {shape.name}_hook")
        for shape in service.error_shapes
    ]
    if retyped_errors(service):
        imports.append(("fastapi", "FastAPI"))
    return render_imports(imports, service.package)


def declared_error(
    responses: tuple[ErrorResponseModel, ...], status: int
) -> ErrorResponseModel | None:
    """The body declared for ``status``: exact, then its range, then ``default``
    (as ``declared`` in the generated ``error_bodies.py``)."""
    by_status = {r.status: r for r in responses}
    code = str(status)
    return (
        by_status.get(code) or by_status.get(f"{code[0]}XX") or by_status.get("default")
    )


@dataclass(frozen=True)
class ErrorCase:
    """A request of the generated tests that answers a declared error body."""

    name: str  # of the test
    method: str
    url: str
    query: dict[str, Any]
    headers: dict[str, str] | None
    content: str | None  # the request body
    status: int
    shape: str  # the body's ErrorShapeModel
    content_type: str
    model: str = ""  # the class of api_models the answer validates as
    sent_type: str = "application/json"  # the request body's media type

    @property
    def request_headers(self) -> dict[str, str]:
        """The headers of the request: its credentials and its body's type."""
        return {**(self.headers or {}), "content-type": self.sent_type}

    @property
    def if_match_headers(self) -> dict[str, str]:
        """The credentials and an ``If-Match`` that names no ETag."""
        return {**(self.headers or {}), "if-match": '"no-such-etag"'}


def error_cases(service: ServiceModel) -> list[ErrorCase]:
    """Requests answering a declared body, one per kind of error: a get of a row
    that does not exist (404), a body that is not JSON (422), a body in a media
    type the operation does not declare (415), an unknown path."""
    if service.api is None:
        return []
    shapes = {shape.name: shape for shape in service.error_shapes}
    found: list[ErrorCase] = []
    for op in service.api_operations:
        if op.sample is None:
            continue
        url, query, _ = op.sample
        request = ("GET", url, query, op.requirement_header, None)
        if op.crud == "get":
            found += _case(f"{op.name}_of_a_missing_row", op.errors, 404, request)
        if any(_reads_json(p) for p in op.params):
            request = (op.method.upper(), url, query, op.requirement_header, "{")
            name = f"{op.name}_with_a_body_that_is_not_json"
            found += _case(name, op.errors, 422, request)
        if any(p.media and not _takes_any(p) for p in op.params):
            request = (op.method.upper(), url, query, op.requirement_header, "{")
            name = f"{op.name}_with_an_undeclared_media_type"
            found += [
                replace(case, sent_type=UNDECLARED)
                for case in _case(name, op.errors, 415, request)
            ]
    unknown = ("GET", "/no/such/path", {}, None, None)
    found += _case("an_unknown_path", service.api.error_fallback, 404, unknown)
    return [
        replace(case, model=shapes[case.shape].model or "")
        for case in found
        if shapes[case.shape].model
    ]


# A media type no operation declares (media_types.py answers it 415).
UNDECLARED = "application/x-undeclared"


def _reads_json(param: ApiParamModel) -> bool:
    """Whether a body is read as ``application/json`` (FastAPI's, or ``JsonBody``)."""
    if param.media:
        return any(m.content_type == "application/json" for m in param.media)
    return param.marker == "Body" and param.media_type is None


def _takes_any(param: ApiParamModel) -> bool:
    """Whether a body read by Content-Type takes any (``*/*``, ``application/*``)."""
    return any(m.content_type in ("*/*", "application/*") for m in param.media)


def failed_if_match_cases(service: ServiceModel) -> list[ErrorCase]:
    """A failed ``If-Match`` on a list the memory tier holds: its 412 is answered
    from the entry, in front of the routes (one case per such list)."""
    shapes = {shape.name: shape for shape in service.error_shapes}
    found: list[ErrorCase] = []
    for op in service.api_operations:
        policy = op.policy
        if op.crud != "list" or op.sample is None or policy is None:
            continue
        if policy.scope != "public" or policy.backend not in ("memory", "tiered"):
            continue
        url, query, _ = op.sample
        request = ("GET", url, query, op.requirement_header, None)
        found += _case(f"{op.name}_failed_if_match_on_a_hit", op.errors, 412, request)
    return [
        replace(case, model=shapes[case.shape].model or "")
        for case in found
        if shapes[case.shape].model
    ]


def _case(
    name: str,
    responses: tuple[ErrorResponseModel, ...],
    status: int,
    request: tuple[str, str, dict[str, Any], dict[str, str] | None, str | None],
) -> list[ErrorCase]:
    """The case of ``request``, if it answers ``status`` with a declared body."""
    response = declared_error(responses, status)
    if response is None:
        return []
    return [ErrorCase(name, *request, status, response.shape, response.content_type)]


def retyped_errors(service: ServiceModel) -> list[tuple[str, str, str, str]]:
    """(method, path, status, media type) of the declared error bodies FastAPI
    would publish as ``application/json``: JSON of another media type
    (``application/problem+json``), with a model (others are published as written)."""
    shapes = {shape.name: shape for shape in service.error_shapes}
    return [
        (op.method, op.openapi_path, r.status, r.content_type)
        for op in service.api_operations
        for r in op.errors
        if shapes[r.shape].model
        and r.content_type != "application/json"
        and not r.content_type.startswith("text/")
        and not r.content_type.startswith("*/*")
    ]


def declared_shape(
    service: ServiceModel, op: ApiOperationModel, status: int
) -> ErrorShapeModel | None:
    """The body ``op`` answers ``status`` with, if the document declares one."""
    response = declared_error(op.errors, status)
    if response is None:
        return None
    return next(s for s in service.error_shapes if s.name == response.shape)


def says_message(shape: ErrorShapeModel | None) -> bool:
    """Whether the body carries the error's message (FastAPI's own does)."""
    if shape is None or shape.kind in ("message", "detail"):
        return True

    def carried(fields: tuple[ErrorFieldModel, ...]) -> bool:
        return any(
            f.source in ("message", "detail") or carried(f.fields) for f in fields
        )

    return shape.kind == "object" and carried(shape.fields)


def stub_test_imports(service: ServiceModel) -> str:
    """Imports of the generated ``tests/test_operation_stubs.py``: httpx for the
    stubs and refined lists a sample request can reach, ``api_models`` for the 501
    bodies the document declares a model for."""
    sampled = [op for op in service.api_stubs if op.sample] + [
        op for op in service.api_refined_lists if op.refine_sample
    ]
    imports: list[Import] = [("pytest", None)]
    if sampled or any(op.form_sample for op in service.api_stubs):
        imports.append(("httpx", None))
    if any(
        (shape := declared_shape(service, op, 501)) and shape.model for op in sampled
    ):
        imports.append((service.package, "api_models"))
    return render_imports(imports, service.package)


# The Jinja globals of this module (registered by copier_ext.py).
HELPERS = (
    error_body,
    error_body_type,
    error_docstring,
    error_hook_imports,
    error_table,
    error_bodies_imports,
    error_cases,
    failed_if_match_cases,
    error_test_imports,
    stub_test_imports,
    declared_shape,
    says_message,
    retyped_errors,
)
