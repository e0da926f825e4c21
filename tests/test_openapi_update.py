"""Regeneration of an OpenAPI project: a changed document (a new operation, a new ttl,
a new error body) updates the code and keeps the user's handler and error bodies and
hand edits, with ``fastgen update`` and ``fastgen check`` exactly as for a native
spec."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import copier
import pytest
import yaml

from fastgen.api import new_project, preview, update_project
from fastgen.render import template_repo
from fastgen.spec.inputs import compile_answer
from fastgen.spec.problems import SpecError

from .conftest import REPO
from .test_update import edit, git

DOCUMENT = """\
openapi: 3.0.3
info: {title: Notes, version: 1.0.0}
paths:
  /notes/{noteId}:
    get:
      operationId: getNote
      tags: [notes]
      x-fastgen-cache: {ttl: 30}
      parameters:
        - {name: noteId, in: path, required: true, schema: {type: integer}}
      responses:
        "200":
          description: a note
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Note"}
        default:
          description: an error
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Error"}
components:
  schemas:
    Error:
      type: object
      required: [message]
      properties:
        message: {type: string}
    Missing:
      type: object
      required: [code]
      properties:
        code: {type: integer}
    Note:
      type: object
      required: [id, text]
      properties:
        id: {type: integer}
        text: {type: string}
"""
NEW_OPERATION = """\
  /notes:
    get:
      operationId: listNotes
      tags: [notes]
      responses:
        "200":
          description: all notes
          content:
            application/json:
              schema:
                type: array
                items: {$ref: "#/components/schemas/Note"}
        "404":
          description: no notes
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Missing"}
"""
HANDLER = '''\
"""Body of GET /notes/{noteId}, written by the user."""

from sqlalchemy.ext.asyncio import AsyncSession

from notes import api_models


async def handle(session: AsyncSession, *, note_id: int) -> api_models.Note:
    """Every note says hello."""
    return api_models.Note(id=note_id, text="hello")
'''
ERROR_BODY = '''\
"""The Error body, as the user words it."""

from typing import Any

from notes.error_info import ErrorInfo


def body(error: ErrorInfo) -> dict[str, Any]:
    """The message, with its status."""
    return {"message": f"{error.status}: {error.message}"}
'''


def test_update_adds_an_operation_and_keeps_handlers(tmp_path: Path) -> None:
    source = tmp_path / "notes.yaml"
    source.write_text(DOCUMENT)
    project = new_project(source, tmp_path / "notes")
    assert (project / "openapi.yaml").read_text() == DOCUMENT
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    pkg = project / "src" / "notes"
    (pkg / "hooks" / "operations" / "get_note.py").write_text(HANDLER)
    (pkg / "hooks" / "errors" / "error.py").write_text(ERROR_BODY)
    router = pkg / "routers" / "notes.py"
    edit(router, '"""GET /notes/{noteId}."""', '"""One note (edited)."""')
    git(project, "commit", "-qam", "hand edits")

    spec = project / "openapi.yaml"
    edit(spec, "{ttl: 30}", "{ttl: 45}")
    edit(spec, "  /notes/{noteId}:\n", NEW_OPERATION + "  /notes/{noteId}:\n")
    git(project, "commit", "-qam", "list notes, longer ttl")
    stale = preview(project)
    assert "src/notes/routers/notes.py" in stale.changed

    result = update_project(project)
    assert result.conflicts == []
    assert (pkg / "hooks" / "operations" / "get_note.py").read_text() == HANDLER
    assert (pkg / "hooks" / "operations" / "list_notes.py").is_file()
    # a new error schema gets its hook; the user's body of the old one is kept
    assert (pkg / "hooks" / "errors" / "error.py").read_text() == ERROR_BODY
    assert '{"code": error.status}' in (pkg / "hooks/errors/missing.py").read_text()
    assert (
        '("GET", "/notes"): {"404": (missing_hook.body'
        in (pkg / "error_bodies.py").read_text()
    )
    routes = router.read_text()
    assert '"""One note (edited)."""' in routes
    assert "async def list_notes(" in routes
    assert "ttl=45," in (pkg / "cache_config.py").read_text()
    answers = (project / ".copier-answers.yml").read_text()
    assert "listNotes" in answers
    git(project, "add", "-A")
    git(project, "commit", "-qm", "updated")
    assert preview(project).clean
    ruff = [sys.executable, "-m", "ruff"]
    subprocess.run([*ruff, "check", "--quiet", "."], cwd=project, check=True)
    subprocess.run(
        [*ruff, "format", "--check", "--quiet", "."], cwd=project, check=True
    )


def test_plain_copier_copy_writes_the_models_module_fastgen_writes(
    tmp_path: Path,
) -> None:
    """Plain copier has no fastgen session: the Jinja extension compiles the answer
    itself, and api_models.py (the module the compile hands on beside the service
    model) comes out as ``fastgen new`` writes it, like every other module."""
    source = tmp_path / "notes.yaml"
    source.write_text(DOCUMENT)
    ours = new_project(source, tmp_path / "ours")
    plain = tmp_path / "plain"
    copier.run_copy(
        template_repo.template_source(),
        plain,
        data={"spec": yaml.safe_load(DOCUMENT)},
        defaults=True,
        unsafe=True,
        quiet=True,
    )
    models = "src/notes/api_models.py"
    assert "class Note(BaseModel):" in (plain / models).read_text()
    python = sorted(p.relative_to(ours) for p in ours.rglob("*.py"))
    assert python == sorted(p.relative_to(plain) for p in plain.rglob("*.py"))
    for path in python:
        assert (plain / path).read_text() == (ours / path).read_text(), path


def test_plain_copier_refuses_a_document_split_into_files(tmp_path: Path) -> None:
    """A spec answer is one document: plain ``copier update --data "spec=$(cat
    openapi.yaml)"`` of a root that refers to other files cannot follow them, and
    read as missing they turned the table into 501 stubs and deleted its model and
    hooks (an audit's finding). Refused, naming the reference, and nothing written."""
    root = yaml.safe_load(
        (
            REPO / "tests" / "specs" / "openapi" / "multifile" / "openapi.yaml"
        ).read_text()
    )
    with pytest.raises(SpecError) as refused:
        compile_answer(root, ".copier-answers.yml")
    message = str(refused.value)
    assert message.startswith(".copier-answers.yml:1:1: #/paths/~1pets/$ref: ")
    assert "'paths/pets.yaml#/paths/~1pets' is in another file" in message
    assert "run `fastgen update`" in message
    plain = tmp_path / "plain"
    with pytest.raises(SpecError):
        copier.run_copy(
            template_repo.template_source(),
            plain,
            data={"spec": root},
            defaults=True,
            unsafe=True,
            quiet=True,
        )
    assert not plain.exists() or not any(plain.iterdir())
