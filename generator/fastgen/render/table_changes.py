"""An existing table's change in a revision: the steps, in the order that keeps a
refused upgrade from changing anything.

Every check that can stop the upgrade (``refuse_*``) is collected per table and run
first, before any table is touched, under the names the database has before the
revision (``Origin``); then each table's steps: foreign keys and indexes dropped, the
batch of column changes, NOT NULL, unique constraints and foreign keys added, indexes
created (on PostgreSQL the way that takes no long lock, ``docs/migrations.md``).
"""

from __future__ import annotations

import ast
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal

from fastgen.render.literals import pyliteral, pystr
from fastgen.render.pysource import wrap
from fastgen.render.renames import NO_RENAMES, Renames
from fastgen.render.table_schema import (
    Column,
    TableSchema,
    lossless_cast,
    revision_type,
    tightened,
)


def sql_value(value: bool | str | float) -> str:
    """A scalar as a revision gives it as a server default."""
    if isinstance(value, bool):
        return "sa.true()" if value else "sa.false()"
    return pystr(str(value))


def sa_column(column: Column, indent: int, *, use_alter: bool = False) -> str:
    """``use_alter``: a key to a table made later (a cycle of refs), which a
    database with ALTER adds after the tables (SQLite keeps it in CREATE TABLE)."""
    args = [pystr(column.name), revision_type(column)]
    if column.foreign_key:
        name = pystr(fk_name(column))
        alter = ", use_alter=True" if use_alter else ""
        args.append(f"sa.ForeignKey({pystr(column.foreign_key)}, name={name}{alter})")
    args.append(f"nullable={column.nullable}")
    return wrap("sa.Column", args, indent=indent)


def fk_name(column: Column) -> str:
    assert column.foreign_key is not None
    return f"fk_{column.name}_{column.foreign_key.split('.')[0]}"


# PostgreSQL's name of each column type, for the USING cast of a type change.
_PG_TYPES = {
    "Text": "TEXT",
    "Integer": "INTEGER",
    "Float": "FLOAT",
    "Double": "DOUBLE PRECISION",
    "Boolean": "BOOLEAN",
    "Date": "DATE",
    "DateTime": "TIMESTAMP WITH TIME ZONE",
    "Uuid": "UUID",
    "JSON": "JSON",
}


def pg_type(sa_type: str) -> str:
    """``String(20)`` -> ``VARCHAR(20)``, ``Numeric(18, 4)`` -> ``NUMERIC(18, 4)``."""
    base, _, args = sa_type.partition("(")
    if base in ("String", "Numeric"):
        return f"{'VARCHAR' if base == 'String' else 'NUMERIC'}({args}"
    return _PG_TYPES[base]


def pg_cast(name: str, before: Column, column: Column) -> str:
    """PostgreSQL's USING cast of column ``name`` (quoted) from ``before``'s type
    to ``column``'s. A date and a timestamp with time zone convert through UTC
    (a date is that day's midnight UTC, a timestamp's day is its day in UTC), as
    SQLite's and MariaDB's revisions convert them: a plain cast between them reads
    the session's TimeZone, which a database may set to its host's zone."""
    old, new = before.sa_type.split("(")[0], column.sa_type.split("(")[0]
    if (old, new) == ("Date", "DateTime"):
        return f"({name}::TIMESTAMP AT TIME ZONE 'UTC')"
    if (old, new) == ("DateTime", "Date"):
        return f"({name} AT TIME ZONE 'UTC')::DATE"
    return f"{name}::{pg_type(column.sa_type)}"


@dataclass(frozen=True)
class Origin:
    """The names the database has before the revision runs: its checks run first,
    before any table or column is renamed."""

    renames: Renames = NO_RENAMES
    # The tables of the old schema, under their new names.
    tables: frozenset[str] = frozenset()
    # Which of the revision's functions runs the steps: a refusal says to run it
    # again once the rows are changed.
    direction: str = "upgrade"

    def table(self, name: str) -> str | None:
        """Table ``name``'s name before the revision; None for one it creates."""
        return self.renames.tables.get(name, name) if name in self.tables else None

    def column(self, table: str, name: str) -> str:
        return self.renames.columns.get((table, name), name)


