"""The statements a revision uses to change a populated table safely (issue 14).

Unit tests of ``upgrade_lines`` over two compiled bookstore specs; squawk judges the SQL
they render in tests/test_squawk.py, and tests/test_migration_sequence.py runs them on
SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

from dataclasses import replace

from fastgen.render.migrations import render_revision, schema_of, upgrade_lines
from fastgen.render.renames import renames_of
from fastgen.render.revision_conversions import TEN_THOUSANDTHS_HELPER
from fastgen.render.table_changes import pg_type

from .conftest import ruff
from .test_dataloss import BASE, losses, model


def upgrade(new_text: str, old_text: str = BASE) -> str:
    return "\n".join(
        upgrade_lines(schema_of(model(old_text)), schema_of(model(new_text)))
    )


def test_a_type_change_carries_its_using_cast() -> None:
    new = BASE.replace("max_length: 200", "max_length: 400")
    assert upgrade(new) == (
        '    with op.batch_alter_table("book") as batch:\n'
        "        batch.alter_column(\n"
        '            "title",\n'
        "            existing_type=sa.String(200),\n"
        "            type_=sa.String(400),\n"
        "            existing_nullable=False,\n"
        "            postgresql_using='\"title\"::VARCHAR(400)',\n"
        "        )"
    )


def test_pg_type_names() -> None:
    assert [pg_type(t) for t in ("String(20)", "Numeric(18, 4)", "Text()")] == [
        "VARCHAR(20)",
        "NUMERIC(18, 4)",
        "TEXT",
    ]
    assert pg_type("DateTime(timezone=True)") == "TIMESTAMP WITH TIME ZONE"


def test_an_index_on_an_existing_table_is_built_concurrently() -> None:
    new = BASE.replace("price: {type: decimal}", "price: {type: decimal, index: true}")
    assert upgrade(new) == (
        "    with op.get_context().autocommit_block():\n"
        "        op.create_index(\n"
        '            "ix_book_price", "book", ["price"], postgresql_concurrently=True\n'
        "        )"
    )
    assert upgrade(BASE, new) == (
        "    with op.get_context().autocommit_block():\n"
        '        op.drop_index("ix_book_price", table_name="book", '
        "postgresql_concurrently=True)"
    )


def test_not_null_with_a_type_change_uses_the_new_type() -> None:
    new = BASE.replace(
        "bio: {type: text, required: false}", "bio: {type: string, max_length: 50}"
    ).replace(
        "name: {type: string, max_length: 120, index: true}", "name: {type: text}"
    )
    lines = upgrade(new)
    assert lines.endswith('    set_not_null("author", "bio", sa.String(50))')
    assert "type_=sa.String(50)" in lines


def test_unique_and_foreign_key_on_an_existing_table_go_through_helpers() -> None:
    new = BASE.replace(
        "isbn: {type: string, max_length: 13, unique: true}",
        "isbn: {type: string, max_length: 13, unique: true}\n"
        "      editor_id: {type: ref, to: author, required: false}",
    ).replace(
        "name: {type: string, max_length: 120, index: true}",
        "name: {type: string, max_length: 120, unique: true}",
    )
    lines = upgrade(new)
    assert '    add_unique("author", "uq_author_name", "name")' in lines
    assert (
        '    add_foreign_key("book", "fk_editor_id_author", "editor_id", "author.id")'
    ) in lines
    assert 'batch.add_column(sa.Column("editor_id", sa.Integer(), nullable=True))' in (
        lines
    )
    source = render_revision("r", "0001", "m", lines.splitlines(), [])
    assert "\ndef add_unique(" in source and "\ndef add_foreign_key(" in source
    assert "\ndef set_not_null(" not in source


def test_sqlite_decimals_are_rescaled_as_a_column_turns_into_or_out_of_one() -> None:
    """SQLite keeps decimals as ten-thousandths (the generated db.ExactDecimal): the
    values are scaled up after the column becomes a decimal, back to the number
    after it stops being one (in its new type's affinity), and the revision defines
    the functions doing it."""
    floating = BASE.replace("price: {type: decimal}", "price: {type: float}")
    into = upgrade(BASE, floating)
    # Each row's exact ten-thousandths are read before anything changes.
    assert into.startswith(
        "    scaled: dict[tuple[str, str], dict[object, int]] = {}\n"
    )
    assert into.index(
        '    scaled["book", "price"] = refuse_unscalable_on_sqlite("book", "price", "id")'
    ) < into.index("batch_alter_table")
    assert into.endswith(
        '\n    scale_on_sqlite("book", "price", "id", scaled["book", "price"])'
    )
    assert into.index("type_=sa.Numeric(18, 4)") < into.index("scale_on_sqlite")
    out = upgrade(floating)
    assert out.endswith('\n    unscale_on_sqlite("book", "price", "Double")')
    assert out.index("type_=sa.Double()") < out.index("unscale_on_sqlite")
    revision = render_revision("r", None, "m", out.splitlines(), [])
    assert "\ndef unscale_on_sqlite(table: str, column: str, into: str)" in revision
    whole = BASE.replace("price: {type: decimal}", "price: {type: integer}")
    assert upgrade(whole).endswith('    unscale_on_sqlite("book", "price", "Integer")')
    # What the decimals become is checked first (SQLite's CAST would keep it all).
    assert '    refuse_unscaled_on_sqlite("book", "price", "Integer", None)' in upgrade(
        whole
    )


def test_a_schema_from_before_scaled_decimals_gets_them_rescaled() -> None:
    """A schema.json written before ``scaled`` existed: its decimal columns are the
    floats a plain Numeric stored on SQLite."""
    new = schema_of(model(BASE))
    old = {
        name: replace(t, columns=tuple(replace(c, scaled=False) for c in t.columns))
        for name, t in new.items()
    }
    assert upgrade_lines(old, new) == [
        "    scaled: dict[tuple[str, str], dict[object, int]] = {}",
        '    scaled["book", "price"] = refuse_unscalable_on_sqlite("book", "price", "id")',
        '    scale_on_sqlite("book", "price", "id", scaled["book", "price"])',
    ]
    assert upgrade_lines(new, new) == []


def test_each_tables_decimals_are_scaled_from_its_own_rows() -> None:
    """shop_item.price and shop.item_price once shared one variable,
    scaled_shop_item_price, and shop's values were written into shop_item."""
    floats = (
        "fastgen: 1\nservice: {name: s}\nresources:\n"
        "  shop_item:\n    path: /items\n    fields: {price: {type: float}}\n"
        "  shop:\n    path: /shops\n    fields: {item_price: {type: float}}\n"
    )
    lines = upgrade(floats.replace("float", "decimal"), floats).splitlines()
    for table, column in (("shop_item", "price"), ("shop", "item_price")):
        key = f'scaled["{table}", "{column}"]'
        assert (
            f'    {key} = refuse_unscalable_on_sqlite("{table}", "{column}", "id")'
            in lines
        )
        assert f'    scale_on_sqlite("{table}", "{column}", "id", {key})' in lines
    assert sum("refuse_unscalable_on_sqlite" in line for line in lines) == 2


def test_a_new_decimal_column_gets_its_default_in_ten_thousandths_on_sqlite() -> None:
    new = BASE.replace(
        "price: {type: decimal}",
        "price: {type: decimal}\n      discount: {type: decimal, default: '-0.5'}",
    )
    lines = upgrade(new)
    assert 'server_default=decimal_default(-5000, "-0.5")' in lines
    revision = render_revision("r", None, "m", lines.splitlines(), [])
    assert "\ndef decimal_default(ten_thousandths: int, value: str) -> str:" in revision


SHELF = """\
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
      pages: {type: integer, required: false}
      label_id: {type: ref, to: label, required: false}
"""
LABEL = "label_id: {type: ref, to: label, required: false}"


def test_a_ref_given_another_target_drops_its_key_and_adds_the_new_one() -> None:
    """The audit's case: ``to: label`` made ``to: writer`` wrote no revision (the
    database kept the key to label). Every stored value must name a writer, checked
    before anything changes; an integer made a ref is checked the same, a ref made
    an integer only loses its key; neither loses data."""
    retargeted = upgrade(SHELF.replace("to: label", "to: writer"), SHELF)
    assert retargeted.splitlines() == [
        '    refuse_missing_targets("book", "label_id", "writer.id")',
        '    drop_foreign_key("book", "fk_label_id_label")',
        '    add_foreign_key("book", "fk_label_id_writer", "label_id", "writer.id")',
    ]
    assert losses(SHELF.replace("to: label", "to: writer"), SHELF) == []
    plain = SHELF.replace(LABEL, "label_id: {type: integer, required: false}")
    made_ref = upgrade(SHELF, plain).splitlines()
    assert made_ref[:2] == [
        '    refuse_missing_targets("book", "label_id", "label.id")',
        '    add_foreign_key("book", "fk_label_id_label", "label_id", "label.id")',
    ]
    assert "drop_foreign_key" not in "\n".join(made_ref)  # (and its index is made)
    made_plain = upgrade(plain, SHELF).splitlines()
    assert made_plain[0] == '    drop_foreign_key("book", "fk_label_id_label")'
    assert "refuse" not in "\n".join(made_plain)
    # A target the revision creates has no rows: any value stops the upgrade.
    created = SHELF.replace("to: label", "to: shelf") + (
        "  shelf:\n    path: /shelves\n    fields: {name: {type: string}}\n"
    )
    assert '    refuse_missing_targets("book", "label_id", "shelf", created=True)' in (
        upgrade(created, SHELF)
    )
    source = render_revision("r", "0001", "m", retargeted.splitlines(), [])
    assert "\ndef refuse_missing_targets(" in source
    assert "\ndef drop_foreign_key(" in source


def test_every_check_runs_before_any_step_under_the_names_it_had() -> None:
    """A refused upgrade changes nothing: the checks of every table (NULLs where
    NOT NULL is set, duplicates where a column becomes unique, values a cast or
    the new target refuses) come before the first step, renames included, so they
    name tables and columns as the database has them then."""
    new = SHELF.replace("  book:\n", "  volume:\n    renamed_from: book\n").replace(
        "pages: {type: integer, required: false}",
        "leaves: {type: string, max_length: 9, unique: true, renamed_from: pages}",
    )
    new = new.replace(LABEL, "label_id: {type: ref, to: author}")
    new = new.replace("  writer:\n", "  author:\n    renamed_from: writer\n")
    new = new.replace("max_length: 50}}\n  author", "max_length: 5}}\n  author")
    old = schema_of(model(SHELF))
    renames = renames_of(model(new), old)
    lines = upgrade_lines(old, schema_of(model(new)), renames)
    first_step = next(i for i, line in enumerate(lines) if "refuse_" not in line)
    checks = lines[:first_step]
    assert checks == [
        '    refuse_unconverted_on_sqlite("label", "name", "String", 5)',
        '    refuse_uncast_on_postgresql("label", "name", \'"name"::VARCHAR(5)\')',
        '    refuse_longer("label", "name", 5)',  # the cast would cut, not refuse
        # MariaDB's ALTER would fail after steps that committed (or, not strict, cut)
        '    refuse_unconverted_on_mariadb("label", "name", sa.String(5))',
        '    refuse_nulls("book", "pages")',
        '    refuse_unconverted_on_sqlite("book", "pages", "String", 9)',
        '    refuse_uncast_on_postgresql("book", "pages", \'"pages"::VARCHAR(9)\')',
        '    refuse_longer("book", "pages", 9)',
        '    refuse_unconverted_on_mariadb("book", "pages", sa.String(9))',
        # Compared as the new type holds them ('1' and '01' would be one 1).
        (
            '    refuse_duplicates("book", "pages", into=sa.String(9), '
            "using='\"pages\"::VARCHAR(9)')"
        ),
        '    refuse_nulls("book", "label_id")',
        '    refuse_missing_targets("book", "label_id", "writer.id")',
    ]
    assert lines[first_step].startswith("    op.rename_table(")
    assert not any("refuse_" in line for line in lines[first_step:])
    assert '    add_unique("volume", "uq_volume_leaves", "leaves")' in lines


def test_a_date_becoming_a_datetime_is_copied_as_it_is_on_sqlite() -> None:
    """SQLite's batch would copy a date through CAST(... AS DATETIME), which reads
    '1999-12-31' as 1999: it reads the column as a datetime already, then
    ``midnight_on_sqlite`` writes that day's midnight as the models store it."""
    new = SHELF.replace(
        "pages: {type: integer, required: false}",
        "pages: {type: integer, required: false}\n      day: {type: date}",
    )
    lines = upgrade(new.replace("type: date}", "type: datetime}"), new)
    assert lines.splitlines()[:7] == [
        '    refuse_unconverted_on_sqlite("book", "day", "DateTime", None)',
        # That day's midnight UTC whatever the session's TimeZone.
        "    refuse_uncast_on_postgresql(",
        '        "book", "day", "(\\"day\\"::TIMESTAMP AT TIME ZONE \'UTC\')"',
        "    )",
        '    refuse_unconverted_on_mariadb("book", "day", utc_timestamp())',
        (
            '    with op.batch_alter_table("book", reflect_args=[sa.Column("day", '
            "utc_timestamp(), nullable=False)]) as batch:"
        ),
        "        batch.alter_column(",
    ]
    # ... and the ALTER casts the same way.
    assert (
        """            postgresql_using="(\\"day\\"::TIMESTAMP AT TIME ZONE 'UTC')","""
        in lines.splitlines()
    )
    assert lines.endswith('\n    midnight_on_sqlite("book", "day")')
    source = render_revision("r", "0001", "m", lines.splitlines(), [])
    assert "\nimport datetime as dt\n" in source
    assert "\ndef midnight_on_sqlite(" in source
    # What the project's CI runs over it, once written (and formatted) by fastgen:
    # its default rules and isort's.
    written = ruff("format", "--stdin-filename", "0002_m.py", "-", stdin=source)
    checked = ruff(
        "check",
        "--extend-select",
        "I",
        "--stdin-filename",
        "0002_m.py",
        "-",
        stdin=written.stdout,
    )
    assert checked.returncode == 0, checked.stdout


def test_a_datetime_becoming_a_date_is_checked_for_times_of_day() -> None:
    """PostgreSQL's cast ("day"::DATE) and MariaDB's ALTER cut the time of day
    without a word: refuse_time_of_day stops first, in a downgrade of a date made
    a datetime too (rows written since hold times); SQLite's own check does it there."""
    dated = SHELF.replace(
        "pages: {type: integer, required: false}",
        "pages: {type: integer, required: false}\n      day: {type: date}",
    )
    timed = dated.replace("type: date}", "type: datetime}")
    old, new = schema_of(model(timed)), schema_of(model(dated))
    checks = [line for line in upgrade_lines(old, new) if "refuse_" in line]
    assert checks[-2:] == [
        '    refuse_time_of_day("book", "day")',
        '    refuse_unconverted_on_mariadb("book", "day", sa.Date())',
    ]
    down = upgrade_lines(new, old, direction="downgrade")
    assert not any("refuse_time_of_day" in line for line in down)
    back = upgrade_lines(old, new, direction="downgrade")
    assert '    refuse_time_of_day("book", "day", direction="downgrade")' in back
    source = render_revision("r", "0001", "m", upgrade_lines(old, new), [])
    assert "\nimport datetime as dt\n" in source
    assert "\ndef refuse_time_of_day(" in source


def test_a_downgrade_refusal_says_to_downgrade_again() -> None:
    """The review: a refusal raised by downgrade() told the user to upgrade again."""
    floating = BASE.replace("price: {type: decimal}", "price: {type: float}")
    old, new = schema_of(model(floating)), schema_of(model(BASE))
    down = upgrade_lines(new, old, direction="downgrade")
    assert down[0] == (
        "    refuse_uncast_on_postgresql(\n"
        '        "book", "price", \'"price"::DOUBLE PRECISION\', direction="downgrade"\n'
        "    )"
    )
    assert not any("direction" in line for line in upgrade_lines(old, new))


def test_ten_thousandths_are_exact_as_postgresql_casts() -> None:
    """SQLite's doubles invented digits past 2**53 ten-thousandths; PostgreSQL's
    cast reads a float by 15 digits and rounds half away from zero."""
    namespace: dict[str, object] = {}
    exec(  # noqa: S102 (the helper a revision defines, run as it runs)
        "from decimal import ROUND_HALF_UP, Decimal\nfrom typing import Any\n"
        + TEN_THOUSANDTHS_HELPER,
        namespace,
    )
    scale = namespace["ten_thousandths"]
    assert [
        scale(v) for v in (99999999999999.0, "99999999999999", 99999999999999.5)
    ] == [999999999999990000, 999999999999990000, 999999999999995000]
    assert scale(-99999999999999.9) == -999999999999999000
    assert scale("12345678901234.56789") == 123456789012345679
    assert [scale(v) for v in ("0.00005", "-0.00005", 2, " 1e3 ")] == [
        1,
        -1,
        20000,
        10000000,
    ]
    # Beyond NUMERIC(18, 4), as PostgreSQL refuses them.
    assert [scale(v) for v in (99999999999999.98, "99999999999999.99995", "abc")] == [
        None,
        None,
        None,
    ]
