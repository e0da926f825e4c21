"""Revisions stop, before they change anything, while a row holds a value the new
column cannot: an enum value the spec dropped or a value outside a tightened limit
(the API could not answer that row), or, on SQLite, a value its CAST would not keep
('abc' read as 0, '9.5' as 9, '2020-01-01' as 2020, a string longer than its new
length kept whole). PostgreSQL and MariaDB check their own casts. fastgen never
picks a value for such rows.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from fastgen.api import new_project
from fastgen.render.dataloss import destructive_changes
from fastgen.render.migrations import schema_json, schema_of, upgrade_lines
from fastgen.render.renames import Renames
from fastgen.render.revision_conversions import (
    CONVERTED_HELPER,
    REFUSE_UNSCALED_HELPER,
    SQLITE_VALUE_HELPER,
    TEN_THOUSANDTHS_HELPER,
)
from fastgen.render.revision_helpers import (
    REFUSE_DUPLICATES_HELPER,
    REFUSE_MISSING_TARGETS_HELPER,
    REFUSE_NULLS_HELPER,
    REFUSE_OTHER_VALUES_HELPER,
    REFUSE_OUTSIDE_HELPER,
    REFUSE_UNCONVERTED_HELPER,
)
from fastgen.render.revision_names import change_words
from fastgen.render.table_schema import Column, TableSchema, tightened
from fastgen.spec.inputs import read_input

from .conftest import git, run_fastgen
from .test_dataloss import alembic_upgrade

DOCUMENT = """\
openapi: 3.0.3
info: {title: Shed, version: 1.0.0}
paths:
  /items:
    get:
      operationId: listItems
      responses:
        '200':
          description: ok
          content:
            application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Item'}}}
components:
  schemas:
    Item:
      x-fastgen-resource: {path: /items, operations: [list]}
      type: object
      required: [name]
      properties:
        id: {type: integer}
        name: {type: string, maxLength: 40}
        status: {type: string, enum: [new, used, broken]}
        code: {type: string}