@dataclass
class Steps:
    """One table's change: indexes dropped first and created last, each outside the
    transaction (PostgreSQL builds them CONCURRENTLY, without blocking writes), around
    the batch of column changes; NOT NULL and unique constraints on populated columns
    after it (helpers of the revision, safe on PostgreSQL)."""

    table: str
    origin: Origin = Origin()
    # The table's primary key: scale_on_sqlite writes each row's decimal by it.
    key: str = "id"
    # Checks that stop the upgrade while a row holds a value the new column cannot:
    # the revision runs every table's first, before anything changes.
    checks: list[str] = field(default_factory=list)
    # Columns fastgen made a FLOAT or a plain DATETIME (exact_columns), each name
    # with whether it takes NULL: made exact first, before a step restates them.
    floats: dict[str, bool] = field(default_factory=dict)
    datetimes: dict[str, bool] = field(default_factory=dict)
    exact: bool = True
    # Foreign keys of dropped columns go first: MariaDB drops no index a foreign key
    # still needs (the column's own, dropped next).
    drop_foreign_keys: list[str] = field(default_factory=list)
    # Foreign keys of kept columns (drop_foreign_key: the batch and, on MariaDB, the
    # index it made).
    unlink: list[str] = field(default_factory=list)
    drop_indexes: list[str] = field(default_factory=list)
    # Columns SQLite's batch is to read as another type than their own (reflect_args):
    # a date becoming a datetime is copied as it is, not through CAST.
    reflect: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    # Server defaults that filled existing rows, dropped in a second batch: on SQLite
    # the drop recreates the table, which in the same batch would copy the rows
    # before the new column had its value.
    later: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    create_indexes: list[str] = field(default_factory=list)

    def check(self, call: str, column: str, *args: str, into: str = "") -> None:
        """A check of ``column``, under the names it has before the revision
        (``into``: the variable its result is assigned to)."""
        table = self.origin.table(self.table)
        names = [
            pystr(table or self.table),
            pystr(self.origin.column(self.table, column)),
        ]
        if self.origin.direction != "upgrade":
            args = (*args, f"direction={pystr(self.origin.direction)}")
        line = wrap(call, [*names, *args], indent=4)
        self.checks.append(f"    {into} = {line.lstrip()}" if into else line)

    def lines(self) -> list[str]:
        """The steps, without the checks (the revision runs them first)."""
        batch = f"    with op.batch_alter_table({pystr(self.table)}) as batch:"
        lines = self._exact_columns()
        lines += [batch, *self.drop_foreign_keys] if self.drop_foreign_keys else []
        lines += self.unlink
        lines += _concurrently(self.drop_indexes)
        if self.reflect:  # ruff wraps the line
            reflect = f"reflect_args=[{', '.join(self.reflect)}]"
            batch_args = f"{pystr(self.table)}, {reflect}"
            lines += [
                f"    with op.batch_alter_table({batch_args}) as batch:",
                *self.body,
            ]
        elif self.body:
            lines += [batch, *self.body]
        lines += [batch, *self.later] if self.later else []
        return lines + self.after + _concurrently(self.create_indexes)

    def _exact_columns(self) -> list[str]:
        if not (self.floats or self.datetimes):
            return []
        args = [pystr(self.table), pyliteral(self.floats), pyliteral(self.datetimes)]
        if self.floats and self.exact:  # each row's value written by its key
            args.append(f"key={pystr(self.key)}")
        if not self.exact:  # a downgrade
            args.append("exact=False")
        return [wrap("exact_columns", args, indent=4)]


def _concurrently(statements: list[str]) -> list[str]:
    if not statements:
        return []
    return ["    with op.get_context().autocommit_block():", *statements]


