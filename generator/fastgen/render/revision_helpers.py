"""Functions a revision defines after ``downgrade()`` when its steps call them.

Each does one change the way each database can do it safely: on PostgreSQL without a
long lock on a populated table (``docs/migrations.md``), on SQLite through batch mode.
"""

from fastgen.render.revision_conversions import (
    CONVERSION_HELPERS,
    REFUSE_DUPLICATES_HELPER,
    REFUSE_MISSING_TARGETS_HELPER,
)
from fastgen.render.revision_mysql import MYSQL_HELPERS

__all__ = ["HELPERS", "REFUSE_DUPLICATES_HELPER", "REFUSE_MISSING_TARGETS_HELPER"]

RENAME_HELPER = '''

def rename_constraint(
    table: str, old: str, new: str, kind: str, column: str = "", target: str = ""
) -> None:
    """Give an index or constraint its name under the renamed table or column.

    In place where the database can (PostgreSQL; MariaDB's indexes), rebuilt where it
    cannot (SQLite's indexes and constraints, MariaDB's foreign keys). ``target``: the
    ``table.column`` a foreign key references.
    """
    dialect = op.get_context().dialect
    quote = dialect.identifier_preparer.quote
    if dialect.name == "postgresql":
        if kind in ("index", "primary"):
            op.execute(f"ALTER INDEX {quote(old)} RENAME TO {quote(new)}")
        else:
            op.execute(
                f"ALTER TABLE {quote(table)} RENAME CONSTRAINT {quote(old)} "
                f"TO {quote(new)}"
            )
    elif kind == "primary":
        return  # SQLite and MariaDB never look a primary key up by its name
    elif dialect.name != "sqlite" and kind != "foreignkey":
        op.execute(
            f"ALTER TABLE {quote(table)} RENAME INDEX {quote(old)} TO {quote(new)}"
        )
    elif kind == "index":
        op.drop_index(old, table_name=table)
        op.create_index(new, table, [column])
    else:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(old, type_=kind)
            if kind == "unique":
                batch.create_unique_constraint(new, [column])
            else:
                referent, key = target.split(".")
                batch.create_foreign_key(new, referent, [column], [key])
'''

SET_NOT_NULL_HELPER = '''

def set_not_null(table: str, column: str, existing_type: sa.types.TypeEngine[Any]) -> None:
    """Make a column NOT NULL; the upgrade fails while a row holds NULL there.

    On PostgreSQL a NOT VALID check is added and validated first, each committed on
    its own: validating does not block writes, and SET NOT NULL then trusts the check
    instead of scanning the table under an exclusive lock.
    """
    dialect = op.get_context().dialect
    if dialect.name != "postgresql":
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, existing_type=existing_type, nullable=False)
        return
    quote = dialect.identifier_preparer.quote
    check = quote(f"ck_{table}_{column}_not_null")
    with op.get_context().autocommit_block():
        op.execute(
            f"ALTER TABLE {quote(table)} ADD CONSTRAINT {check} "
            f"CHECK ({quote(column)} IS NOT NULL) NOT VALID"
        )
        op.execute(f"ALTER TABLE {quote(table)} VALIDATE CONSTRAINT {check}")
    op.alter_column(table, column, existing_type=existing_type, nullable=False)
    op.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {check}")
'''

ADD_UNIQUE_HELPER = '''

def add_unique(table: str, name: str, column: str) -> None:
    """A unique constraint on a table that may have rows.

    On PostgreSQL its index is built CONCURRENTLY first, outside the transaction
    (writes go on meanwhile), and the constraint then adopts it.
    """
    dialect = op.get_context().dialect
    if dialect.name != "postgresql":
        with op.batch_alter_table(table) as batch:
            batch.create_unique_constraint(name, [column])
        return
    with op.get_context().autocommit_block():
        op.create_index(name, table, [column], unique=True, postgresql_concurrently=True)
    quote = dialect.identifier_preparer.quote
    op.execute(
        f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} "
        f"UNIQUE USING INDEX {quote(name)}"
    )
'''

ADD_FOREIGN_KEY_HELPER = '''

def add_foreign_key(table: str, name: str, column: str, target: str) -> None:
    """A foreign key on a table that may have rows (``target``: ``table.column``).

    On PostgreSQL it is added NOT VALID and validated apart, each committed on its
    own: validating does not block writes to either table.
    """
    referent, key = target.split(".")
    dialect = op.get_context().dialect
    if dialect.name != "postgresql":
        with op.batch_alter_table(table) as batch:
            batch.create_foreign_key(name, referent, [column], [key])
        return
    quote = dialect.identifier_preparer.quote
    with op.get_context().autocommit_block():
        op.execute(
            f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} "
            f"FOREIGN KEY ({quote(column)}) REFERENCES {quote(referent)} "
            f"({quote(key)}) NOT VALID"
        )
        op.execute(f"ALTER TABLE {quote(table)} VALIDATE CONSTRAINT {quote(name)}")
'''

