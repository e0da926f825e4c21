"""What a spec change means for API clients (issue 14): the breaking and compatible
changes ``fastgen update`` and ``fastgen check --base REF`` report.

Unit tests compare two specs through ``served_document`` (native) or as written
(OpenAPI) with the exact report lines; the CLI tests run ``fastgen check --base`` in a
generated project's git history for both input kinds, with its exit codes.
"""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from fastgen.api import new_project
from fastgen.render.api_changes import ApiReport, api_changes, api_report
from fastgen.render.api_contract import response_shapes, served_document
from fastgen.spec.inputs import compile_answer
from fastgen.spec.loader import load_text
from fastgen.spec.native.compile import compile_service
from fastgen.spec.native.validate import validate_data

from .conftest import EXAMPLE, git, run_fastgen

BASE = EXAMPLE.read_text()
BIO = "      bio: {type: text, required: false}\n"
PUBLISHED = "      published_on: {type: date, required: false}\n"


def native(text: str) -> dict[str, Any]:
    return served_document(compile_service(validate_data(*load_text(text, "s.yaml"))))


def lines(new_text: str, old_text: str = BASE) -> list[str]:
    return [str(change) for change in api_changes(native(old_text), native(new_text))]


def test_unchanged_spec_has_no_changes() -> None:
    assert lines(BASE) == []
    report = api_report("main", native(BASE), native(BASE))
    assert report.lines() == ["No API changes since main."]


def test_removed_field_breaks_every_operation_that_sends_or_returns_it() -> None:
    assert lines(BASE.replace(PUBLISHED, "")) == [
        "breaking: GET /books: response field `items[].published_on` removed",
        "breaking: POST /books: request field `published_on` removed",
        "breaking: POST /books: response field `published_on` removed",
        "breaking: GET /books/export: response field `body[].published_on` removed",
        "breaking: GET /books/{book_id}: response field `published_on` removed",
        "breaking: PATCH /books/{book_id}: request field `published_on` removed",
        "breaking: PATCH /books/{book_id}: response field `published_on` removed",
        "breaking: PUT /books/{book_id}: request field `published_on` removed",
        "breaking: PUT /books/{book_id}: response field `published_on` removed",
    ]


def test_a_list_filter_or_sort_key_removed_breaks_its_requests() -> None:
    """Taking isbn out of the list's filters (an explicit list: without it) and a
    sort key out of its sort: the app answers 422 to them, so the report says so."""
    listed = BASE.replace(
        "    cache:\n      get: {ttl: 600, backend: tiered}",
        "    list: {filter: [id, title, author_id], sort: [id, title]}\n"
        "    cache:\n      get: {ttl: 600, backend: tiered}",
    )
    assert listed != BASE
    said = lines(listed)
    assert "breaking: GET /books: query parameter `isbn` removed" in said
    assert "breaking: GET /books: query parameter `isbn__in` removed" in said
    assert (
        "breaking: GET /books: query parameter `sort` items enum value(s) removed: "
        "'isbn', '-isbn', 'author_id', '-author_id'"
    ) in said
    assert all(line.startswith("breaking: GET /books") for line in said), said


def test_optional_field_added_is_compatible() -> None:
    new = BASE.replace(BIO, BIO + "      country: {type: string, required: false}\n")
    assert lines(new) == [
        "compatible: GET /authors: response field `items[].country` added",
        "compatible: POST /authors: request field `country` added (optional)",
        "compatible: POST /authors: response field `country` added",
        "compatible: GET /authors/{author_id}: response field `country` added",
        (
            "compatible: PATCH /authors/{author_id}: request field `country` added "
            "(optional)"
        ),
        "compatible: PATCH /authors/{author_id}: response field `country` added",
        (
            "compatible: PUT /authors/{author_id}: request field `country` added "
            "(optional)"
        ),
        "compatible: PUT /authors/{author_id}: response field `country` added",
    ]


def test_removed_operation_and_narrowed_length() -> None:
    new = BASE.replace(
        "operations: [list, get, create, update, delete]",
        "operations: [list, get, create, update]",
    ).replace("max_length: 200", "max_length: 100")
    found = lines(new)
    assert found[0] == "breaking: DELETE /authors/{author_id}: operation removed"
    assert "breaking: POST /books: request field `title` maxLength 200 -> 100" in found
    widened = lines(BASE.replace("max_length: 200", "max_length: 300"))
    assert "compatible: POST /books: request field `title` maxLength 200 -> 300" in (
        widened
    )


