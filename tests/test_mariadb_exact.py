"""MariaDB stores, compares and answers as SQLite and PostgreSQL do
(tests/specs/exact.yaml): a float comes back with every digit, a datetime with its
microseconds, and strings compare byte by byte ('ABC' and 'abc ' are not 'abc'), on
tables the migrations made and on tables CREATE_SCHEMA made.

A project fastgen 0.1.0 made, migrated and filled (FLOAT, DATETIME, the server's
character set and collation) gets the same from its next ``fastgen update``: the
revision keeps every row as the API answered it, makes the columns DOUBLE and
DATETIME(6) and the tables binary-collated, after refusing, before it changes
anything, a row whose key names its target only case-insensitively. The same
update is harmless on SQLite and PostgreSQL. Real servers, started as
tests/test_mariadb.py and tests/test_postgres.py do (skipped without them).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import copier
import pytest
import yaml

from fastgen.api import new_project, update_project
from fastgen.render import template_repo

from .conftest import REPO, git
from .test_mariadb import createdb as mariadb_db
from .test_mariadb import mariadb, mysql  # noqa: F401 (the fixture)
from .test_postgres import createdb as postgres_db
from .test_postgres import postgres  # noqa: F401 (the fixture)

pytestmark = pytest.mark.e2e

EXACT = REPO / "tests" / "specs" / "exact.yaml"
PI = 3.141592653589793
AT = "2024-05-05T10:11:12.123456Z"

# Run by the project's Python in its directory: its API (in process, over HTTP) on
# the database argv[1], whose tables the migrations made ("migrated") or the app
# makes at startup ("create"). Prints what it was answered, as JSON.
API = """
import asyncio, json, sys
import httpx
from exact.hooks.settings import Settings
from exact.main import create_app

async def main(url, tables):
    settings = Settings(
        database_url=url, create_schema=tables == "create", cache_warm_timeout=0
    )
    app = create_app(settings)
    seen = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            async def post(path, body):
                response = await c.post(path, json=body)
                return response.status_code, response.json()

            seen["shelves"] = [
                (await post("/shelves", {"code": code, "label": code}))[0]
                for code in ("abc", "ABC", "abc ")
            ]
            created = [
                await post("/items", {
                    "name": name, "ratio": PI, "at": AT, "kind": kind,
                    "shelf_code": shelf,
                })
                for name, kind, shelf in (
                    ("abc", "a", "abc"), ("ABC", "A", "ABC"), ("abc ", "a", None)
                )
            ]
            seen["items"] = [status for status, _ in created]
            first = (await c.get(f"/items/{created[0][1]['id']}")).json()
            seen["read"] = [first["ratio"], first["at"], first["kind"]]
            listed = await c.get("/items", params={"name": "abc"})
            seen["name=abc"] = [row["name"] for row in listed.json()["items"]]
            listed = await c.get("/items", params={"shelf_code": "ABC"})
            seen["shelf_code=ABC"] = [row["name"] for row in listed.json()["items"]]
    print(json.dumps(seen))

asyncio.run(main(*sys.argv[1:]))
""".replace("PI", repr(PI)).replace("AT", repr(AT))

# What every database answers (SQLite and PostgreSQL did before the fix too).
ANSWERS = {
    "shelves": [201, 201, 201],
    "items": [201, 201, 201],
    "read": [PI, AT, "a"],
    "name=abc": ["abc"],
    "shelf_code=ABC": ["ABC"],
}

# Run by the project's Python: fill the tables as fastgen 0.1.0's API stored rows
# (datetimes in whole seconds; floats a FLOAT answers as they were sent: 0.1 is not
# its 4 bytes, 0.10000000149011612, but its text), read one (each value as text),
# add a row naming its shelf in another case, or delete one row by name.
ROWS = """
import asyncio, datetime, json, sys
from sqlalchemy import DateTime, bindparam, text
from sqlalchemy.ext.asyncio import create_async_engine

SHELVES = [{"code": "low", "label": "x"}, {"code": "Déjà", "label": "é"}]
ITEMS = [
    {"name": "n1", "note": "é" * 3, "ratio": 0.1, "maybe_ratio": None,
     "at": datetime.datetime(2024, 1, 2, 3, 4, 5), "maybe_at": None, "kind": "a",
     "shelf_code": "low"},
    {"name": "n2", "note": None, "ratio": 2.25, "maybe_ratio": 1e-30,
     "at": datetime.datetime(2024, 1, 2, 3, 4, 6),
     "maybe_at": datetime.datetime(1999, 12, 31, 23, 59, 59), "kind": "A",
     "shelf_code": "Déjà"},
    {"name": "n3", "note": "", "ratio": -1024.75, "maybe_ratio": 1013.253,
     "at": datetime.datetime(2024, 1, 2, 3, 4, 7), "maybe_at": None, "kind": "b",
     "shelf_code": None},
]
LOOSE = {**ITEMS[2], "name": "loose", "shelf_code": "LOW"}

