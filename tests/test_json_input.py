"""A ``.json`` spec or OpenAPI document is read as JSON: JSON's syntax errors,
located, and the same data and positions the YAML reader gives valid JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fastgen.spec import loader
from fastgen.spec.inputs import read_input_file
from fastgen.spec.problems import SpecError

from .conftest import git, run_fastgen
from .test_openapi_corpus import CORPUS

NATIVE = {
    "fastgen": 1,
    "service": {"name": "shop"},
    "resources": {"item": {"path": "/items", "fields": {"name": {"type": "string"}}}},
}


def problems(path: Path) -> list[str]:
    with pytest.raises(SpecError) as caught:
        read_input_file(path)
    return [str(p).removeprefix(f"{path}:") for p in caught.value.problems]


def test_valid_json_reads_as_the_yaml_reader_reads_it() -> None:
    """Same data, same position for every value and key (the YAML reader's, which
    the validation messages were made with)."""
    name = "opc-baseline-3.0.json"
    text = (CORPUS / name).read_text()
    as_yaml, yaml_positions = loader._load(loader.PURE_LOADER, text, name)
    as_json, json_positions = loader.load_text(text, name)
    assert as_json == as_yaml
    assert json_positions.values == yaml_positions.values
    assert json_positions.keys == yaml_positions.keys


def test_a_missing_comma_is_invalid_json_where_it_is_missing(tmp_path: Path) -> None:
    spec = tmp_path / "bad2.json"
    spec.write_text(
        '{\n  "openapi": "3.0.3"\n  "info": {"title": "x", "version": "1"},\n'
        '  "paths": {}\n}\n'
    )
    result = run_fastgen("validate", str(spec))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"{spec}:3:3: invalid JSON: a ',' is missing before this (between two entries)",
        "1 problem found.",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            '{\n  "fastgen": 1,\n  "service": {"name": "shop",},\n}',
            "3:29: invalid JSON: a trailing comma before '}' (JSON allows none)",
            id="trailing-comma-in-an-object",
        ),
        pytest.param(
            '{"fastgen": 1,\n "resources": {"a": {"operations": ["list",\n  ]}}}',
            "2:43: invalid JSON: a trailing comma before ']' (JSON allows none)",
            id="trailing-comma-in-an-array",
        ),
        pytest.param(
            "{'fastgen': 1}",
            "1:2: invalid JSON: expected a key in double quotes (JSON has no single "
            "quotes or bare keys)",
            id="single-quotes",
        ),
        pytest.param(
            '{"fastgen": 1, "x": NaN}',
            "1:21: invalid JSON: NaN is not a JSON value (JSON has no NaN or Infinity)",
            id="nan",
        ),
        pytest.param(
            '{"fastgen": 1,\n "fastgen": 2}',
            "2:2: duplicate key 'fastgen'; each key may appear once",
            id="duplicate-key",
        ),
        pytest.param("\n  \n", "1:1: the document is empty", id="empty"),
    ],
)
def test_json_syntax_is_json_s(tmp_path: Path, text: str, expected: str) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(text)
    assert problems(spec) == [expected]


def test_a_spec_problem_in_json_is_located(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    data = json.loads(json.dumps(NATIVE))
    data["service"]["titel"] = "Shop"
    spec.write_text(json.dumps(data, indent=2))
    assert problems(spec) == [
        (
            "5:5: unknown key 'titel' in service; expected one of: name, title, "
            "version, description (did you mean 'title'?)"
        )
    ]


def test_json_numbers_are_json_s(tmp_path: Path) -> None:
    """1e5 is a number in JSON (YAML 1.1 reads a string)."""
    data, _ = loader.load_text('{"a": 1e5, "b": -2, "c": 0.5}', "x.json")
    assert data == {"a": 100000.0, "b": -2, "c": 0.5}
    assert isinstance(data["b"], int)


def test_a_yaml_file_is_still_read_as_yaml() -> None:
    data, positions = loader.load_text(
        "{fastgen: 1, service: {name: shop,},}", "x.yaml"
    )
    assert data == {"fastgen": 1, "service": {"name": "shop"}}
    assert positions.keys[("service", "name")] == (1, 24)


def test_a_referenced_json_file_is_read_as_json(tmp_path: Path) -> None:
    (tmp_path / "pet.json").write_text('{"type": "object",\n "properties": {},\n}\n')
    root = tmp_path / "openapi.yaml"
    root.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n"
        "    get:\n      responses:\n        '200':\n          description: ok\n"
        "          content:\n            application/json:\n"
        "              schema: {$ref: 'pet.json'}\n"
    )
    expected = (
        f"{tmp_path / 'pet.json'}:2:18: invalid JSON: a trailing comma before '}}' "
        "(JSON allows none)"
    )
    assert problems(root) == [expected]


def test_a_project_made_from_json_reads_its_spec_as_json(tmp_path: Path) -> None:
    """The project keeps the document as written, in openapi.yaml: later commands
    read it as JSON too (as YAML, 1e5 was a string and `check` crashed comparing
    it with the number `new` had read)."""
    document = {
        "openapi": "3.0.3",
        "info": {"title": "pets", "version": "1", "description": "\U0001f600"},
        "paths": {
            "/pets": {
                "get": {
                    "operationId": "listPets",
                    "parameters": [
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "maximum": 1e5},
                        }
                    ],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }
    spec = tmp_path / "pets.json"
    spec.write_text(json.dumps(document, indent=2))  # the emoji as \ud83d\ude00
    project = tmp_path / "pets"
    assert run_fastgen("new", str(spec), "-o", str(project)).returncode == 0
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    checked = run_fastgen("check", cwd=project)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Up to date" in checked.stdout


def test_json_nested_too_deeply_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    spec = tmp_path / "deep.json"
    spec.write_text('{"a": ' + "[" * 600 + "]" * 600 + "}")
    assert problems(spec) == ["1:1: invalid JSON: nested too deeply"]
