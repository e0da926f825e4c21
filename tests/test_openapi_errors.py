"""Error bodies an OpenAPI document declares: the rules that fill them, the hook they
become, which body each status answers, and the warnings where no rule applies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fastgen.model.errors import ErrorResponseModel
from fastgen.render.error_code import (
    declared_error,
    error_body,
    error_body_type,
    error_cases,
    error_docstring,
    failed_if_match_cases,
    retyped_errors,
    says_message,
)
from fastgen.spec.inputs import read_input, read_input_file
from fastgen.spec.openapi.compile.errors import fallback

from .conftest import REPO, run_fastgen


def document(error: dict[str, Any], media: str = "application/json") -> str:
    """A one-operation document whose ``default`` response is ``Error``."""
    return json.dumps(
        {
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1.0.0"},
            "paths": {
                "/things/{id}": {
                    "get": {
                        "operationId": "getThing",
                        "parameters": [
                            {
                                "name": "id",
                                "in": "path",
                                "required": True,
                                "schema": {"type": "integer"},
                            }
                        ],
                        "responses": {
                            "200": {"description": "ok"},
                            "default": {
                                "description": "error",
                                "content": {
                                    media: {
                                        "schema": {"$ref": "#/components/schemas/Error"}
                                    }
                                },
                            },
                        },
                    }
                }
            },
            "components": {"schemas": {"Error": error}},
        },
        indent=1,
    )


def shape_of(tmp_path: Path, error: dict[str, Any], media: str = "application/json"):
    spec = tmp_path / "openapi.json"
    spec.write_text(document(error, media))
    _, model = read_input(spec)
    (shape,) = model.error_shapes
    return shape


def obj(properties: dict[str, Any], *required: str) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required)}


S = {"type": "string"}
I = {"type": "integer"}
PROBLEM = {
    "type": "object",
    "properties": {"loc": {"type": "array", "items": S}, "msg": S, "type": S},
    "required": ["loc", "msg", "type"],
}


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        # petstore: an integer code and a message
        (
            obj({"code": I, "message": S}, "code", "message"),
            '{"code": error.status, "message": error.message}',
        ),
        # a string status is the status as text; statusCode is a status name too
        (
            obj({"statusCode": S, "error": S}),
            '{"statusCode": str(error.status), "error": error.message}',
        ),
        # message wins over error, which then gets the reason phrase; path
        (
            obj({"error": S, "message": S, "path": S, "status": I}),
            (
                '{"error": error.title, "message": error.message, "path": error.path, '
                '"status": error.status}'
            ),
        ),
        # an untyped detail keeps FastAPI's detail (a 422's list of problems)
        (obj({"detail": {}}, "detail"), '{"detail": error.detail}'),
        # nested objects are filled by the same rules
        (
            obj({"error": obj({"message": S})}),
            '{"error": {"message": error.message}}',
        ),
        # FastAPI's own HTTPValidationError: an array of problems
        (
            obj({"detail": {"type": "array", "items": PROBLEM}}),
            (
                '{"detail": [{"loc": list(problem.loc), "msg": problem.message, '
                '"type": problem.type} for problem in error.problems]}'
            ),
        ),
        # a validation array of objects with field/message; and of strings
        (
            obj(
                {
                    "message": S,
                    "errors": {
                        "type": "array",
                        "items": obj({"field": S, "message": S}),
                    },
                    "violations": {"type": "array", "items": S},
                }
            ),
            (
                '{"message": error.message, "errors": [{"field": problem.where, '
                '"message": problem.message} for problem in error.problems], '
                '"violations": [problem.message for problem in error.problems]}'
            ),
        ),
        # a code that cannot hold every status is the application's own
        (
            obj({"code": {"type": "integer", "minimum": 1000}, "message": S}),
            '{"message": error.message}',
        ),
        # an optional property no rule fills is left out; an enum is not filled
        (
            obj({"message": S, "kind": {"type": "string", "enum": ["a", "b"]}}),
            '{"message": error.message}',
        ),
        # a string or integer body
        (S, "error.message"),
        (I, "error.status"),
    ],
)
def test_rules_fill_the_properties_they_name(
    tmp_path: Path, schema: dict[str, Any], expected: str
) -> None:
    shape = shape_of(tmp_path, schema)
    assert error_body(shape) == expected
    assert not shape.unfilled


def test_a_problem_json_body_gets_type_title_status_detail_and_instance(
    tmp_path: Path,
) -> None:
    schema = obj(
        {
            "type": {"type": "string", "format": "uri-reference"},
            "title": S,
            "status": I,
            "detail": S,
            "instance": S,
        }
    )
    shape = shape_of(tmp_path, schema, "application/problem+json")
    assert error_body(shape) == (
        '{"type": "about:blank", "title": error.title, "status": error.status, '
        '"detail": error.message, "instance": error.path}'
    )
    spec = tmp_path / "openapi.json"
    _, model = read_input(spec)
    (op,) = model.api_operations
    assert op.errors == (
        ErrorResponseModel("default", "error", "application/problem+json"),
    )
    # FastAPI would publish the model as application/json: main.py moves it
    assert retyped_errors(model) == [
        ("get", "/things/{id}", "default", "application/problem+json")
    ]
    assert says_message(model.error_shapes[0])


def test_a_required_property_no_rule_fills_gets_a_placeholder_and_a_warning(
    tmp_path: Path,
) -> None:
    schema = obj(
        {"message": S, "trace_id": S, "error": obj({"id": I}, "id")},
        "message",
        "trace_id",
        "error",
    )
    shape = shape_of(tmp_path, schema)
    assert shape.unfilled == ("trace_id", "error.id")
    assert error_body(shape) == (
        '{"message": error.message, "trace_id": "x", "error": {"id": 1}}'
    )
    assert error_docstring(shape) == (
        '"""Fills message with the message, trace_id with a placeholder, error.id '
        "with a\n    placeholder.\n\n    fastgen has no rule for trace_id, error.id: "
        "each holds a placeholder of its type\n    until you write what it should "
        'be.\n    """'
    )
    spec = tmp_path / "openapi.json"
    warnings = read_input_file(spec).warnings
    assert [str(w) for w in warnings] == [
        (
            f"{spec}:41:13: #/components/schemas/Error: error body Error: no rule fills "
            "the required properties 'trace_id', 'error.id' (docs/openapi.md, Error "
            "bodies); the app answers a placeholder value until you fill it in "
            "src/t/hooks/errors/error.py"
        )
    ]


