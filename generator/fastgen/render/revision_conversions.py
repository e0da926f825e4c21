"""Helpers a revision defines for a column whose values change type: what each value
becomes, computed once and used both by the checks that run first and by the step.

A check that compares values (a column made unique, a ref's new target) compares
them as the new column will hold them, or a value pair the old type told apart
(``'1'`` and ``'01'`` as text) would pass it and then stop the step halfway. On
PostgreSQL that is the type change's own USING cast; on SQLite, whose CAST never
fails, what its batch and the helpers finishing the change write
(``sqlite_value``); elsewhere the database's CAST to the new type.
"""

SQLITE_VALUE_HELPER = '''

def sqlite_value(value: Any, text: str, into: str, scaled: bool = False) -> Any:
    """What a non-NULL ``value`` of a column becoming an ``into`` (a SQLAlchemy type
    name) holds on SQLite once the revision has run: its batch's CAST (``text``: the
    value CAST AS TEXT), then the helpers that finish the change (scale_on_sqlite,
    unscale_on_sqlite of a decimal's ten-thousandths, ``scaled``,
    midnight_on_sqlite, day_on_sqlite). Only for values the checks before keep.
    """
    if scaled:  # unscale_on_sqlite's number
        number = Decimal(int(value)).scaleb(-4)
        if into in ("String", "Text"):
            return f"{number:.4f}"
        if into == "Integer":
            return int(number.quantize(Decimal(1), ROUND_HALF_UP))
        return int(value) / 10000.0
    if into in ("String", "Text"):
        return text
    if into == "Numeric":
        return ten_thousandths(value)
    if into in ("Integer", "Boolean"):
        return int(value)
    if into in ("Double", "Float"):
        return float(value)
    if into == "DateTime" and isinstance(value, str) and len(value) == 10:
        return f"{value} 00:00:00.000000"
    if into == "Date" and isinstance(value, str):
        return value[:10]
    return value
'''

TEN_THOUSANDTHS_HELPER = '''

def ten_thousandths(value: Any) -> int | None:
    """``value`` as a NUMERIC(18, 4) holds it, in ten-thousandths (the integer SQLite
    stores, ``ExactDecimal`` in db.py), as PostgreSQL casts it: a float by its 15
    significant digits (as its float8 to numeric cast reads one), a string or an
    integer exactly, then rounded half away from zero to 4 places. None for what
    NUMERIC(18, 4) cannot hold (PostgreSQL: numeric field overflow).
    """
    text = f"{value:.15g}" if isinstance(value, float) else str(value).strip()
    try:
        number = Decimal(text)
    except ArithmeticError:
        return None
    if not number.is_finite() or abs(number) >= 10**14:
        return None
    scaled = int(number.scaleb(4).quantize(Decimal(1), ROUND_HALF_UP))
    return scaled if abs(scaled) < 10**18 else None
'''

REFUSE_UNSCALABLE_HELPER = '''

def refuse_unscalable_on_sqlite(
    table: str, column: str, key: str, direction: str = "upgrade"
) -> dict[Any, int]:
    """On SQLite, before anything changes, each row's value of a column becoming a
    decimal, as that decimal's ten-thousandths (``ten_thousandths``, exact), by the
    row's primary key ``key``: scale_on_sqlite writes them once the column is a
    decimal (its batch copies a string through a double, and SQLite's arithmetic
    on ten-thousandths is a double's). Stops the upgrade while a value is beyond
    NUMERIC(18, 4), as PostgreSQL does. Nothing on other databases.
    """
    context = op.get_context()
    if context.dialect.name != "sqlite" or context.as_sql:
        return {}
    target, pk = sa.column(column), sa.column(key)
    rows = (
        sa.select(pk, target)
        .select_from(sa.table(table, pk, target))
        .where(target.is_not(None))
    )
    scaled = {row: ten_thousandths(value) for row, value in op.get_bind().execute(rows)}
    found = [row for row, value in scaled.items() if value is None]
    if found:
        raise RuntimeError(
            f"{table}.{column}: {len(found)} row(s) hold values beyond NUMERIC(18, 4) "
            f"(14 digits before the point), e.g. {key} {found[:5]!r}; change those "
            f"rows (or clear them), then {direction} again"
        )
    return {row: value for row, value in scaled.items() if value is not None}
'''