def test_changed_type_and_field_made_optional() -> None:
    new = BASE.replace("price: {type: decimal}", "price: {type: float}").replace(
        "name: {type: string, max_length: 120, index: true}",
        "name: {type: string, max_length: 120, index: true, required: false}",
    )
    found = lines(new)
    assert (
        "breaking: POST /books: request field `price` type string(decimal) -> number"
        in found
    )
    assert "breaking: GET /authors/{author_id}: response field `name` may be null" in (
        found
    )
    assert "compatible: POST /authors: request field `name` accepts null" in found


def test_enum_narrowed_breaks_requests_and_widened_breaks_responses() -> None:
    old = BASE.replace(BIO, BIO + "      tier: {type: enum, values: [a, b]}\n")
    narrowed = lines(old.replace("values: [a, b]", "values: [a]"), old)
    assert (
        "breaking: POST /authors: request field `tier` enum value(s) removed: 'b'"
        in (narrowed)
    )
    assert (
        "compatible: GET /authors/{author_id}: response field `tier` enum value(s) "
        "removed: 'b'"
    ) in narrowed
    widened = lines(old.replace("values: [a, b]", "values: [a, b, c]"), old)
    assert (
        "breaking: GET /authors/{author_id}: response field `tier` enum value(s) "
        "added: 'c'"
    ) in widened
    assert (
        "compatible: POST /authors: request field `tier` enum value(s) added: 'c'"
        in (widened)
    )


def test_changed_success_status() -> None:
    new = BASE.replace("    background: true\n", "")
    assert lines(new) == [
        "breaking: POST /admin/reindex: success status 202 -> 200",
    ]


OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Pets", "version": "1.2.0"},
    "paths": {
        "/pets/{petId}": {
            "parameters": [
                {"name": "petId", "in": "path", "required": True, "schema": {}}
            ],
            "put": {
                "parameters": [
                    {"name": "dry", "in": "query", "schema": {"type": "boolean"}}
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/Pet"}
                        }
                    },
                },
                "responses": {"200": {"description": "ok"}},
            },
        }
    },
    "components": {
        "schemas": {
            "Pet": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "parent": {"$ref": "#/components/schemas/Pet"},
                    "tag": {"type": ["string", "null"]},
                },
            }
        }
    },
}


def test_openapi_request_changes() -> None:
    new = copy.deepcopy(OPENAPI)
    put = new["paths"]["/pets/{petId}"]["put"]
    put["parameters"] = [
        {"name": "reason", "in": "query", "required": True, "schema": {}}
    ]
    pet = new["components"]["schemas"]["Pet"]
    pet["required"] = ["name", "age"]
    pet["properties"]["age"] = {"type": "integer"}
    pet["properties"]["name"]["minLength"] = 3
    pet["properties"]["tag"] = {"type": "string"}
    assert [str(c) for c in api_changes(OPENAPI, new)] == [
        "breaking: PUT /pets/{petId}: query parameter `dry` removed",
        "breaking: PUT /pets/{petId}: query parameter `reason` added (required)",
        "breaking: PUT /pets/{petId}: request field `age` added (required)",
        "breaking: PUT /pets/{petId}: request field `name` minLength 1 -> 3",
        "breaking: PUT /pets/{petId}: request field `tag` no longer accepts null",
    ]


def test_openapi_fields_reached_through_all_of() -> None:
    """The petstore's Pet is allOf [NewPet, {id}]: a field of NewPet is a field of
    every Pet a client sends or gets (an audit found such changes unreported)."""
    old = copy.deepcopy(OPENAPI)
    schemas = old["components"]["schemas"]
    schemas["NewPet"] = schemas.pop("Pet")
    schemas["NewPet"]["properties"]["kind"] = {"type": "string", "enum": ["cat", "dog"]}
    schemas["Pet"] = {
        "allOf": [
            {"$ref": "#/components/schemas/NewPet"},
            {"type": "object", "required": ["id"], "properties": {"id": {}}},
        ]
    }
    new = copy.deepcopy(old)
    new_pet = new["components"]["schemas"]["NewPet"]
    new_pet["properties"]["kind"]["enum"].append("bird")
    new_pet["properties"]["label"] = new_pet["properties"].pop("tag")
    new_pet["required"] = ["name", "label"]
    assert [str(c) for c in api_changes(old, new)] == [
        "breaking: PUT /pets/{petId}: request field `label` added (required)",
        "breaking: PUT /pets/{petId}: request field `tag` removed",
        (
            "compatible: PUT /pets/{petId}: request field `kind` enum value(s) "
            "added: 'bird'"
        ),
    ]
    put = new["paths"]["/pets/{petId}"]["put"]
    put["responses"]["200"]["content"] = {
        "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}
    }
    old["paths"]["/pets/{petId}"]["put"]["responses"]["200"]["content"] = put[
        "responses"
    ]["200"]["content"]
    changes = [str(c) for c in api_changes(old, new)]
    assert (
        "breaking: PUT /pets/{petId}: response field `kind` enum value(s) added: "
        "'bird'" in changes
    )
    assert "breaking: PUT /pets/{petId}: response field `tag` removed" in changes


