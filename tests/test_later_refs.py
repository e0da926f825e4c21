"""Refs that later revisions add or take away, on a populated database.

A revision used to run each existing table's steps in the new schema's table order
(referenced tables first). Where a new table and an existing one refer to each
other, that order puts the existing table first: its foreign key to the new table
came before the CREATE TABLE, which PostgreSQL ('relation "series" does not exist')
and MariaDB (errno 150) refuse; SQLite checks no reference and let it pass. The
downgrade of a revision dropping such a table had the same fault.

From the bookstore with 1,000 authors and books, each step as a user takes it (edit
and commit fastgen.yaml, ``fastgen update``, commit), then ``alembic upgrade head``,
``downgrade -1`` and ``upgrade head`` again, every row of the old tables read back
each time:

1. an existing table gains a ref to a new one declared before it that refers back
   (the cycle the table order got wrong);
2. that table dropped while the existing table loses its ref to it.

At the end autogenerate finds nothing to change between the models and the database.
On PostgreSQL and MariaDB only: SQLite checks no reference (its rebuilds keep rows in
tests/test_migration_sequence.py). Every order (a ref to a new table declared before
or after, new tables referring to each other) is checked on the revision's text in
tests/test_ref_cycles.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fastgen.api import new_project

from .conftest import EXAMPLE, git
from .test_mariadb import createdb as mariadb_db
from .test_mariadb import mariadb  # noqa: F401 (the fixture)
from .test_migration_sequence import ROWS, Database, Table, change_spec, each_row
from .test_postgres import createdb as postgres_db
from .test_postgres import postgres  # noqa: F401 (the fixture)

pytestmark = pytest.mark.e2e

BOOK = "  book:\n    path: /books\n"
BOOK_REF = "      author_id: {type: ref, to: author, index: true}\n"
# series before book, each referring to the other.
SERIES = (
    "  series:\n    path: /series\n    fields:\n"
    "      opener_id: {type: ref, to: book, required: false}\n"
)
SERIES_REF = "      series_id: {type: ref, to: series, required: false}\n"


def step(
    db: Database,
    project: Path,
    before: dict[str, Table],
    after: dict[str, Table],
    edits: dict[str, str],
    *flags: str,
) -> str:
    """One spec change: its revision up, down and up again, the rows checked each
    time (``before``/``after``: table name -> rows). The revision's text."""
    name = change_spec(project, edits, *flags)
    db.upgrade(project)
    assert {table: db.table(table) for table in after} == after
    db.upgrade(project, "-1")
    assert {table: db.table(table) for table in before} == before
    db.upgrade(project)
    assert {table: db.table(table) for table in after} == after
    return (project / "migrations" / "versions" / name).read_text()


def with_columns(table: Table, *columns: str) -> Table:
    return each_row(table, lambda row: row.update(dict.fromkeys(columns)))


def run_later_refs(venv: Path, url: str, root: Path) -> None:
    project = new_project(EXAMPLE, root / "bookstore")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    db = Database(venv, url)
    db.upgrade(project)
    db.in_project(project, "fill-now")
    authors, books = db.table("author"), db.table("book")
    assert len(authors) == len(books) == ROWS
    old = {"author": authors, "book": books}

    # 1. series, new and declared before book, and book refer to each other: the
    # table order put book's key to series before series' CREATE TABLE.
    edits = {BOOK: SERIES + BOOK, BOOK_REF: BOOK_REF + SERIES_REF}
    new = {"author": authors, "book": with_columns(books, "series_id"), "series": {}}
    source = step(db, project, old, new, edits)
    upgrade, downgrade = source.split("def downgrade() -> None:")
    created = upgrade.index('op.create_table(\n        "series",')
    assert created < upgrade.index('add_foreign_key("book", "fk_series_id_series"')
    assert downgrade.index('"fk_series_id_series"') < downgrade.index(
        'op.drop_table("series")'
    )

    # 2. series dropped as book loses its ref to it: the downgrade makes series
    # again before book's key to it.
    edits = {SERIES: "", SERIES_REF: ""}
    step(db, project, new, old, edits, "--allow-data-loss")

    assert db.diff(project) == []


def test_later_refs_on_postgresql(
    server_bookstore: Path,
    postgres: str,  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> None:
    url = postgres_db(postgres, "later_refs")
    run_later_refs(server_bookstore / ".venv", url, tmp_path)


def test_later_refs_on_mariadb(
    server_bookstore: Path,
    mariadb: str,  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> None:
    url = mariadb_db(mariadb, "later_refs")
    run_later_refs(server_bookstore / ".venv", url, tmp_path)