UNSCALE_HELPER = '''

def unscale_on_sqlite(table: str, column: str, into: str) -> None:
    """On SQLite, turn the ten-thousandths of a column that was a decimal
    (``ExactDecimal`` in db.py) into the number, now that it is an ``into`` (a
    SQLAlchemy type name): the exact digits for a string, rounded half away from
    zero for an integer, as PostgreSQL casts. Other databases need nothing.
    """
    dialect = op.get_context().dialect
    if dialect.name != "sqlite":
        return
    quote = dialect.identifier_preparer.quote
    whole = f"CAST({quote(column)} AS INTEGER)"  # still ten-thousandths
    if into in ("String", "Text"):
        number = (
            f"CASE WHEN {whole} < 0 THEN '-' ELSE '' END || (ABS({whole}) / 10000)"
            f" || '.' || substr('000' || (ABS({whole}) % 10000), -4)"
        )
    elif into == "Integer":
        number = f"CAST(ROUND({whole} / 10000.0) AS INTEGER)"
    else:
        number = f"{whole} / 10000.0"
    op.execute(f"UPDATE {quote(table)} SET {quote(column)} = {number}")
'''

DECIMAL_DEFAULT_HELPER = '''

def decimal_default(ten_thousandths: int, value: str) -> str:
    """A decimal column's server default as the database stores it: an integer of
    ten-thousandths on SQLite (``ExactDecimal`` in db.py), the number elsewhere."""
    if op.get_context().dialect.name == "sqlite":
        return str(ten_thousandths)
    return value
'''

FILL_NULLS_HELPER = '''

def fill_nulls(table: str, column: str, value: str | float) -> None:
    """Give the rows holding NULL in ``column`` the value the API answers for
    them: its property's default, given after those rows were stored."""
    target = sa.column(column)
    op.execute(  # a bound value, typed by its Python type: no quoting to get wrong
        sa.table(table, target)
        .update()
        .where(target.is_(None))
        .values({column: sa.literal(value)})
    )
'''

REFUSE_OTHER_VALUES_HELPER = '''

def refuse_other_values(
    table: str, column: str, values: tuple[str, ...], direction: str = "upgrade"
) -> None:
    """Stop the upgrade, before it changes anything, while a row of ``column``
    holds a value other than ``values`` (the spec's enum now): the API could not
    answer that row. Change those rows first; fastgen never picks a value for them.
    """
    if op.get_context().as_sql:  # offline (--sql): no rows to look at
        return
    target = sa.column(column)
    others = (
        sa.select(target)
        .select_from(sa.table(table, target))
        .where(target.is_not(None), target.not_in(values))
        .distinct()
        .order_by(target)
        .limit(5)
    )
    found = op.get_bind().scalars(others).all()
    if found:
        raise RuntimeError(
            f"{table}.{column}: rows hold {found!r}, which the spec no longer takes "
            f"(it takes {values!r}); change those rows, then {direction} again"
        )
'''