def test_a_body_the_rules_cannot_shape_is_left_to_the_hook_with_a_warning(
    tmp_path: Path,
) -> None:
    shape = shape_of(tmp_path, {"type": "array", "items": S})
    assert (shape.kind, error_body(shape), error_body_type(shape)) == (
        "detail",
        '{"detail": error.detail}',
        "dict[str, Any]",
    )
    spec = tmp_path / "openapi.json"
    assert [w.message for w in read_input_file(spec).warnings] == [
        (
            "#/components/schemas/Error: error body Error: fastgen fills an object, a "
            "string or an integer, not this schema; errors are answered as FastAPI's "
            '{"detail": ...} until you shape them in src/t/hooks/errors/error.py'
        )
    ]


def test_an_error_body_that_is_neither_json_nor_text_is_left_with_a_warning(
    tmp_path: Path,
) -> None:
    spec = tmp_path / "openapi.json"
    spec.write_text(document(obj({"message": S}), "application/xml"))
    read = read_input_file(spec)
    assert read.model.error_shapes == ()
    assert [w.message for w in read.warnings] == [
        (
            "#/paths/~1things~1{id}/get/responses/default/content: the default error "
            "body is application/xml: fastgen answers errors as JSON or text; this one "
            'stays FastAPI\'s {"detail": ...}'
        )
    ]


def test_validate_prints_the_error_body_warning_located(tmp_path: Path) -> None:
    spec = tmp_path / "openapi.json"
    spec.write_text(document(obj({"message": S, "trace_id": S}, "trace_id")))
    result = run_fastgen("validate", str(spec))
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        (
            f"{spec}:41:13: warning: #/components/schemas/Error: error body Error: no "
            "rule fills the required property 'trace_id' (docs/openapi.md, Error "
            "bodies); the app answers a placeholder value until you fill it in "
            "src/t/hooks/errors/error.py"
        )
    ]
    assert run_fastgen("validate", "--strict", str(spec)).returncode == 2


