"""A column changing type: its checks compare the values the change makes, and the
change keeps each value exactly, on SQLite and PostgreSQL alike (the review's cases).

In one revision over a populated table: a text column made an integer and unique
while it holds '1' and '01' (the check compared the texts, then SQLite stopped
halfway through its batch and PostgreSQL left an invalid index); an integer made a
ref to a table keyed by strings (PostgreSQL's check compared integer to varchar);
a float and a string made decimals past 2**53 ten-thousandths (SQLite computed them
in doubles and invented digits); and back (the downgrade), a datetime made a date
again (SQLite refused even midnights; PostgreSQL's cast cut the time of the
others without a word). PostgreSQL started as tests/test_postgres.py
does; skipped without it.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from fastgen.api import new_project

from .conftest import git, run_fastgen
from .test_migration_refusals import _describe, _run
from .test_postgres import createdb as postgres_db
from .test_postgres import postgres  # noqa: F401 (the fixture)

pytestmark = pytest.mark.e2e

SPEC = """\
fastgen: 1
service: {name: shelf, title: Shelf API, version: 0.1.0}
database: {url: "sqlite+aiosqlite:///./shelf.db"}
resources:
  tag:
    path: /tags
    fields:
      slug: {type: string, primary_key: true, max_length: 20}
  book:
    path: /books
    fields:
      code: {type: text, required: false}
      tag_ref: {type: integer, required: false}
      weight: {type: float, required: false}
      amount: {type: string, max_length: 30, required: false}
      day: {type: date, required: false}
"""
CHANGES = [
    ("code: {type: text,", "code: {type: integer, unique: true,"),
    ("tag_ref: {type: integer,", "tag_ref: {type: ref, to: tag,"),
    ("weight: {type: float,", "weight: {type: decimal,"),
    ("amount: {type: string, max_length: 30,", "amount: {type: decimal,"),
    ("day: {type: date,", "day: {type: datetime,"),
]
FILL = [
    "INSERT INTO tag (slug) VALUES ('5'), ('7')",
    (
        "INSERT INTO book (id, code, tag_ref, weight, amount, day) VALUES "
        "(1, '1', 5, 99999999999999.0, '12345678901234.5678', '1999-12-31'), "
        "(2, '01', 7, 99999999999999.98, '99999999999999', '2000-02-29'), "
        "(3, NULL, NULL, 99999999999999.5, '-0.00005', NULL)"
    ),
]
UPGRADE = ("-m", "alembic", "upgrade", "head")
DOWNGRADE = ("-m", "alembic", "downgrade", "-1")


def _decimals(rows: list[list[str | None]], dialect: str) -> list[list[object]]:
    """weight and amount as numbers: SQLite stores ten-thousandths."""
    scale = -4 if dialect == "sqlite" else 0
    return [
        [None if v is None else Decimal(v).scaleb(scale) for v in row[3:5]]
        for row in rows
    ]


def run_conversions(python: Path, url: str, root: Path, *setup: str) -> None:
    """``setup``: statements run on the database first."""
    dialect = url.split("+")[0]
    spec = root / "fastgen.yaml"
    spec.write_text(SPEC)
    project = new_project(spec, root / "shelf")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    if setup:
        _describe(project, python, url, *setup)
    _run(project, python, url, *UPGRADE)
    before = _describe(project, python, url, *FILL)
    text = (project / "fastgen.yaml").read_text()
    for old, new in CHANGES:
        assert old in text, old
        text = text.replace(old, new)
    (project / "fastgen.yaml").write_text(text)
    git(project, "commit", "-qam", "the review's changes")
    updated = run_fastgen("update", "--allow-data-loss", cwd=project)
    assert updated.returncode == 0, updated.stderr

    overflow = {
        "sqlite": r"book.weight: 1 row\(s\) hold values beyond NUMERIC\(18, 4\)",
        "postgresql": r"book.weight: a row holds a value PostgreSQL cannot cast .* "
        "numeric field overflow",
    }[dialect]
    for refusal, fix in (
        # '1' and '01' are both 1 once integers.
        (
            r"book.code: 2 row\(s\) share a value with another, e.g. \[1\]",
            "UPDATE book SET code = '2' WHERE id = 2",
        ),
        # A float by its 15 digits, as PostgreSQL casts it: 100000000000000.
        (overflow, "UPDATE book SET weight = -99999999999999.9 WHERE id = 2"),
    ):
        with pytest.raises(AssertionError, match=refusal):
            _run(project, python, url, *UPGRADE)
        assert _describe(project, python, url) == before  # no _alembic_tmp_book
        before = _describe(project, python, url, fix)
    _run(project, python, url, *UPGRADE)  # the ref's check compares as varchar

    rows = _describe(project, python, url)["book"]["rows"]
    assert [row[1:3] for row in rows] == [["1", "5"], ["2", "7"], [None, None]]
    assert _decimals(rows, dialect) == [
        [Decimal("99999999999999.0000"), Decimal("12345678901234.5678")],
        [Decimal("-99999999999999.9000"), Decimal("99999999999999.0000")],
        # Half away from zero, as PostgreSQL rounds.
        [Decimal("99999999999999.5000"), Decimal("-0.0001")],
    ]

    # Back: a datetime at midnight is its day again; another would lose its time.
    after = _describe(
        project,
        python,
        url,
        "UPDATE book SET day = '2000-02-29 10:30:00+00:00' WHERE id = 2",
    )
    # PostgreSQL's cast and MariaDB's ALTER cut the time without a word.
    refused = {
        "sqlite": r"book.day: 1 row\(s\) hold values SQLite would not keep as Date",
        "postgresql": r"book.day: 1 row\(s\) hold a time of day, e.g. "
        r"\['2000-02-29 10:30:00\+00:00'\].*keep the field a datetime",
    }[dialect]
    with pytest.raises(AssertionError, match=refused + ".*then downgrade again"):
        _run(project, python, url, *DOWNGRADE)
    assert _describe(project, python, url) == after
    _describe(
        project,
        python,
        url,
        "UPDATE book SET day = '2000-02-29 00:00:00.000000+00:00' WHERE id = 2",
    )
    _run(project, python, url, *DOWNGRADE)
    rows = _describe(project, python, url)["book"]["rows"]
    assert [row[5] for row in rows] == ["1999-12-31", "2000-02-29", None]
    assert [row[4] for row in rows] == [
        "12345678901234.5678",
        "99999999999999.0000",
        "-0.0001",
    ]


def test_conversions_on_sqlite(server_bookstore: Path, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shelf.db'}"
    run_conversions(server_bookstore / ".venv" / "bin" / "python", url, tmp_path)


def test_conversions_on_postgresql(
    server_bookstore: Path,
    postgres: str,  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> None:
    url = postgres_db(postgres, "conversions")
    # A server away from UTC: its casts of a date to a timestamptz and back took the
    # day there (1999-12-31 became 05:00 UTC), until the sessions were UTC.
    run_conversions(
        server_bookstore / ".venv" / "bin" / "python",
        url,
        tmp_path,
        "ALTER DATABASE conversions SET timezone TO 'America/New_York'",
    )


ZONED = """\
fastgen: 1
service: {name: shelf, title: Shelf API, version: 0.1.0}
database: {url: "sqlite+aiosqlite:///./shelf.db"}
resources:
  book:
    path: /books
    fields:
      day: {type: date, required: false}
      at: {type: string, max_length: 30, required: false}
