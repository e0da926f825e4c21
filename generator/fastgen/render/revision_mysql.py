"""Helpers a revision defines for MariaDB and MySQL, where fastgen's columns once
differed from PostgreSQL's and SQLite's: a float was a FLOAT (4 bytes), a datetime a
DATETIME (whole seconds), and strings compared as utf8mb4's default collation does
(case, accents and trailing spaces ignored). Tables created now get a DOUBLE, a
DATETIME(6) and a binary collation; a project made before gets one revision that
changes its tables so (``docs/migrations.md``). Elsewhere they change nothing, but
SQLite's declared type of a float. And the check a lossy type change makes there
first, as the other databases have theirs (``refuse_unconverted_on_mariadb``).
"""

UTC_TIMESTAMP_HELPER = '''

def utc_timestamp() -> sa.types.TypeEngine[Any]:
    """A datetime column's type: DATETIME(6) on MariaDB and MySQL, whose plain
    DATETIME keeps whole seconds (the models' db.UTCTimestamp)."""
    return sa.DateTime(timezone=True).with_variant(
        mysql.DATETIME(fsp=6), "mysql", "mariadb"
    )
'''

BINARY_COLLATION_HELPER = '''

def binary_collation() -> str:
    """The collation of every table on MariaDB and MySQL: strings compared byte by
    byte, as PostgreSQL and SQLite compare them (case, accents and trailing spaces
    count). MySQL has no utf8mb4_nopad_bin: its utf8mb4_bin ignores trailing spaces.
    Offline (--sql) the server is known by its URL only: mysql:// is MySQL's.
    """
    if getattr(op.get_context().dialect, "is_mariadb", False):
        return "utf8mb4_nopad_bin"
    return "utf8mb4_bin"
'''

COLLATE_TABLES_HELPER = '''

def collate_tables(
    tables: list[str],
    foreign_keys: list[tuple[str, str, str, str]],
    binary: bool = True,
) -> None:
    """MariaDB and MySQL: the strings of ``tables`` compared byte by byte
    (binary_collation), in =, unique constraints, filters and sorts, as on
    PostgreSQL and SQLite; ``binary`` False: back to utf8mb4's default collation
    (a downgrade, which stops where a unique column holds values differing only in
    case, accents or trailing spaces). MariaDB changes the collation of no column a
    foreign key uses: ``foreign_keys`` (table, name, column, target: those of
    string columns) are dropped first and added back after. Other databases
    compare strings so already.
    """
    dialect = op.get_context().dialect
    if dialect.name not in ("mysql", "mariadb"):
        return
    quote = dialect.identifier_preparer.quote
    for table, name, _, _ in foreign_keys:
        op.execute(f"ALTER TABLE {quote(table)} DROP FOREIGN KEY {quote(name)}")
    collation = f" COLLATE {binary_collation()}" if binary else ""
    for table in tables:
        op.execute(
            f"ALTER TABLE {quote(table)} CONVERT TO CHARACTER SET utf8mb4{collation}"
        )
        text_again(table)
    for table, name, column, target in foreign_keys:
        referent, key = target.split(".")
        op.execute(
            f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} FOREIGN KEY "
            f"({quote(column)}) REFERENCES {quote(referent)} ({quote(key)})"
        )
'''

TEXT_AGAIN_HELPER = '''

def text_again(table: str) -> None:
    """A TEXT column of a table in another character set (fastgen 0.1.0 left the
    server's, latin1 by default) is a MEDIUMTEXT once converted to utf8mb4, whose
    characters take up to 4 bytes: a TEXT again, as the models declare it, where
    every value fits its 65,535 bytes (else it stays a MEDIUMTEXT, losing none).
    """
    if op.get_context().as_sql:  # offline (--sql): no columns to look at
        return
    quote = op.get_context().dialect.identifier_preparer.quote
    bind = op.get_bind()
    grown = bind.execute(
        sa.text(
            "SELECT column_name, is_nullable FROM information_schema.columns WHERE "
            "table_schema = DATABASE() AND table_name = :table "
            "AND data_type = 'mediumtext'"
        ),
        {"table": table},
    ).all()
    fitting = []
    for name, nullable in grown:
        longest = f"SELECT MAX(LENGTH({quote(name)})) FROM {quote(table)}"
        if (bind.scalar(sa.text(longest)) or 0) <= 65535:
            null = "NULL" if nullable == "YES" else "NOT NULL"
            fitting.append(f"MODIFY {quote(name)} TEXT {null}")
    if fitting:
        op.execute(f"ALTER TABLE {quote(table)} {', '.join(fitting)}")
'''

