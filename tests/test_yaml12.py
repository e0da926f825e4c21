"""Specs and OpenAPI documents are read by YAML 1.2's core schema: an unquoted ``NO``,
``on`` or ``yes`` is the string written, not a boolean (YAML 1.1), and stays one in
the answers file copier writes and reads back."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fastgen.api import new_project
from fastgen.copier_ext import nice_yaml, spec_differs_from_file
from fastgen.render.update import stored_spec
from fastgen.spec import loader
from fastgen.spec.inputs import read_input_file

from .conftest import git, run_fastgen

YAML11 = """\
openapi: 3.0.3
info: {title: Switches, version: 1.0.0}
paths:
  /switches:
    post:
      operationId: createSwitch
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Switch'}
      responses:
        '201':
          description: created
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Switch'}
  /switches/{id}:
    get:
      operationId: getSwitch
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Switch'}
components:
  schemas:
    Switch:
      x-fastgen-resource: {path: /switches}
      type: object
      required: [country, state]
      properties:
        id: {type: integer, readOnly: true}
        country: {type: string, enum: [NL, NO, SE]}
        state: {type: string, enum: [on, off]}
        on: {type: string}
"""

NATIVE = """\
fastgen: 1
service: {name: shop}
resources:
  item:
    path: /items
    fields:
      country: {type: enum, values: [NL, NO, SE], default: NO}
      y: {type: string, required: false}
"""


@pytest.mark.parametrize("loader_class", [loader.PURE_LOADER, loader.FAST_LOADER])
def test_only_true_and_false_are_booleans(loader_class: type) -> None:
    text = (
        "a: [NO, no, on, Off, yes, Y, n, true, False, TRUE]\n"
        "b: [012, 0o17, 0x1F, 1_000, '1', 1:30, 1e3, .5, -.inf, 0b11]\n"
        "c: [~, null, 2024-01-01]\n"
        "true: on\n"
    )
    data, positions = loader._load(loader_class, text, "x.yaml")
    assert data == {
        "a": ["NO", "no", "on", "Off", "yes", "Y", "n", True, False, True],
        "b": [12, 15, 31, "1_000", "1", "1:30", 1000.0, 0.5, float("-inf"), "0b11"],
        "c": [None, None, "2024-01-01"],
        "true": "on",
    }
    assert positions.of(("a", 2)) == (1, 13)
    assert positions.of(("true",), key=True) == (4, 1)


def test_an_openapi_document_keeps_its_strings(tmp_path: Path) -> None:
    path = tmp_path / "switches.yaml"
    path.write_text(YAML11)
    read = read_input_file(path)
    schema = read.answer["components"]["schemas"]["Switch"]["properties"]
    assert schema["country"]["enum"] == ["NL", "NO", "SE"]
    assert schema["state"]["enum"] == ["on", "off"]
    (table,) = read.model.resources
    assert [f.name for f in table.fields] == ["country", "state", "on"]
    assert "Literal['NL', 'NO', 'SE']" in read.models_source
    assert "Literal['on', 'off']" in read.models_source
    assert "True" not in read.models_source


def test_a_native_spec_keeps_its_strings(tmp_path: Path) -> None:
    path = tmp_path / "fastgen.yaml"
    path.write_text(NATIVE)
    read = read_input_file(path)
    (item,) = read.model.resources
    country, y = item.fields
    assert (country.enum_values, country.default_value) == (("NL", "NO", "SE"), "NO")
    assert y.name == "y"


def test_the_answers_file_reads_back_the_same_strings(tmp_path: Path) -> None:
    """copier reads ``.copier-answers.yml`` with PyYAML (YAML 1.1): the strings 1.1
    would take for something else are written quoted, so ``fastgen update``'s old
    side is the spec that was rendered."""
    path = tmp_path / "fastgen.yaml"
    path.write_text(NATIVE)
    answer = read_input_file(path).answer
    assert yaml.safe_load(nice_yaml({"spec": answer})) == {"spec": answer}
    tricky = ["NO", "on", "y", "1:30", "012", "2024-01-01", "1_000", "0b11"]
    assert yaml.safe_load(nice_yaml({"s": tricky})) == {"s": tricky}
    assert not spec_differs_from_file(answer, tmp_path)


def test_fastgen_update_keeps_the_strings(tmp_path: Path) -> None:
    """The old side of an update is the stored answer, read by copier: ``NO`` is
    still Norway there, so the update changes only what the spec changed."""
    spec = tmp_path / "fastgen.yaml"
    spec.write_text(NATIVE)
    project = new_project(spec, tmp_path / "shop")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    native = project / "fastgen.yaml"
    native.write_text(native.read_text().replace("[NL, NO, SE]", "[NL, NO, SE, on]"))
    git(project, "commit", "-qam", "one more value")
    result = run_fastgen("update", cwd=project)
    assert result.returncode == 0, result.stderr
    country = stored_spec(project)["resources"]["item"]["fields"]["country"]
    assert country == {
        "type": "enum",
        "values": ["NL", "NO", "SE", "on"],
        "default": "NO",
    }
    model = (project / "src" / "shop" / "models" / "item.py").read_text()
    assert '"NO"' in model and "False" not in model
    git(project, "add", "-A")
    git(project, "commit", "-qm", "updated")
    assert run_fastgen("check", cwd=project).returncode == 0
