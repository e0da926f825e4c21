"""A write body of another component than its table's (a PATCH body beside the row
schema) is bounded by the columns it fills (the audit of an OpenAPI day two).

``Item.name`` was narrowed to 20 characters and ``qty`` is an int32 column, while
``ItemPatch`` still allowed 50 characters and int64: SQLite stored the values and
every later answer of the row (and of the list) was a 500; PostgreSQL answered 500
instead of 422.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fastgen.api import new_project
from fastgen.spec.inputs import read_input_file

from .conftest import install_project, migrate_and_run

SPEC = """\
openapi: "3.0.3"
info: {title: Shop, version: 1.0.0}
x-fastgen:
  service: {name: shop}
paths:
  /items:
    get:
      operationId: listItems
      responses:
        '200':
          description: items
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Item'}}
    post:
      operationId: createItem
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/ItemNew'}
      responses:
        '201':
          description: created
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Item'}
  /items/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: integer}}
    get:
      operationId: getItem
      responses:
        '200':
          description: item
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Item'}
    patch:
      operationId: updateItem
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/ItemPatch'}
      responses:
        '200':
          description: item
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Item'}
components:
  schemas:
    Item:
      x-fastgen-resource: {path: /items, id: id, table: items}
      type: object
      required: [id, name, qty]
      properties:
        id: {type: integer, format: int64, readOnly: true}
        name: {type: string, maxLength: 20}
        qty: {type: integer, format: int32}
        code: {type: string, maxLength: 10}
    ItemNew:
      type: object
      required: [name, qty]
      properties:
        name: {type: string}
        qty: {type: integer}
    ItemPatch:
      type: object
      properties:
        name: {type: string, maxLength: 50}
        qty: {type: integer, format: int64}
        code: {type: string, maxLength: 5}
"""


def test_write_bodies_are_bounded_by_their_columns(tmp_path: Path) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text(SPEC)
    source = read_input_file(spec).models_source
    assert source is not None
    int32 = "Field(ge=-2147483648, le=2147483647)"
    patch = source[source.index("class ItemPatch(") :]
    assert "Annotated[str | MISSING, Field(max_length=20)]" in patch  # was 50
    assert f"qty: Annotated[int | MISSING, {int32}]" in patch  # was int64
    assert "Field(max_length=5)" in patch  # already narrower: kept
    new = source[source.index("class ItemNew(") :]
    assert "name: Annotated[str, Field(max_length=20)]" in new  # had none
    assert f"qty: Annotated[int, {int32}]" in new


APP = """
import json
from fastapi.testclient import TestClient
from shop.main import app

with TestClient(app) as client:
    created = client.post("/items", json={"name": "a", "qty": 1})
    answers = [
        client.patch("/items/1", json={"name": "x" * 30}).status_code,
        client.patch("/items/1", json={"qty": 3000000000}).status_code,
        client.post("/items", json={"name": "y" * 21, "qty": 1}).status_code,
        client.get("/items").status_code,
        client.get("/items/1").json(),
    ]
print(json.dumps([created.status_code, *answers]))
"""


@pytest.mark.e2e
def test_a_wider_patch_is_a_422_and_the_row_still_answers(
    tmp_path: Path, shared_venv: Path
) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text(SPEC)
    project = new_project(spec, tmp_path / "shop")
    install_project(shared_venv, project)
    python = shared_venv / "bin" / "python"
    answered = migrate_and_run(python, project, tmp_path / "shop.db", APP)
    assert answered == [
        201,
        422,
        422,
        422,
        200,
        {"id": 1, "name": "a", "qty": 1},
    ]