REFUSE_LOOSE_REFERENCES_HELPER = '''

def refuse_loose_references(
    table: str, column: str, target: str, direction: str = "upgrade"
) -> None:
    """Stop the upgrade, before it changes anything, while a row of ``column`` names
    its row of ``target`` (``table.column``, the key its foreign key references)
    only as MariaDB's and MySQL's default collation compares them (in another case
    or accent, with trailing spaces): compared byte by byte (collate_tables), the
    foreign key could not be added back. Change those rows to the key as its row
    holds it first; fastgen never picks a value for them.
    """
    context = op.get_context()
    if context.dialect.name not in ("mysql", "mariadb") or context.as_sql:
        return
    quote = context.dialect.identifier_preparer.quote
    referent, key = target.split(".")
    value, target_key = f"c.{quote(column)}", f"t.{quote(key)}"
    # In utf8mb4 first: a table fastgen 0.1.0 made has the server's character set.
    # A join, not NOT EXISTS: MariaDB caches a subquery's answer per outer value as
    # the column's collation compares it, 'LOW' then getting the answer of 'low'.
    found = (
        op.get_bind()
        .exec_driver_sql(
            f"SELECT {value} FROM {quote(table)} c LEFT JOIN {quote(referent)} t "
            f"ON CONVERT({target_key} USING utf8mb4) = CONVERT({value} USING utf8mb4) "
            f"COLLATE {binary_collation()} "
            f"WHERE {value} IS NOT NULL AND {target_key} IS NULL"
        )
        .scalars()
        .all()
    )
    if found:
        raise RuntimeError(
            f"{table}.{column}: {len(found)} row(s) name their row of {target} in "
            f"another case or accent, or with trailing spaces, e.g. "
            f"{sorted(set(found))[:5]!r}, which stop matching once strings compare "
            f"byte by byte; write those keys as {target} holds them, then "
            f"{direction} again"
        )
'''

EXACT_COLUMNS_HELPER = '''

def exact_columns(
    table: str,
    floats: dict[str, bool],
    datetimes: dict[str, bool],
    key: str = "id",
    exact: bool = True,
) -> None:
    """Columns fastgen made a FLOAT and a plain DATETIME (each name: whether it takes
    NULL) made exact; ``exact`` False: back, for a downgrade.

    MariaDB and MySQL: a float becomes a DOUBLE, each row's value (by its primary
    key ``key``) the shortest decimal its FLOAT's 4 bytes stand for (single_digits):
    0.1, not the 0.10000000149011612 those bytes hold, which is what was sent
    wherever that had up to 6 significant digits. A datetime becomes DATETIME(6),
    which keeps microseconds. PostgreSQL's FLOAT is a double and its timestamps keep
    microseconds: nothing to do. SQLite stores either float as the same 8-byte REAL:
    only its declared type changes (a batch copies the table). Offline (--sql) there
    are no rows to write: each float is then the double its 4 bytes hold.
    """
    context = op.get_context()
    dialect = context.dialect
    if dialect.name == "sqlite" and floats:
        old, new = (sa.Float(), sa.Double()) if exact else (sa.Double(), sa.Float())
        with op.batch_alter_table(table) as batch:
            for column, nullable in floats.items():
                batch.alter_column(
                    column, existing_type=old, type_=new, existing_nullable=nullable
                )
    if dialect.name not in ("mysql", "mariadb"):
        return
    quote = dialect.identifier_preparer.quote
    types = ("DOUBLE", "DATETIME(6)") if exact else ("FLOAT", "DATETIME")
    changes = [
        f"MODIFY {quote(column)} {type_} {'NULL' if nullable else 'NOT NULL'}"
        for columns, type_ in zip((floats, datetimes), types, strict=True)
        for column, nullable in columns.items()
    ]
    op.execute(f"ALTER TABLE {quote(table)} {', '.join(changes)}")
    if not exact or context.as_sql:  # offline (--sql): no rows to read
        return
    for column in floats:
        rows = sa.table(table, sa.column(key), sa.column(column))
        pk, target = rows.c[key], rows.c[column]
        written = [
            {"fastgen_key": row, "fastgen_value": single_digits(value)}
            for row, value in op.get_bind().execute(sa.select(pk, target))
            if value is not None and single_digits(value) != value
        ]
        update = (
            rows.update()
            .where(pk == sa.bindparam("fastgen_key"))
            .values({column: sa.bindparam("fastgen_value")})
        )
        if written:
            op.get_bind().execute(update, written)
'''