"""
WITHOUT_NEW = DOCUMENT.replace("enum: [new, used, broken]", "enum: [used, broken]")


def test_a_tightened_limit_is_a_loss_and_a_check(tmp_path: Path) -> None:
    """The audit's case: ``minimum: 0`` added over a stored -5 made every read of
    the list a 500. Loosening, or a limit whose old value is unknown, is no loss."""
    before = _model(tmp_path, DOCUMENT)
    old = schema_of(before)
    assert old["item"].column("code").limits == ()
    assert '"limits": []' in schema_json(before)
    tighter = DOCUMENT.replace(
        "code: {type: string}", "code: {type: integer, minimum: 0}"
    ).replace("maxLength: 40}", "maxLength: 40, minLength: 2, pattern: '^[a-z]'}")
    after = _model(tmp_path, tighter)
    new = schema_of(after)
    assert new["item"].column("name").limits == (
        ("min_length", 2),
        ("pattern", "^[a-z]"),
    )
    messages = [str(x) for x in destructive_changes(old, after, new, {}, "o.yaml")]
    assert "tightens item.name to {'min_length': 2, 'pattern': '^[a-z]'}" in messages[0]
    lines = "\n".join(upgrade_lines(old, new))
    assert 'refuse_outside("item", "code", "int", {"ge": 0})' in lines
    assert (
        'refuse_outside("item", "name", "str", {"min_length": 2, "pattern": "^[a-z]"})'
        in lines
    )
    # OpenAPI 3.0's boolean exclusiveMinimum makes the minimum exclusive.
    exclusive = tighter.replace("minimum: 0}", "minimum: 0, exclusiveMinimum: true}")
    assert schema_of(_model(tmp_path, exclusive))["item"].column("code").limits == (
        ("gt", 0),
    )
    # Looser: no loss, no check.
    looser = tighter.replace("minimum: 0}", "minimum: -10}").replace(
        "minLength: 2", "minLength: 1"
    )
    assert (
        destructive_changes(
            new,
            _model(tmp_path, looser),
            schema_of(_model(tmp_path, looser)),
            {},
            "o.yaml",
        )
        == []
    )
    assert "refuse" not in "\n".join(
        upgrade_lines(new, schema_of(_model(tmp_path, looser)))
    )

    # A schema.json without limits (an earlier fastgen): unknown, nothing refused.
    unknown = {n: replace_limits(t) for n, t in new.items()}
    assert destructive_changes(unknown, after, new, {}, "o.yaml") == []

    # Only recorded (the key an earlier schema.json lacks): nothing to name a
    # revision after (the review found one named after every column).
    assert change_words(unknown, new, Renames({}, {})) == []
    assert change_words(old, new, Renames({}, {})) == [
        "alter_item_name",
        "alter_item_code",
    ]


@pytest.mark.parametrize(
    ("old", "new", "tighter"),
    [
        ("minimum: 0", "minimum: -1, exclusiveMinimum: true", {}),  # >= 0 to > -1
        ("minimum: 0", "minimum: 0, exclusiveMinimum: true", {"gt": 0}),
        ("maximum: 9", "maximum: 10, exclusiveMaximum: true", {}),  # <= 9 to < 10
        ("maximum: 9", "maximum: 8", {"le": 8}),
        ("enum: [1, 2, 3]", "enum: [1, 2, 3, 4]", {}),
        ("enum: [1, 2, 3]", "enum: [1, 2]", {"enum": (1, 2)}),
        ("minimum: 0", "minimum: 0, multipleOf: 5", {"multiple_of": 5}),
        ("multipleOf: 10", "multipleOf: 5", {}),  # every multiple of 10 is one of 5
        ("multipleOf: 5", "multipleOf: 10", {"multiple_of": 10}),
        # null in a nullable enum is the column's NULL, not a value to record
        (
            "nullable: true, enum: [1, 2, 3, null]",
            "nullable: true, enum: [1, 2, null]",
            {"enum": (1, 2)},
        ),
    ],
)
def test_which_limits_tighten(
    tmp_path: Path, old: str, new: str, tighter: dict[str, object]
) -> None:
    """A bound moved inward, an enum value dropped or a multipleOf added tighten;
    ``>= 0`` to ``> -1`` and a value added do not (the review found the first
    refused as a loss, and integer enums not recorded at all)."""
    level = "level: {type: integer, %s}"
    models = [
        _model(tmp_path, DOCUMENT.replace("code: {type: string}", level % limits))
        for limits in (old, new)
    ]
    before, after = (schema_of(m)["item"].column("level") for m in models)
    assert tightened(before, after) == tighter
    losses = destructive_changes(
        schema_of(models[0]), models[1], schema_of(models[1]), {}, "o.yaml"
    )
    assert bool(losses) == bool(tighter)


def replace_limits(table: TableSchema) -> TableSchema:
    return replace(table, columns=tuple(replace(c, limits=None) for c in table.columns))


def _model(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "openapi.yaml"
    path.write_text(text)
    return read_input(path)[1]


def test_a_removed_enum_value_is_a_loss_and_a_check(tmp_path: Path) -> None:
    before, after = _model(tmp_path, DOCUMENT), _model(tmp_path, WITHOUT_NEW)
    assert '"values": [\n            "new",' in schema_json(before)
    old, new = schema_of(before), schema_of(after)
    (loss,) = destructive_changes(old, after, new, {}, "openapi.yaml")
    assert loss.allowed_with_flag
    assert "removes 'new' from the values of item.status" in str(loss)
    lines = "\n".join(upgrade_lines(old, new))
    assert 'refuse_other_values("item", "status", ("used", "broken"))' in lines
    # Adding a value needs no check; a string becoming an enum does.
    assert upgrade_lines(new, old) == [
        line for line in upgrade_lines(new, old) if "refuse" not in line
    ]
    as_enum = DOCUMENT.replace(
        "code: {type: string}", "code: {type: string, enum: [a]}"
    )
    lines = "\n".join(upgrade_lines(old, schema_of(_model(tmp_path, as_enum))))
    assert 'refuse_other_values("item", "code", ("a",))' in lines


# Runs in the generated project's venv (SQLAlchemy, Alembic): each case's column
# values, then the revision helper's call; prints what it raised, per case.
CASES_SCRIPT = """
import json, sqlite3, sys, tempfile
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

