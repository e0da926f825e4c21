"""MariaDB and MySQL compare the strings of fastgen's tables byte by byte, as
PostgreSQL and SQLite do (a binary collation, ``TableSchema.binary_collation``): the
revision step that converts the tables of a project made before, and its checks.
Other databases skip both (``revision_mysql``).
"""

from __future__ import annotations

from fastgen.render.literals import pystr
from fastgen.render.pysource import wrap
from fastgen.render.table_changes import Origin, fk_name
from fastgen.render.table_schema import Column, TableSchema

# Column types MariaDB and MySQL store as strings (a Uuid as CHAR(32)).
_STRING_TYPES = ("String(", "Uuid(")


def collation_change(
    renamed: dict[str, TableSchema], new: dict[str, TableSchema], origin: Origin
) -> tuple[list[str], list[str]]:
    """The checks and the step converting each table of ``renamed`` (the schema
    before the revision, under its new names) whose collation is not ``new``'s.

    The step runs after the renames and before any table's steps: a table the
    revision creates, or a column it adds, references a key already converted.
    The foreign keys of string columns it drops and adds back (MariaDB changes no
    collation of a column a foreign key uses) are checked first, under the names
    the database has then: a row naming its row of the target in another case
    stops the upgrade before anything changed.
    """
    if not new:  # every table dropped
        return [], []
    binary = all(table.binary_collation for table in new.values())
    tables = [n for n, t in renamed.items() if t.binary_collation != binary]
    if not tables:
        return [], []
    links = [
        (name, column)
        for name, table in renamed.items()
        for column in table.columns
        if _string_link(column) and (name in tables or _referent(column) in tables)
    ]
    checks = [_check(name, column, origin) for name, column in links] if binary else []
    foreign_keys = ", ".join(
        "(" + ", ".join(map(pystr, (n, fk_name(c), c.name, c.foreign_key or ""))) + ")"
        for n, c in links
    )
    args = ["[" + ", ".join(map(pystr, tables)) + "]", f"[{foreign_keys}]"]
    if not binary:
        args.append("binary=False")
    return checks, [wrap("collate_tables", args, indent=4)]


def _string_link(column: Column) -> bool:
    return column.foreign_key is not None and column.sa_type.startswith(_STRING_TYPES)


def _referent(column: Column) -> str:
    assert column.foreign_key is not None
    return column.foreign_key.split(".")[0]


def _check(table: str, column: Column, origin: Origin) -> str:
    """``refuse_loose_references`` of one foreign key, under the names the database
    has before the revision."""
    referent, key = (column.foreign_key or "").split(".")
    target = f"{origin.table(referent) or referent}.{origin.column(referent, key)}"
    args = [
        pystr(origin.table(table) or table),
        pystr(origin.column(table, column.name)),
        pystr(target),
    ]
    if origin.direction != "upgrade":
        args.append(f"direction={pystr(origin.direction)}")
    return wrap("refuse_loose_references", args, indent=4)