def _index_op(table: str, column: str, create: bool) -> str:
    name = pystr(f"ix_{table}_{column}")
    if create:
        args = [name, pystr(table), f"[{pystr(column)}]"]
        return wrap("op.create_index", [*args, "postgresql_concurrently=True"], 8)
    args = [name, f"table_name={pystr(table)}", "postgresql_concurrently=True"]
    return wrap("op.drop_index", args, indent=8)


def alter_table(old: TableSchema, new: TableSchema, origin: Origin = Origin()) -> Steps:
    """The steps taking table ``old`` (under its new names) to ``new``."""
    key = next((c.name for c in new.columns if c.primary_key), "id")
    steps = Steps(new.name, origin, key)
    for column in old.columns:
        if new.column(column.name) is None:
            if column.index:
                steps.drop_indexes.append(_index_op(old.name, column.name, False))
            if column.foreign_key:
                # MariaDB refuses to drop a column its foreign key uses.
                name = pystr(fk_name(column))
                steps.drop_foreign_keys.append(
                    f'        batch.drop_constraint({name}, type_="foreignkey")'
                )
            steps.body.append(f"        batch.drop_column({pystr(column.name)})")
    for column in new.columns:
        before = old.column(column.name)
        if before is None:
            steps.body += _add_column(new.name, column, steps)
            continue
        _alter_column(new.name, before, column, steps)
        if before.foreign_key != column.foreign_key:
            _change_foreign_key(before, column, steps)
        if before.index != column.index:
            target = steps.create_indexes if column.index else steps.drop_indexes
            target.append(_index_op(new.name, column.name, column.index))
        if column.fill is not None and column.fill != before.fill:
            # The rows stored before the property had this default: the API answers
            # it for their NULL, and now filters and sorts see it too.
            args = [pystr(new.name), pystr(column.name), column.fill]
            steps.after.append(wrap("fill_nulls", args, indent=4))
        if column.unique and not before.unique:
            steps.check(
                "refuse_duplicates", column.name, *_conversion(before, column, steps)
            )
            steps.after.append(_add_unique(new.name, column.name))
        elif before.unique and not column.unique:
            name = pystr(f"uq_{new.name}_{column.name}")
            steps.body.append(f'        batch.drop_constraint({name}, type_="unique")')
    return steps


def _change_foreign_key(before: Column, column: Column, steps: Steps) -> None:
    """A ref given another target, an integer made a ref or a ref an integer: the
    old key dropped (no value changes), the new one added after a check that every
    stored value names a row of its target."""
    table = steps.table
    if before.foreign_key:
        args = [pystr(table), pystr(fk_name(before))]
        steps.unlink.append(wrap("drop_foreign_key", args, indent=4))
    if column.foreign_key:
        referent, key = column.foreign_key.split(".")
        source = steps.origin.table(referent)
        # A table this revision creates has no rows yet: no value names one.
        target = f"{source}.{steps.origin.column(referent, key)}" if source else None
        created = [] if target else ["created=True"]
        conversion = [
            a for a in _conversion(before, column, steps) if "scaled" not in a
        ]
        steps.check(
            "refuse_missing_targets",
            column.name,
            pystr(target or referent),
            *created,
            *conversion,
        )
        args = [pystr(table), pystr(fk_name(column)), pystr(column.name)]
        steps.after.append(
            wrap("add_foreign_key", [*args, pystr(column.foreign_key)], 4)
        )


