"""A list's query parameter whose schema is an ``allOf`` of one ``$ref`` (OpenAPI 3.0's
way to give a ``$ref`` a description or default), a ``$ref`` to such a wrapper, or
a ``$ref`` to ``#/components/parameters/``: read as the schema it names, so it filters
its column as an inline schema would (fastgen 0.2.0 dropped the whole operation,
silently: no route, no problem reported). Over HTTP: the filters keep the rows, a
bad value is a 422 naming the parameter, the served document describes it as the
input does, and a paged list of such a table sorts, pages by cursor and expands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fastgen.api import new_project
from fastgen.spec.inputs import read_input_file
from fastgen.spec.problems import SpecError

from .conftest import assert_generated_tests_pass, install_project, migrate_and_run

DOCUMENT = """\
openapi: 3.0.3
info: {title: Wrapped, version: 1.0.0}
x-fastgen:
  service: {name: wrapped}
paths:
  /items:
    get:
      operationId: listItems
      parameters:
        - name: status
          in: query
          description: only items of this status
          schema: {allOf: [{$ref: '#/components/schemas/Status'}], description: s}
        - $ref: '#/components/parameters/Code'
        - {name: day, in: query, schema: {$ref: '#/components/schemas/DayWrapper'}}
        - name: size
          in: query
          schema: {type: array, items: {allOf: [{$ref: '#/components/schemas/Small'}]}}
        - name: limit
          in: query
          schema: {allOf: [{$ref: '#/components/schemas/Small'}], default: 10}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Item'}}
    post:
      operationId: createItem
      requestBody:
        required: true
        content:
          application/json: {schema: {$ref: '#/components/schemas/Item'}}
      responses:
        '201':
          description: made
          content:
            application/json: {schema: {$ref: '#/components/schemas/Item'}}
  /tickets:
    get:
      operationId: listTickets
      parameters:
        - name: size__gte
          in: query
          schema: {allOf: [{$ref: '#/components/schemas/Small'}], description: at least}
        - name: status__in
          in: query
          schema: {type: array, items: {allOf: [{$ref: '#/components/schemas/Status'}]}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Ticket'}}
    post:
      operationId: createTicket
      requestBody:
        required: true
        content:
          application/json: {schema: {$ref: '#/components/schemas/Ticket'}}
      responses:
        '201':
          description: made
          content:
            application/json: {schema: {$ref: '#/components/schemas/Ticket'}}
components:
  parameters:
    Code:
      name: code
      in: query
      schema: {allOf: [{$ref: '#/components/schemas/Code'}], description: a code}
  schemas:
    Code: {type: string, maxLength: 8}
    Small: {type: integer, minimum: 1, maximum: 10}
    Status: {type: string, enum: [open, shut]}
    Day: {type: string, format: date}
    DayWrapper: {allOf: [{$ref: '#/components/schemas/Day'}], description: a day}
    Item:
      x-fastgen-resource: {path: /items}
      type: object
      required: [code, size, status]
      properties:
        id: {type: integer, readOnly: true}
        code: {allOf: [{$ref: '#/components/schemas/Code'}], description: the code}
        size: {allOf: [{$ref: '#/components/schemas/Small'}]}
        status: {allOf: [{$ref: '#/components/schemas/Status'}], description: s}
        day: {allOf: [{$ref: '#/components/schemas/Day'}], description: d}
    Ticket:
      x-fastgen-resource:
        path: /tickets
        list: {filter: [size, status], sort: [size], expand: {item_id: Item}}
      type: object
      required: [size, status]
      properties:
        id: {type: integer, readOnly: true}
        size: {allOf: [{$ref: '#/components/schemas/Small'}]}
        status: {allOf: [{$ref: '#/components/schemas/Status'}]}
        item_id: {type: integer}
"""


def test_wrapped_parameters_filter_their_columns(tmp_path: Path) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text(DOCUMENT)
    model = read_input_file(spec).model
    ops = {op.name: op for op in model.api_operations}
    listed = ops["list_items"]
    assert listed.filters == (("status", "status"), ("code", "code"), ("day", "day"))
    assert listed.any_filters == (("size", "size"),)
    assert listed.refined == ()
    assert listed.limit_param == "limit"
    params = {p.name: p for p in listed.params}
    assert params["limit"].default == 10
    assert params["code"].constraints == (("max_length", 8),)
    assert ops["list_tickets"].paged


def test_a_parameter_no_type_reads_is_a_problem(tmp_path: Path) -> None:
    """Not a silently missing route."""
    spec = tmp_path / "openapi.yaml"
    spec.write_text(
        DOCUMENT.replace(
            "schema: {$ref: '#/components/schemas/DayWrapper'}",
            "schema: {not: {type: string}}",
        )
    )
    with pytest.raises(SpecError) as caught:
        read_input_file(spec)
    (problem,) = [str(p) for p in caught.value.problems]
    assert problem.endswith(
        "#/paths/~1items/get/parameters/2: query parameter 'day' has a schema "
        "fastgen cannot read as a scalar or a list of scalars"
    )


# Run by the project's Python: store rows, then query them over HTTP.
APP = """
import json
from fastapi.testclient import TestClient
from wrapped.main import app

ITEMS = [
    {"code": "ABC", "size": 1, "status": "open", "day": "2024-01-02"},
    {"code": "DEF", "size": 2, "status": "shut", "day": "2024-01-03"},
    {"code": "GHI", "size": 3, "status": "open"},
]
TICKETS = [
    {"size": 1, "status": "open", "item_id": 1},
    {"size": 5, "status": "shut", "item_id": 2},
    {"size": 7, "status": "open", "item_id": 3},
]


def codes(url):
    answer = client.get(url)
    assert answer.status_code == 200, (url, answer.text)
    return [row["code"] for row in answer.json()]


def refused(url):
    answer = client.get(url)
    if answer.status_code != 422:
        return [answer.status_code, url]
    return [answer.status_code, [e["loc"] for e in answer.json()["detail"]]]


with TestClient(app) as client:
    for item in ITEMS:
        assert client.post("/items", json=item).status_code == 201
    for ticket in TICKETS:
        assert client.post("/tickets", json=ticket).status_code == 201
    query = "/tickets?size__gte=2&sort=-size&limit=1&expand=item"
    first = client.get(query).json()
    after = client.get(query + "&cursor=" + first["next_cursor"]).json()
    out = {
        "status": codes("/items?status=open"),
        "code": codes("/items?code=DEF"),
        "day": codes("/items?day=2024-01-02"),
        "size": codes("/items?size=1&size=3"),
        "limit": codes("/items?limit=2"),
        "bad": [
            refused("/items?status=ajar"),
            refused("/items?code=ABCDEFGHI"),
            refused("/items?size=1&size=x"),
            refused("/items?size=1&size=11"),
            refused("/tickets?size=11"),
            refused("/tickets?size__in=2,11"),
            refused("/items?limit=0"),
            refused("/tickets?size__gte=x"),
        ],
        "first": [(t["size"], t["item"]["code"]) for t in first["items"]],
        "after": [t["size"] for t in after["items"]],
        "in": [t["size"] for t in client.get(
            "/tickets?status__in=shut&status__in=open&sort=size"
        ).json()["items"]],
        "parameters": client.get("/openapi.json").json()["paths"]["/items"]["get"][
            "parameters"
        ],
        "ticket_parameters": client.get("/openapi.json").json()["paths"]["/tickets"][
            "get"
        ]["parameters"],
    }
print(json.dumps(out))
"""


def _served(parameters: list[dict[str, Any]]) -> dict[str, Any]:
    """Each served parameter's location, description and the schema keywords that
    say which values it takes."""
    kept = ("type", "enum", "format", "maxLength", "minimum", "maximum", "default")
    served = {}
    for param in parameters:
        schema = param["schema"]
        if "anyOf" in schema:  # FastAPI's way to write an optional value
            schema = next(s for s in schema["anyOf"] if s.get("type") != "null")
        if schema.get("type") == "array":
            schema = schema["items"]
        shown = {k: v for k, v in schema.items() if k in kept}
        served[param["name"]] = (param["in"], param.get("description"), shown)
    return served


@pytest.mark.e2e
def test_wrapped_parameters_filter_rows_over_http(
    tmp_path: Path, shared_venv: Path
) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text(DOCUMENT)
    project = new_project(spec, tmp_path / "wrapped")
    install_project(shared_venv, project)
    python = shared_venv / "bin" / "python"
    out = migrate_and_run(python, project, tmp_path / "wrapped.db", APP)
    assert out["status"] == ["ABC", "GHI"]
    assert out["code"] == ["DEF"]
    assert out["day"] == ["ABC"]
    assert out["size"] == ["ABC", "GHI"]
    assert out["limit"] == ["ABC", "DEF"]
    assert out["bad"] == [
        [422, [["query", "status"]]],
        [422, [["query", "code"]]],
        [422, [["query", "size", 1]]],
        [422, [["query", "size", 1]]],  # an item above the items' maximum
        [422, [["query", "size"]]],  # a column filter: a value the column cannot hold
        [422, [["query", "size__in", 1]]],
        [422, [["query", "limit"]]],
        [422, [["query", "size__gte"]]],
    ]
    # the paged list: sorted, a cursor to the next page, the expanded row
    assert out["first"] == [[7, "GHI"]]
    assert out["after"] == [5]
    assert out["in"] == [1, 5, 7]
    code = {"type": "string", "maxLength": 8}
    assert _served(out["parameters"]) == {
        "status": (
            "query",
            "only items of this status",
            {"type": "string", "enum": ["open", "shut"]},
        ),
        "code": ("query", None, code),
        "day": ("query", None, {"type": "string", "format": "date"}),
        # an array's items are bounded as their schema says
        "size": ("query", None, {"type": "integer", "minimum": 1, "maximum": 10}),
        "limit": (
            "query",
            None,
            {"type": "integer", "minimum": 1, "maximum": 10, "default": 10},
        ),
    }
    # a column filter's values are bounded as the column (a range's bound is not)
    tickets = _served(out["ticket_parameters"])
    small = {"type": "integer", "minimum": 1, "maximum": 10}
    assert tickets["size"][2] == tickets["size__in"][2] == small
    assert tickets["size__lt"][2]["maximum"] == 2**31 - 1
    # the project's own tests (lists: filters, sort, cursor, expand) pass too
    assert_generated_tests_pass(shared_venv / "bin" / "python", project)
