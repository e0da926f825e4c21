"""Discriminated unions whose variants write the discriminator property as a plain
string: the mapping (or a variant's name) says which value selects which, and the
models must let pydantic tell them apart, or ``validate`` says where they cannot."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Annotated, Any

import pytest
from pydantic import Field, TypeAdapter, ValidationError

from fastgen.render.api_code import api_models_module
from fastgen.spec.inputs import read_input_file
from fastgen.spec.problems import SpecError

# A form and a JSON body of an inline union (no component is the union, so no
# model of it tells the generator about the discriminator), and a webhook's form:
# Note is mapped, Task selected by its name.
UNTAGGED = """\
openapi: 3.1.0
info: {title: Notes, version: 1.0.0}
paths:
  /notes:
    post:
      operationId: addNote
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema: &entry
              oneOf:
                - $ref: '#/components/schemas/Note'
                - $ref: '#/components/schemas/Task'
              discriminator:
                propertyName: kind
                mapping: {note: '#/components/schemas/Note'}
          application/json:
            schema: *entry
      responses: {'204': {description: added}}
webhooks:
  noteAdded:
    post:
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema: *entry
      responses: {'204': {description: received}}
components:
  schemas:
    Note:
      type: object
      required: [text]
      properties:
        kind: {type: string}
        text: {type: string}
    Task:
      type: object
      required: [kind, due]
      properties:
        kind: {type: string}
        due: {type: string}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "openapi.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def models(tmp_path: Path, text: str) -> dict[str, Any]:
    read = read_input_file(write(tmp_path, text))
    assert read.models_source is not None
    module = types.ModuleType("notes_api_models")
    sys.modules[module.__name__] = module  # where pydantic resolves its annotations
    exec(api_models_module(read.models_source), module.__dict__)  # noqa: S102
    return module.__dict__


def test_plain_string_variants_are_told_apart_by_the_mapping(tmp_path: Path) -> None:
    namespace = models(tmp_path, UNTAGGED)
    note, task = namespace["Note"], namespace["Task"]
    # as media_types.FormBody and JsonBody read the union (media_types._told_apart)
    union = TypeAdapter(Annotated[note | task, Field(discriminator="kind")])
    assert type(union.validate_python({"kind": "note", "text": "hi"})) is note
    assert type(union.validate_python({"kind": "Task", "due": "today"})) is task
    with pytest.raises(ValidationError, match="union_tag_invalid"):
        union.validate_python({"kind": "task", "due": "today"})
    with pytest.raises(ValidationError, match="union_tag_not_found"):
        union.validate_python({"text": "no kind"})  # the property is required now


def test_a_value_selecting_two_variants_is_a_located_error(tmp_path: Path) -> None:
    crossed = UNTAGGED.replace(
        "  schemas:\n",
        "  schemas:\n"
        "    Crossed:\n"
        "      oneOf: [{$ref: '#/components/schemas/Note'}, "
        "{$ref: '#/components/schemas/Task'}]\n"
        "      discriminator:\n"
        "        propertyName: kind\n"
        "        mapping: {note: '#/components/schemas/Task'}\n",
        1,
    )
    with pytest.raises(SpecError) as error:
        read_input_file(write(tmp_path, crossed))
    found = {(p.line, p.column, p.message) for p in error.value.problems}

    def said(first: str, second: str) -> str:
        return (
            f"discriminator: kind 'note' selects both {first} and {second} (another "
            "union maps it so): the variants cannot be told apart"
        )

    body = "#/paths/~1notes/post/requestBody/content/{}/schema/"
    assert found == {
        (15, 15, body.format("multipart~1form-data") + said("Note", "Task")),
        (15, 15, body.format("application~1json") + said("Note", "Task")),
        (
            15,
            15,
            "#/webhooks/noteAdded/post/requestBody/content/"
            "application~1x-www-form-urlencoded/schema/" + said("Note", "Task"),
        ),
        (34, 7, "#/components/schemas/Crossed/" + said("Task", "Note")),
    }


def test_a_discriminator_property_of_no_string_is_a_located_error(
    tmp_path: Path,
) -> None:
    numbered = UNTAGGED.replace(
        "        kind: {type: string}\n        due:",
        "        kind: {type: integer}\n        due:",
    )
    with pytest.raises(SpecError) as error:
        read_input_file(write(tmp_path, numbered))
    problem = error.value.problems[0]
    assert (problem.line, problem.column) == (15, 15)
    assert problem.message.endswith(
        "discriminator: discriminator property 'kind' of Task is not a string: its "
        "values cannot be the mapping's"
    )


def test_a_discriminator_property_no_identifier_is_told_by_its_field(
    tmp_path: Path,
) -> None:
    """pydantic looks a discriminator up by the field that holds it: ``item-kind``
    is the field ``item_kind`` (its alias), in a body read by media_types and in a
    webhook's form, as in the models."""
    text = UNTAGGED.replace("kind", "item-kind")
    read = read_input_file(write(tmp_path, text))
    api = read.model.api
    assert api is not None
    (body,) = api.operations[0].params
    assert {media.discriminator for media in body.media} == {"item_kind"}
    (sent,) = api.webhooks[0].params
    assert sent.discriminator == "item_kind"
    namespace = models(tmp_path, text)
    note, task = namespace["Note"], namespace["Task"]
    union = TypeAdapter(Annotated[note | task, Field(discriminator="item_kind")])
    assert type(union.validate_python({"item-kind": "Task", "due": "now"})) is task
