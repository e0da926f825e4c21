"""Warnings reach the terminal located, once each, and ``--strict`` refuses them.

datamodel-code-generator reports through Python's ``warnings`` (and model_writer,
writing the models of plain documents without it, returns the same messages); the
corpus's uspto.yaml has a format neither knows (``uriref``, on two properties).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import REPO, run_fastgen

USPTO = REPO / "tests" / "corpus" / "uspto.yaml"
FORMAT_WARNINGS = [
    f"{USPTO}:{line}:25: warning: #/components/schemas/dataSetList/properties/apis/"
    f"items/properties/{name}/format: format 'uriref' is not one fastgen knows for "
    "type string; read as a plain string"
    for line, name in ((205, "apiUrl"), (209, "apiDocumentationUrl"))
]
WARN = REPO / "tests" / "specs" / "openapi" / "warn"


def test_new_prints_each_library_warning_once_located(tmp_path: Path) -> None:
    result = run_fastgen("new", str(USPTO), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == FORMAT_WARNINGS
    assert "UserWarning" not in result.stderr + result.stdout
    assert "site-packages" not in result.stderr + result.stdout


def test_new_without_output_reads_the_document_once(tmp_path: Path) -> None:
    """The directory name comes from the same read as the project."""
    result = run_fastgen("new", str(USPTO), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == FORMAT_WARNINGS
    assert (tmp_path / "uspto_data_set_api" / "openapi.yaml").is_file()


def test_warnings_as_errors_in_python_do_not_crash(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-W", "error", "-m", "fastgen", "validate", str(USPTO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == FORMAT_WARNINGS
    assert result.stdout.strip() == f"{USPTO}: ok (2 warnings)"


def test_validate_prints_the_documents_warnings() -> None:
    spec = WARN / "default-type.yaml"
    result = run_fastgen("validate", str(spec))
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        (
            f"{spec}:9:44: warning: #/paths/~1pets/get/parameters/0/schema/default: "
            'default "false" is a string but the schema\'s type is boolean; read as false'
        )
    ]
    assert result.stdout.strip() == f"{spec}: ok (1 warning)"


def test_strict_validate_refuses_warnings() -> None:
    spec = WARN / "default-type.yaml"
    result = run_fastgen("validate", "--strict", str(spec))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        (
            f"{spec}:9:44: #/paths/~1pets/get/parameters/0/schema/default: "
            'default "false" is a string but the schema\'s type is boolean; read as '
            "false (an error with --strict)"
        ),
        "1 problem found.",
    ]


def test_strict_new_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_fastgen("new", "--strict", str(USPTO), "-o", str(out))
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == "2 problems found; nothing written."
    assert "format 'uriref'" in result.stderr
    assert not out.exists()


def test_strict_accepts_a_spec_without_warnings(tmp_path: Path) -> None:
    spec = REPO / "examples" / "bookstore.yaml"
    result = run_fastgen("validate", "--strict", str(spec))
    assert result.returncode == 0
    assert result.stderr == ""


def test_a_message_naming_a_schema_is_located_at_it() -> None:
    from fastgen.spec.loader import load_text
    from fastgen.spec.openapi import SourceMap
    from fastgen.spec.openapi.model_warnings import locate_model_warnings
    from fastgen.spec.openapi.models import ModelSet

    text = "components:\n  schemas:\n    pet-owner:\n      type: object\n"
    document, positions = load_text(text, "api.yaml")
    models = ModelSet(document["components"]["schemas"], "3.1.0")
    said = models._document_pointers(
        "#/components/schemas/PetOwner/properties/x: admits no value"
    )
    assert said == "#/components/schemas/pet-owner/properties/x: admits no value"
    problems = locate_model_warnings(
        (said, "something else"), document, SourceMap(positions)
    )
    assert [str(p) for p in problems] == [
        (
            "api.yaml:4:7: #/components/schemas/pet-owner: datamodel-code-generator: "
            "#/components/schemas/pet-owner/properties/x: admits no value"
        ),
        "api.yaml:1:1: #: datamodel-code-generator: something else",
    ]


def test_required_on_a_property_makes_the_field_required() -> None:
    from fastgen.render.api_code import api_models_module
    from fastgen.spec.inputs import read_input_file

    read = read_input_file(WARN / "required-on-property.yaml")
    assert read.model.api is not None and read.models_source is not None
    module = api_models_module(read.models_source)
    assert "class Pet(BaseModel):\n    name: str\n" in module
    assert [w.message.split(": ", 1)[0] for w in read.warnings] == [
        "#/components/schemas/Pet/properties/name/required"
    ]


def test_strict_refuses_what_is_read_as_meant(tmp_path: Path) -> None:
    spec = WARN / "default-null.yaml"
    out = tmp_path / "out"
    result = run_fastgen("new", "--strict", str(spec), "-o", str(out))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        (
            f"{spec}:7:67: #/paths/~1pets/get/parameters/0/schema/default: default: null "
            "but the schema is not nullable; read as no default (an error with --strict)"
        ),
        "1 problem found; nothing written.",
    ]
    assert not out.exists()


def test_check_names_the_projects_file_and_strict_refuses(tmp_path: Path) -> None:
    project = tmp_path / "uspto"
    assert run_fastgen("new", str(USPTO), "-o", str(project)).returncode == 0
    identity = ("-c", "user.name=t", "-c", "user.email=t@localhost")
    for args in (("init", "-q"), ("add", "-A"), (*identity, "commit", "-qm", "new")):
        subprocess.run(["git", *args], cwd=project, check=True)
    spec = project / "openapi.yaml"
    located = [line.replace(str(USPTO), str(spec)) for line in FORMAT_WARNINGS]
    result = run_fastgen("check", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == located
    strict = run_fastgen("check", "--strict", cwd=project)
    assert strict.returncode == 2
    assert strict.stderr.splitlines()[-1] == "2 problems found."
    assert strict.stderr.startswith(f"{spec}:205:25: ")


def test_parameters_are_read_as_meant() -> None:
    from fastgen.spec.openapi import read_openapi

    (query,) = read_openapi(WARN / "location-case.yaml").operations[0].parameters
    assert (query.location, query.required) == ("query", False)
    (needed,) = read_openapi(WARN / "required-string.yaml").operations[0].parameters
    assert needed.required is True
    (typed,) = read_openapi(WARN / "type-case.yaml").operations[0].parameters
    assert typed.schema is not None and typed.schema.schema == {"type": "integer"}
    (named,) = read_openapi(WARN / "default-null.yaml").operations[0].parameters
    assert named.schema is not None and named.schema.schema == {"type": "string"}
    (get,) = read_openapi(WARN / "uppercase-method.yaml").operations
    assert (get.method, get.path) == ("GET", "/pets")