REFUSE_UNSCALED_HELPER = '''

def refuse_unscaled_on_sqlite(
    table: str, column: str, into: str, length: int | None, direction: str = "upgrade"
) -> None:
    """On SQLite, stop the upgrade, before it changes anything, while a decimal
    (its ten-thousandths) would not fit its new type ``into`` as unscale_on_sqlite
    writes it: a string longer than ``length``, an integer past 32 bits (PostgreSQL
    refuses both: "value too long", "integer out of range").
    """
    context = op.get_context()
    if context.dialect.name != "sqlite" or context.as_sql:
        return
    target = sa.column(column)
    rows = sa.select(target).select_from(sa.table(table, target))
    found = []
    for value in op.get_bind().scalars(rows.where(target.is_not(None))):
        new = sqlite_value(value, "", into, scaled=True)
        if isinstance(new, str) and length is not None and len(new) > length:
            found.append(new)
        elif into == "Integer" and not -(2**31) <= new < 2**31:
            found.append(str(Decimal(int(value)).scaleb(-4)))
    if found:
        raise RuntimeError(
            f"{table}.{column}: {len(found)} row(s) hold decimals a {into} column "
            f"would not keep, e.g. {found[:5]!r}; change those rows (or clear "
            f"them), then {direction} again"
        )
'''

SCALE_HELPER = '''

def scale_on_sqlite(table: str, column: str, key: str, scaled: dict[Any, int]) -> None:
    """On SQLite, write the ten-thousandths of a column that just became a decimal:
    ``scaled``, each row's by its primary key ``key``, from
    refuse_unscalable_on_sqlite before the change.

    SQLite has no exact decimal type: the models store a decimal there as its
    integer number of ten-thousandths (``ExactDecimal`` in db.py). Other databases
    store NUMERIC and need nothing.
    """
    context = op.get_context()
    if context.dialect.name != "sqlite":
        return
    if context.as_sql:  # offline (--sql): no rows to read, SQLite's own arithmetic
        quote = context.dialect.identifier_preparer.quote
        value = quote(column)
        op.execute(
            f"UPDATE {quote(table)} SET {value} = CAST(ROUND({value} * 10000) AS INTEGER)"
        )
        return
    target, pk = sa.column(column), sa.column(key)
    update = (
        sa.table(table, pk, target)
        .update()
        .where(pk == sa.bindparam("fastgen_key"))
        .values({column: sa.bindparam("fastgen_value")})
    )
    if scaled:
        rows = [{"fastgen_key": k, "fastgen_value": v} for k, v in scaled.items()]
        op.get_bind().execute(update, rows)
'''

DAY_HELPER = '''

def day_on_sqlite(table: str, column: str) -> None:
    """On SQLite, turn the datetimes of a column that just became a date into that
    day, as PostgreSQL's cast does (the checks before kept only midnights). Its
    batch copied them as they were (SQLite's CAST would have read
    '1999-12-31 00:00:00.000000' as 1999). Other databases cast them themselves.
    """
    dialect = op.get_context().dialect
    if dialect.name == "sqlite":
        value = dialect.identifier_preparer.quote(column)
        op.execute(
            f"UPDATE {dialect.identifier_preparer.quote(table)} "
            f"SET {value} = substr({value}, 1, 10) WHERE length({value}) > 10"
        )
'''

CONVERTED_HELPER = '''

def converted(
    column: str, into: sa.types.TypeEngine[Any] | None, using: str
) -> sa.ColumnElement[Any]:
    """``column`` as the database compares its values once it is an ``into`` (None:
    its type stays): PostgreSQL's USING cast of the change, another's CAST. SQLite's
    are compared in Python (sqlite_value), as its CAST never fails."""
    target = sa.column(column)
    if into is None:
        return target
    if op.get_context().dialect.name == "postgresql":
        return sa.literal_column(using)
    return sa.cast(target, into)


def sqlite_values(
    table: str, column: str, into: sa.types.TypeEngine[Any] | None, scaled: bool
) -> list[Any] | None:
    """On SQLite, each non-NULL value of ``column`` as it is once an ``into``
    (sqlite_value); None elsewhere, or where its type stays."""
    if into is None or op.get_context().dialect.name != "sqlite":
        return None
    target = sa.column(column)
    rows = (
        sa.select(target, sa.cast(target, sa.Text))
        .select_from(sa.table(table, target))
        .where(target.is_not(None))
    )
    name = type(into).__name__
    return [
        sqlite_value(value, text, name, scaled)
        for value, text in op.get_bind().execute(rows)
    ]
'''

