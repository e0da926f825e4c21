"""A refused upgrade changes nothing, so it can be run again once the rows are fixed.

The audit's cases, in one revision over a populated table: a ref given another
target (no revision was written: the database kept its foreign key), a title
narrowed under a longer stored one (PostgreSQL's cast cut it), a field made
required while a row holds NULL, a column made unique while rows share a value,
its index and another unique constraint dropped, five defaulted columns added, a
float holding -1e300 made a decimal (SQLite clamped it to a 64-bit integer) and a
date made a datetime (SQLite's CAST read '1999-12-31' as 1999). Each refusal is
checked to leave the schema and the rows as they were (no half-built SQLite table,
no index dropped, no column added, no NOT VALID check left on PostgreSQL); once the
rows are changed the same revision applies, and the app takes a label_id only the
new target has. Back, a time of day stored since stops the downgrade (the date
would cut it). On SQLite, PostgreSQL and MariaDB (started as tests/test_postgres.py
and tests/test_mariadb.py do; skipped without them).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from fastgen.api import new_project

from .conftest import git, run_fastgen
from .test_mariadb import createdb as mariadb_db
from .test_mariadb import mariadb  # noqa: F401 (the fixture)
from .test_postgres import createdb as postgres_db
from .test_postgres import postgres  # noqa: F401 (the fixture)

pytestmark = pytest.mark.e2e

SPEC = """\
fastgen: 1
service: {name: shelf, title: Shelf API, version: 0.1.0}
database: {url: "sqlite+aiosqlite:///./shelf.db"}
resources:
  label:
    path: /labels
    fields: {name: {type: string, max_length: 50}}
  writer:
    path: /writers
    fields: {name: {type: string, max_length: 50}}
  book:
    path: /books
    fields:
      title: {type: string, max_length: 200, index: true}
      isbn: {type: string, max_length: 13, unique: true, required: false}
      sku: {type: string, max_length: 20, required: false}
      pages: {type: integer, required: false}
      weight: {type: float, required: false}
      day: {type: date, required: false}
      label_id: {type: ref, to: label, required: false}
"""
CHANGES = [
    ("label_id: {type: ref, to: label,", "label_id: {type: ref, to: writer,"),
    ("max_length: 200, index: true}", "max_length: 3}"),
    ("max_length: 13, unique: true,", "max_length: 13,"),
    (
        "sku: {type: string, max_length: 20,",
        "sku: {type: string, max_length: 20, unique: true,",
    ),
    ("pages: {type: integer, required: false}", "pages: {type: integer}"),
    ("weight: {type: float,", "weight: {type: decimal,"),
    ("day: {type: date,", "day: {type: datetime,"),
    (
        "      label_id:",
        "".join(f"      extra{i}: {{type: integer, default: {i}}}\n" for i in range(5))
        + "      label_id:",
    ),
]

# Run by the project's Python: SQL in, or the schema and rows out (as JSON).
SCRIPT = """
import asyncio, json, sys
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

def describe(conn):
    found = inspect(conn)
    tables = {}
    for name in sorted(found.get_table_names()):
        checks = []
        if conn.dialect.name == "postgresql":
            checks = [c["name"] for c in found.get_check_constraints(name)]
        tables[name] = {
            "columns": [[c["name"], str(c["type"]), c["nullable"]]
                        for c in found.get_columns(name)],
            "indexes": sorted(i["name"] for i in found.get_indexes(name)),
            "unique": sorted(u["name"] for u in found.get_unique_constraints(name)),
            "foreign_keys": sorted([f["name"], f["referred_table"]]
                                   for f in found.get_foreign_keys(name)),
            "checks": checks,
            "rows": [[None if v is None else str(v) for v in row] for row in
                     conn.execute(text(f"SELECT * FROM {name} ORDER BY 1"))],
        }
    return tables

async def main(url, action, *statements):
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        for statement in statements:
            await conn.execute(text(statement))
        if action == "describe":
            print(json.dumps(await conn.run_sync(describe)))
    await engine.dispose()

asyncio.run(main(*sys.argv[1:]))
"""
# Through the app: the rows as the API answers them, and a label_id only a writer has.
APP = """
import json
from fastapi.testclient import TestClient
from shelf.main import app

with TestClient(app) as client:
    books = [client.get(f"/books/{i}").json() for i in (1, 2, 3)]
    patched = client.patch("/books/2", json={"label_id": 6})