REFUSE_UNCONVERTED_HELPER = '''

def refuse_unconverted_on_sqlite(
    table: str, column: str, into: str, length: int | None, direction: str = "upgrade"
) -> None:
    """On SQLite, stop the upgrade, before it changes anything, while a row of
    ``column`` holds a value its new type ``into`` (a SQLAlchemy type name) would
    not keep. SQLite's CAST never fails: it reads 'abc' as 0, '9.5' as 9 and
    '2020-01-01' as 2020 where PostgreSQL refuses; nor does it cut a string to its
    length. Other databases check their casts themselves.
    """
    context = op.get_context()
    if context.dialect.name != "sqlite" or context.as_sql:
        return
    target = sa.column(column)
    # With its text as SQLite's CAST writes it (1e-05 is '1.0e-05'), for a string.
    rows = (
        sa.select(target, sa.cast(target, sa.Text))
        .select_from(sa.table(table, target))
        .where(target.is_not(None))
    )
    found = [
        value
        for value, text in op.get_bind().execute(rows)
        if not _kept(text if into in ("String", "Text") else value, into, length)
    ]
    if found:
        raise RuntimeError(
            f"{table}.{column}: {len(found)} row(s) hold values SQLite would not keep "
            f"as {into}, e.g. {found[:5]!r} (its CAST never fails: it reads 'abc' as "
            "0 and '2020-01-01' as 2020); change those rows (or clear them), then "
            f"{direction} again"
        )


def _kept(value: object, into: str, length: int | None) -> bool:
    """Whether SQLite's CAST keeps ``value`` as it is when it becomes an ``into``."""
    if into in ("String", "Text"):  # value: the text SQLite's CAST makes
        return length is None or len(str(value)) <= length
    if isinstance(value, float) and into in ("Double", "Float", "Numeric"):
        # NUMERIC(18, 4) holds 14 digits before the point (PostgreSQL refuses more;
        # scale_on_sqlite's CAST would clamp to a 64-bit integer); inf and NaN none.
        return into != "Numeric" or abs(value) < 10**14
    if isinstance(value, float):
        return into == "Integer" and value.is_integer() and abs(value) < 2**31
    if isinstance(value, int):
        bound = {"Integer": 2**31, "Boolean": 2, "Numeric": 10**14}
        bound |= {"Double": 2**53, "Float": 2**53}
        return into in bound and (0 if into == "Boolean" else -bound[into]) <= value < bound[into]
    if into == "DateTime" and isinstance(value, str):
        # A date (as SQLAlchemy stores one) becomes that day's midnight
        # (midnight_on_sqlite); a time of day would be read another way than
        # PostgreSQL reads it.
        try:
            return dt.date.fromisoformat(value).isoformat() == value
        except ValueError:
            return False
    if into == "Date" and isinstance(value, str) and len(value) > 10:
        # A datetime at midnight becomes its day (day_on_sqlite), as PostgreSQL
        # casts it; another would lose its time of day.
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return False
        return moment.time() == dt.time() and value[:10] == moment.date().isoformat()
    text = str(value).strip()
    digits = text[1:] if text[:1] in "+-" else text
    if into in ("Integer", "Boolean"):
        return digits.isascii() and digits.isdigit() and _kept(int(text), into, None)
    if into in ("Double", "Float", "Numeric") and all(
        c in "0123456789+-.eE" for c in text
    ):
        try:
            number = float(text)
        except ValueError:
            return False
        return into != "Numeric" or abs(number) < 10**14
    return False  # dates, times, UUIDs: SQLite's CAST reads their leading number
'''

MIDNIGHT_HELPER = '''

def midnight_on_sqlite(table: str, column: str) -> None:
    """On SQLite, turn the dates of a column that just became a datetime into that
    day's midnight (UTC), as the models store a datetime there
    ('1999-12-31 00:00:00.000000'). Its batch copied them as they were (SQLite's
    CAST would have read '1999-12-31' as 1999). Other databases cast dates
    themselves.
    """
    dialect = op.get_context().dialect
    if dialect.name == "sqlite":
        value = dialect.identifier_preparer.quote(column)
        op.execute(
            f"UPDATE {dialect.identifier_preparer.quote(table)} "
            f"SET {value} = {value} || ' 00:00:00.000000' WHERE length({value}) = 10"
        )
'''

REFUSE_OUTSIDE_HELPER = '''

def refuse_outside(
    table: str,
    column: str,
    kind: str,
    limits: dict[str, Any],
    direction: str = "upgrade",
) -> None:
    """Stop the upgrade, before it changes anything, while a row of ``column``
    holds a value the answer model refuses under the spec's new ``limits``: the
    API's own check (pydantic's, with its regex engine) of the value as the
    column's new type ``kind`` (int, float or str) reads it. Change those rows
    first; fastgen never picks a value for them.
    """
    if op.get_context().as_sql:  # offline (--sql): no rows to look at
        return
    schema = {"type": kind, **{k: v for k, v in limits.items() if k != "enum"}}
    try:
        validator = SchemaValidator(schema)  # type: ignore[arg-type]
    except SchemaError:  # a pattern Rust's regex refuses: the models use Python's
        validator = SchemaValidator(schema, {"regex_engine": "python-re"})  # type: ignore[arg-type]
    allowed = limits.get("enum")

    def fits(value: Any) -> bool:
        try:
            valid = validator.validate_python(value)
        except ValidationError:
            return False
        return allowed is None or valid in allowed

    target = sa.column(column)
    # A string as the database's CAST writes the value (SQLite: 1e-05 is '1.0e-05').
    read = sa.cast(target, sa.Text) if kind == "str" else target
    rows = sa.select(read).select_from(sa.table(table, target)).where(target.is_not(None))
    found = [value for value in op.get_bind().scalars(rows) if not fits(value)]
    if found:
        raise RuntimeError(
            f"{table}.{column}: {len(found)} row(s) hold values outside {limits!r}, "
            f"e.g. {found[:5]!r}; change those rows, then {direction} again"
        )
'''