def test_openapi_success_statuses() -> None:
    """A documented success status removed breaks a client; one added does not."""
    new = copy.deepcopy(OPENAPI)
    responses = new["paths"]["/pets/{petId}"]["put"]["responses"]
    responses["201"] = {"description": "created"}
    assert [str(c) for c in api_changes(OPENAPI, new)] == [
        "compatible: PUT /pets/{petId}: success status 201 added",
    ]
    del responses["200"]
    assert [str(c) for c in api_changes(OPENAPI, new)] == [
        "breaking: PUT /pets/{petId}: success status 200 -> 201",
    ]


def test_openapi_renamed_path_parameter_and_new_operation() -> None:
    """A path parameter is its place in the path: renaming it changes no request."""
    new = copy.deepcopy(OPENAPI)
    item = new["paths"].pop("/pets/{petId}")
    item["parameters"][0]["name"] = "id"
    item["delete"] = {"responses": {"204": {"description": "gone"}}}
    new["paths"]["/pets/{id}"] = item
    assert [str(c) for c in api_changes(OPENAPI, new)] == [
        "compatible: DELETE /pets/{id}: operation added",
    ]
    item["parameters"][0]["schema"] = {"type": "integer"}
    item["put"]["parameters"][0]["schema"] = {"type": "string"}
    assert [str(c) for c in api_changes(OPENAPI, new)] == [
        "breaking: PUT /pets/{id}: query parameter `dry` type boolean -> string",
        "compatible: DELETE /pets/{id}: operation added",
    ]


@pytest.mark.parametrize(
    ("old", "new", "bumped"),
    [("1.2.0", "2.0.0", True), ("1.2.0", "1.3.0", False), ("v1", "v2", True)],
)
def test_major_bump(old: str, new: str, bumped: bool) -> None:
    assert ApiReport("main", (), old, new).major_bumped is bumped


# -- the CLI, in a generated project's history ------------------------------------


def _project(tmp_path: Path, name: str, text: str) -> Path:
    source = tmp_path / name
    source.write_text(text)
    project = new_project(source, tmp_path / "project")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    return project


def _change_spec(project: Path, spec: str, old: str, new: str) -> str:
    """Edit the spec, update the code (refusals aside), commit; the update's stdout."""
    path = project / spec
    path.write_text(path.read_text().replace(old, new))
    git(project, "commit", "-qam", "spec change")
    updated = run_fastgen("update", "--allow-data-loss", "-p", str(project))
    assert updated.returncode == 0, updated.stderr
    git(project, "add", "-A")
    git(project, "commit", "-qm", "updated")
    return updated.stdout


def test_native_check_base_fails_on_a_breaking_change(tmp_path: Path) -> None:
    project = _project(tmp_path, "bookstore.yaml", BASE)
    git(project, "tag", "base")
    drop_delete = ("[list, get, create, update, delete]", "[list, get, create, update]")
    updated = _change_spec(project, "fastgen.yaml", *drop_delete)
    report = [
        "API changes since the last update (1 breaking, 0 compatible):",
        "  breaking: DELETE /authors/{author_id}: operation removed",
    ]
    assert updated.splitlines()[-2:] == report

    checked = run_fastgen("check", "--base", "base", "-p", str(project))
    assert checked.returncode == 1
    assert checked.stdout.splitlines() == [
        "Up to date with the spec file.",
        "API changes since base (1 breaking, 0 compatible):",
        "  breaking: DELETE /authors/{author_id}: operation removed",
    ]
    assert checked.stderr == (
        "error: 1 breaking API change since base: bump the major of the spec's "
        "version (now 0.1.0) or pass --allow-breaking.\n"
    )
    allowed = run_fastgen(
        "check", "--base", "base", "--allow-breaking", "-p", str(project)
    )
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stdout.splitlines()[-1] == (
        "Breaking changes allowed by --allow-breaking."
    )
    _change_spec(project, "fastgen.yaml", "version: 0.1.0", "version: 1.0.0")
    bumped = run_fastgen("check", "--base", "base", "-p", str(project))
    assert bumped.returncode == 0, bumped.stderr
    assert bumped.stdout.splitlines()[-1] == (
        "Breaking changes allowed: the version's major went up (0.1.0 -> 1.0.0)."
    )