"""


def test_dates_become_midnight_utc_whatever_the_postgresql_timezone(
    server_bookstore: Path,
    postgres: str,  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> None:
    """A database whose TimeZone is its host's (here New York): a date made a
    datetime is that day's midnight UTC, as on SQLite and MariaDB, not New York's;
    a text made a datetime reads a time without offset as UTC; and back."""
    python = server_bookstore / ".venv" / "bin" / "python"
    url = postgres_db(postgres, "zoned")
    spec = tmp_path / "fastgen.yaml"
    spec.write_text(ZONED)
    project = new_project(spec, tmp_path / "shelf")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    _run(project, python, url, *UPGRADE)
    _describe(
        project,
        python,
        url,
        "ALTER DATABASE zoned SET timezone TO 'America/New_York'",
        "INSERT INTO book (id, day, at) VALUES (1, '1999-12-31', "
        "'2020-01-02 10:00:00'), (2, '2020-01-02', NULL)",
    )
    text = ZONED.replace("day: {type: date,", "day: {type: datetime,")
    text = text.replace("at: {type: string, max_length: 30,", "at: {type: datetime,")
    (project / "fastgen.yaml").write_text(text)
    git(project, "commit", "-qam", "datetimes")
    updated = run_fastgen("update", "--allow-data-loss", cwd=project)
    assert updated.returncode == 0, updated.stderr
    _run(project, python, url, *UPGRADE)
    rows = _describe(project, python, url)["book"]["rows"]
    assert rows == [
        ["1", "1999-12-31 00:00:00+00:00", "2020-01-02 10:00:00+00:00"],
        ["2", "2020-01-02 00:00:00+00:00", None],
    ]
    _run(project, python, url, *DOWNGRADE)
    rows = _describe(project, python, url)["book"]["rows"]
    assert rows == [
        ["1", "1999-12-31", "2020-01-02 10:00:00+00"],
        ["2", "2020-01-02", None],
    ]