SINGLE_DIGITS_HELPER = '''

def single_digits(value: float) -> float:
    """The shortest decimal that a 4-byte float holding ``value`` stands for, as a
    double: 0.1 for 0.10000000149011612 (9 digits always suffice)."""
    single = struct.unpack("<f", struct.pack("<f", value))[0]
    for digits in range(1, 10):
        shortest = float(f"{single:.{digits}g}")
        if struct.unpack("<f", struct.pack("<f", shortest))[0] == single:
            return shortest
    return single
'''

# (what a step or another helper calls, the function's source)
REFUSE_UNCONVERTED_MARIADB_HELPER = '''

def refuse_unconverted_on_mariadb(
    table: str,
    column: str,
    into: sa.types.TypeEngine[Any],
    direction: str = "upgrade",
) -> None:
    """On MariaDB and MySQL, stop the upgrade, before it changes anything, while a
    row of ``column`` holds a value its new type ``into`` would not keep: every
    value is first stored in a temporary column of that type, in strict mode, as
    the ALTER would store it ('abc' as an integer, 1e300 as a NUMERIC(18, 4), a
    string too long). Without it the ALTER fails after the steps before it, which
    each committed on their own, or, where the server's sql_mode is not strict,
    keeps 0 or the nearest value it can hold without a word.
    """
    context = op.get_context()
    if context.dialect.name not in ("mysql", "mariadb") or context.as_sql:
        return
    bind, quote = op.get_bind(), context.dialect.identifier_preparer.quote
    check, value = quote("fastgen_unconverted"), quote(column)
    mode = bind.exec_driver_sql("SELECT @@SESSION.sql_mode").scalar()
    bind.exec_driver_sql("SET SESSION sql_mode = 'STRICT_ALL_TABLES'")
    try:  # a temporary table: no commit, gone with the session
        bind.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {check} "
            f"({value} {into.compile(dialect=context.dialect)}) "
            "CHARACTER SET utf8mb4"
        )
        bind.exec_driver_sql(
            f"INSERT INTO {check} ({value}) SELECT {value} FROM {quote(table)} "
            f"WHERE {value} IS NOT NULL"
        )
    except sa.exc.DBAPIError as error:
        found = error.orig.args if error.orig is not None else ()
        reason = found[-1] if found else error
        raise RuntimeError(
            f"{table}.{column}: a row holds a value the column would not keep as "
            f"{into.compile(dialect=context.dialect)}: {reason}; change those rows "
            f"(or clear them), then {direction} again"
        ) from None
    finally:
        bind.exec_driver_sql(f"DROP TEMPORARY TABLE IF EXISTS {check}")
        bind.exec_driver_sql("SET SESSION sql_mode = %s", (mode,))
'''


MYSQL_HELPERS = (
    ("binary_collation(", BINARY_COLLATION_HELPER),
    ("collate_tables(", COLLATE_TABLES_HELPER),
    ("exact_columns(", EXACT_COLUMNS_HELPER),
    ("refuse_loose_references(", REFUSE_LOOSE_REFERENCES_HELPER),
    ("refuse_unconverted_on_mariadb(", REFUSE_UNCONVERTED_MARIADB_HELPER),
    ("single_digits(", SINGLE_DIGITS_HELPER),
    ("text_again(", TEXT_AGAIN_HELPER),
    ("utc_timestamp(", UTC_TIMESTAMP_HELPER),
)
