"""A table list's filter of an integer column with an ``enum``, and what the
breaking-change differ knows of each list filter's values.

A document filter typed a plain integer (``status: {type: integer}``) on a column of
``enum: [1, 2, 3]`` took any integer: ``?status=7`` answered an empty page where a
paged list's filter answers 422 naming the parameter. It now reads the column's
values, and the app publishes them. The differ's model of a list
(``api_contract.client_document``) described every filter as the column's plain
type: a value removed from a filterable column's enum was no change of the filter
parameter. It now describes each filter as the app publishes it, which the e2e
test compares with the app's own ``/openapi.json``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from fastgen.api import new_project
from fastgen.model.service import ApiType
from fastgen.render.api_changes import api_changes
from fastgen.render.api_contract import client_document, served_document
from fastgen.spec.inputs import read_input, read_input_file

from .conftest import EXAMPLE, install_project, migrate_and_run

DOCUMENT = """\
openapi: 3.0.3
info: {title: Enum filters, version: 1.0.0}
x-fastgen:
  service: {name: enumfilters}
paths:
  /items:
    get:
      operationId: listItems
      parameters:
        - {name: status, in: query, schema: {type: integer}}
        - {name: level, in: query, schema: {type: integer, minimum: 2}}
        - {name: grade, in: query, schema: {type: array, items: {type: integer}}}
        - {name: rank, in: query, schema: {type: integer, enum: [1, 2]}}
        - {name: size, in: query, schema: {type: integer}}
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
  schemas:
    Level: {type: integer, enum: [1, 2, 3]}
    Item:
      x-fastgen-resource: {path: /items}
      type: object
      required: [status]
      properties:
        id: {type: integer, readOnly: true}
        status: {type: integer, enum: [1, 2, 3]}
        level: {$ref: '#/components/schemas/Level'}
        grade: {type: integer, enum: [1, 2, 3]}
        rank: {type: integer, enum: [1, 2, 3]}
        size: {type: integer, minimum: 1, maximum: 10}
    Ticket:
      x-fastgen-resource:
        path: /tickets
        list: {filter: [status, color, code, size, link, day, tag, price]}
      type: object
      required: [status, color, code, size, link, day, tag, price]
      properties:
        id: {type: integer, readOnly: true}
        status: {type: integer, enum: [1, 2, 3]}
        color: {type: string, enum: [red, blue]}
        code: {type: string, minLength: 2, maxLength: 8}
        size: {type: integer, minimum: 1, maximum: 10}
        link: {type: string, format: uri}
        day: {type: string, format: date}
        tag: {type: string, pattern: '^[a-z]+$'}
        price: {type: number, minimum: 0, multipleOf: 0.5}
"""


def _write(tmp_path: Path, text: str, name: str = "openapi.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_plain_integer_filter_of_an_enum_column_reads_its_values(
    tmp_path: Path,
) -> None:
    model = read_input_file(_write(tmp_path, DOCUMENT)).model
    listed = next(op for op in model.api_operations if op.name == "list_items")
    params = {p.name: p for p in listed.params}
    values = ApiType("literal", values=(1, 2, 3), from_text=True, nullable=True)
    assert params["status"].type == values
    # the parameter's own bound keeps the values it allows, and is then no keyword
    assert params["level"].type == ApiType(
        "literal", values=(2, 3), from_text=True, nullable=True
    )
    assert params["level"].constraints == ()
    # an array: IN over the column's values
    assert params["grade"].type.args == (
        ApiType("literal", values=(1, 2, 3), from_text=True),
    )
    # its own enum (a subset) is the document's; a column without enum is untouched
    assert params["rank"].type.values == (1, 2)
    assert params["size"].type == ApiType("scalar", "int", nullable=True)


def test_a_required_enum_filter_is_sampled_among_its_values(tmp_path: Path) -> None:
    """The generated tests send the sample request: a value of the column."""
    text = DOCUMENT.replace(
        "{name: status, in: query, schema: {type: integer}}",
        "{name: status, in: query, required: true, schema: {type: integer}}",
    ).replace(
        "status: {type: integer, enum: [1, 2, 3]}",
        "status: {type: integer, enum: [4, 5]}",
        1,
    )
    model = read_input_file(_write(tmp_path, text)).model
    listed = next(op for op in model.api_operations if op.name == "list_items")
    assert listed.sample is not None
    assert listed.sample[1] == {"status": 4}


def _changes(tmp_path: Path, old: str, new: str) -> list[str]:
    old_answer, old_model = read_input(_write(tmp_path, old, "old.yaml"))
    new_answer, new_model = read_input(_write(tmp_path, new, "new.yaml"))
    changes = api_changes(
        client_document(old_answer, old_model), client_document(new_answer, new_model)
    )
    return [str(c) for c in changes]


def test_a_narrowed_enum_breaks_its_filters(tmp_path: Path) -> None:
    """A value removed from a filterable column's enum: the app answers 422 to a
    filter by it, on the paged list and on the document's."""
    narrowed = DOCUMENT.replace(
        "status: {type: integer, enum: [1, 2, 3]}",
        "status: {type: integer, enum: [1, 2]}",
    )
    said = _changes(tmp_path, DOCUMENT, narrowed)
    for line in (
        "breaking: GET /items: query parameter `status` enum value(s) removed: 3",
        "breaking: GET /tickets: query parameter `status` enum value(s) removed: 3",
        (
            "breaking: GET /tickets: query parameter `status__in` items enum "
            "value(s) removed: 3"
        ),
    ):
        assert line in said, said
    # a range's bound is no value of the column: it takes any integer still
    assert not [line for line in said if "status__gt" in line]
    # a paged list's limits, as its filters publish them
    tighter = DOCUMENT.replace(
        "code: {type: string, minLength: 2, maxLength: 8}",
        "code: {type: string, minLength: 3, maxLength: 8}",
    ).replace("price: {type: number, minimum: 0,", "price: {type: number, minimum: 1,")
    said = _changes(tmp_path, DOCUMENT, tighter)
    assert "breaking: GET /tickets: query parameter `code` minLength 2 -> 3" in said
    assert "breaking: GET /tickets: query parameter `price` minimum 0 -> 1" in said
    assert _changes(tmp_path, DOCUMENT, DOCUMENT) == []


