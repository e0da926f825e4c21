"""A table's property written as an ``allOf`` of one schema (OpenAPI 3.0's way to give
a ``$ref`` a description) or as a ``$ref`` to an alias: its column is the schema it
names, with the wrapper's own ``nullable`` on top (fastgen 0.2.0 stored it as JSON:
no length, no enum, no limits, no list filter).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from fastgen.model.service import FieldModel, ResourceModel
from fastgen.spec.inputs import read_input_file
from fastgen.spec.openapi.compile import tables

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
        - {name: code, in: query, schema: {type: string}}
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
components:
  schemas:
    Code: {type: string, maxLength: 8, pattern: '^[A-Z]+$'}
    Small: {type: integer, minimum: 1, maximum: 10}
    Status: {type: string, enum: [open, shut]}
    Day: {type: string, format: date}
    CodeAlias: {$ref: '#/components/schemas/Code'}
    CodeWrapper:
      allOf: [{$ref: '#/components/schemas/CodeAlias'}]
      description: a wrapper of an alias
    Item:
      x-fastgen-resource: {path: /items}
      type: object
      required: [code, size, status, note]
      properties:
        id: {type: integer}
        code:
          allOf: [{$ref: '#/components/schemas/Code'}]
          description: the code
        size: {allOf: [{$ref: '#/components/schemas/Small'}]}
        plain: {$ref: '#/components/schemas/Code'}
        note: {allOf: [{$ref: '#/components/schemas/Code'}], nullable: true}
        status: {allOf: [{$ref: '#/components/schemas/Status'}], description: s}
        day: {allOf: [{$ref: '#/components/schemas/Day'}], description: d}
        alias: {$ref: '#/components/schemas/CodeAlias'}
        wrapped: {$ref: '#/components/schemas/CodeWrapper'}
        inline: {allOf: [{type: string, maxLength: 5}], description: inline}
"""


def _item(path: Path) -> ResourceModel:
    (item,) = read_input_file(path).model.resources
    return item


def _columns(item: ResourceModel) -> dict[str, FieldModel]:
    return {f.name: f for f in item.fields}


def _shape(field: FieldModel) -> tuple[Any, ...]:
    return (
        field.type,
        field.max_length,
        field.required,
        field.enum_values,
        field.limits,
    )


def test_a_wrapped_ref_is_the_column_of_the_schema_it_names(tmp_path: Path) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text(DOCUMENT)
    item = _item(spec)
    columns = _columns(item)
    code = ("string", 8, True, (), (("pattern", "^[A-Z]+$"),))
    assert _shape(columns["code"]) == code
    size = ("integer", None, True, (), (("ge", 1), ("le", 10)))
    assert _shape(columns["size"]) == size
    # the same column as the $ref without a wrapper, but for being required
    assert _shape(columns["plain"]) == ("string", 8, False, *code[3:])
    # the wrapper's own nullable applies on top of the component: required, but
    # a column taking NULL
    assert _shape(columns["note"]) == _shape(columns["plain"])
    assert columns["note"].answers_null and not columns["plain"].answers_null
    assert _shape(columns["status"]) == ("enum", None, True, ("open", "shut"), ())
    assert columns["status"] in item.enums
    assert columns["day"].type == "date"
    # through an alias, and through a component that is itself a wrapper of one
    assert _shape(columns["alias"]) == _shape(columns["plain"])
    assert _shape(columns["wrapped"]) == _shape(columns["plain"])
    assert _shape(columns["inline"]) == ("string", 5, False, (), ())


def test_a_list_filters_and_sorts_by_a_wrapped_column(tmp_path: Path) -> None:
    """A JSON column can be neither; a list's query parameter filters it too."""
    spec = tmp_path / "openapi.yaml"
    spec.write_text(DOCUMENT)
    model = read_input_file(spec).model
    assert model.api is not None
    assert model.api.operations[0].filters == (("code", "code"),)
    listed = "x-fastgen-resource: {path: /items, list: {filter: [code], sort: [size]}}"
    param = "        - {name: code, in: query, schema: {type: string}}\n"
    text = DOCUMENT.replace("x-fastgen-resource: {path: /items}", listed)
    spec.write_text(text.replace("      parameters:\n" + param, ""))
    item = _item(spec)
    assert [f.field.name for f in item.filters] == ["code"]
    assert [f.name for f in item.sorts] == ["size"]


def test_a_cycle_of_wrappers_resolves_to_no_column_type() -> None:
    """``A: {allOf: [$ref: A]}`` and a chain of aliases past the bound end."""
    schemas: dict[str, Any] = {
        "Loop": {"allOf": [{"$ref": "#/components/schemas/Loop"}]},
        "Ping": {"$ref": "#/components/schemas/Pong"},
        "Pong": {"allOf": [{"$ref": "#/components/schemas/Ping"}], "nullable": True},
    }
    ctx: Any = SimpleNamespace(api=SimpleNamespace(schemas=schemas))
    loop = {"allOf": [{"$ref": "#/components/schemas/Loop"}], "description": "d"}
    assert tables._resolved(ctx, loop) == {"description": "d"}
    assert tables._resolved(ctx, {"$ref": "#/components/schemas/Ping"}) == {
        "nullable": True
    }
    assert tables.column_spec(ctx, loop, False, True).type == "json"
