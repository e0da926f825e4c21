"""Issue 14's "done when": a populated database through a sequence of spec changes.

1,000 authors and 1,000 books, then, each step as a user takes it (edit and commit
fastgen.yaml, ``fastgen update``, commit, ``alembic upgrade head``):

1. rename two fields (an indexed one and a unique one);
2. rename a resource (a foreign key points at it);
3. add fields with a default (one with an index, built concurrently on
   PostgreSQL; one a decimal, which SQLite stores as ten-thousandths; one optional)
   and an optional foreign key, and make a populated column unique;
4. widen a string;
5. drop two fields (one a foreign key) with ``--allow-data-loss``;
6. make a column NOT NULL once its NULLs are filled (a validated check first on
   PostgreSQL).

After each step every row of both tables is read back and compared with the rows
before the sequence, transformed as the step says. At the end autogenerate finds
nothing to change between the models and the database, and a downgrade to the first
revision gives back every value but the dropped ones. On SQLite, PostgreSQL and MariaDB
(real servers, started as tests/test_postgres.py and tests/test_mariadb.py do;
skipped without them). Then a project from before decimals were exact on SQLite has
them rescaled by its next revision.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from fastgen.api import new_project

from .conftest import EXAMPLE, git, run_fastgen
from .test_mariadb import createdb as mariadb_db
from .test_mariadb import mariadb  # noqa: F401 (the fixture)
from .test_postgres import createdb as postgres_db
from .test_postgres import postgres  # noqa: F401 (the fixture)

pytestmark = pytest.mark.e2e

ROWS = 1000

# Run by the project's own Python (its drivers): fill the tables, or print a table's
# rows (ordered by id, each value as text) as JSON.
SCRIPT = """
import asyncio, datetime, decimal, json, sys
from sqlalchemy import Date, Numeric, bindparam, text
from sqlalchemy.ext.asyncio import create_async_engine

async def main(url, action, table=None):
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        if action.startswith("fill-") and action != "fill-bio":
            price = Numeric(18, 4)  # fill-old: as models stored decimals before
            if action == "fill-now":
                from bookstore.db import ExactDecimal

                price = ExactDecimal()
            await conn.execute(
                text("INSERT INTO author (id, name, bio) VALUES (:id, :name, :bio)"),
                [{"id": i, "name": f"author {i}", "bio": None if i % 3 else f"bio {i}"}
                 for i in range(1, ROWS + 1)],
            )
            await conn.execute(
                text("INSERT INTO book (id, title, isbn, price, published_on, author_id)"
                     " VALUES (:id, :title, :isbn, :price, :published_on, :author_id)")
                .bindparams(bindparam("price", type_=price),
                            bindparam("published_on", type_=Date())),
                [{"id": i, "title": f"book {i}", "isbn": f"{i:013d}",
                  "price": decimal.Decimal(f"{i}.25"), "author_id": ROWS + 1 - i,
                  "published_on": None if i % 2 else datetime.date(2024, 1, i % 28 + 1)}
                 for i in range(1, ROWS + 1)],
            )
        elif action == "fill-bio":
            await conn.execute(text("UPDATE writer SET bio = 'none' WHERE bio IS NULL"))
        elif action == "diff":
            from alembic.autogenerate import compare_metadata
            from alembic.migration import MigrationContext
            from bookstore.models import Base

            def compare(sync_conn):
                context = MigrationContext.configure(sync_conn)
                return [str(d) for d in compare_metadata(context, Base.metadata)]

            print(json.dumps(await conn.run_sync(compare)))
        elif action == "prices":  # as the models read them
            from sqlalchemy import select
            from bookstore.models import Book

            prices = (await conn.execute(select(Book.id, Book.price))).all()
            print(json.dumps({str(i): str(price) for i, price in prices}))
        else:
            result = await conn.execute(text(f"SELECT * FROM {table} ORDER BY id"))
            rows = [[None if v is None else str(v) for v in row] for row in result]
            print(json.dumps({"columns": list(result.keys()), "rows": rows}))
    await engine.dispose()