def test_native_check_base_passes_a_compatible_change(tmp_path: Path) -> None:
    project = _project(tmp_path, "bookstore.yaml", BASE)
    new_field = BIO + "      country: {type: string, required: false}\n"
    _change_spec(project, "fastgen.yaml", BIO, new_field)
    checked = run_fastgen("check", "--base", "HEAD~2", "-p", str(project))
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.splitlines()[1] == (
        "API changes since HEAD~2 (0 breaking, 8 compatible):"
    )
    same = run_fastgen("check", "--base", "HEAD", "-p", str(project))
    assert same.stdout.splitlines() == [
        "Up to date with the spec file.",
        "No API changes since HEAD.",
    ]


def test_a_nel_in_a_spec_string_survives_the_stored_answer(tmp_path: Path) -> None:
    """U+0085 (NEL) reads back from YAML as a line break unless it is escaped: the
    answer copier stores (and renders an update's old side from) must be the spec,
    or the update reports enum values added and removed that no one changed."""
    tier = '      tier: {type: enum, values: ["n\\x85l", "l\\u2028\\x85s"]}\n'
    project = _project(tmp_path, "bookstore.yaml", BASE.replace(BIO, BIO + tier))
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    spec = yaml.safe_load((project / "fastgen.yaml").read_text())
    assert spec["resources"]["author"]["fields"]["tier"]["values"][0] == "n\x85l"
    assert answers["spec"] == spec
    new_field = BIO + "      country: {type: string, required: false}\n"
    updated = _change_spec(project, "fastgen.yaml", BIO, new_field)
    assert "API changes since the last update (0 breaking, 8 compatible):" in updated


def test_check_base_names_a_bad_ref(tmp_path: Path) -> None:
    project = _project(tmp_path, "bookstore.yaml", BASE)
    checked = run_fastgen("check", "--base", "nope", "-p", str(project))
    assert checked.returncode == 1
    assert checked.stderr == (
        f"error: nope is not a commit of {project.resolve()}'s repository\n"
    )
    (project / "fastgen.yaml").rename(project / "moved.yaml")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "moved")
    (project / "moved.yaml").rename(project / "fastgen.yaml")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "back")
    missing = run_fastgen("check", "--base", "HEAD~1", "-p", str(project))
    assert missing.returncode == 1
    assert missing.stderr == (
        "error: fastgen.yaml does not exist at HEAD~1: nothing to compare with\n"
    )


NOTES = """\
openapi: 3.0.3
info: {title: Notes, version: 1.0.0}
paths:
  /notes:
    post:
      operationId: createNote
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/NoteIn"}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Note"}
components:
  schemas:
    NoteIn:
      type: object
      required: [text]
      properties:
        text: {type: string, maxLength: 200}
    Note:
      type: object
      required: [id, text]
      properties:
        id: {type: integer}
        text: {type: string}
"""


def test_openapi_check_base(tmp_path: Path) -> None:
    project = _project(tmp_path, "notes.yaml", NOTES)
    new_required = "      required: [text]\n      properties:\n        text: {type: string, maxLength: 200}\n"
    _change_spec(
        project,
        "openapi.yaml",
        new_required,
        new_required.replace("[text]", "[text, title]")
        + "        title: {type: string}\n",
    )
    checked = run_fastgen("check", "--base", "HEAD~2", "-p", str(project))
    assert checked.returncode == 1
    assert checked.stdout.splitlines() == [
        "Up to date with the spec file.",
        "API changes since HEAD~2 (1 breaking, 0 compatible):",
        "  breaking: POST /notes: request field `title` added (required)",
    ]
    assert checked.stderr == (
        "error: 1 breaking API change since HEAD~2: bump the major of the spec's "
        "version (now 1.0.0) or pass --allow-breaking.\n"
    )
    _change_spec(project, "openapi.yaml", "version: 1.0.0", "version: 2.0.0")
    bumped = run_fastgen("check", "--base", "HEAD~4", "-p", str(project))
    assert bumped.returncode == 0, bumped.stderr


