"""Alembic revisions from the service model: the initial schema and spec-to-spec changes.

The generated ORM models and these migrations are two views of one ``TableSchema`` per
resource, so a database migrated to head has exactly the schema the models describe
(the generated project tests that with Alembic's autogenerate comparison).
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from fastgen.model.files import NATIVE_FILE, OPENAPI_FILE
from fastgen.model.service import FieldModel, ServiceModel
from fastgen.render.columns import sa_type
from fastgen.render.formatting import format_python
from fastgen.render.literals import pyliteral, pystr
from fastgen.render.orm import tables_in_creation_order
from fastgen.render.pysource import wrap
from fastgen.render.renames import (
    NO_RENAMES,
    Renames,
    apply_renames,
    rename_lines,
    renames_of,
)
from fastgen.render.revision_helpers import HELPERS
from fastgen.render.revision_names import change_words, revision_filename
from fastgen.render.table_schema import (
    Column,
    TableSchema,
    load_schema,
    lossless_cast,
    tightened,
)

MYSQL_CHARSET = "utf8mb4"
# refuse_outside's import: the answer models' own validation
_PYDANTIC_CORE = (
    "from pydantic_core import SchemaError, SchemaValidator, ValidationError\n"
)

# Zero values for a NOT NULL column added to a table that may already have rows. They
# stay in migrations/schema.json, but no revision uses them on a table that exists:
# fastgen.render.dataloss refuses a new required field without a default there.
_BACKFILL = {
    "string": '""',
    "text": '""',
    "integer": '"0"',
    "float": '"0"',
    "decimal": '"0"',
    "boolean": "sa.false()",
}


def _column(field: FieldModel, service: ServiceModel) -> Column:
    typed = field  # a ref column has the type of the key it names
    foreign_key = None
    if field.ref_table:
        target = next(r for r in service.resources if r.name == field.ref_table)
        typed = target.pk
        foreign_key = f"{field.ref_table}.{field.ref_column}"
    return Column(
        name=field.name,
        type=field.type,
        sa_type=sa_type(typed),
        nullable=field.nullable,
        primary_key=field.primary_key,
        foreign_key=foreign_key,
        index=field.index and not field.unique,
        unique=field.unique and not field.primary_key,
        backfill=_backfill(field),
        scaled=field.type == "decimal",
        fill=None if field.fill_value is None else pyliteral(field.fill_value),
        answers_null=field.answers_null,
        values=field.enum_values if field.type == "enum" else None,
        limits=field.limits,
    )


def _backfill(field: FieldModel) -> str | None:
    """The spec's default as a server default, else a zero value, else None."""
    value = field.default_value
    if isinstance(value, bool | str | int | float):
        return _sql_value(value)
    if field.enum_values:
        return pystr(field.enum_values[0])
    return _BACKFILL.get(field.type)


def _sql_value(value: bool | str | float) -> str:
    """A scalar as a revision gives it as a server default."""
    if isinstance(value, bool):
        return "sa.true()" if value else "sa.false()"
    return pystr(str(value))


def schema_of(service: ServiceModel) -> dict[str, TableSchema]:
    """Every table of the service, in creation order (referenced tables first)."""
    return {
        r.table: TableSchema(
            r.table, tuple(_column(f, service) for f in (r.pk, *r.fields))
        )
        for r in tables_in_creation_order(service)
    }


# --- rendering -------------------------------------------------------------------


def _sa_column(column: Column, indent: int) -> str:
    args = [pystr(column.name), f"sa.{column.sa_type}"]
    if column.foreign_key:
        name = pystr(_fk_name(column))
        args.append(f"sa.ForeignKey({pystr(column.foreign_key)}, name={name})")
    args.append(f"nullable={column.nullable}")
    return wrap("sa.Column", args, indent=indent)


def _fk_name(column: Column) -> str:
    assert column.foreign_key is not None
    return f"fk_{column.name}_{column.foreign_key.split('.')[0]}"


def _create_table(table: TableSchema) -> list[str]:
    pk = next(c for c in table.columns if c.primary_key)
    lines = ["    op.create_table(", f"        {pystr(table.name)},"]
    lines += [_sa_column(c, 8) + "," for c in table.columns]
    pk_name = pystr(f"pk_{table.name}")
    lines.append(f"        sa.PrimaryKeyConstraint({pystr(pk.name)}, name={pk_name}),")
    lines += [
        wrap(
            "sa.UniqueConstraint",
            [pystr(c.name), f"name={pystr(f'uq_{table.name}_{c.name}')}"],
            indent=8,
        )
        + ","
        for c in table.columns
        if c.unique
    ]
    # MariaDB and MySQL: full Unicode whatever the server's default character set.
    lines.append(f"        mysql_charset={pystr(MYSQL_CHARSET)},")
    lines.append("    )")
    lines += [
        _create_index(table.name, c.name, "op", 4) for c in table.columns if c.index
    ]
    return lines