def _alter_column(table: str, before: Column, column: Column, steps: Steps) -> None:
    """A changed type (cast with USING on PostgreSQL) or nullability, after the
    checks that stop the upgrade while a row holds what the column no longer may."""
    name = pystr(column.name)
    if before.nullable and not column.nullable:
        steps.check("refuse_nulls", column.name)
        # After the batch: the column has its new type by then.
        args = [pystr(table), name, revision_type(column)]
        steps.after.append(wrap("set_not_null", args, indent=4))
    # fastgen's own change of a type on MariaDB and MySQL, or the spec's
    if not _made_exact(before, column, steps) and before.sa_type != column.sa_type:
        _change_type(table, before, column, steps)
    if column.values is not None and (
        before.type != "enum" or not set(before.values or ()) <= set(column.values)
    ):
        values = ", ".join(map(pystr, column.values))
        steps.check(
            "refuse_other_values",
            column.name,
            f"({values}{',' * (len(column.values) == 1)})",
        )
    if limits := tightened(before, column):
        base = column.sa_type.split("(")[0]
        kind = {"Integer": "int", "Float": "float", "Double": "float"}.get(base, "str")
        listed = {k: list(v) if isinstance(v, tuple) else v for k, v in limits.items()}
        steps.check("refuse_outside", column.name, pystr(kind), pyliteral(listed))
    if column.nullable and not before.nullable:
        args = [name, f"existing_type={revision_type(column)}", "nullable=True"]
        steps.body.append(wrap("batch.alter_column", args, indent=8))
    if column.scaled and not before.scaled:  # once it is a decimal
        # Each row's exact ten-thousandths, read before anything changes.
        # Keyed by table and column: a variable named after both could be shared
        # (shop_item.price, shop.item_price) or no identifier at all (OpenAPI).
        scaled = f"{SCALED}[{pystr(table)}, {name}]"
        key = pystr(steps.origin.column(table, steps.key))
        steps.check("refuse_unscalable_on_sqlite", column.name, key, into=scaled)
        args = [pystr(table), name, pystr(steps.key), scaled]
        steps.after.append(wrap("scale_on_sqlite", args, indent=4))
    elif before.scaled and not column.scaled:  # in its new type (and affinity)
        into = pystr(column.sa_type.split("(")[0])
        steps.after.append(f"    unscale_on_sqlite({pystr(table)}, {name}, {into})")


# The revision's map of each converted decimal column's exact ten-thousandths.
SCALED = "scaled"

# A float column's types before and after fastgen made it a double.
_FLOAT, _DOUBLE = "Float()", "Double()"


def _made_exact(before: Column, column: Column, steps: Steps) -> bool:
    """Whether the change of ``column`` is only fastgen's own (a FLOAT made a
    double, a DATETIME given microseconds, or back in a downgrade): then
    ``exact_columns`` makes it, each float the decimal its 4 bytes stood for."""
    if {before.sa_type, column.sa_type} == {_FLOAT, _DOUBLE}:
        steps.floats[column.name] = before.nullable
        steps.exact = column.sa_type == _DOUBLE
        return True
    if before.sa_type == column.sa_type and before.microseconds != column.microseconds:
        steps.datetimes[column.name] = before.nullable
        steps.exact = column.microseconds
        return True
    return False


def _change_type(table: str, before: Column, column: Column, steps: Steps) -> None:
    name = pystr(column.name)
    into, _, args_ = column.sa_type.partition("(")
    if not lossless_cast(before.sa_type, column.sa_type):
        length = args_.rstrip(")") if into == "String" else "None"
        args = [pystr(into), length]
        if before.scaled:  # unscale_on_sqlite converts its ten-thousandths after
            if into == "Integer" or length != "None":  # a float or text takes any
                steps.check("refuse_unscaled_on_sqlite", column.name, *args)
        else:
            steps.check("refuse_unconverted_on_sqlite", column.name, *args)
        was = quote_pg(steps.origin.column(table, column.name))
        using = pystr(pg_cast(was, before, column))
        steps.check("refuse_uncast_on_postgresql", column.name, using)
        if into == "String" and args_:  # a cast to VARCHAR(n) cuts what is longer
            steps.check("refuse_longer", column.name, args_.rstrip(")"))
        if into == "Date" and before.sa_type.startswith("DateTime("):
            # PostgreSQL's cast and MariaDB's ALTER would drop the time silently.
            steps.check("refuse_time_of_day", column.name)
        # MariaDB's ALTER comes after steps that committed, and may not be strict.
        steps.check("refuse_unconverted_on_mariadb", column.name, revision_type(column))
    if into == "DateTime" and not before.sa_type.startswith("DateTime"):
        # SQLite's CAST would read '1999-12-31' as 1999: its batch copies the value
        # as it is, and midnight_on_sqlite makes it that day's midnight.
        steps.reflect.append(
            f"sa.Column({name}, {revision_type(column)}, nullable={before.nullable})"
        )
        steps.after.append(f"    midnight_on_sqlite({pystr(table)}, {name})")
    elif into == "Date" and not before.sa_type.startswith("Date("):
        # Likewise back: CAST would read '1999-12-31 00:00:00.000000' as 1999;
        # day_on_sqlite keeps the day of each (a midnight: the checks refuse others).
        steps.reflect.append(
            f"sa.Column({name}, {revision_type(column)}, nullable={before.nullable})"
        )
        steps.after.append(f"    day_on_sqlite({pystr(table)}, {name})")
    cast = pg_cast(quote_pg(column.name), before, column)
    args = [
        name,
        f"existing_type={revision_type(before)}",
        f"type_={revision_type(column)}",
        f"existing_nullable={before.nullable}",
        f"postgresql_using={pystr(cast)}",
    ]
    steps.body.append(wrap("batch.alter_column", args, indent=8))


