"""A JSON column's schema widened in a pull request: ``fastgen update`` applies it
and the migrated app still answers the rows stored before; a narrowing is still
refused (exit 1, nothing written).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fastgen.api import new_project

from .conftest import git, install_project, migrate_and_run, run_fastgen

SPEC = """\
openapi: "3.1.0"
info: {title: Shop, version: 1.0.0}
x-fastgen:
  service: {name: shop}
paths:
  /things:
    get:
      operationId: listThings
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Thing'}}
    post:
      operationId: createThing
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Thing'}
      responses:
        '201':
          description: created
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
components:
  schemas:
    Thing:
      x-fastgen-resource: {path: /things, id: id, table: things}
      type: object
      required: [id, label]
      properties:
        id: {type: integer, readOnly: true}
        label: {type: string, maxLength: 30}
        tags: {type: array, items: {type: string, maxLength: 3}, maxItems: 2}
        size: {$ref: '#/components/schemas/Size'}
    Size:
      type: object
      required: [w, unit]
      properties:
        w: {type: integer, minimum: 0, maximum: 10}
        unit: {type: string, enum: [cm, in]}
"""

# Every change here takes every value the old schema took.
WIDENINGS = (
    ("maxLength: 3}, maxItems: 2}", "maxLength: 8, description: a tag}, maxItems: 5}"),
    ("required: [w, unit]", "required: [w]"),
    ("minimum: 0, maximum: 10}", "minimum: -5, maximum: 100}"),
    ("enum: [cm, in]}", "enum: [cm, in, mm]}\n        note: {type: [string, 'null']}"),
)

STORE = """
import json
from fastapi.testclient import TestClient
from shop.main import app

with TestClient(app) as client:
    for body in json.loads(__import__("sys").argv[1]):
        assert client.post("/things", json=body).status_code == 201
    listed = client.get("/things")
print(json.dumps([listed.status_code, listed.json()]))
"""

OLD_ROWS = [
    {"label": "a", "tags": ["x", "yyy"], "size": {"w": 10, "unit": "in"}},
    {"label": "b", "tags": [], "size": {"w": 0, "unit": "cm"}},
    {"label": "c"},
]


def _app(project: Path, python: Path, db: Path, rows: list[object]) -> list[object]:
    answered: list[object] = migrate_and_run(
        python, project, db, STORE, json.dumps(rows)
    )
    return answered


@pytest.mark.e2e
def test_a_widened_json_schema_updates_and_old_rows_still_answer(
    tmp_path: Path, shared_venv: Path
) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text(SPEC)
    project = new_project(spec, tmp_path / "shop")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    install_project(shared_venv, project)
    python, db = shared_venv / "bin" / "python", tmp_path / "shop.db"
    status, stored = _app(project, python, db, OLD_ROWS)
    assert status == 200
    assert [row["id"] for row in stored] == [1, 2, 3]

    text = SPEC
    for old, new in WIDENINGS:
        assert old in text
        text = text.replace(old, new)
    (project / "openapi.yaml").write_text(text)
    git(project, "commit", "-qam", "wider tags and sizes")
    updated = run_fastgen("update", cwd=project)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    tables = json.loads((project / "migrations" / "schema.json").read_text())
    (things,) = tables["tables"]
    tags = next(c for c in things["columns"] if c["name"] == "tags")
    assert json.loads(tags["json_schema"])["items"]["maxLength"] == 8
    assert list((project / "migrations" / "versions").glob("0002_*")) == []
    git(project, "add", "-A")
    git(project, "commit", "-qm", "updated")
    assert run_fastgen("check", cwd=project).returncode == 0

    # The old rows answer as stored; the new schema takes what it widened to.
    wider = {"label": "d", "tags": ["longer"], "size": {"w": -5, "unit": "mm"}}
    status, answered = _app(project, python, db, [wider])
    assert status == 200
    assert answered == [*stored, {"id": 4, **wider}]

    # A narrowing is refused, and nothing is written.
    narrowed = text.replace("items: {type: string,", "items: {type: integer,")
    (project / "openapi.yaml").write_text(narrowed)
    git(project, "commit", "-qam", "integer tags")
    head = git(project, "rev-parse", "HEAD")
    refused = run_fastgen("update", cwd=project)
    assert refused.returncode == 1
    assert (
        "changes the schema of JSON column things.tags (items/type: no longer "
        "takes string): a row holding a value the new one rejects"
    ) in refused.stderr
    assert git(project, "status", "--porcelain") == ""
    assert git(project, "rev-parse", "HEAD") == head
