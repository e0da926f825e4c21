"""An OpenAPI property's ``default`` given after rows were stored: the API answers
the default for their NULL (``crud.present``), so the migration stores it there too,
and filters and sorts see the rows as the API shows them. Once when the property is
added (a server default, dropped after), once when an existing property gains a
default (``fill_nulls``); never where the property may be null, since a NULL is
then its value. On SQLite, PostgreSQL and MariaDB, with the list filtered over HTTP.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from urllib.parse import urlencode

import pytest

from fastgen.api import new_project
from fastgen.render.dataloss import destructive_changes
from fastgen.render.migrations import (
    load_schema,
    schema_json,
    schema_of,
    upgrade_lines,
)
from fastgen.spec.inputs import read_input

from .conftest import git, run_fastgen
from .test_mariadb import createdb as mariadb_db
from .test_mariadb import mariadb  # noqa: F401 (the fixture)
from .test_postgres import createdb as postgres_db
from .test_postgres import postgres  # noqa: F401 (the fixture)

DOCUMENT = """\
openapi: 3.0.3
info: {title: Kennel, version: 1.0.0}
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        '200':
          description: ok
          content:
            application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}}
components:
  schemas:
    Pet:
      x-fastgen-resource:
        path: /pets
        operations: [list]
        list: {filter: [name, color]}
      type: object
      required: [name]
      properties:
        id: {type: integer}
        name: {type: string, maxLength: 40}
        color: {type: string, maxLength: 20}
"""
# Added to Pet: each with a default but ``note``, which may be null.
ADDED = """\
        status: {type: string, enum: [available, sold], default: available}
        legs: {type: integer, default: 4}
        vaccinated: {type: boolean, default: false}
        weight: {type: number, default: 1.5}
        nick: {type: string, maxLength: 20, default: "it's a \\\\ b: 5%"}
        note: {type: string, maxLength: 10, nullable: true, default: none}
"""
NICK = "it's a \\ b: 5%"
# A default given later to ``color``, as SQL must take it: quotes, a backslash
# (MariaDB's escape), a colon (a bind parameter in SQLAlchemy's text()) and a percent
# sign (the drivers' paramstyle).
COLOR = "o'k \\ :x 5%"
FILTERS = "list: {filter: [name, color, status, legs, vaccinated]}"


def _document(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "openapi.yaml"
    path.write_text(text)
    return path


def test_the_revision_fills_what_the_api_answers(tmp_path: Path) -> None:
    _, before = read_input(_document(tmp_path, DOCUMENT))
    text = DOCUMENT + ADDED
    _, after = read_input(_document(tmp_path, text))
    pet = after.resource("pet")
    fills = {f.name: f.fill_value for f in pet.fields}
    assert fills == {
        "name": None,  # required
        "color": None,  # no default
        "status": "available",
        "legs": 4,
        "vaccinated": False,
        "weight": 1.5,
        "nick": NICK,
        "note": None,  # nullable: a NULL is its value
    }
    # The columns stay nullable, as the API models have them.
    assert all(f.nullable for f in pet.fields if f.name != "name")
    lines = "\n".join(upgrade_lines(schema_of(before), schema_of(after)))
    assert "server_default='available'" in lines.replace('"', "'")
    assert "server_default=sa.false()" in lines
    assert "fill_nulls" not in lines  # added columns get it from the server default
    # Only the columns with a fill carry one in schema.json.
    assert schema_json(before).count('"fill"') == 0
    assert schema_json(after).count('"fill"') == 5

    # A default given to an existing property fills its NULLs, once.
    _, later = read_input(
        _document(
            tmp_path, text.replace("maxLength: 20}", "maxLength: 20, default: x}")
        )
    )
    lines = upgrade_lines(schema_of(after), schema_of(later))
    assert lines == ['    fill_nulls("pet", "color", "x")']
    assert upgrade_lines(schema_of(later), schema_of(later)) == []


def test_a_null_overwritten_by_a_default_is_a_loss_to_accept(tmp_path: Path) -> None:
    """A property that may be null holds null as a value: made non-nullable with a
    default, its nulls would be overwritten by the default, so the change needs
    --allow-data-loss. Gaining a default where null was never a value costs
    nothing: those rows were answered as the default already."""
    _, before = read_input(_document(tmp_path, DOCUMENT + ADDED))
    not_null = (DOCUMENT + ADDED).replace("nullable: true, default: none", "default: x")
    _, after = read_input(_document(tmp_path, not_null))
    old = schema_of(before)
    assert old["pet"].column("note").answers_null
    assert '"answers_null": true' in schema_json(before)
    assert schema_json(before).count("answers_null") == 1
    (loss,) = destructive_changes(old, after, schema_of(after), {}, "openapi.yaml")
    assert loss.allowed_with_flag
    assert 'makes property note of pet non-nullable with the default "x"' in str(loss)
    assert upgrade_lines(old, schema_of(after)) == [
        '    fill_nulls("pet", "note", "x")'
    ]
    # A default for a property that was never null: no loss.
    defaulted = (DOCUMENT + ADDED).replace(
        "color: {type: string, maxLength: 20}", "color: {type: string, default: x}"
    )
    _, later = read_input(_document(tmp_path, defaulted))
    assert destructive_changes(old, later, schema_of(later), {}, "openapi.yaml") == []


def test_schema_json_keys_of_a_later_fastgen_are_left_out(tmp_path: Path) -> None:
    """A team's pinned fastgen (a CI check) may read what a newer one wrote."""
    _, model = read_input(_document(tmp_path, DOCUMENT + ADDED))
    data = json.loads(schema_json(model))
    for column in data["tables"][0]["columns"]:
        column["compressed"] = True  # a key no fastgen has written yet
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(data))
    assert load_schema(path) == schema_of(model)