def _conversion(before: Column, column: Column, steps: Steps) -> list[str]:
    """How a check comparing the values of ``column`` converts them, where its type
    changes: the new type, PostgreSQL's USING cast (under the column's name before
    the revision), and whether SQLite stores them in ten-thousandths."""
    if before.sa_type == column.sa_type:
        return []
    was = quote_pg(steps.origin.column(steps.table, column.name))
    using = pystr(pg_cast(was, before, column))
    scaled = ["scaled=True"] if before.scaled else []
    return [f"into={revision_type(column)}", f"using={using}", *scaled]


def quote_pg(name: str) -> str:
    """An identifier quoted for PostgreSQL (names are validated identifiers)."""
    return '"' + name.replace('"', '""') + '"'


def _add_column(table: str, column: Column, steps: Steps) -> list[str]:
    # What the existing rows get: a NOT NULL column's default (or zero value), an
    # optional column's fill; the server default giving it is dropped after.
    backfill = column.backfill
    if column.nullable:
        fill = None if column.fill is None else ast.literal_eval(column.fill)
        backfill = None if fill is None else sql_value(fill)
    lines = []
    if column.foreign_key:
        # Added after the column, validated apart (safe on PostgreSQL).
        args = [pystr(table), pystr(fk_name(column)), pystr(column.name)]
        args.append(pystr(column.foreign_key))
        steps.after.append(wrap("add_foreign_key", args, indent=4))
        column = replace(column, foreign_key=None)
    if not column.nullable and backfill is None:
        # No value fits every existing row: the column starts nullable.
        lines.append(
            f"        # fastgen: fill {column.name} for existing rows, then make it NOT NULL"
        )
        column = Column(**{**asdict(column), "nullable": True})
    if backfill is None:
        lines.append(f"        batch.add_column({sa_column(column, 8).strip()})")
    else:
        # Existing rows get the spec's default; the server default is dropped after.
        backfill = _stored(column, backfill)
        added = sa_column(column, 8).strip()[:-1] + f", server_default={backfill})"
        lines.append(wrap("batch.add_column", [added], indent=8))
        steps.later.append(
            f"        batch.alter_column({pystr(column.name)}, server_default=None)"
        )
    if column.index:
        steps.create_indexes.append(_index_op(table, column.name, True))
    if column.unique:
        steps.after.append(_add_unique(table, column.name))
    return lines


def _stored(column: Column, value: str) -> str:
    """A value for ``column`` (SQL text) as the database stores it: a decimal's in
    ten-thousandths on SQLite (``decimal_default``)."""
    if not column.scaled:
        return value
    stored = Decimal(ast.literal_eval(value)).scaleb(4)
    return f"decimal_default({int(stored)}, {value})"


def _add_unique(table: str, column: str) -> str:
    args = [pystr(table), pystr(f"uq_{table}_{column}"), pystr(column)]
    return wrap("add_unique", args, indent=4)