async def main(url, action, table=None):
    args = {"connect_args": {"charset": "utf8mb4"}} if "mysql" in url else {}
    engine = create_async_engine(url, **args)
    async with engine.begin() as conn:
        insert = text(
            "INSERT INTO item (name, note, ratio, maybe_ratio, at, maybe_at,"
            " kind, shelf_code) VALUES (:name, :note, :ratio, :maybe_ratio,"
            " :at, :maybe_at, :kind, :shelf_code)"
        ).bindparams(bindparam("at", type_=DateTime()), bindparam("maybe_at", type_=DateTime()))
        if action == "fill":
            await conn.execute(
                text("INSERT INTO shelf (code, label) VALUES (:code, :label)"), SHELVES
            )
            await conn.execute(insert, ITEMS)
        elif action == "loose":  # names shelf 'low' only case-insensitively
            await conn.execute(insert, [LOOSE])
        elif action == "delete":
            await conn.execute(text("DELETE FROM item WHERE name = :n"), {"n": table})
        else:
            result = await conn.execute(text(f"SELECT * FROM {table}"))
            rows = sorted([None if v is None else str(v) for v in row] for row in result)
            print(json.dumps({"columns": list(result.keys()), "rows": rows}))
    await engine.dispose()

asyncio.run(main(*sys.argv[1:]))
"""

# Run by the project's Python: what autogenerate would still change between the
# project's models and the database.
DIFF = """
import asyncio, json, sys
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine
from exact.models import Base

def compare(connection):
    return [str(d) for d in compare_metadata(MigrationContext.configure(connection), Base.metadata)]

async def main(url):
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        print(json.dumps(await connection.run_sync(compare)))
    await engine.dispose()

asyncio.run(main(sys.argv[1]))
"""


def run(
    python: Path, project: Path, *args: str, url: str = "", check: bool = True
) -> str:
    """``python args`` in ``project``, importing its own package (not another
    install of it), on database ``url``: its output, or its error output when
    ``check`` is False (then it must fail)."""
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    if url:
        env["DATABASE_URL"] = url
    result = subprocess.run(
        [str(python), *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if not check:
        assert result.returncode != 0, result.stdout
        return result.stderr
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def alembic(python: Path, project: Path, url: str, *args: str) -> None:
    run(python, project, "-m", "alembic", *args, url=url)


def answers(python: Path, project: Path, url: str, tables: str) -> object:
    return json.loads(run(python, project, "-c", API, url, tables))


def rows(python: Path, project: Path, url: str) -> object:
    return [
        json.loads(run(python, project, "-c", ROWS, url, "read", table))
        for table in ("shelf", "item")
    ]


def diff(python: Path, project: Path, url: str) -> list[str]:
    return json.loads(run(python, project, "-c", DIFF, url))


# Each table's collation; each column's type (a datetime's precision) and collation.
SCHEMA_QUERIES = (
    (
        "SELECT table_name, table_collation FROM information_schema.tables "
        "WHERE table_schema = '{0}' AND table_name != 'alembic_version'"
    ),
    (
        "SELECT concat(table_name, '.', column_name), concat(data_type, "
        "coalesce(concat('(', datetime_precision, ')'), ''), ' ', "
        "coalesce(collation_name, '')) FROM information_schema.columns "
        "WHERE table_schema = '{0}' AND table_name != 'alembic_version'"
    ),
)


def mariadb_schema(server: str, database: str) -> dict[str, str]:
    """What information_schema says of ``database``'s tables (SCHEMA_QUERIES)."""
    socket = Path(server.split("|")[1])
    found = {}
    for query in SCHEMA_QUERIES:
        result = mysql(socket, query.format(database))
        assert result.returncode == 0, result.stderr
        for line in result.stdout.splitlines()[1:]:
            name, value = line.split("\t")
            found[name] = value.strip()
    return found


# The tables and columns of exact.yaml on MariaDB, as the fix makes them.
EXACT_SCHEMA = {
    "shelf": "utf8mb4_nopad_bin",
    "item": "utf8mb4_nopad_bin",
    "shelf.code": "varchar utf8mb4_nopad_bin",
    "shelf.label": "varchar utf8mb4_nopad_bin",
    "item.id": "int",
    "item.name": "varchar utf8mb4_nopad_bin",
    "item.note": "text utf8mb4_nopad_bin",
    "item.ratio": "double",
    "item.maybe_ratio": "double",
    "item.at": "datetime(6)",
    "item.maybe_at": "datetime(6)",
    "item.kind": "varchar utf8mb4_nopad_bin",
    "item.shelf_code": "varchar utf8mb4_nopad_bin",
}


@pytest.fixture(scope="module")
def exact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return new_project(EXACT, tmp_path_factory.mktemp("exact") / "exact")


