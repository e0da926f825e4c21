"""A webhook's or callback's bodies are published under the media types the document
declares: the compile's ``content`` of a sent request, and what ``outgoing.py``,
``main.py`` and the generated test make of it (fast: no project is installed; the
corpus e2e serves redocly-cafe's problem+json webhook answers)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from fastgen.api import new_project
from fastgen.model.service import ApiContentModel, ApiType
from fastgen.render.module_imports import main_imports
from fastgen.render.openapi_routes import api_outgoing_imports, sent_media_types
from fastgen.spec.inputs import read_input

SPECS = Path(__file__).parent / "specs" / "openapi"
HOOKS = """\
openapi: 3.1.0
info: {title: Hooks, version: 1.0.0}
paths:
  /topics/{topic-id}/subscriptions:
    post:
      operationId: subscribe
      parameters:
        - {name: topic-id, in: path, required: true, schema: {type: integer}}
      responses: {'201': {description: subscribed}}
      callbacks:
        onEvent:
          '{$request.body#/callbackUrl}':
            post:
              requestBody:
                required: true
                content:
                  application/cloudevents+json:
                    schema: {$ref: '#/components/schemas/Event'}
              responses:
                '204': {description: received}
                '4XX':
                  description: refused
                  content:
                    application/problem+json:
                      schema: {$ref: '#/components/schemas/Problem'}
webhooks:
  orderShipped:
    post:
      requestBody:
        required: true
        content:
          application/json: {schema: {$ref: '#/components/schemas/Event'}}
          application/xml: {schema: {$ref: '#/components/schemas/Event'}}
          text/plain: {schema: {type: string, maxLength: 200}}
      responses:
        '200':
          description: a receipt
          content:
            text/csv: {schema: {type: string}}
            application/json: {schema: {$ref: '#/components/schemas/Receipt'}}
        '400':
          description: rejected
          content:
            application/problem+json: {schema: {$ref: '#/components/schemas/Problem'}}
        default:
          description: anything else
          content:
            text/plain: {}
            application/xml: {schema: {$ref: '#/components/schemas/Note'}}
            application/problem+json: {schema: {$ref: '#/components/schemas/Problem'}}
  orderPaid:
    post:
      requestBody:
        content:
          application/octet-stream: {}
      responses:
        '202': {description: accepted}
        default:
          description: refused
          content:
            application/json: {schema: {$ref: '#/components/schemas/Problem'}}
components:
  schemas:
    Event:
      type: object
      required: [kind]
      properties: {kind: {type: string, enum: [shipped, paid]}}
    Note:
      type: object
      properties: {text: {type: string}}
    Receipt:
      type: object
      required: [id]
      properties: {id: {type: integer}}
    Problem:
      type: object
      required: [title]
      properties: {title: {type: string}, status: {type: integer}}