helpers, cases = json.loads(sys.stdin.read())
out = []
for values, call in cases:
    db = tempfile.mktemp(suffix=".db")
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, c)")
        conn.executemany("INSERT INTO t (c) VALUES (?)", [(v,) for v in values])
    with sa.create_engine(f"sqlite:///{db}").begin() as connection:
        namespace = {"op": Operations(MigrationContext.configure(connection)), "sa": sa}
        exec(helpers, namespace)
        try:
            exec(call, namespace)
            out.append(None)
        except RuntimeError as error:
            out.append(str(error))
print(json.dumps(out))
"""

CONVERSIONS = [
    ("Integer", None, [" 42 ", "-7", "+5", "007", 3, 2.0, None], ["abc", "9.5", "1e3"]),
    ("Integer", None, [2**31 - 1], [2**31, 1.5]),
    ("Float", None, ["1.5", " 2e3 ", ".5", 7, 1.25], ["nan", "inf", "1_0", "x"]),
    ("Numeric", None, ["12.5", "-3"], ["1e20", "abc"]),
    # NUMERIC(18, 4) keeps 14 digits before the point: the audit's floats were
    # clamped to a 64-bit integer of ten-thousandths (PostgreSQL refuses them).
    ("Numeric", None, [1.5, -99999999999999.0], [-1e300, 1.7976931348623157e308]),
    ("Boolean", None, [0, 1, "1", " 0 "], ["true", 2, "yes"]),
    ("String", 3, ["abc", 12, None], ["abcd", 1234]),
    # SQLite writes the REAL 1e-05 as the text '1.0e-05': 7 characters, not 5.
    ("String", 5, [0.5], [1e-05]),
    ("Date", None, [None], ["2020-01-01"]),
    # A date becomes that day's midnight (midnight_on_sqlite); nothing else does.
    (
        "DateTime",
        None,
        [None, "1999-12-31", "2000-02-29"],
        ["2020-01-01T10:00:00", "1999-12-31 00:00:00", "1999-02-29", 1999],
    ),
]


@pytest.mark.e2e
def test_the_guards_on_a_real_sqlite(server_bookstore: Path) -> None:
    """Each conversion: the values SQLite's CAST keeps pass, each other one alone
    stops the upgrade and is named; a dropped enum value likewise."""
    cases: list[tuple[list[object], str]] = []
    expected: list[str | None] = []

    def add(call: str, kept: list[object], refused: list[object]) -> None:
        """The kept values pass; each refused one beside them is named (a
        (value, as named) pair: a string check names the text of the value)."""
        cases.append((kept, call))
        expected.append(None)
        for value in refused:
            value, named = value if isinstance(value, tuple) else (value, value)
            cases.append(([*kept, value], call))
            expected.append(f"e.g. [{named!r}]")

    for into, length, kept, refused in CONVERSIONS:
        add(
            f"refuse_unconverted_on_sqlite('t', 'c', {into!r}, {length!r})",
            kept,
            refused,
        )
    # Whatever the column holds, counted: NULLs, shared values (NULLs are not), and
    # values naming no row of the new target (here t's own keys, 1 to the count).
    nulls, shared = "refuse_nulls('t', 'c')", "refuse_duplicates('t', 'c')"
    targets = "refuse_missing_targets('t', 'c', 't.id')"
    created = "refuse_missing_targets('t', 'c', 'u', created=True)"
    for case, want in (
        (([1, 2], nulls), None),
        (([1, None, None], nulls), "t.c: 2 row(s) hold NULL"),
        (([1, 2, None, None], shared), None),
        (
            ([1, 1, 1, 2, 2, 3], shared),
            "t.c: 5 row(s) share a value with another, e.g. [1, 2]",
        ),
        (([1, 2, None], targets), None),
        (
            ([1, 5, 7], targets),
            "t.c: 2 row(s) hold values that name no row of t.id, e.g. [5, 7]",
        ),
        (([None], created), None),
        (([None, 1], created), "t.c: 1 row(s) hold values that name no row of u"),
    ):
        cases.append(case)
        expected.append(want)
    call = "refuse_other_values('t', 'c', ('used', 'broken'))"
    cases += [(["used", None, "broken"], call), (["used", "new", "new", "it's"], call)]
    expected += [None, "t.c: rows hold [\"it's\", 'new']"]
    for kind, limits, kept, refused in (
        ("float", {"ge": 0, "lt": 10}, [0, 9.5, None], [-5, 10]),
        # A text column becoming an integer one: read as the integer it becomes.
        ("int", {"ge": 0}, ["5", 7], ["-1"]),
        ("int", {"multiple_of": 5, "enum": [5, 10]}, [5, "10"], [3, 15]),
        ("str", {"min_length": 2, "pattern": "^[a-z]"}, ["ab", "x1"], ["a", "Ab"]),
        ("str", {"min_length": 2}, ["ab", 12], ["a", (1, "1")]),  # integers as text
        # A float as the text SQLite's CAST makes: 1e-05 is '1.0e-05', 0.1+0.2 '0.3'.
        ("str", {"pattern": "^[^.]*$"}, ["1"], [(1e-05, "1.0e-05")]),
        ("str", {"pattern": "^\\d\\.\\d$"}, [0.1 + 0.2], []),
        # The models' regex (Rust's): $ is not before a final newline, \p{L} works.
        ("str", {"pattern": "^[a-z]+$"}, ["abc"], ["abc\n"]),
        ("str", {"pattern": "^\\p{L}+$"}, ["abc", "é"], ["a1"]),
        # One Rust's regex refuses: pydantic's models use Python's, and so does this.
        ("str", {"pattern": "^(?=a)"}, ["ab"], ["ba"]),
    ):
        add(f"refuse_outside('t', 'c', {kind!r}, {limits!r})", kept, refused)
    # A decimal (its ten-thousandths, as SQLite stores it) into a narrower type:
    # named as the decimal it is.
    add(
        "refuse_unscaled_on_sqlite('t', 'c', 'String', 8)",
        [1234567, -12345],  # '123.4567' and '-1.2345' take 8 characters at most
        [(12345678, "1234.5678")],
    )
    add(
        "refuse_unscaled_on_sqlite('t', 'c', 'Integer', None)",
        [21474836474999, -21474836484999],  # round to 2**31 - 1 and -2**31
        [
            (21474836475000, "2147483647.5000"),
            (999999999999999999, "99999999999999.9999"),
        ],
    )
    helpers = (
        "import datetime as dt\nimport re\nfrom decimal import ROUND_HALF_UP, Decimal\n"
        "from typing import Any\n"
        "from pydantic_core import SchemaError, SchemaValidator, ValidationError\n"
    ) + (
        REFUSE_UNCONVERTED_HELPER
        + REFUSE_OTHER_VALUES_HELPER
        + REFUSE_OUTSIDE_HELPER
        + REFUSE_NULLS_HELPER
        + REFUSE_DUPLICATES_HELPER
        + REFUSE_MISSING_TARGETS_HELPER
        + REFUSE_UNSCALED_HELPER
        # What those three call to compare values as a type change converts them.
        + CONVERTED_HELPER
        + SQLITE_VALUE_HELPER
        + TEN_THOUSANDTHS_HELPER
    )
    result = subprocess.run(
        [server_bookstore / ".venv" / "bin" / "python", "-c", CASES_SCRIPT],
        input=json.dumps([helpers, cases]),
        capture_output=True,
        text=True,
        check=True,
    )
    for case, want, got in zip(cases, expected, json.loads(result.stdout), strict=True):
        if want is None:
            assert got is None, (case, got)
        else:
            assert got is not None and want in got, (case, got)


@pytest.mark.e2e
def test_an_upgrade_waits_for_rows_its_columns_cannot_hold(
    server_bookstore: Path, tmp_path: Path
) -> None:
    """The audit's cases: an enum value dropped or a limit tightened over rows that
    hold what the document no longer takes (every read of them answered 500), and
    'x' cast to an integer (SQLite stored 0). Now the change needs
    --allow-data-loss, and the upgrade stops, changing nothing, until the user has
    changed those rows; then every value is kept."""
    venv = server_bookstore / ".venv"
    spec = tmp_path / "openapi.yaml"
    spec.write_text(DOCUMENT)
    project = new_project(spec, tmp_path / "shed")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    db = tmp_path / "shed.db"
    alembic_upgrade(venv, project, db)
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO item (name, status, code) VALUES (?, ?, ?)",
            [("a", "new", "1"), ("b", "used", "x")],
        )
    (project / "openapi.yaml").write_text(
        WITHOUT_NEW.replace("code: {type: string}", "code: {type: integer}").replace(
            "maxLength: 40}", "maxLength: 40, minLength: 2, pattern: '^[a-z]+$'}"
        )
    )
    git(project, "commit", "-qam", "drop new; codes are numbers")
    refused = run_fastgen("update", cwd=project)
    assert refused.returncode == 1
    assert "removes 'new' from the values of item.status" in refused.stderr
    assert "tightens item.name to {'min_length': 2" in refused.stderr
    assert run_fastgen("update", "--allow-data-loss", cwd=project).returncode == 0
    with pytest.raises(AssertionError, match=r"item.name: 2 row\(s\) hold values"):
        alembic_upgrade(venv, project, db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE item SET name = name || 'z'")
    with pytest.raises(AssertionError, match=r"item.status: rows hold \['new'\]"):
        alembic_upgrade(venv, project, db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE item SET status = 'broken' WHERE id = 1")
    with pytest.raises(AssertionError, match=r"item.code: 1 row\(s\) hold values"):
        alembic_upgrade(venv, project, db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE item SET code = '2' WHERE id = 2")
        before = conn.execute("SELECT * FROM item ORDER BY id").fetchall()
    alembic_upgrade(venv, project, db)
    with sqlite3.connect(db) as conn:
        after = conn.execute("SELECT * FROM item ORDER BY id").fetchall()
    assert after == [(1, "az", "broken", 1), (2, "bz", "used", 2)]
    assert [row[:3] for row in before] == [row[:3] for row in after]


def test_a_31_document_may_give_both_bounds() -> None:
    """minimum 5 with exclusiveMinimum 0: the inner one counts (the review found
    ``gt`` preferred, so raising ``ge`` to 7 went unseen)."""

    def level(*limits: tuple[str, object]) -> Column:
        return Column(
            "c",
            "integer",
            "Integer()",
            True,
            False,
            None,
            False,
            False,
            None,
            limits=limits,
        )

    both = level(("ge", 5), ("gt", 0))
    assert tightened(both, level(("ge", 7))) == {"ge": 7}
    assert tightened(both, level(("ge", 5), ("gt", 3))) == {}  # still >= 5
    assert tightened(level(("ge", 0)), level(("gt", -1))) == {}
    assert tightened(level(("ge", 0)), level(("gt", 0))) == {"gt": 0}