def test_the_exact_status_wins_over_its_range_and_default() -> None:
    responses = (
        ErrorResponseModel("default", "error", "application/json"),
        ErrorResponseModel("4XX", "client", "application/json"),
        ErrorResponseModel("404", "missing", "text/plain"),
    )
    assert [declared_error(responses, s).shape for s in (404, 422, 503)] == [  # type: ignore[union-attr]
        "missing",
        "client",
        "error",
    ]
    assert declared_error(responses[1:], 503) is None


def test_an_unknown_path_answers_what_most_operations_declare() -> None:
    a = ErrorResponseModel("404", "a", "application/json")
    b = ErrorResponseModel("404", "b", "application/json")
    d = ErrorResponseModel("default", "a", "application/json")
    assert fallback([(a, d), (b,), (b,)]) == (b, d)
    assert fallback([(a,), (b,)]) == (a,)


def test_native_and_undeclared_errors_keep_fastapis_detail() -> None:
    _, native = read_input(REPO / "examples" / "bookstore.yaml")
    assert native.error_shapes == ()
    _, gift = read_input(REPO / "tests" / "corpus" / "vtex-giftcard-hub.yaml")
    assert gift.error_shapes == ()  # its 404s declare no body


def test_the_examples_error_bodies() -> None:
    """petstore's Error {code, message}; store's and billing's {detail} as FastAPI
    answers it; and the generated tests' requests that answer them."""
    bodies = {}
    hits = {}
    for name in ("petstore", "store", "billing"):
        _, model = read_input(REPO / "examples" / f"{name}.yaml")
        bodies[name] = [error_body(s) for s in model.error_shapes]
        hits[name] = [(c.name, c.url, c.status) for c in failed_if_match_cases(model)]
        if name == "petstore":
            cases = [(c.name, c.status, c.model) for c in error_cases(model)]
    assert bodies == {
        "petstore": ['{"code": error.status, "message": error.message}'],
        "store": ['{"detail": error.detail}'],
        "billing": ['{"detail": error.detail}'],
    }
    assert cases == [
        ("add_pet_with_a_body_that_is_not_json", 422, "Error"),
        ("find_pet_by_id_of_a_missing_row", 404, "Error"),
        ("an_unknown_path", 404, "Error"),
    ]
    assert hits == {
        "petstore": [("find_pets_failed_if_match_on_a_hit", "/pets", 412)],
        "store": [],
        "billing": [],
    }


CORPUS = REPO / "tests" / "corpus"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "ynab-1.0.0.yaml",
            [
                (
                    "1723:7: #/components/schemas/ErrorResponse: error body ErrorResponse: "
                    "no rule fills the required property 'error.id' (docs/openapi.md, "
                    "Error bodies); the app answers a placeholder value until you fill it "
                    "in src/ynab_api_endpoints/hooks/errors/error_response.py"
                )
            ],
        ),
    ],
)
def test_corpus_error_bodies_warn_where_no_rule_applies(
    name: str, expected: list[str]
) -> None:
    warnings = read_input_file(CORPUS / name).warnings
    found = [
        f"{w.line}:{w.column}: {w.message}"
        for w in warnings
        if "error body" in w.message
    ]
    assert found == expected


def test_a_text_error_body_is_the_message(tmp_path: Path) -> None:
    shape = shape_of(tmp_path, obj({"code": I}), "text/plain")
    assert (shape.kind, error_body(shape), error_body_type(shape)) == (
        "message",
        "error.message",
        "str",
    )


def test_a_body_in_several_media_types_gets_a_415_case() -> None:
    """The generated tests send addPet (JSON or a form) a media type it does not
    declare, and check its 415 is the document's Error body; a body that is not
    JSON is still its 422."""
    spec = REPO / "tests" / "specs" / "openapi" / "compile" / "petstore-table.yaml"
    _, model = read_input(spec)
    cases = {c.name: c for c in error_cases(model)}
    undeclared = cases["add_pet_with_an_undeclared_media_type"]
    assert (undeclared.status, undeclared.model) == (415, "Error")
    assert undeclared.request_headers == {"content-type": "application/x-undeclared"}
    not_json = cases["add_pet_with_a_body_that_is_not_json"]
    assert (not_json.status, not_json.content) == (422, "{")
    assert not_json.request_headers == {"content-type": "application/json"}