def _create_index(table: str, column: str, target: str, indent: int) -> str:
    args = [pystr(f"ix_{table}_{column}"), pystr(table), f"[{pystr(column)}]"]
    if target != "op":
        args.pop(1)
    return wrap(f"{target}.create_index", args, indent=indent)


# PostgreSQL's name of each column type, for the USING cast of a type change.
_PG_TYPES = {
    "Text": "TEXT",
    "Integer": "INTEGER",
    "Float": "FLOAT",
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


@dataclass
class _Steps:
    """One table's change: indexes dropped first and created last, each outside the
    transaction (PostgreSQL builds them CONCURRENTLY, without blocking writes), around
    the batch of column changes; NOT NULL and unique constraints on populated columns
    after it (helpers of the revision, safe on PostgreSQL)."""

    # Checks that stop the upgrade, before anything changed, while a row holds a
    # value the new column cannot.
    checks: list[str] = field(default_factory=list)
    # Foreign keys of dropped columns go first: MariaDB drops no index a foreign key
    # still needs (the column's own, dropped next).
    drop_foreign_keys: list[str] = field(default_factory=list)
    drop_indexes: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    # Server defaults that filled existing rows, dropped in a second batch: on SQLite
    # the drop recreates the table, which in the same batch would copy the rows
    # before the new column had its value.
    later: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    create_indexes: list[str] = field(default_factory=list)

    def lines(self, table: str) -> list[str]:
        batch = f"    with op.batch_alter_table({pystr(table)}) as batch:"
        lines = list(self.checks)
        lines += [batch, *self.drop_foreign_keys] if self.drop_foreign_keys else []
        lines += _concurrently(self.drop_indexes)
        lines += [batch, *self.body] if self.body else []
        lines += [batch, *self.later] if self.later else []
        return lines + self.after + _concurrently(self.create_indexes)


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


def _alter_table(old: TableSchema, new: TableSchema) -> list[str]:
    steps = _Steps()
    for column in old.columns:
        if new.column(column.name) is None:
            if column.index:
                steps.drop_indexes.append(_index_op(old.name, column.name, False))
            if column.foreign_key:
                # MariaDB refuses to drop a column its foreign key uses.
                name = pystr(_fk_name(column))
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
        if before.index != column.index:
            target = steps.create_indexes if column.index else steps.drop_indexes
            target.append(_index_op(new.name, column.name, column.index))
        if column.fill is not None and column.fill != before.fill:
            # The rows stored before the property had this default: the API answers
            # it for their NULL, and now filters and sorts see it too.
            args = [pystr(new.name), pystr(column.name), column.fill]
            steps.after.append(wrap("fill_nulls", args, indent=4))
        if column.unique and not before.unique:
            steps.after.append(_add_unique(new.name, column.name))
        elif before.unique and not column.unique:
            name = pystr(f"uq_{new.name}_{column.name}")
            steps.body.append(f'        batch.drop_constraint({name}, type_="unique")')
    return steps.lines(new.name)


def _alter_column(table: str, before: Column, column: Column, steps: _Steps) -> None:
    """A changed type (cast with USING on PostgreSQL) or nullability, after the
    checks that stop the upgrade while a row holds what the column no longer may."""
    name = pystr(column.name)
    if before.nullable and not column.nullable:
        # After the batch: the column has its new type by then.
        args = [pystr(table), name, f"sa.{column.sa_type}"]
        steps.after.append(wrap("set_not_null", args, indent=4))
    if before.sa_type != column.sa_type:
        # Not from a decimal: unscale_on_sqlite converts its ten-thousandths after.
        if not before.scaled and not lossless_cast(before.sa_type, column.sa_type):
            into, _, args_ = column.sa_type.partition("(")
            length = args_.rstrip(")") if into == "String" else "None"
            args = [pystr(table), name, pystr(into), length]
            steps.checks.append(wrap("refuse_unconverted_on_sqlite", args, indent=4))
        cast = f"{quote_pg(column.name)}::{pg_type(column.sa_type)}"
        args = [
            name,
            f"existing_type=sa.{before.sa_type}",
            f"type_=sa.{column.sa_type}",
            f"existing_nullable={before.nullable}",
            f"postgresql_using={pystr(cast)}",
        ]
        steps.body.append(wrap("batch.alter_column", args, indent=8))
    if column.values is not None and (
        before.type != "enum" or not set(before.values or ()) <= set(column.values)
    ):
        values = ", ".join(map(pystr, column.values))
        args = [pystr(table), name, f"({values}{',' * (len(column.values) == 1)})"]
        steps.checks.append(wrap("refuse_other_values", args, indent=4))
    if limits := tightened(before, column):
        base = column.sa_type.split("(")[0]
        kind = {"Integer": "int", "Float": "float"}.get(base, "str")
        listed = {k: list(v) if isinstance(v, tuple) else v for k, v in limits.items()}
        args = [pystr(table), name, pystr(kind), pyliteral(listed)]
        steps.checks.append(wrap("refuse_outside", args, indent=4))
    if column.nullable and not before.nullable:
        args = [name, f"existing_type=sa.{column.sa_type}", "nullable=True"]
        steps.body.append(wrap("batch.alter_column", args, indent=8))
    if column.scaled and not before.scaled:  # once it is a decimal
        steps.after.append(f"    scale_on_sqlite({pystr(table)}, {name})")
    elif before.scaled and not column.scaled:  # in its new type (and affinity)
        into = pystr(column.sa_type.split("(")[0])
        steps.after.append(f"    unscale_on_sqlite({pystr(table)}, {name}, {into})")


def quote_pg(name: str) -> str:
    """An identifier quoted for PostgreSQL (names are validated identifiers)."""
    return '"' + name.replace('"', '""') + '"'


def _add_column(table: str, column: Column, steps: _Steps) -> list[str]:
    # What the existing rows get: a NOT NULL column's default (or zero value), an
    # optional column's fill; the server default giving it is dropped after.
    backfill = column.backfill
    if column.nullable:
        fill = None if column.fill is None else ast.literal_eval(column.fill)
        backfill = None if fill is None else _sql_value(fill)
    lines = []
    if column.foreign_key:
        # Added after the column, validated apart (safe on PostgreSQL).
        args = [pystr(table), pystr(_fk_name(column)), pystr(column.name)]
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
        lines.append(f"        batch.add_column({_sa_column(column, 8).strip()})")
    else:
        # Existing rows get the spec's default; the server default is dropped after.
        backfill = _stored(column, backfill)
        added = _sa_column(column, 8).strip()[:-1] + f", server_default={backfill})"
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


def upgrade_lines(
    old: dict[str, TableSchema],
    new: dict[str, TableSchema],
    renames: Renames = NO_RENAMES,
) -> list[str]:
    """The body of ``upgrade()`` taking schema ``old`` to ``new`` (``renames``: the
    tables and columns of ``new`` that ``old`` has under another name)."""
    lines = rename_lines(old, renames)
    old = apply_renames(old, renames)
    for name, table in new.items():
        lines += (
            _create_table(table) if name not in old else _alter_table(old[name], table)
        )
    for name in reversed(list(old)):
        if name not in new:
            lines.append(f"    op.drop_table({pystr(name)})")
    return lines


def render_revision(
    revision: str,
    down_revision: str | None,
    message: str,
    upgrade: list[str],
    downgrade: list[str],
) -> str:
    """A complete Alembic revision module."""
    body = "\n".join(upgrade + downgrade)
    helpers = "".join(
        source
        for call, source in HELPERS
        if re.search(rf"(?<![\w.]){re.escape(call)}", body)
    )
    body += helpers
    # A service without tables (an OpenAPI document of stubs) uses neither import.
    third_party = "".join(
        line
        for line, used in (
            ("import sqlalchemy as sa\n", "sa." in body),
            ("from alembic import op\n", "op." in body),
            (_PYDANTIC_CORE, "SchemaValidator(" in body),
        )
        if used
    )
    stdlib = (
        ("import re\n\n" if "re.search(" in body else "")
        + "from collections.abc import Sequence\n"
        + ("from typing import Any\n" if re.search(r"\bAny\]", body) else "")
    )
    return (
        f'"""{message}\n\nRevision ID: {revision}\nRevises:{f" {down_revision}" if down_revision else ""}\n"""\n\n'
        + stdlib
        + "\n"
        + (third_party + "\n" if third_party else "")
        + f"revision: str = {pystr(revision)}\n"
        f"down_revision: str | None = {pystr(down_revision) if down_revision else None}\n"
        "branch_labels: str | Sequence[str] | None = None\n"
        "depends_on: str | Sequence[str] | None = None\n\n\n"
        "def upgrade() -> None:\n"
        + "\n".join(upgrade or ["    pass"])
        + "\n\n\ndef downgrade() -> None:\n"
        + "\n".join(downgrade or ["    pass"])
        + "\n"
        + helpers
    )


def initial_migration(service: ServiceModel) -> str:
    """Revision 0001: every table of the spec."""
    schema = schema_of(service)
    return render_revision(
        "0001",
        None,
        f"Initial schema, generated by fastgen from {_spec_name(service)}.",
        upgrade_lines({}, schema),
        upgrade_lines(schema, {}),
    )


# --- a revision for a spec change ------------------------------------------------


def revision_id(
    old: dict[str, TableSchema],
    new: dict[str, TableSchema],
    renames: Renames = NO_RENAMES,
) -> str:
    """Deterministic: the same spec change always gets the same id."""
    sides: list[object] = [
        [asdict(t) for t in old.values()],
        [asdict(t) for t in new.values()],
    ]
    if renames:
        sides.append([sorted(renames.tables.items()), sorted(renames.columns.items())])
    payload = json.dumps(sides, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:12]


_REVISION_RE = re.compile(r"^revision(?:: str)? = ['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_RE = re.compile(r"^down_revision(?:: [^=]+)? = ['\"]([^'\"]+)['\"]", re.MULTILINE)


def current_head(versions: Path) -> str | None:
    """The revision no other revision builds on (None when there are none)."""
    revisions, parents = set(), set()
    for path in versions.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        if match := _REVISION_RE.search(text):
            revisions.add(match.group(1))
        if match := _DOWN_RE.search(text):
            parents.add(match.group(1))
    heads = sorted(revisions - parents)
    return heads[-1] if heads else None


SCHEMA_FILE = "migrations/schema.json"
# Left out of schema.json when None or False.
_OMITTED = frozenset({"fill", "answers_null", "values", "limits"})
VERSIONS_DIR = "migrations/versions"


def schema_json(service: ServiceModel) -> str:
    """The schema the migrations build, as committed in ``migrations/schema.json``."""
    tables = [
        {
            "name": table.name,
            # The keys of _OMITTED only where set (an OpenAPI column's limits, if
            # empty, too): schema.json files of projects without stay as written.
            "columns": [
                {
                    k: v
                    for k, v in asdict(c).items()
                    if k not in _OMITTED or v not in (None, False)
                }
                for c in table.columns
            ],
        }
        for table in schema_of(service).values()
    ]
    return json.dumps({"tables": tables}, indent=2) + "\n"


def pending_change(project: Path, service: ServiceModel) -> bool:
    """Whether the committed migrations lag behind the spec's schema."""
    path = project / SCHEMA_FILE
    return path.is_file() and load_schema(path) != schema_of(service)


def _spec_name(service: ServiceModel) -> str:
    """The project's input file, as revisions name it."""
    return NATIVE_FILE if service.api is None else OPENAPI_FILE


def _message(service: ServiceModel, drops: Sequence[str]) -> str:
    message = f"Schema change from {_spec_name(service)}, written by fastgen."
    if not drops:
        return message
    listed = "\n".join(f"- {drop}" for drop in drops)
    return f"{message}\n\nIt loses data (fastgen --allow-data-loss):\n{listed}"


def write_revision(
    project: Path, service: ServiceModel, drops: Sequence[str] = ()
) -> Path | None:
    """Write the revision from the migrated schema to the spec's; None if they agree.

    ``migrations/schema.json`` records what the existing revisions build, so this works
    however the code was regenerated (``fastgen update`` or plain ``copier update``).
    ``drops``: the data it loses, acknowledged with ``--allow-data-loss``
    (``fastgen.render.dataloss``); its docstring lists them.
    """
    state = project / SCHEMA_FILE
    if not state.is_file():
        return None
    before, after = load_schema(state), schema_of(service)
    renames = renames_of(service, before)
    upgrade = upgrade_lines(before, after, renames)
    if not upgrade:
        if before != after:  # nothing for the database to do (e.g. a new default)
            state.write_text(schema_json(service), encoding="utf-8")
        return None
    versions = project / VERSIONS_DIR
    revision = revision_id(before, after, renames)
    source = render_revision(
        revision,
        current_head(versions),
        _message(service, drops),
        upgrade,
        upgrade_lines(after, before, renames.inverse()),
    )
    path = versions / revision_filename(versions, change_words(before, after, renames))
    path.write_text(format_python(source, force=True), encoding="utf-8")
    state.write_text(schema_json(service), encoding="utf-8")
    return path
