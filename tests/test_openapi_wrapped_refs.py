"""A table's property written as an ``allOf`` of one schema (OpenAPI 3.0's way to give
a ``$ref`` a description) or as a ``$ref`` to an alias: its column is the schema it
names, with the wrapper's own ``nullable`` on top (fastgen 0.2.0 stored it as JSON:
no length, no enum, no limits, no list filter).

A project made before keeps its JSON columns (``fastgen update`` and ``migrate``
read them from ``migrations/schema.json``): their rows hold JSON text (``'"ABC"'``),
so the update writes no revision for them and every database keeps every value.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from fastgen.api import migrate_project, new_project, read_project_spec, update_project
from fastgen.model.service import FieldModel, ResourceModel
from fastgen.render.dataloss import DataLossError
from fastgen.spec.inputs import read_input_file
from fastgen.spec.openapi.compile import tables

from .conftest import git

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


def _before_the_fix(ctx: Any, schema: Any, hops: int = 0) -> dict[str, Any]:
    """fastgen 0.2.0's resolution of a column's schema: one ``$ref``, no ``allOf``."""
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        schema = ctx.api.schemas.get(schema["$ref"].rsplit("/", 1)[-1], {})
    return schema if isinstance(schema, dict) else {}


JSON_COLUMNS = ("code", "size", "note", "status", "day", "alias", "wrapped", "inline")


def made_before(root: Path, document: str = DOCUMENT) -> Path:
    """A project of ``document`` as fastgen 0.2.0 made it, committed."""
    source = root / "wrapped.yaml"
    source.write_text(document)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(tables, "_resolved", _before_the_fix)
        project = new_project(source, root / "wrapped")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    return project


@pytest.fixture(name="made_before")
def made_before_fixture(tmp_path: Path) -> Path:
    project = made_before(tmp_path)
    models = (project / "src/wrapped/models/item.py").read_text()
    for name in JSON_COLUMNS:
        assert f"{name}: Mapped[Any" in models
    return project


def test_a_project_made_before_keeps_its_json_columns(made_before: Path) -> None:
    """Its JSON columns hold JSON text: a cast to the new type would keep the quotes
    ('"ABC"') or fail, so the update changes none of them and writes no revision."""
    project = made_before
    models = project / "src/wrapped/models/item.py"
    kept = models.read_text()
    columns = _columns(read_project_spec(project).model.resources[0])
    assert {n for n, f in columns.items() if f.type == "json"} == set(JSON_COLUMNS)
    assert migrate_project(project) == (None, [])
    update_project(project)  # no DataLossError
    assert models.read_text() == kept
    assert not git(project, "status", "--porcelain")
    # A new project of the same document gets the typed columns.
    assert (
        "code: Mapped[str] = mapped_column(String(8))"
        in (
            new_project(project / "openapi.yaml", project.parent / "new")
            / "src/wrapped/models/item.py"
        ).read_text()
    )


def test_the_next_change_of_a_project_made_before_keeps_them_too(
    made_before: Path,
) -> None:
    """A new property gets its column; the revision leaves the JSON ones alone,
    and a JSON property edited to a scalar is still refused as before."""
    project = made_before
    spec = project / "openapi.yaml"
    new = "        extra: {type: string, maxLength: 3}\n"
    spec.write_text(spec.read_text() + new)
    git(project, "commit", "-qam", "extra")
    update_project(project)
    models = (project / "src/wrapped/models/item.py").read_text()
    assert "extra: Mapped[str | None] = mapped_column(String(3))" in models
    assert "code: Mapped[Any] = mapped_column(JSON())" in models
    (revision,) = (project / "migrations/versions").glob("0002_*.py")
    assert "'code'" not in revision.read_text()
    assert '"code"' not in revision.read_text()
    git(project, "add", "-A")
    git(project, "commit", "-qm", "updated")
    # Renamed, it keeps its JSON column under the new name.
    renamed = "code_v2:\n          x-fastgen-renamed-from: code\n"
    spec.write_text(spec.read_text().replace("required: [code,", "required: [code_v2,"))
    spec.write_text(spec.read_text().replace("code:\n", renamed, 1))
    git(project, "commit", "-qam", "code renamed")
    update_project(project)
    models = (project / "src/wrapped/models/item.py").read_text()
    assert "code_v2: Mapped[Any] = mapped_column(JSON())" in models
    git(project, "add", "-A")
    git(project, "commit", "-qm", "updated")
    # A JSON property made a scalar by the spec: a conversion refused as before.
    inline = "inline: {allOf: [{type: string, maxLength: 5}], description: inline}"
    spec.write_text(spec.read_text().replace(inline, "inline: {type: string}"))
    git(project, "add", "-A")
    git(project, "commit", "-qm", "inline as text")
    with pytest.raises(DataLossError, match="item.inline from JSON"):
        update_project(project)