def test_values_and_strings_come_back_as_sent_on_mariadb(
    server_bookstore: Path,
    exact: Path,
    mariadb: str,  # noqa: F811 (the fixture)
) -> None:
    """On tables the migrations made, and on tables CREATE_SCHEMA made: pi with all
    its digits, a datetime with its microseconds, 'ABC' and 'abc ' beside 'abc' in
    a unique column and a string key, and ?name=abc finding 'abc' alone."""
    python = server_bookstore / ".venv" / "bin" / "python"
    migrated = mariadb_db(mariadb, "exact_migrated")
    alembic(python, exact, migrated, "upgrade", "head")
    assert answers(python, exact, migrated, "migrated") == ANSWERS
    assert mariadb_schema(mariadb, "exact_migrated") == EXACT_SCHEMA
    assert diff(python, exact, migrated) == []
    created = mariadb_db(mariadb, "exact_created")
    assert answers(python, exact, created, "create") == ANSWERS
    assert mariadb_schema(mariadb, "exact_created") == EXACT_SCHEMA


def made_by_0_1_0(root: Path) -> Path:
    """tests/specs/exact.yaml as fastgen 0.1.0 made it, committed."""
    project = root / "exact"
    copier.run_copy(
        template_repo.template_source(),
        project,
        vcs_ref="0.1.0",
        data={"spec": yaml.safe_load(EXACT.read_text())},
        defaults=True,
        unsafe=True,
        quiet=True,
    )
    (project / "fastgen.yaml").write_text(EXACT.read_text())
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "made by 0.1.0")
    return project


def update_0_1_0_project(
    python: Path, url: str, root: Path, server: str | None = None
) -> None:
    """Made by 0.1.0, migrated, filled; updated by this fastgen and migrated again:
    every row as it was (on MariaDB after a row naming its shelf in another case
    stopped the upgrade first, changing nothing; a float there with the digits it
    was sent with), the models and the database alike; down to 0.1.0's revision
    and up again, the rows still so; then the API answers as on a new project."""
    project = made_by_0_1_0(root)
    alembic(python, project, url, "upgrade", "head")
    run(python, project, "-c", ROWS, url, "fill")
    stored = rows(python, project, url)

    result = update_project(project)

    assert not result.conflicts
    assert result.migration == (
        "migrations/versions/0002_mariadb_doubles_microseconds_binary_collation.py"
    )
    git(project, "add", "-A")
    git(project, "commit", "-qm", "fastgen update")
    if server is not None:
        database = url.rsplit("/", 1)[1]
        made = mariadb_schema(server, database)
        run(python, project, "-c", ROWS, url, "loose")
        refused = run(
            python, project, "-m", "alembic", "upgrade", "head", url=url, check=False
        )
        assert (
            "item.shelf_code: 1 row(s) name their row of shelf.code in another case "
            "or accent, or with trailing spaces, e.g. ['LOW']"
        ) in refused
        assert mariadb_schema(server, database) == made
        assert made["item.ratio"] == "float" and made["item.at"] == "datetime(0)"
        run(python, project, "-c", ROWS, url, "delete", "loose")
    alembic(python, project, url, "upgrade", "head")
    # MariaDB's FLOAT answered 6 significant digits of its 4 bytes; as a double,
    # each value is the shortest decimal those bytes stand for: the 7 sent here.
    exact = stored
    if server is not None:
        exact = json.loads(json.dumps(stored).replace('"1013.25"', '"1013.253"'))
        assert exact != stored
    assert rows(python, project, url) == exact
    assert diff(python, project, url) == []
    if server is not None:
        assert mariadb_schema(server, url.rsplit("/", 1)[1]) == EXACT_SCHEMA
    alembic(python, project, url, "downgrade", "0001")
    assert rows(python, project, url) == stored
    alembic(python, project, url, "upgrade", "head")
    assert rows(python, project, url) == exact
    assert answers(python, project, url, "migrated") == ANSWERS


def test_a_0_1_0_project_is_made_exact_by_its_update_on_mariadb(
    server_bookstore: Path,
    mariadb: str,  # noqa: F811 (the fixture)
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    python = server_bookstore / ".venv" / "bin" / "python"
    url = mariadb_db(mariadb, "exact_released")
    update_0_1_0_project(python, url, tmp_path, mariadb)


def test_the_update_is_harmless_on_sqlite(
    server_bookstore: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    python = server_bookstore / ".venv" / "bin" / "python"
    url = f"sqlite+aiosqlite:///{tmp_path / 'data.db'}"
    update_0_1_0_project(python, url, tmp_path)


def test_the_update_is_harmless_on_postgresql(
    server_bookstore: Path,
    postgres: str,  # noqa: F811 (the fixture)
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    python = server_bookstore / ".venv" / "bin" / "python"
    update_0_1_0_project(python, postgres_db(postgres, "exact_released"), tmp_path)
