"""MariaDB and MySQL store, compare and answer as PostgreSQL and SQLite do: a float
is a DOUBLE, a datetime keeps its microseconds (DATETIME(6)), strings compare byte
by byte (a binary collation). A project whose ``migrations/schema.json`` predates
that gets one revision making its tables so, written once, lossless.

Unit tests of the revisions over tests/specs/exact.yaml; the real databases are in
tests/test_mariadb_exact.py.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from fastgen.model.service import ServiceModel
from fastgen.render.dataloss import destructive_changes
from fastgen.render.migrations import (
    initial_migration,
    load_schema,
    render_revision,
    schema_json,
    schema_of,
    upgrade_lines,
    write_revision,
)
from fastgen.render.renames import Renames, renames_of
from fastgen.render.revision_names import change_words
from fastgen.render.table_schema import TableSchema

from .conftest import REPO, ruff
from .test_dataloss import model

EXACT = (REPO / "tests" / "specs" / "exact.yaml").read_text()
NO_RENAMES = Renames({}, {})


def before_exact(schema: dict[str, TableSchema]) -> dict[str, TableSchema]:
    """``schema`` as a schema.json written before fastgen made MariaDB exact."""
    return {
        name: replace(
            table,
            binary_collation=False,
            columns=tuple(
                replace(
                    c,
                    microseconds=False,
                    sa_type="Float()" if c.sa_type == "Double()" else c.sa_type,
                )
                for c in table.columns
            ),
        )
        for name, table in schema.items()
    }


def old_schema_json(service: ServiceModel) -> str:
    """``schema_json(service)`` as fastgen wrote it before: no binary_collation, no
    microseconds, floats ``Float()``."""
    data = json.loads(schema_json(service))
    for table in data["tables"]:
        del table["binary_collation"]
        for column in table["columns"]:
            column.pop("microseconds", None)
            if column["sa_type"] == "Double()":
                column["sa_type"] = "Float()"
    return json.dumps(data, indent=2) + "\n"


def test_new_tables_are_exact_on_mariadb() -> None:
    """The first revision creates doubles, DATETIME(6) and binary-collated tables on
    MariaDB and MySQL (its helpers say how); schema.json records it."""
    service = model(EXACT)
    source = initial_migration(service)
    assert 'sa.Column("ratio", sa.Double(), nullable=False)' in source
    assert 'sa.Column("at", utc_timestamp(), nullable=False)' in source
    assert source.count("mysql_collate=binary_collation(),") == 2
    assert 'mysql.DATETIME(fsp=6), "mysql", "mariadb"' in source
    assert '"utf8mb4_nopad_bin"' in source
    assert "\nfrom sqlalchemy.dialects import mysql\n" in source
    checked = ruff(
        "check",
        "--extend-select",
        "I",
        "--stdin-filename",
        "0001.py",
        "-",
        stdin=source,
    )
    assert checked.returncode == 0, checked.stdout
    schema = schema_of(service)
    assert all(table.binary_collation for table in schema.values())
    assert [c.name for c in schema["item"].columns if c.microseconds] == [
        "at",
        "maybe_at",
    ]
    text = schema_json(service)
    assert text.count('"binary_collation": true') == 2
    assert text.count('"microseconds": true') == 2  # left out where false


def test_a_schema_from_before_gets_one_lossless_revision() -> None:
    """The tables of a schema.json written before: each converted to the binary
    collation (the string foreign key dropped and added back, its rows checked
    first), floats made doubles and datetimes given microseconds through
    exact_columns, which keeps the values the API answered. No data loss; the
    downgrade takes them back."""
    service = model(EXACT)
    new = schema_of(service)
    old = before_exact(new)
    assert destructive_changes(old, service, new, {}, "fastgen.yaml") == []
    assert "\n".join(upgrade_lines(old, new)) == (
        '    refuse_loose_references("item", "shelf_code", "shelf.code")\n'
        "    collate_tables(\n"
        '        ["shelf", "item"], [("item", "fk_shelf_code_shelf", "shelf_code", '
        '"shelf.code")]\n'
        "    )\n"
        "    exact_columns(\n"
        '        "item",\n'
        '        {"ratio": False, "maybe_ratio": True},\n'
        '        {"at": False, "maybe_at": True},\n'
        '        key="id",\n'
        "    )"
    )
    down = "\n".join(upgrade_lines(new, old, direction="downgrade"))
    assert "refuse_loose_references" not in down
    assert "        binary=False,\n" in down
    assert "        exact=False,\n" in down and "key=" not in down
    assert change_words(old, new, NO_RENAMES) == [
        "mariadb_doubles_microseconds_binary_collation"
    ]


def test_only_what_is_missing_is_changed() -> None:
    """A schema.json already exact in part: only the rest is changed, and the
    revision is named after that."""
    new = schema_of(model(EXACT))
    collated = {
        n: replace(t, binary_collation=True) for n, t in before_exact(new).items()
    }
    lines = "\n".join(upgrade_lines(collated, new))
    assert "collate_tables" not in lines and "refuse_loose" not in lines
    assert "exact_columns(" in lines
    assert change_words(collated, new, NO_RENAMES) == ["mariadb_doubles_microseconds"]
    assert upgrade_lines(new, new) == []


def test_fastgens_change_comes_with_the_specs_in_order() -> None:
    """With a spec change in the same update: every check first (under the names
    the database has then), then the renames, the collation (before a table refers
    to a converted key), each table's own steps, the float made exact before a
    statement restates the column."""
    text = (
        EXACT.replace(
            "      ratio: {type: float}\n",
            "      ratio: {type: float, required: false}\n",
        )
        .replace("  shelf:\n", "  rack:\n    renamed_from: shelf\n")
        .replace("to: shelf,", "to: rack,")
        .replace(
            "      label: {type: string, max_length: 40}\n",
            "      label: {type: string, max_length: 40}\n"
            "      parent_code: {type: ref, to: rack, required: false}\n",
        )
    )
    service = model(text)
    old = before_exact(schema_of(model(EXACT)))
    lines = "\n".join(upgrade_lines(old, schema_of(service), renames_of(service, old)))
    order = [
        'refuse_loose_references("item", "shelf_code", "shelf.code")',
        'op.rename_table("shelf", "rack")',
        "collate_tables(",
        'batch.add_column(sa.Column("parent_code"',
        'exact_columns(\n        "item",\n        {"ratio": False',
        '"ratio", existing_type=sa.Double(), nullable=True',
    ]
    positions = [lines.index(step) for step in order]
    assert positions == sorted(positions), lines
    assert '("item", "fk_shelf_code_rack", "shelf_code", "rack.code")' in lines
    words = change_words(old, schema_of(service), renames_of(service, old))
    assert words[-1] == "mariadb_doubles_microseconds_binary_collation"
    assert "alter_item_at" not in words and "alter_item_ratio" in words


def test_the_revision_is_written_once_and_records_it(tmp_path: Path) -> None:
    """A project whose schema.json predates the keys (read as False and Float()):
    its next revision makes the tables exact and rewrites schema.json, after which
    nothing is left to write."""
    service = model(EXACT)
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    (versions / "0001_initial.py").write_text('revision = "0001"\n')
    state = tmp_path / "migrations" / "schema.json"
    state.write_text(old_schema_json(service))
    assert load_schema(state) == before_exact(schema_of(service))

    written = write_revision(tmp_path, service)

    assert written is not None
    assert written.name == "0002_mariadb_doubles_microseconds_binary_collation.py"
    source = written.read_text()
    assert 'down_revision: str | None = "0001"' in source
    helpers = ("collate_tables", "exact_columns", "refuse_loose_references")
    for helper in (*helpers, "single_digits", "text_again", "binary_collation"):
        assert f"\ndef {helper}(" in source
    assert state.read_text() == schema_json(service)
    assert write_revision(tmp_path, service) is None
    assert sorted(p.name for p in versions.iterdir()) == [
        "0001_initial.py",
        "0002_mariadb_doubles_microseconds_binary_collation.py",
    ]


def test_the_helpers_render_as_ruff_formats_them() -> None:
    """A revision using every helper is clean under the project's ruff (format and
    isort)."""
    service = model(EXACT)
    new = schema_of(service)
    old = before_exact(new)
    source = render_revision(
        "r",
        "0001",
        "m",
        upgrade_lines(old, new),
        upgrade_lines(new, old, direction="downgrade"),
    )
    assert (
        ruff(
            "format", "--check", "--stdin-filename", "0002_m.py", "-", stdin=source
        ).returncode
        == 0
    )
    checked = ruff(
        "check",
        "--extend-select",
        "I",
        "--stdin-filename",
        "0002_m.py",
        "-",
        stdin=source,
    )
    assert checked.returncode == 0, checked.stdout
