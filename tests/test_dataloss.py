"""Schema changes that lose data are refused unless acknowledged (issue 14).

Unit tests of ``fastgen.render.dataloss`` over two compiled specs, with the exact
messages; the end-to-end test takes a populated SQLite database through a refused
removal, the same removal with ``--allow-data-loss`` and a required field with a
default, using the generated project's own Alembic.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from fastgen.api import new_project, spec_locations, update_project
from fastgen.model.service import ServiceModel
from fastgen.render.dataloss import DataLossError, destructive_changes, type_loss
from fastgen.render.migrations import Column, schema_of
from fastgen.spec.inputs import read_input, read_input_file
from fastgen.spec.loader import load_text
from fastgen.spec.native.compile import compile_service
from fastgen.spec.native.validate import validate_data
from fastgen.spec.openapi.annotations import RENAMED_KEY

from .conftest import EXAMPLE, REPO, git, run_fastgen

BASE = EXAMPLE.read_text()


def model(text: str) -> ServiceModel:
    return compile_service(validate_data(*load_text(text, "fastgen.yaml")))


def losses(new_text: str, old_text: str = BASE) -> list[str]:
    new = model(new_text)
    where = {("book", None): "fastgen.yaml:27", ("book", "stock"): "fastgen.yaml:33"}
    found = destructive_changes(
        schema_of(model(old_text)), new, schema_of(new), where, "fastgen.yaml"
    )
    return [f"{loss}{'' if loss.allowed_with_flag else ' [always]'}" for loss in found]


def test_removed_field_names_the_resource_line_and_the_data_lost() -> None:
    new = BASE.replace("      isbn: {type: string, max_length: 13, unique: true}\n", "")
    assert losses(new) == [
        (
            "fastgen.yaml:27: removes field isbn: drops column book.isbn and its "
            "values in every row"
        )
    ]


def test_removed_table() -> None:
    old = BASE.replace(
        "endpoints:",
        "  shelf:\n    path: /shelves\n    fields:\n"
        "      label: {type: string}\nendpoints:",
    )
    assert losses(BASE, old) == [
        "fastgen.yaml: removes table shelf: drops it with every row"
    ]


def test_new_required_field_needs_a_default_always() -> None:
    new = BASE.replace(
        "      price: {type: decimal}",
        "      price: {type: decimal}\n      stock: {type: integer}",
    )
    assert losses(new) == [
        (
            "fastgen.yaml:33: adds required field stock to existing table book without "
            "a default: its rows have no value for it; add `default:` (used to fill "
            "existing rows) or `required: false` [always]"
        )
    ]
    with_default = new.replace(
        "stock: {type: integer}", "stock: {type: integer, default: 3}"
    )
    optional = new.replace(
        "stock: {type: integer}", "stock: {type: integer, required: false}"
    )
    assert losses(with_default) == [] and losses(optional) == []


def test_new_required_field_on_a_new_table_is_fine() -> None:
    new = BASE.replace(
        "endpoints:",
        "  shelf:\n    path: /shelves\n    fields:\n"
        "      label: {type: string}\nendpoints:",
    )
    assert losses(new) == []


def test_made_required_where_rows_may_be_null() -> None:
    new = BASE.replace(
        "published_on: {type: date, required: false}", "published_on: {type: date}"
    )
    assert losses(new) == [
        (
            "fastgen.yaml:27: makes column book.published_on NOT NULL: the upgrade "
            "fails while any row holds NULL there; fill those rows first (the revision "
            "does not), or keep it optional without a default"
        )
    ]


def test_a_default_on_an_optional_field_makes_it_not_null() -> None:
    old = BASE.replace(
        "bio: {type: text, required: false}",
        "bio: {type: text, required: false}\n      rank: {type: integer, required: false}",
    )
    new = old.replace(
        "rank: {type: integer, required: false}", "rank: {type: integer, default: 0}"
    )
    assert losses(new, old) == [
        (
            "fastgen.yaml: makes column author.rank NOT NULL: the upgrade fails while "
            "any row holds NULL there; fill those rows first (the revision does not), or "
            "keep it optional without a default"
        )
    ]


def test_narrowed_and_widened_strings() -> None:
    narrowed = BASE.replace("max_length: 200", "max_length: 100")
    assert losses(narrowed) == [
        (
            "fastgen.yaml:27: narrows column book.title from 200 to 100 characters: "
            "the upgrade stops while a row holds a longer value; shorten those first"
        )
    ]
    assert losses(BASE.replace("max_length: 200", "max_length: 300")) == []
    assert (
        losses(
            BASE.replace("title: {type: string, max_length: 200", "title: {type: text")
        )
        == []
    )


def column(sa_type: str) -> Column:
    return Column("c", "x", sa_type, True, False, None, False, False, None)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Integer()", "Text()"),
        ("String(20)", "Text()"),
        ("String(20)", "String(30)"),
        # fastgen's FLOAT made a double (MariaDB's 4 bytes to 8; elsewhere 8 already)
        ("Float()", "Double()"),
    ],
)
def test_lossless_widenings(old: str, new: str) -> None:
    assert type_loss("t", column(old), column(new)) is None


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Float()", "Integer()"),
        # 2**53 + 1 has no double; 10**15 overflows Numeric(18, 4)
        ("Integer()", "Float()"),
        ("Integer()", "Numeric(18, 4)"),
        ("Text()", "String(20)"),
        ("Numeric(18, 4)", "Float()"),
        ("Double()", "Float()"),
        ("String(20)", "Integer()"),
    ],
)
def test_everything_else_is_lossy(old: str, new: str) -> None:
    assert type_loss("t", column(old), column(new)) == (
        f"changes column t.c from {old} to {new}, which has no lossless cast: "
        "a value that does not convert stops the upgrade (change those rows first); "
        "one that does may be rounded to the new type (a number's digits)"
    )


def test_a_datetime_made_a_date_stops_while_a_row_holds_a_time() -> None:
    """The audit: PostgreSQL's cast cut the time of every row without a word; the
    revision refuses such rows now (refuse_time_of_day), on every database."""
    old, new = column("DateTime(timezone=True)"), column("Date()")
    assert type_loss("t", old, new) == (
        "makes column t.c a date: the upgrade stops while a row holds a time of "
        "day other than midnight (UTC), which no database keeps; set those rows "
        "to their day's midnight first (the revision does not)"
    )


def test_spec_locations_name_resource_and_field_lines(tmp_path: Path) -> None:
    spec = tmp_path / "fastgen.yaml"
    spec.write_text(BASE)
    where, file = spec_locations(read_input_file(spec))
    assert file == str(spec)
    assert where["book", None] == f"{spec}:27"
    assert where["book", "isbn"] == f"{spec}:31"
    assert where["", None] == f"{spec}:17"


def test_refusal_message_lists_each_change_and_the_flag() -> None:
    new = BASE.replace("      isbn: {type: string, max_length: 13, unique: true}\n", "")
    found = destructive_changes(
        schema_of(model(BASE)), model(new), schema_of(model(new)), {}, "f.yaml"
    )
    assert str(DataLossError(found, allow_data_loss=False)) == (
        "the spec change would lose data or cannot fill existing rows; nothing was "
        "written:\n"
        "  f.yaml: removes field isbn: drops column book.isbn and its values in "
        "every row\n"
        "Apply it anyway with `fastgen update --allow-data-loss` (or `fastgen "
        "migrate --allow-data-loss`); the revision's docstring "
        "lists what it drops."
    )


# --- end to end: a populated SQLite database ---------------------------------------

ROWS = 1000
ISBN = "      isbn: {type: string, max_length: 13, unique: true}\n"


def alembic_upgrade(venv: Path, project: Path, db: Path) -> None:
    result = subprocess.run(
        [str(venv / "bin" / "alembic"), "upgrade", "head"],
        cwd=project,
        env={**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{db}"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def populate(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO author (id, name, bio) VALUES (?, ?, ?)",
            [
                (i, f"author {i}", None if i % 3 else f"bio {i}")
                for i in range(1, ROWS + 1)
            ],
        )
        conn.executemany(
            "INSERT INTO book (id, title, isbn, price, published_on, author_id) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    i,
                    f"book {i}",
                    f"{i:013d}",
                    i * 10_000 + 2_500,  # i.25 as SQLite keeps it: db.ExactDecimal
                    None if i % 2 else "2024-01-02",
                    i,
                )
                for i in range(1, ROWS + 1)
            ],
        )


def rows(db: Path, table: str) -> tuple[list[str], list[tuple[object, ...]]]:
    with sqlite3.connect(db) as conn:
        cursor = conn.execute(f"SELECT * FROM {table} ORDER BY id")
        return [d[0] for d in cursor.description], cursor.fetchall()


def commit_spec(project: Path, old: str, new: str) -> None:
    spec = project / "fastgen.yaml"
    text = spec.read_text()
    assert old in text
    spec.write_text(text.replace(old, new, 1))
    git(project, "commit", "-qam", "spec change")


@pytest.mark.e2e
def test_populated_database_removal_refused_then_allowed_then_default_filled(
    tmp_path: Path, shared_venv: Path
) -> None:
    project = new_project(EXAMPLE, tmp_path / "bookstore")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    db = tmp_path / "data.db"
    alembic_upgrade(shared_venv, project, db)
    populate(db)
    authors = rows(db, "author")
    columns, books = rows(db, "book")
    assert len(books) == ROWS

    # Removing a field: refused, nothing written.
    commit_spec(project, ISBN, "")
    head = git(project, "rev-parse", "HEAD")
    versions = sorted(p.name for p in (project / "migrations/versions").iterdir())
    refused = run_fastgen("update", cwd=project)
    assert refused.returncode == 1
    assert refused.stderr == (
        "error: the spec change would lose data or cannot fill existing rows; nothing "
        "was written:\n"
        f"  {project / 'fastgen.yaml'}:28: removes field isbn: drops column book.isbn "
        "and its values in every row\n"
        "Apply it anyway with `fastgen update --allow-data-loss` (or `fastgen "
        "migrate --allow-data-loss`); the revision's docstring "
        "lists what it drops.\n"
    )
    assert git(project, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(project, "rev-parse", "HEAD") == head
    assert (
        sorted(p.name for p in (project / "migrations/versions").iterdir()) == versions
    )
    assert run_fastgen("migrate", cwd=project).returncode == 1
    assert git(project, "status", "--porcelain", "--untracked-files=all") == ""

    # Acknowledged: the column goes, every other value stays.
    allowed = run_fastgen("update", "--allow-data-loss", cwd=project)
    assert allowed.returncode == 0, allowed.stderr
    drop = "removes field isbn: drops column book.isbn and its values in every row"
    assert f"Data loss (--allow-data-loss): {drop}\n" in allowed.stderr
    (revision,) = {p.name for p in (project / "migrations/versions").iterdir()} - set(
        versions
    )
    text = (project / "migrations/versions" / revision).read_text()
    assert f"It loses data (fastgen --allow-data-loss):\n- {drop}\n" in text
    git(project, "add", "-A")
    git(project, "commit", "-qm", "isbn dropped")
    alembic_upgrade(shared_venv, project, db)
    kept = columns.index("isbn")
    after_columns, after_books = rows(db, "book")
    assert after_columns == [c for c in columns if c != "isbn"]
    assert after_books == [row[:kept] + row[kept + 1 :] for row in books]
    assert rows(db, "author") == authors

    # A new required field without a default: refused, even with the flag.
    stock = "      price: {type: decimal}\n      stock: {type: integer}"
    commit_spec(project, "      price: {type: decimal}", stock)
    no_default = run_fastgen("update", "--allow-data-loss", cwd=project)
    assert no_default.returncode == 1
    assert "add `default:` (used to fill existing rows)" in no_default.stderr
    assert "Apply it anyway" not in no_default.stderr
    assert git(project, "status", "--porcelain", "--untracked-files=all") == ""

    # With a default, every existing row gets it.
    commit_spec(project, "stock: {type: integer}", "stock: {type: integer, default: 7}")
    filled = run_fastgen("update", cwd=project)
    assert filled.returncode == 0, filled.stderr
    git(project, "add", "-A")
    git(project, "commit", "-qm", "stock added")
    alembic_upgrade(shared_venv, project, db)
    final_columns, final_books = rows(db, "book")
    assert final_columns == [*after_columns, "stock"]
    assert final_books == [(*row, 7) for row in after_books]


def test_openapi_removed_property_is_refused_then_allowed(tmp_path: Path) -> None:
    """The OpenAPI input writes migrations the same way, so it is checked the same;
    a change names the line of its schema (the removed property's is gone)."""
    project = new_project(REPO / "examples" / "petstore.yaml", tmp_path / "petstore")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    spec = project / "openapi.yaml"
    tag = "        tag:\n          type: string    \n"
    assert tag in spec.read_text()
    spec.write_text(spec.read_text().replace(tag, ""))
    git(project, "commit", "-qam", "no tag")
    with pytest.raises(DataLossError) as refused:
        update_project(project)
    assert [str(loss) for loss in refused.value.losses] == [
        (
            f"{spec}:136: removes field tag: drops column pets.tag and its values in "
            "every row"
        )
    ]
    assert git(project, "status", "--porcelain", "--untracked-files=all") == ""
    result = update_project(project, allow_data_loss=True)
    assert result.data_loss == [
        "removes field tag: drops column pets.tag and its values in every row"
    ]
    assert result.migration is not None
    assert 'batch.drop_column("tag")' in (project / result.migration).read_text()


def committed_bookstore(root: Path, old: str, new: str) -> Path:
    project = new_project(EXAMPLE, root / "bookstore")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    commit_spec(project, old, new)
    return project


def test_check_and_migrate_report_the_same_refusal(tmp_path: Path) -> None:
    project = committed_bookstore(tmp_path, ISBN, "")
    drop = "removes field isbn: drops column book.isbn and its values in every row"
    checked = run_fastgen("check", cwd=project)
    assert checked.returncode == 1
    assert f"fastgen.yaml:28: {drop}\n" in checked.stderr
    refused = run_fastgen("migrate", cwd=project)
    assert refused.returncode == 1
    assert refused.stderr == checked.stderr
    assert git(project, "status", "--porcelain", "--untracked-files=all") == ""

    migrated = run_fastgen("migrate", "--allow-data-loss", cwd=project)
    assert migrated.returncode == 0, migrated.stderr
    assert migrated.stdout.startswith("Migration: ")
    assert migrated.stderr == f"Data loss (--allow-data-loss): {drop}\n"
    revision = Path(migrated.stdout.removeprefix("Migration: ").strip())
    assert f"- {drop}\n" in (project / revision).read_text()


def test_a_new_required_property_of_an_openapi_table_says_what_the_document_can_do() -> (
    None
):
    """OpenAPI has no ``required: false`` and its ``default`` fills no column: the
    way out is to leave the property out of ``required``."""
    new = BASE.replace(
        "      price: {type: decimal}",
        "      price: {type: decimal}\n      stock: {type: integer}",
    )
    found = destructive_changes(
        schema_of(model(BASE)),
        model(new),
        schema_of(model(new)),
        {},
        "o.yaml",
        RENAMED_KEY,
    )
    (loss,) = found
    assert loss.message == (
        "adds required field stock to existing table book: its rows have no value "
        "for it (a required property's `default` fills none); leave it out of the "
        "schema's `required`, and an optional property's `default` is what those "
        "rows answer"
    )


def test_a_moved_primary_key_is_refused_even_with_the_flag() -> None:
    """No revision moves a table's key: were it applied to the models and
    schema.json alone, the database would keep the old key (a create answering
    another row, duplicate keys stored) and ``fastgen check`` would see no change."""
    new = BASE.replace(
        "isbn: {type: string, max_length: 13, unique: true}",
        "isbn: {type: string, max_length: 13, primary_key: true}",
    )
    assert losses(new) == [
        (
            "fastgen.yaml:27: changes the primary key of table book from id to isbn: "
            "no revision moves a table's key; keep id its key (`primary_key`; make "
            "isbn `unique` to look rows up by it), or key a new table by isbn and "
            "copy the rows into it in a revision of your own [always]"
        ),
        (
            "fastgen.yaml:27: removes field id: drops column book.id and its values "
            "in every row"
        ),
    ]


PK_SPEC = """\
openapi: "3.1.0"
info: {title: Shop, version: 1.0.0}
x-fastgen:
  service: {name: shop}
paths:
  /things:
    get:
      operationId: listThings
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Thing'}}
  /things/{id}:
    get:
      operationId: getThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
components:
  schemas:
    Thing:
      x-fastgen-resource: {path: /things, id: id, table: things}
      type: object
      required: [id, code2, label]
      properties:
        id: {type: integer, readOnly: true}
        code2: {type: string, maxLength: 10}
        label: {type: string, maxLength: 30}
    Tag: {type: string}
"""


def test_an_openapi_table_keyed_by_another_property_is_refused_and_check_stale(
    tmp_path: Path,
) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text(PK_SPEC)
    project = new_project(spec, tmp_path / "shop")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    moved = (
        PK_SPEC.replace("id: id, table", "id: code2, table")
        .replace("schema: {type: integer}}", "schema: {type: string}}")
        .replace("id: {type: integer, readOnly: true}", "id: {type: integer}")
    )
    (project / "openapi.yaml").write_text(moved)
    git(project, "commit", "-qam", "keyed by code2")
    with pytest.raises(DataLossError) as refused:
        update_project(project, allow_data_loss=True)
    (loss,) = refused.value.losses
    assert loss.message.startswith(
        "changes the primary key of table things from id to code2: no revision "
        "moves a table's key; keep `id: id` in its x-fastgen-resource"
    )
    assert f"{project / 'openapi.yaml'}:28" in str(loss)  # Thing's line
    assert git(project, "status", "--porcelain", "--untracked-files=all") == ""
    checked = run_fastgen("check", cwd=project)
    assert checked.returncode == 1
    assert "Up to date" not in checked.stdout
    assert "changes the primary key of table things" in checked.stderr


def test_a_json_column_whose_items_change_is_a_loss_to_accept(tmp_path: Path) -> None:
    """Rows holding ``["x"]`` fail an answer model of integer items (every list
    including them answers 500), so the change is refused unless acknowledged;
    schema.json records the column's schema, so ``fastgen check`` sees it too."""
    spec = tmp_path / "openapi.yaml"

    def compiled(tags: str) -> ServiceModel:
        spec.write_text(PK_SPEC.replace("properties:\n", f"properties:\n{tags}"))
        return read_input(spec)[1]

    strings = compiled(
        "        tags: {type: array, items: {$ref: '#/components/schemas/Tag'}}\n"
    )
    old = schema_of(strings)
    for tags, why in (
        (
            "        tags: {type: array, items: {type: integer}}\n",
            "items/type: no longer takes string",
        ),
        (
            "        tags: {type: array, items: {type: string}, maxItems: 3}\n",
            "maxItems: added (3)",
        ),
    ):
        new = compiled(tags)
        (loss,) = destructive_changes(old, new, schema_of(new), {}, "openapi.yaml")
        assert loss.allowed_with_flag
        assert loss.message.startswith(
            f"changes the schema of JSON column things.tags ({why}): a row holding "
            "a value the new one rejects"
        )
        assert schema_of(new) != old  # check: stale
    # The same schema inline, described: nothing a row holds is refused.
    same = compiled(
        "        tags:\n          type: array\n          description: labels\n"
        "          items: {type: string, example: x}\n"
    )
    assert destructive_changes(old, same, schema_of(same), {}, "openapi.yaml") == []
    assert schema_of(same) == old