LIMITED = """\
        short: {type: string, minLength: 3, default: ab}
        word: {type: string, pattern: "^[a-z]+$", default: ABC}
        mail: {type: string, format: email, default: a@b.example}
        small: {type: integer, maximum: 3, default: 10}
        above: {type: integer, minimum: 1, exclusiveMinimum: true, default: 1}
        step: {type: number, multipleOf: 0.5, default: 1.5}
        fine: {type: integer, minimum: 1, exclusiveMinimum: true, maximum: 9, default: 2}
        letters: {type: string, minLength: 2, pattern: "[a-z]", default: ok}
"""


def test_a_default_outside_its_own_limits_fills_nothing(tmp_path: Path) -> None:
    """Rows holding it would fail the API's answer model (a 500 on each read), where
    their NULL is answered as the default without a check."""
    _, model = read_input(_document(tmp_path, DOCUMENT + LIMITED))
    fills = {f.name: f.fill_value for f in model.resource("pet").fields}
    assert fills == {
        "name": None,
        "color": None,
        "short": None,  # shorter than minLength
        "word": None,  # not the pattern
        "mail": None,  # a format: not checked here
        "small": None,  # above the maximum
        "above": None,  # at an exclusive minimum
        "step": None,  # multipleOf: not checked here
        "fine": 2,
        "letters": "ok",
    }