asyncio.run(main(*sys.argv[1:]))
""".replace("ROWS", str(ROWS))

Table = dict[str, dict[str, str | None]]  # id -> column -> value


class Database:
    def __init__(self, venv: Path, url: str) -> None:
        self.venv, self.url = venv, url

    def run(self, *args: str) -> str:
        result = subprocess.run(
            [str(self.venv / "bin" / "python"), "-c", SCRIPT, self.url, *args],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def table(self, name: str) -> Table:
        data = json.loads(self.run("read", name))
        rows = [dict(zip(data["columns"], row, strict=True)) for row in data["rows"]]
        return {str(row["id"]): row for row in rows}

    def diff(self, project: Path) -> list[str]:
        """What autogenerate would still change between the models and the database."""
        return json.loads(self.in_project(project, "diff"))

    def prices(self, project: Path) -> dict[str, str]:
        """Book id -> price, read through the project's models."""
        return json.loads(self.in_project(project, "prices"))

    def in_project(self, project: Path, action: str) -> str:
        result = subprocess.run(
            [str(self.venv / "bin" / "python"), "-c", SCRIPT, self.url, action],
            cwd=project,
            env={**os.environ, "PYTHONPATH": str(project / "src")},
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def upgrade(self, project: Path, target: str = "head") -> None:
        verb = "upgrade" if target == "head" else "downgrade"
        result = subprocess.run(
            [str(self.venv / "bin" / "alembic"), verb, target],
            cwd=project,
            env={**os.environ, "DATABASE_URL": self.url},
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]


def change_spec(project: Path, edits: dict[str, str], *flags: str) -> str:
    """Edit fastgen.yaml, commit, ``fastgen update``, commit: the revision's text."""
    spec = project / "fastgen.yaml"
    text = spec.read_text()
    for old, new in edits.items():
        assert old in text, old
        text = text.replace(old, new)
    spec.write_text(text)
    git(project, "commit", "-qam", "spec change")
    before = set((project / "migrations/versions").iterdir())
    updated = run_fastgen("update", *flags, cwd=project)
    assert updated.returncode == 0, updated.stderr
    git(project, "add", "-A")
    git(project, "commit", "-qm", "fastgen update")
    (revision,) = set((project / "migrations/versions").iterdir()) - before
    return revision.name


def renamed(table: Table, **names: str) -> Table:
    return {k: {names.get(c, c): v for c, v in row.items()} for k, row in table.items()}


def each_row(table: Table, change: Callable[[dict[str, str | None]], None]) -> Table:
    result = {k: dict(row) for k, row in table.items()}
    for row in result.values():
        change(row)
    return result


def run_sequence(venv: Path, url: str, root: Path) -> None:
    project = new_project(EXAMPLE, root / "bookstore")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    db = Database(venv, url)
    db.upgrade(project)
    db.in_project(project, "fill-now")
    authors, books = db.table("author"), db.table("book")
    assert len(authors) == len(books) == ROWS
    original_authors, original_books = authors, books

    # 1. Rename two fields: an indexed one and a unique one.
    name = change_spec(
        project,
        {
            "title: {type: string, max_length: 200, index: true}": (
                "headline: {type: string, max_length: 200, index: true, "
                "renamed_from: title}"
            ),
            "isbn: {type: string, max_length: 13, unique: true}": (
                "ean: {type: string, max_length: 13, unique: true, renamed_from: isbn}"
            ),
        },
    )
    assert name == "0002_rename_book_title_to_headline_and_rename_book_isbn_to_ean.py"
    db.upgrade(project)
    books = renamed(books, title="headline", isbn="ean")
    assert db.table("book") == books
    assert db.table("author") == authors

    # 2. Rename a resource that a foreign key references.
    name = change_spec(
        project,
        {
            "  author:\n    path: /authors\n": (
                "  writer:\n    path: /authors\n    renamed_from: author\n"
            ),
            "{type: ref, to: author,": "{type: ref, to: writer,",
        },
    )
    assert name == "0003_rename_author_to_writer.py"
    db.upgrade(project)
    assert db.table("writer") == authors
    assert db.table("book") == books

    # 3. A required field with a default fills every existing row.
    name = change_spec(
        project,
        {
            "      price: {type: decimal}\n": (
                "      price: {type: decimal}\n"
                "      stock: {type: integer, default: 7, index: true}\n"
                "      discount: {type: decimal, default: 1.5}\n"
                "      shelf: {type: string, max_length: 9, required: false, "
                "default: unsorted}\n"
                "      editor_id: {type: ref, to: writer, required: false}\n"
            ),
            "name: {type: string, max_length: 120, index: true}": (
                "name: {type: string, max_length: 120, unique: true}"
            ),
        },
    )
    assert name == "0004_alter_writer_name_and_add_book_stock_and_more.py"
    db.upgrade(project)
    # SQLite stores a decimal as its ten-thousandths (the generated db.ExactDecimal).
    discount = "15000" if url.startswith("sqlite") else "1.5000"
    # An optional field with a default is NOT NULL, its default filling the rows.
    filled = {"stock": "7", "discount": discount, "shelf": "unsorted"}
    books = each_row(books, lambda row: row.update(filled, editor_id=None))
    assert db.table("writer") == authors
    assert db.table("book") == books

    # 4. A wider string keeps every value.
    name = change_spec(project, {"max_length: 200": "max_length: 400"})
    assert name == "0005_alter_book_headline.py"
    db.upgrade(project)
    assert db.table("book") == books

    # 5. Dropping a field takes --allow-data-loss; the other values stay.
    name = change_spec(
        project,
        {
            "      published_on: {type: date, required: false}\n": "",
            "      editor_id: {type: ref, to: writer, required: false}\n": "",
        },
        "--allow-data-loss",
    )
    assert name == "0006_drop_book_editor_id_and_drop_book_published_on.py"
    db.upgrade(project)
    books = each_row(books, lambda row: [row.pop("published_on"), row.pop("editor_id")])
    assert db.table("book") == books
    assert db.table("writer") == authors

    # 6. NOT NULL on a populated column, once the user has filled its NULLs.
    db.run("fill-bio")
    authors = each_row(authors, lambda row: row.update(bio=row["bio"] or "none"))
    name = change_spec(
        project,
        {"bio: {type: text, required: false}": "bio: {type: text}"},
        "--allow-data-loss",
    )
    assert name == "0007_alter_writer_bio.py"
    db.upgrade(project)
    assert db.table("writer") == authors
    assert db.table("book") == books

    # The database is what the models describe: names of indexes and constraints too.
    assert db.diff(project) == []

    # Down again to the first revision: every value kept, but the dropped ones.
    db.upgrade(project, "0001")
    assert db.table("author") == {
        k: {**row, "bio": authors[k]["bio"]} for k, row in original_authors.items()
    }
    assert db.table("book") == each_row(
        original_books, lambda row: row.update(published_on=None)
    )


def test_sequence_on_sqlite(server_bookstore: Path, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'data.db'}"
    run_sequence(server_bookstore / ".venv", url, tmp_path)


def test_sequence_on_postgresql(
    server_bookstore: Path,
    postgres: str,  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> None:
    url = postgres_db(postgres, "sequence")
    run_sequence(server_bookstore / ".venv", url, tmp_path)


def test_sequence_on_mariadb(
    server_bookstore: Path,
    mariadb: str,  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> None:
    url = mariadb_db(mariadb, "sequence")
    run_sequence(server_bookstore / ".venv", url, tmp_path)


def rescale_old_decimals(venv: Path, url: str, root: Path) -> None:
    """A project made before decimals were exact on SQLite: its schema.json has no
    ``scaled`` and its SQLite file holds prices as floats. ``fastgen migrate`` writes
    the revision that turns them into ten-thousandths there (nothing elsewhere); the
    models then read every price as it was, and a downgrade gives the floats back."""
    project = new_project(EXAMPLE, root / "bookstore")
    schema = project / "migrations" / "schema.json"
    tables = json.loads(schema.read_text())
    for table in tables["tables"]:
        for column in table["columns"]:
            del column["scaled"]
    schema.write_text(json.dumps(tables, indent=2) + "\n")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "made before exact decimals")
    db = Database(venv, url)
    db.upgrade(project)
    db.run("fill-old")  # prices bound as a plain Numeric(18, 4), as models then did
    stored = db.table("book")

    migrated = run_fastgen("migrate", cwd=project)
    assert migrated.returncode == 0, migrated.stderr
    revision = project / "migrations" / "versions" / "0002_alter_book_price.py"
    written = revision.read_text()
    assert 'scale_on_sqlite("book", "price", "id", scaled["book", "price"])' in written
    assert 'scaled["book", "price"] = refuse_unscalable_on_sqlite(' in (written)
    db.upgrade(project)
    exact = {str(i): f"{i}.2500" for i in range(1, ROWS + 1)}
    assert db.prices(project) == exact
    assert db.diff(project) == []
    git(project, "add", "-A")
    git(project, "commit", "-qm", "fastgen migrate")

    # Out of ten-thousandths as the column stops being a decimal (a float, a
    # string), back into them as it becomes one again (each with --allow-data-loss,
    # as a type change takes).
    decimal, floating = "price: {type: decimal}", "price: {type: float}"
    change_spec(project, {decimal: floating}, "--allow-data-loss")
    db.upgrade(project)
    assert db.prices(project) == {str(i): f"{i}.25" for i in range(1, ROWS + 1)}
    change_spec(project, {floating: decimal}, "--allow-data-loss")
    db.upgrade(project)
    assert db.prices(project) == exact
    text = "price: {type: string, max_length: 24}"
    # (A string has no average: author_stats drops it meanwhile.)
    averaged, counted = (
        "book_count: count, average_price: {avg: price}",
        "book_count: count",
    )
    change_spec(project, {decimal: text, averaged: counted}, "--allow-data-loss")
    db.upgrade(project)
    assert db.prices(project) == exact  # the digits PostgreSQL's cast writes
    change_spec(project, {text: decimal, counted: averaged}, "--allow-data-loss")
    db.upgrade(project)
    assert db.prices(project) == exact

    db.upgrade(project, "0001")
    assert db.table("book") == stored


def test_old_decimals_rescaled_on_sqlite(
    server_bookstore: Path, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'data.db'}"
    rescale_old_decimals(server_bookstore / ".venv", url, tmp_path)


def test_old_decimals_left_as_they_are_on_postgresql(
    server_bookstore: Path,
    postgres: str,  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> None:
    url = postgres_db(postgres, "old_decimals")
    rescale_old_decimals(server_bookstore / ".venv", url, tmp_path)