REFUSE_DUPLICATES_HELPER = '''

def refuse_duplicates(
    table: str,
    column: str,
    into: sa.types.TypeEngine[Any] | None = None,
    using: str = "",
    scaled: bool = False,
    direction: str = "upgrade",
) -> None:
    """Stop the upgrade, before it changes anything, while rows share a value of
    ``column``, which becomes unique: compared as the database compares them (its
    GROUP BY and its unique index agree), as the new type ``into`` converts them
    where the column changes type (``using``: PostgreSQL's cast; ``scaled``: a
    decimal SQLite stores in ten-thousandths). Change those rows first; fastgen
    never picks a value for them.
    """
    if op.get_context().as_sql:  # offline (--sql): no rows to look at
        return
    values = sqlite_values(table, column, into, scaled)
    if values is not None:
        counts: dict[Any, int] = {}
        for value in values:
            counts[value] = counts.get(value, 0) + 1
        found = sorted((v, n) for v, n in counts.items() if n > 1)
    else:
        target, read = sa.column(column), converted(column, into, using)
        shared = (
            sa.select(read, sa.func.count())
            .select_from(sa.table(table, target))
            .where(target.is_not(None))
            .group_by(read)
            .having(sa.func.count() > 1)
            .order_by(read)
        )
        found = [tuple(row) for row in op.get_bind().execute(shared)]
    if found:
        rows = sum(count for _, count in found)
        raise RuntimeError(
            f"{table}.{column}: {rows} row(s) share a value with another, e.g. "
            f"{[value for value, _ in found[:5]]!r}, and the column becomes unique; "
            f"change those rows, then {direction} again"
        )
'''

REFUSE_MISSING_TARGETS_HELPER = '''

def refuse_missing_targets(
    table: str,
    column: str,
    target: str,
    created: bool = False,
    into: sa.types.TypeEngine[Any] | None = None,
    using: str = "",
    direction: str = "upgrade",
) -> None:
    """Stop the upgrade, before it changes anything, while a row of ``column``
    holds a value that names no row of ``target`` (``table.column``, the key its
    new foreign key references; ``created``: a table this revision creates, so no
    row yet), compared as the new type ``into`` converts it where the column
    changes type (``using``: PostgreSQL's cast). Change those rows (or clear them)
    first; fastgen never picks a value for them.
    """
    if op.get_context().as_sql:  # offline (--sql): no rows to look at
        return
    value, read = sa.column(column), converted(column, into, using)
    missing = sa.select(read).select_from(sa.table(table, value)).where(value.is_not(None))
    keys = None
    if not created:
        referent, key = target.split(".")
        key_column = sa.column(key)
        keys = sa.select(key_column).select_from(sa.table(referent, key_column))
    values = sqlite_values(table, column, into, False)
    if values is not None:
        known = set() if keys is None else set(op.get_bind().scalars(keys))
        found = [v for v in values if v not in known]
    else:
        if keys is not None:
            missing = missing.where(read.not_in(keys))
        found = list(op.get_bind().scalars(missing.order_by(read)))
    if found:
        raise RuntimeError(
            f"{table}.{column}: {len(found)} row(s) hold values that name no row of "
            f"{target}, e.g. {sorted(set(found))[:5]!r}, and the column now refers "
            f"to it; change those rows (or clear them), then {direction} again"
        )
'''

REFUSE_TIME_OF_DAY_HELPER = '''

def refuse_time_of_day(table: str, column: str, direction: str = "upgrade") -> None:
    """Stop the upgrade, before it changes anything, while a row of ``column``, a
    datetime becoming a date, holds a time of day other than midnight (UTC): the
    date would keep only its day, as PostgreSQL's cast and MariaDB's ALTER keep it
    without a word (SQLite: ``refuse_unconverted_on_sqlite``). A downgrade too, of
    a date made a datetime: the rows written since may hold a time. Change those
    rows (or keep the column a datetime); fastgen never drops a time of day.
    """
    context = op.get_context()
    if context.dialect.name == "sqlite" or context.as_sql:
        return
    target = sa.column(column)
    rows = sa.select(target).select_from(sa.table(table, target))
    found = [
        value
        for value in op.get_bind().scalars(rows.where(target.is_not(None)))
        if (value if value.tzinfo is None else value.astimezone(dt.UTC)).time()
        != dt.time()
    ]
    if found:
        raise RuntimeError(
            f"{table}.{column}: {len(found)} row(s) hold a time of day, e.g. "
            f"{[str(value) for value in found[:5]]!r}, which the column would lose "
            f"as a date; set those rows to their day's midnight (UTC) or clear them "
            f"if the time does not matter, or keep the field a datetime; then "
            f"{direction} again"
        )
'''

# (what a step or another helper calls, the function's source)
CONVERSION_HELPERS = (
    ("converted(", CONVERTED_HELPER),
    ("day_on_sqlite(", DAY_HELPER),
    ("refuse_duplicates(", REFUSE_DUPLICATES_HELPER),
    ("refuse_missing_targets(", REFUSE_MISSING_TARGETS_HELPER),
    ("refuse_time_of_day(", REFUSE_TIME_OF_DAY_HELPER),
    ("refuse_unscalable_on_sqlite(", REFUSE_UNSCALABLE_HELPER),
    ("refuse_unscaled_on_sqlite(", REFUSE_UNSCALED_HELPER),
    ("scale_on_sqlite(", SCALE_HELPER),
    ("sqlite_value(", SQLITE_VALUE_HELPER),
    ("ten_thousandths(", TEN_THOUSANDTHS_HELPER),
)