def _run(project: Path, venv: Path, url: str, *command: str) -> str:
    """Run a program of the venv in the project, its package importable and its
    database at ``url``; its output."""
    result = subprocess.run(
        [str(venv / "bin" / command[0]), *command[1:]],
        cwd=project,
        env={
            **os.environ,
            "PYTHONPATH": str(project / "src"),
            "DATABASE_URL": url,
            "LOG_LEVEL": "WARNING",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _upgrade(project: Path, venv: Path, url: str) -> None:
    _run(project, venv, url, "alembic", "upgrade", "head")


# Run by the project's Python: rows in, rows out (each value as the database gives
# it, as text), and the list through the app.
ROWS = """
import asyncio, json, sys
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

async def main(url, action):
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        if action == "fill":
            await conn.execute(
                text("INSERT INTO pet (id, name, color) VALUES (:id, :name, :color)"),
                [{"id": i, "name": f"pet {i}", "color": None if i % 2 else "red"}
                 for i in range(1, 5)],
            )
        else:
            result = await conn.execute(text("SELECT * FROM pet ORDER BY id"))
            print(json.dumps([{k: None if v is None else str(v)
                               for k, v in row._mapping.items()} for row in result]))
    await engine.dispose()

asyncio.run(main(*sys.argv[1:]))
"""
LIST = """
import json, sys
from fastapi.testclient import TestClient
from kennel.main import app

with TestClient(app) as client:
    pages = {query: client.get("/pets?" + query) for query in sys.argv[1:]}
print(json.dumps({q: [r.status_code, r.json()] for q, r in pages.items()}))
"""


def _rows(project: Path, venv: Path, url: str, action: str) -> list[dict[str, str]]:
    output = _run(project, venv, url, "python", "-c", ROWS, url, action)
    return json.loads(output) if output else []


def _pages(project: Path, venv: Path, url: str, *queries: str) -> dict[str, list]:
    return json.loads(_run(project, venv, url, "python", "-c", LIST, *queries))


def _change(project: Path, old: str, new: str) -> str:
    """Edit openapi.yaml, commit, ``fastgen update``, commit: the revision's text."""
    spec = project / "openapi.yaml"
    text = spec.read_text()
    assert old in text, old
    spec.write_text(text.replace(old, new))
    git(project, "commit", "-qam", "document change")
    versions = project / "migrations" / "versions"
    before = set(versions.iterdir())
    updated = run_fastgen("update", cwd=project)
    assert updated.returncode == 0, updated.stderr
    git(project, "add", "-A")
    git(project, "commit", "-qm", "fastgen update")
    (revision,) = set(versions.iterdir()) - before
    return revision.read_text()


def run_fills(venv: Path, url: str, root: Path) -> None:
    project = new_project(_document(root, DOCUMENT), root / "kennel")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    _upgrade(project, venv, url)
    _rows(project, venv, url, "fill")

    # 1. Properties with defaults added to a populated table.
    revision = _change(
        project,
        "        color: {type: string, maxLength: 20}\n",
        "        color: {type: string, maxLength: 20}\n" + ADDED,
    )
    assert "server_default=" in revision
    _upgrade(project, venv, url)
    rows = _rows(project, venv, url, "read")
    assert [row["status"] for row in rows] == ["available"] * 4
    assert {row["legs"] for row in rows} == {"4"}
    # false as each database gives it: 0 (SQLite's and MariaDB's), False
    assert {row["vaccinated"] for row in rows} == {
        "False" if url.startswith("postgresql") else "0"
    }
    assert {float(row["weight"]) for row in rows} == {1.5}
    assert {row["nick"] for row in rows} == {NICK}
    assert {row["note"] for row in rows} == {None}  # may be null: left NULL

    # 2. The list filters see the rows as the API answers them.
    _change(project, "list: {filter: [name, color]}", FILTERS)
    _upgrade(project, venv, url)
    pages = _pages(
        project,
        venv,
        url,
        "status=available",
        "legs=4",
        "vaccinated=false",
        urlencode({"color": COLOR}),
    )
    for query in ("status=available", "legs=4", "vaccinated=false"):
        status, page = pages[query]
        assert status == 200, page
        assert [pet["id"] for pet in page["items"]] == [1, 2, 3, 4], query
    assert pages[urlencode({"color": COLOR})][1]["items"] == []
    first = pages["legs=4"][1]["items"][0]
    assert (first["status"], first["nick"], first["weight"]) == ("available", NICK, 1.5)
    assert "note" not in first or first["note"] is None

    # 3. A default given to an existing property: its NULLs take it, once.
    revision = _change(
        project,
        "color: {type: string, maxLength: 20}",
        'color: {type: string, maxLength: 20, default: "o\'k \\\\ :x 5%"}',
    )
    assert 'fill_nulls("pet", "color", "o\'k \\\\ :x 5%")' in revision
    _upgrade(project, venv, url)
    rows = _rows(project, venv, url, "read")
    assert [row["color"] for row in rows] == [COLOR, "red", COLOR, "red"]
    query = urlencode({"color": COLOR})
    status, page = _pages(project, venv, url, query)[query]
    assert [pet["id"] for pet in page["items"]] == [1, 3], page
    assert run_fastgen("check", cwd=project).returncode == 0


@pytest.mark.e2e
def test_fills_on_sqlite(server_bookstore: Path, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'kennel.db'}"
    run_fills(server_bookstore / ".venv", url, tmp_path)


@pytest.mark.e2e
def test_fills_on_postgresql(
    server_bookstore: Path,
    postgres: str,  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> None:
    run_fills(server_bookstore / ".venv", postgres_db(postgres, "fills"), tmp_path)


@pytest.mark.e2e
def test_fills_on_mariadb(
    server_bookstore: Path,
    mariadb: str,  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> None:
    run_fills(server_bookstore / ".venv", mariadb_db(mariadb, "fills"), tmp_path)