REFUSE_UNCAST_HELPER = '''

def refuse_uncast_on_postgresql(
    table: str, column: str, using: str, direction: str = "upgrade"
) -> None:
    """On PostgreSQL, stop the upgrade, before it changes anything, while a row of
    ``column`` holds a value its type change's cast (``using``) refuses ('abc' as
    an integer, 1e300 as a NUMERIC(18, 4)): the cast is tried on every row first,
    as the ALTER would, so no step committed on its own before it is left behind.
    SQLite's CAST never fails (``refuse_unconverted_on_sqlite``).
    """
    context = op.get_context()
    if context.dialect.name != "postgresql" or context.as_sql:
        return
    quote = context.dialect.identifier_preparer.quote
    try:
        op.get_bind().exec_driver_sql(f"SELECT count({using}) FROM {quote(table)}")
    except sa.exc.DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[-1]
        raise RuntimeError(
            f"{table}.{column}: a row holds a value PostgreSQL cannot cast ({using}): "
            f"{reason}; change those rows (or clear them), then {direction} again"
        ) from None
'''

REFUSE_LONGER_HELPER = '''

def refuse_longer(
    table: str, column: str, length: int, direction: str = "upgrade"
) -> None:
    """On PostgreSQL and MariaDB, stop the upgrade, before it changes anything,
    while a row of ``column`` holds a value longer than ``length`` characters (as
    text), which its new VARCHAR(``length``) would not keep: PostgreSQL's cast cuts
    it silently, MariaDB's ALTER fails after the steps before it. SQLite keeps any
    length (``refuse_unconverted_on_sqlite``).
    """
    context = op.get_context()
    if context.dialect.name == "sqlite" or context.as_sql:
        return
    value = sa.column(column)
    longer = (
        sa.select(value)
        .select_from(sa.table(table, value))
        .where(sa.func.char_length(sa.cast(value, sa.Text)) > length)
    )
    found = op.get_bind().scalars(longer.limit(5)).all()
    if found:
        raise RuntimeError(
            f"{table}.{column}: rows hold values longer than {length} characters, "
            f"e.g. {found!r}, which the column no longer keeps; shorten those rows "
            f"(or clear them), then {direction} again"
        )
'''

REFUSE_NULLS_HELPER = '''

def refuse_nulls(table: str, column: str, direction: str = "upgrade") -> None:
    """Stop the upgrade, before it changes anything, while a row holds NULL in
    ``column``, which becomes NOT NULL. Fill those rows first; fastgen never picks a
    value for them.
    """
    if op.get_context().as_sql:  # offline (--sql): no rows to look at
        return
    target = sa.column(column)
    nulls = op.get_bind().scalar(
        sa.select(sa.func.count())
        .select_from(sa.table(table, target))
        .where(target.is_(None))
    )
    if nulls:
        raise RuntimeError(
            f"{table}.{column}: {nulls} row(s) hold NULL, which the column no longer "
            f"takes (it becomes NOT NULL); fill those rows, then {direction} again"
        )
'''

DROP_FOREIGN_KEY_HELPER = '''

def drop_foreign_key(table: str, name: str) -> None:
    """Drop a foreign key whose column stays. MariaDB and MySQL made an index of
    that name for it where the column had none: it goes too, as the models have no
    such index (the foreign key added instead makes its own).
    """
    with op.batch_alter_table(table) as batch:
        batch.drop_constraint(name, type_="foreignkey")
    context = op.get_context()
    if context.dialect.name in ("mysql", "mariadb") and not context.as_sql:
        indexes = sa.inspect(op.get_bind()).get_indexes(table)
        if any(index["name"] == name for index in indexes):
            op.drop_index(name, table_name=table)
'''

# (what a step calls, the function's source)
_HELPERS = (
    ("add_foreign_key(", ADD_FOREIGN_KEY_HELPER),
    ("add_unique(", ADD_UNIQUE_HELPER),
    ("decimal_default(", DECIMAL_DEFAULT_HELPER),
    ("drop_foreign_key(", DROP_FOREIGN_KEY_HELPER),
    ("fill_nulls(", FILL_NULLS_HELPER),
    ("midnight_on_sqlite(", MIDNIGHT_HELPER),
    ("refuse_longer(", REFUSE_LONGER_HELPER),
    ("refuse_nulls(", REFUSE_NULLS_HELPER),
    ("refuse_other_values(", REFUSE_OTHER_VALUES_HELPER),
    ("refuse_outside(", REFUSE_OUTSIDE_HELPER),
    ("refuse_uncast_on_postgresql(", REFUSE_UNCAST_HELPER),
    ("refuse_unconverted_on_sqlite(", REFUSE_UNCONVERTED_HELPER),
    ("rename_constraint(", RENAME_HELPER),
    ("set_not_null(", SET_NOT_NULL_HELPER),
    ("unscale_on_sqlite(", UNSCALE_HELPER),
)
# With those of the conversions and of MariaDB and MySQL, by name.
HELPERS = tuple(sorted((*_HELPERS, *CONVERSION_HELPERS, *MYSQL_HELPERS)))