def test_ci_workflow_reports_api_changes_on_pull_requests(bookstore: Path) -> None:
    workflow = yaml.safe_load((bookstore / ".github/workflows/ci.yml").read_text())
    steps = workflow["jobs"]["fastgen-check"]["steps"]
    assert steps[0]["with"] == {"fetch-depth": 0}
    on_pr = [s for s in steps if s.get("if") == "github.event_name == 'pull_request'"]
    assert len(on_pr) == 1
    assert 'fastgen check --base "origin/$GITHUB_BASE_REF"' in on_pr[0]["run"]
    assert '>> "$GITHUB_STEP_SUMMARY"' in on_pr[0]["run"]


def _shapes(text: str) -> dict[str, str]:
    data, positions = load_text(text, "s.yaml")
    return response_shapes(data, compile_service(validate_data(data, positions)))


def test_cache_shapes_change_only_with_their_response() -> None:
    """The fingerprint that keeps two versions' cache entries apart (rolling deploy)."""
    before = _shapes(BASE)
    assert set(before) == {
        "author.list",
        "author.get",
        "book.list",
        "book.get",
        "author_stats",
    }
    after = _shapes(BASE.replace(PUBLISHED, ""))
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"book.list", "book.get"}
    # A cache setting is no change of shape.
    assert _shapes(BASE.replace("get: {ttl: 600,", "get: {ttl: 700,")) == before


def test_cache_shapes_of_an_openapi_document() -> None:
    document = yaml.safe_load(NOTES.replace("operationId: createNote", "x: 1"))
    document["paths"]["/notes/{noteId}"] = {
        "get": {
            "x-fastgen-cache": {"ttl": 30},
            "parameters": [
                {"name": "noteId", "in": "path", "required": True, "schema": {}}
            ],
            "responses": {
                "200": {
                    "description": "a note",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/Note"}
                        }
                    },
                }
            },
        }
    }
    model = compile_answer(document, "openapi.yaml").model
    before = response_shapes(document, model)
    assert list(before) == [model.policies[0].name]
    wider = copy.deepcopy(document)
    wider["components"]["schemas"]["Note"]["properties"]["tag"] = {"type": "string"}
    wider_model = compile_answer(wider, "openapi.yaml").model
    assert response_shapes(wider, wider_model) != before


REAL_CONTRACT = """\
import json
from bookstore.main import create_app

document = create_app().openapi()
operations = {
    f"{method.upper()} {path}": sorted(c for c in op["responses"] if c[0] == "2")
    for path, item in document["paths"].items()
    for method, op in item.items()
}
bodies = {
    name: [sorted(schema["properties"]), sorted(schema.get("required", []))]
    for name, schema in document["components"]["schemas"].items()
    if name.startswith(("Author", "Book"))
}
parameters = {
    f"GET {path}": sorted(p["name"] for p in item["get"].get("parameters", []))
    for path, item in document["paths"].items()
    if "get" in item and not path.startswith(("/healthz", "/readyz"))
}
print(json.dumps([operations, bodies, parameters]))
"""


@pytest.mark.e2e
def test_served_document_agrees_with_the_apps_own(
    bookstore: Path, shared_venv: Path
) -> None:
    """The native contract the report compares is the one the app serves: the same
    operations, success statuses, body fields and required fields."""
    result = subprocess.run(
        [shared_venv / "bin" / "python", "-c", REAL_CONTRACT],
        cwd=bookstore,
        capture_output=True,
        text=True,
        check=True,
    )
    real_operations, real_bodies, real_parameters = json.loads(
        result.stdout.splitlines()[-1]
    )
    ours = native(BASE)
    operations = {
        f"{method.upper()} {path}": sorted(c for c in op["responses"] if c[0] == "2")
        for path, item in ours["paths"].items()
        for method, op in item.items()
    }
    probes = {"GET /healthz": ["200"], "GET /readyz": ["200"]}
    assert real_operations == operations | probes
    bodies = {
        name: [sorted(schema["properties"]), schema["required"]]
        for name, schema in ours["components"]["schemas"].items()
    }
    assert {name: real_bodies[name] for name in bodies} == bodies
    # ... and the query parameters of each read: a list's filters, sort, cursor...
    parameters = {
        f"GET {path}": sorted(p["name"] for p in item["get"].get("parameters", []))
        for path, item in ours["paths"].items()
        if "get" in item
    }
    assert real_parameters == parameters
