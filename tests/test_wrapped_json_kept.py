"""A project fastgen 0.2.0 made, with wrapped ``$ref`` properties stored as JSON
(tests/test_openapi_wrapped_refs.py's DOCUMENT), migrated and filled through its
API, then updated by this fastgen (a new property) and migrated again: on SQLite,
PostgreSQL and MariaDB every stored value is byte for byte what it was, the API
answers the same rows, and a downgrade leaves them so too. Real servers, started
as tests/test_postgres.py and tests/test_mariadb.py do (skipped without them).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fastgen.api import update_project

from .conftest import git
from .test_mariadb import createdb as mariadb_db
from .test_mariadb import mariadb  # noqa: F401 (the fixture)
from .test_mariadb_exact import alembic, run
from .test_openapi_wrapped_refs import made_before
from .test_postgres import createdb as postgres_db
from .test_postgres import postgres  # noqa: F401 (the fixture)

pytestmark = pytest.mark.e2e

# Run by the project's Python: fill the table through the API (argv[2] "fill"),
# or list it (as JSON).
API = """
import asyncio, json, sys
import httpx
from wrapped.hooks.settings import Settings
from wrapped.main import create_app

# No "day": 0.2.0 answered a 500 for a date it was to store as JSON (a date is no
# JSON value), so its rows hold none.
ITEMS = [
    {"code": "ABC", "size": 3, "note": None, "status": "open", "alias": "AB",
     "wrapped": "ABCDEFGH", "inline": "x y", "plain": "Q"},
    {"code": "Z", "size": 10, "note": "NOTE", "status": "shut"},
]

async def main(url, action):
    app = create_app(Settings(database_url=url, cache_warm_timeout=0))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            if action == "fill":
                sent = [await c.post("/items", json=item) for item in ITEMS]
                print(json.dumps([r.status_code for r in sent]))
            else:
                print(json.dumps((await c.get("/items")).json()))

asyncio.run(main(*sys.argv[1:]))
"""

# Run by the project's Python: each row of the item table, each value cast to text
# by the database (PostgreSQL's driver would decode a JSON value: json::text is
# what the column stores).
ROWS = """
import asyncio, json, sys
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

async def main(url):
    args = {"connect_args": {"charset": "utf8mb4"}} if "mysql" in url else {}
    engine = create_async_engine(url, **args)
    as_text = "CHAR" if "mysql" in url else "TEXT"
    async with engine.connect() as conn:
        names = list((await conn.execute(text("SELECT * FROM item"))).keys())
        casts = ", ".join(f"CAST({name} AS {as_text})" for name in names)
        result = await conn.execute(text(f"SELECT {casts} FROM item ORDER BY id"))
        found = [dict(zip(names, row)) for row in result]
    await engine.dispose()
    print(json.dumps(found))

asyncio.run(main(sys.argv[1]))
"""

EXTRA = "        extra: {type: string, maxLength: 3}\n"


def _rows(python: Path, project: Path, url: str) -> list[dict[str, str | None]]:
    return json.loads(run(python, project, "-c", ROWS, url))


def _listed(python: Path, project: Path, url: str) -> object:
    return json.loads(run(python, project, "-c", API, url, "list"))


def keeps_every_value(python: Path, root: Path, url: str) -> None:
    """Made by 0.2.0, migrated, filled; updated and migrated, then down and up."""
    project = made_before(root)
    alembic(python, project, url, "upgrade", "head")
    assert json.loads(run(python, project, "-c", API, url, "fill")) == [201, 201]
    stored, listed = _rows(python, project, url), _listed(python, project, url)
    assert stored[0]["code"] == '"ABC"'  # JSON text, which no cast makes 'ABC'

    spec = project / "openapi.yaml"
    spec.write_text(spec.read_text() + EXTRA)
    git(project, "commit", "-qam", "extra")
    result = update_project(project)
    assert not result.conflicts
    assert result.migration == "migrations/versions/0002_add_item_extra.py"
    git(project, "add", "-A")
    git(project, "commit", "-qm", "fastgen update")

    alembic(python, project, url, "upgrade", "head")
    assert _rows(python, project, url) == [{**row, "extra": None} for row in stored]
    assert _listed(python, project, url) == listed
    alembic(python, project, url, "downgrade", "-1")
    assert _rows(python, project, url) == stored
    alembic(python, project, url, "upgrade", "head")
    assert _listed(python, project, url) == listed


def test_sqlite_keeps_every_value(server_bookstore: Path, tmp_path: Path) -> None:
    python = server_bookstore / ".venv" / "bin" / "python"
    url = f"sqlite+aiosqlite:///{tmp_path / 'wrapped.db'}"
    keeps_every_value(python, tmp_path, url)


def test_postgresql_keeps_every_value(
    server_bookstore: Path,
    postgres: str,  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> None:
    python = server_bookstore / ".venv" / "bin" / "python"
    keeps_every_value(python, tmp_path, postgres_db(postgres, "wrapped_kept"))


def test_mariadb_keeps_every_value(
    server_bookstore: Path,
    mariadb: str,  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> None:
    python = server_bookstore / ".venv" / "bin" / "python"
    keeps_every_value(python, tmp_path, mariadb_db(mariadb, "wrapped_kept"))
