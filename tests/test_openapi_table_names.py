"""An x-fastgen-resource table whose properties Python, SQLAlchemy or pydantic claim.

tests/specs/openapi/table-names.yaml: ``Lesson`` has the properties ``class``,
``from``, ``metadata``, ``json``, ``self`` and ``createdAt``. The project is generated,
installed in the shared venv, passes its own tests, and is served on SQLite: create,
get, list (with column filters named like the properties), update and delete keep
the wire names exactly, and the table's columns are named like the properties.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fastgen.api import new_project
from fastgen.spec.openapi import read_openapi
from fastgen.spec.openapi.compile import compile_api

from .conftest import REPO, assert_generated_tests_pass, install_project
from .fuzzing import serve

pytestmark = pytest.mark.e2e
SPEC = REPO / "tests" / "specs" / "openapi" / "table-names.yaml"
WIRE = ("class", "from", "metadata", "json", "self", "createdAt")


def test_columns_keep_their_names_and_attributes_are_the_api_fields() -> None:
    service = compile_api(read_openapi(SPEC)).model
    (table,) = service.resources
    columns = {f.name: f.attr for f in (table.pk, *table.fields)}
    assert columns == {
        "id": "id",
        "class": "class_",
        "from": "from_",
        "metadata": "metadata_",
        "json": "json_",
        "self": "self_",
        "createdAt": "createdAt",
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, shared_venv: Path) -> Path:
    generated = new_project(SPEC, tmp_path_factory.mktemp("names") / "tablenames")
    install_project(shared_venv, generated)
    return generated


def test_models_alias_the_same_names(project: Path) -> None:
    orm = (project / "src" / "tablenames" / "models" / "lessons.py").read_text()
    api = (project / "src" / "tablenames" / "api_models.py").read_text()
    assert 'class_: Mapped[str] = mapped_column("class", Text())' in orm
    assert 'metadata_: Mapped[str | None] = mapped_column("metadata", Text())' in orm
    assert "createdAt: Mapped[str | None] = mapped_column(Text())" in orm
    assert 'class_: Annotated[str, Field(alias="class")]' in api
    # optional, not nullable: it may be left out, never null (docs/openapi.md,
    # "Absent is not null")
    assert (
        'metadata_: Annotated[str | MISSING, Field(alias="metadata")] = MISSING' in api
    )


def test_generated_tests_pass(project: Path, shared_venv: Path) -> None:
    output = assert_generated_tests_pass(
        shared_venv / "bin" / "python", project, verbose=True
    )
    assert "test_lessons_rows_are_stored_and_served PASSED" in output, output


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "serve.db"


@pytest.fixture
def server(
    project: Path, shared_venv: Path, database: Path, tmp_path: Path
) -> Iterator[str]:
    with serve(
        shared_venv / "bin" / "python",
        "tablenames.main:app",
        cwd=project,
        log=tmp_path / "uvicorn.log",
        env={
            "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "REDIS_URL": "redis://127.0.0.1:1/0",
        },
    ) as base:
        yield base


def test_wire_names_round_trip_over_http(server: str, database: Path) -> None:
    sent = {
        "class": "algebra",
        "from": "room 4",
        "metadata": "m",
        "json": 7,
        "self": True,
        "createdAt": "monday",
    }
    with httpx.Client(base_url=server, timeout=5) as http:
        created = http.post("/lessons", json=sent)
        assert created.status_code == 201, created.text
        lesson = created.json()
        assert lesson == {"id": lesson["id"], **sent}
        url = f"/lessons/{lesson['id']}"
        assert http.get(url).json() == lesson
        assert http.get("/lessons").json() == [lesson]

        other = http.post("/lessons", json={"class": "history", "self": False})
        assert other.status_code == 201, other.text
        # the properties it was not given are left out, not null: the document
        # does not let them be null
        assert other.json() == {
            "id": other.json()["id"],
            "class": "history",
            "self": False,
        }
        # list filters are the query parameters named like the properties
        assert http.get("/lessons", params={"class": "algebra"}).json() == [lesson]
        assert http.get("/lessons", params={"self": "false"}).json() == [other.json()]
        assert http.get("/lessons", params={"createdAt": "monday"}).json() == [lesson]
        assert http.get("/lessons", params={"class": "none"}).json() == []

        changed = {**sent, "metadata": "n", "json": 8, "from": "room 5"}
        updated = http.put(url, json=changed)
        assert updated.status_code == 200, updated.text
        assert updated.json() == {"id": lesson["id"], **changed}
        assert http.get(url).json() == updated.json()

        # a body without the required property is refused by its wire name
        refused = http.post("/lessons", json={"class_": "x"})
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["loc"] == ["body", "class"]

    with sqlite3.connect(database) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(lessons)")]
        stored = db.execute(
            'SELECT "class", "from", "metadata", "json", "self", "createdAt" '
            "FROM lessons WHERE id = ?",
            (lesson["id"],),
        ).fetchone()
    assert sorted(columns) == sorted(["id", *WIRE])
    assert stored == ("algebra", "room 5", "n", 8, 1, "monday")

    with httpx.Client(base_url=server, timeout=5) as http:
        assert http.delete(url).status_code == 204
        assert http.get(url).status_code == 404