# Run by the project's Python: store rows, query them, and read the served document.
APP = """
import json
from fastapi.testclient import TestClient
from enumfilters.main import app


def refused(url):
    answer = client.get(url)
    if answer.status_code != 422:
        return [answer.status_code, url]
    return [answer.status_code, [e["loc"] for e in answer.json()["detail"]]]


with TestClient(app) as client:
    for status, level in ((1, 1), (2, 3), (3, 3)):
        item = {"status": status, "level": level, "grade": status, "size": 5}
        assert client.post("/items", json=item).status_code == 201
    out = {
        "found": [
            [row["status"] for row in client.get(url).json()]
            for url in ("/items?status=2", "/items?level=3", "/items?grade=1&grade=3")
        ],
        "refused": [
            refused("/items?status=7"),
            refused("/items?status=x"),
            refused("/items?level=1"),
            refused("/items?grade=1&grade=7"),
        ],
        "document": client.get("/openapi.json").json(),
    }
print(json.dumps(out))
"""


def _published(document: dict[str, Any], schema: Any) -> Any:
    """A parameter's schema as the differ reads it: FastAPI's ``anyOf`` with null
    (an optional parameter) unwrapped, ``$ref``s inlined, titles and descriptions
    dropped, and the range of an integer column (the same in every version)."""
    if isinstance(schema, list):
        return [_published(document, value) for value in schema]
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return _published(
            document, document["components"]["schemas"][ref.split("/")[-1]]
        )
    members = [m for m in schema.get("anyOf", ()) if m != {"type": "null"}]
    if "anyOf" in schema and len(members) == 1:
        return _published(document, members[0])
    column_range = {"minimum": -(2**31), "maximum": 2**31 - 1}
    return {
        key: _published(document, value)
        for key, value in schema.items()
        if key not in ("title", "description") and column_range.get(key, ...) != value
    }


# A list's parameters besides its filters (the page's, published with defaults)
PAGE = ("limit", "offset", "cursor", "count", "sort", "expand")


def _parameters(document: dict[str, Any], path: str) -> dict[str, Any]:
    return {
        p["name"]: _published(document, p["schema"])
        for p in document["paths"][path]["get"].get("parameters", [])
    }


def _ours(document: dict[str, Any], path: str) -> dict[str, Any]:
    return {
        p["name"]: p["schema"] for p in document["paths"][path]["get"]["parameters"]
    }


@pytest.mark.e2e
def test_enum_filters_over_http_and_as_published(
    tmp_path: Path, shared_venv: Path
) -> None:
    spec = _write(tmp_path, DOCUMENT)
    project = new_project(spec, tmp_path / "enumfilters")
    install_project(shared_venv, project)
    python = shared_venv / "bin" / "python"
    out = migrate_and_run(python, project, tmp_path / "enums.db", APP)
    assert out["found"] == [[2], [2, 3], [1, 3]]
    assert out["refused"] == [
        [422, [["query", "status"]]],
        [422, [["query", "status"]]],
        [422, [["query", "level"]]],
        [422, [["query", "grade", 1]]],
    ]
    served = out["document"]
    items = _parameters(served, "/items")
    assert items["status"] == {"type": "integer", "enum": [1, 2, 3]}
    assert items["level"] == {"type": "integer", "enum": [2, 3]}
    assert items["grade"] == {
        "type": "array",
        "items": {"type": "integer", "enum": [1, 2, 3]},
    }
    # The differ's model of both lists is what the app publishes for each filter.
    answer, model = read_input(spec)
    ours = client_document(answer, model)
    for name in ("status", "level", "grade"):
        assert _ours(ours, "/items")[name] == items[name], name
    tickets = _parameters(served, "/tickets")
    for name, schema in _ours(ours, "/tickets").items():
        if name not in PAGE:
            assert tickets[name] == schema, name


NATIVE_PARAMETERS = """\
import json
from bookstore.main import create_app

document = create_app().openapi()
print(json.dumps(document))
"""


@pytest.mark.e2e
def test_native_list_filters_as_the_app_publishes_them(
    bookstore: Path, shared_venv: Path
) -> None:
    """The bookstore's filters (a key, text of a max_length, a ref) as the differ
    reads them are the app's own: a text filter takes any length."""
    result = subprocess.run(
        [shared_venv / "bin" / "python", "-c", NATIVE_PARAMETERS],
        cwd=bookstore,
        capture_output=True,
        text=True,
        check=True,
    )
    served = json.loads(result.stdout.splitlines()[-1])
    ours = served_document(read_input(EXAMPLE)[1])
    for path in ("/books", "/authors"):
        real = _parameters(served, path)
        for name, schema in _ours(ours, path).items():
            if name not in PAGE:
                assert real[name] == schema, (path, name)