"""
PROBLEM = {"application/problem+json": None}
CALLBACK = (
    "paths",
    "/topics/{topic-id}/subscriptions",  # as the document writes it, not topic_id
    "post",
    "callbacks",
    "onEvent",
    "{$request.body#/callbackUrl}",
    "post",
)
# Where each body is in the app's OpenAPI -> its media types, with their schemas
# (None: the one FastAPI publishes, the model's or the first media type's; a type
# where it names a component, which the app's OpenAPI may not hold).
DECLARED: dict[tuple[str, ...], dict[str, Any]] = {
    ("webhooks", "orderShipped", "post", "requestBody"): {
        "application/json": None,
        "application/xml": None,  # the same schema: the model's
        "text/plain": {"type": "string", "maxLength": 200},
    },
    ("webhooks", "orderShipped", "post", "responses", "200"): {
        "text/csv": {"type": "string"},
        "application/json": None,
    },
    ("webhooks", "orderShipped", "post", "responses", "400"): PROBLEM,
    ("webhooks", "orderShipped", "post", "responses", "default"): {
        "text/plain": {"type": "string"},  # no schema: a string
        "application/xml": ApiType("model", "Note"),
        "application/problem+json": None,
    },
    (*CALLBACK, "responses", "4XX"): PROBLEM,
}


def test_sent_bodies_keep_their_declared_media_types(tmp_path: Path) -> None:
    """Every part FastAPI would publish otherwise, and only those: orderPaid's
    octet-stream body (Body's media type) and JSON default answer are as FastAPI
    writes them, and so is the callback's cloudevents body."""
    path = tmp_path / "openapi.yaml"
    path.write_text(HOOKS, encoding="utf-8")
    _, model = read_input(path)
    assert model.api is not None
    shipped, paid = model.api.webhooks
    assert shipped.content[2] == ApiContentModel(
        ("responses", "400"), (("application/problem+json", None),)
    )
    assert paid.content == ()
    ((_, callback),) = model.api.callbacks[0].callbacks
    assert [c.part for c in callback.content] == [("responses", "4XX")]
    assert dict(sent_media_types(model)) == DECLARED
    assert [where for where, _ in sent_media_types(model)] == list(DECLARED)
    imports = api_outgoing_imports(model)
    assert "from functools import reduce" in imports
    assert "from fastapi import APIRouter, Body, FastAPI, Response" in imports
    assert "with_sent_media_types" in main_imports(model)
    assert "from pydantic import TypeAdapter" in imports


def test_the_app_publishes_them(tmp_path: Path) -> None:
    """outgoing.py holds the table and the rewrite, main.py applies it after the
    document's paths are restored, and the project's own test checks each body."""
    path = tmp_path / "openapi.yaml"
    path.write_text(HOOKS, encoding="utf-8")
    project = new_project(path, tmp_path / "project")
    outgoing = (project / "src" / "hooks" / "outgoing.py").read_text()
    table = outgoing.replace("api_models.Note", "'api_models.Note'")
    note = ApiType("model", "Note")
    assert _assigned(table, "SENT_MEDIA_TYPES") == {
        where: {k: "api_models.Note" if v == note else v for k, v in media.items()}
        for where, media in DECLARED.items()
    }
    # Note is in no route: pydantic writes it, and its models become components.
    assert 'TypeAdapter(own).json_schema(ref_template="#/components/schemas/' in (
        outgoing
    )
    main = (project / "src" / "hooks" / "main.py").read_text()
    paths = main.index("app.openapi = _with_document_paths(app)")
    assert main.index("app.openapi = with_sent_media_types(app)") > paths
    test = (project / "tests" / "test_health.py").read_text()
    checks = test.split("def test_sent_bodies_have_their_declared_media_types")[1]
    assert checks.count('assert list(body["content"]) == ') == len(DECLARED)


def test_plain_json_webhooks_need_no_rewrite() -> None:
    """A JSON body and answers as FastAPI publishes them: no table, no rewrite."""
    for fixture in ("webhooks.yaml", "callbacks.yaml"):
        _, model = read_input(SPECS / fixture)
        assert sent_media_types(model) == []
        assert "with_sent_media_types" not in main_imports(model)
        assert "reduce" not in api_outgoing_imports(model)


def _assigned(source: str, name: str) -> Any:
    """The literal value a module assigns to ``name``."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign | ast.Assign):
            target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
            if isinstance(target, ast.Name) and target.id == name:
                assert node.value is not None
                return ast.literal_eval(node.value)
    raise AssertionError(f"{name} is not assigned")


def test_a_subscribers_problem_json_answers() -> None:
    """redocly-cafe's webhook: the subscriber answers 400 and 500 as
    application/problem+json, with the model FastAPI publishes (no type to write)."""
    document = Path(__file__).parent / "corpus" / "redocly-cafe" / "openapi"
    _, model = read_input(document / "openapi.yaml")
    webhook = ("webhooks", "order-notification", "post", "responses")
    assert sent_media_types(model) == [
        ((*webhook, "400"), PROBLEM),
        ((*webhook, "500"), PROBLEM),
    ]
    assert "TypeAdapter" not in api_outgoing_imports(model)