print(json.dumps({"books": books, "patch": [patched.status_code, patched.json()]}))
"""
FILL = [
    "INSERT INTO label (id, name) VALUES (1, 'l1'), (2, 'l2')",
    "INSERT INTO writer (id, name) VALUES (1, 'w1'), (6, 'w6')",
    (
        "INSERT INTO book (id, title, isbn, sku, pages, weight, day, label_id) "
        "VALUES (1, 'a', '1', 's1', 10, -1e300, '1999-12-31', 1), "
        "(2, 'b', '2', 's1', NULL, 1.5, '2000-02-29', 2), "
        "(3, 'cccc', '3', 's3', 5, 2.25, NULL, NULL)"
    ),
]
# What stops the upgrade, in the revision's order, and the change that fixes it.
REFUSALS = [
    (
        {
            "sqlite": r"book.title: 1 row\(s\) hold values SQLite would not keep as "
            r"String, e.g. \['cccc'\]",
            # Its cast to VARCHAR(3) would keep 'ccc' and lose the rest silently.
            "postgresql": r"book.title: rows hold values longer than 3 characters, "
            r"e.g. \['cccc'\]",
            "mysql": r"book.title: rows hold values longer than 3 characters, "
            r"e.g. \['cccc'\]",
        },
        "UPDATE book SET title = 'c' WHERE id = 3",
    ),
    (
        r"book.sku: 2 row\(s\) share a value with another, e.g. \['s1'\]",
        "UPDATE book SET sku = 's2' WHERE id = 2",
    ),
    (
        r"book.pages: 1 row\(s\) hold NULL",
        "UPDATE book SET pages = 1 WHERE id = 2",
    ),
    (
        {
            "sqlite": r"book.weight: 1 row\(s\) hold values SQLite would not keep as "
            r"Numeric, e.g. \[-1e\+300\]",
            "postgresql": r"book.weight: a row holds a value PostgreSQL cannot cast "
            r'\("weight"::NUMERIC\(18, 4\)\): numeric field overflow',
            # MariaDB's ALTER refused it after the steps before it had committed.
            "mysql": r"book.weight: a row holds a value the column would not keep as "
            r"NUMERIC\(18, 4\): Out of range value for column 'weight'",
        },
        "UPDATE book SET weight = -2.5 WHERE id = 1",
    ),
    (
        (
            r"book.label_id: 1 row\(s\) hold values that name no row of writer.id, "
            r"e.g. \[2\]"
        ),
        "UPDATE book SET label_id = 1 WHERE id = 2",
    ),
]


def _run(project: Path, python: Path, url: str, *command: str) -> str:
    result = subprocess.run(
        [str(python), *command],
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
    if result.returncode != 0:
        raise AssertionError(result.stderr[-3000:])
    return result.stdout


def _describe(project: Path, python: Path, url: str, *statements: str) -> dict:
    return json.loads(
        _run(project, python, url, "-c", SCRIPT, url, "describe", *statements)
    )


def run_refusals(python: Path, url: str, root: Path, *setup: str) -> None:
    """``setup``: statements run on the database first."""
    spec = root / "fastgen.yaml"
    spec.write_text(SPEC)
    project = new_project(spec, root / "shelf")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    upgrade = ("-m", "alembic", "upgrade", "head")
    if setup:
        _describe(project, python, url, *setup)
    _run(project, python, url, *upgrade)
    before = _describe(project, python, url, *FILL)

    text = (project / "fastgen.yaml").read_text()
    for old, new in CHANGES:
        assert old in text, old
        text = text.replace(old, new)
    (project / "fastgen.yaml").write_text(text)
    git(project, "commit", "-qam", "the audit's changes")
    updated = run_fastgen("update", "--allow-data-loss", cwd=project)
    assert updated.returncode == 0, updated.stderr
    git(project, "add", "-A")
    git(project, "commit", "-qm", "fastgen update")
    revision = next((project / "migrations/versions").glob("0002_*.py")).read_text()
    assert 'drop_foreign_key("book", "fk_label_id_label")' in revision

    dialect = url.split("+")[0]
    for refusal, fix in REFUSALS:
        message = refusal[dialect] if isinstance(refusal, dict) else refusal
        with pytest.raises(AssertionError, match=message):
            _run(project, python, url, *upgrade)
        # Nothing changed: the same schema, the same rows; the next run reaches
        # the next check.
        assert _describe(project, python, url) == before
        before = _describe(project, python, url, fix)
    _run(project, python, url, *upgrade)

    after = _describe(project, python, url)["book"]
    assert [["fk_label_id_writer", "writer"]] == after["foreign_keys"]
    assert after["unique"] == ["uq_book_sku"]
    assert "ix_book_title" not in after["indexes"]
    assert after["checks"] == []
    answered = json.loads(_run(project, python, url, "-c", APP))
    assert [(b["weight"], b["day"], b["extra3"]) for b in answered["books"]] == [
        ("-2.5000", "1999-12-31T00:00:00Z", 3),
        ("1.5000", "2000-02-29T00:00:00Z", 3),
        ("2.2500", None, 3),
    ]
    status, body = answered["patch"]
    assert (status, body["label_id"]) == (200, 6)
    checked = run_fastgen("check", cwd=project)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # Back: a time of day stored since would be cut by the date (PostgreSQL's cast
    # and MariaDB's ALTER said nothing); the downgrade stops first.
    after = _describe(
        project, python, url, "UPDATE book SET day = '2000-02-29 10:30:00' WHERE id = 2"
    )
    with pytest.raises(
        AssertionError, match=r"book.day: 1 row\(s\) hold .*then downgrade again"
    ):
        _run(project, python, url, "-m", "alembic", "downgrade", "-1")
    assert _describe(project, python, url) == after


def test_refusals_change_nothing_on_sqlite(
    server_bookstore: Path, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shelf.db'}"
    run_refusals(server_bookstore / ".venv" / "bin" / "python", url, tmp_path)


def test_refusals_change_nothing_on_mariadb(
    server_bookstore: Path,
    mariadb: str,  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> None:
    """The audit: a lossy type change had no check on MariaDB, whose ALTER then
    failed after the steps before it had committed (each DDL statement commits),
    or, with a sql_mode that is not strict, as here, kept -1e300 as
    -99999999999999.9999 without a word."""
    url = mariadb_db(mariadb, "refusals")
    python = server_bookstore / ".venv" / "bin" / "python"
    run_refusals(python, url, tmp_path, "SET GLOBAL sql_mode = ''")


def test_refusals_change_nothing_on_postgresql(
    server_bookstore: Path,
    postgres: str,  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> None:
    url = postgres_db(postgres, "refusals")
    run_refusals(server_bookstore / ".venv" / "bin" / "python", url, tmp_path)
