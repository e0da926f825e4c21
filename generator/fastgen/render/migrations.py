"""Alembic revisions from the service model: the initial schema and spec-to-spec changes.

The generated ORM models and these migrations are two views of one ``TableSchema`` per
resource, so a database migrated to head has exactly the schema the models describe
(the generated project tests that with Alembic's autogenerate comparison).
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import io
import json
import re
import tokenize
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from fastgen.errors import FastgenError
from fastgen.model.files import NATIVE_FILE, OPENAPI_FILE
from fastgen.model.service import FieldModel, ServiceModel
from fastgen.render.collation import collation_change
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
from fastgen.render.table_changes import (
    SCALED,
    Origin,
    Steps,
    alter_table,
    fk_name,
    sa_column,
    sql_value,
)
from fastgen.render.table_schema import Column, TableSchema, load_schema

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
        microseconds=field.type == "datetime",
        json_schema=field.json_schema,
    )


def _backfill(field: FieldModel) -> str | None:
    """The spec's default as a server default, else a zero value, else None."""
    value = field.default_value
    if isinstance(value, bool | str | int | float):
        return sql_value(value)
    if field.enum_values:
        return pystr(field.enum_values[0])
    return _BACKFILL.get(field.type)


def schema_of(service: ServiceModel) -> dict[str, TableSchema]:
    """Every table of the service, in creation order (referenced tables first)."""
    return {
        r.table: TableSchema(
            r.table,
            tuple(_column(f, service) for f in (r.pk, *r.fields)),
            binary_collation=True,
        )
        for r in tables_in_creation_order(service)
    }


# --- rendering -------------------------------------------------------------------


def _create_table(table: TableSchema, later: frozenset[str] = frozenset()) -> list[str]:
    """``later``: the columns whose key names a table made after this one."""
    pk = next(c for c in table.columns if c.primary_key)
    lines = ["    op.create_table(", f"        {pystr(table.name)},"]
    lines += [sa_column(c, 8, use_alter=c.name in later) + "," for c in table.columns]
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
    # MariaDB and MySQL: full Unicode whatever the server's default character set,
    # compared byte by byte as PostgreSQL and SQLite compare it.
    lines.append(f"        mysql_charset={pystr(MYSQL_CHARSET)},")
    if table.binary_collation:
        lines.append("        mysql_collate=binary_collation(),")
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


def upgrade_lines(
    old: dict[str, TableSchema],
    new: dict[str, TableSchema],
    renames: Renames = NO_RENAMES,
    direction: str = "upgrade",
) -> list[str]:
    """The body of ``upgrade()`` taking schema ``old`` to ``new`` (``renames``: the
    tables and columns of ``new`` that ``old`` has under another name; ``direction``:
    "downgrade" for the body of ``downgrade()``).

    Every check that can stop the upgrade comes first, before any step of any table
    (renames included): a refused upgrade changes nothing, even where a step commits
    on its own (SQLite's DDL, PostgreSQL's autocommit blocks), so it can be run again
    once the rows are changed."""
    renamed = apply_renames(old, renames)
    origin = Origin(renames, frozenset(renamed), direction)
    changes = {
        name: alter_table(renamed[name], table, origin)
        for name, table in new.items()
        if name in renamed
    }
    collation_checks, collation = collation_change(renamed, new, origin)
    lines = [line for steps in changes.values() for line in steps.checks]
    lines += collation_checks
    if any(line.startswith(f"    {SCALED}[") for line in lines):
        lines.insert(
            0, f"    {SCALED}: dict[tuple[str, str], dict[object, int]] = {{}}"
        )
    lines += rename_lines(old, renames)
    lines += collation
    lines += _table_steps(new, changes, frozenset(renamed))
    dropped = [renamed[name] for name in reversed(list(renamed)) if name not in new]
    gone: set[str] = set()
    opening: list[tuple[TableSchema, Column]] = []
    for table in dropped:  # a key to a table dropped first goes before it
        opening += [(table, c) for c in _keys(table) if _target(c) in gone]
        gone.add(table.name)
    lines += _closing_keys(opening, "drop")
    lines += [f"    op.drop_table({pystr(t.name)})" for t in dropped]
    return lines


def _table_steps(
    new: dict[str, TableSchema], changes: dict[str, Steps], existing: frozenset[str]
) -> list[str]:
    """Each table's step, in ``_step_order``: an existing table's changes, or a new
    table made, but for its keys to tables made after it (a cycle of refs between new
    tables), added once every table is made."""
    lines: list[str] = []
    made = set(existing)
    closing: list[tuple[TableSchema, Column]] = []
    for name in _step_order(new, existing):
        table = new[name]
        if name in changes:
            lines += changes[name].lines()
            continue
        later = [c for c in _keys(table) if _target(c) not in made | {name}]
        closing += [(table, c) for c in later]
        lines += _create_table(table, frozenset(c.name for c in later))
        made.add(name)
    return lines + _closing_keys(closing, "add")


def _step_order(new: dict[str, TableSchema], existing: frozenset[str]) -> list[str]:
    """The tables of ``new`` in the order their steps run: as ``new`` has them
    (referenced tables first, but where refs close a cycle), except that the new
    tables an existing table's keys name are made before its step (it may gain one:
    PostgreSQL and MariaDB refuse a key to a table not made yet), each after the new
    tables it refers to in turn."""
    order: list[str] = []
    visited: set[str] = set()

    def visit(name: str, pulled: bool) -> None:
        if name in visited:  # made, or being made (a cycle of refs)
            return
        visited.add(name)
        if pulled or name in existing:
            for column in _keys(new[name]):
                if _target(column) not in existing:
                    visit(_target(column), True)
        order.append(name)

    for name in new:
        visit(name, False)
    return order


def _keys(table: TableSchema) -> list[Column]:
    return [c for c in table.columns if c.foreign_key]


def _target(column: Column) -> str:
    assert column.foreign_key is not None
    return column.foreign_key.split(".")[0]


def _closing_keys(keys: list[tuple[TableSchema, Column]], step: str) -> list[str]:
    """The foreign keys closing a cycle of refs, added after every table is made,
    or dropped before any is: SQLite keeps them in its CREATE TABLE (it has no
    ALTER for them, nor needs it: it checks no reference at CREATE or DROP)."""
    if not keys:
        return []
    why = "made it with its table" if step == "add" else "drops it with its table"
    lines = [f'    if op.get_context().dialect.name != "sqlite":  # SQLite {why}']
    for table, column in keys:
        name, target = pystr(fk_name(column)), pystr(_target(column))
        if step == "add":
            referred = pystr(str(column.foreign_key).split(".")[1])
            columns = f"[{pystr(column.name)}]"
            args = [name, pystr(table.name), target, columns, f"[{referred}]"]
            lines.append(wrap("op.create_foreign_key", args, indent=8))
        else:
            args = [name, pystr(table.name), 'type_="foreignkey"']
            lines.append(wrap("op.drop_constraint", args, indent=8))
    return lines


def render_revision(
    revision: str,
    down_revision: str | Sequence[str] | None,
    message: str,
    upgrade: list[str],
    downgrade: list[str],
) -> str:
    """A complete Alembic revision module."""
    helpers = _helpers(_code("\n".join(upgrade + downgrade)))
    # What the revision calls, without its strings: a table named ``dt`` is the
    # string "dt.id" in a foreign key, a default may read "Decimal(1)".
    body = _code("\n".join(upgrade + downgrade) + helpers)
    # A service without tables (an OpenAPI document of stubs) uses neither import.
    third_party = "".join(
        line
        for line, used in (
            ("import sqlalchemy as sa\n", "sa." in body),
            ("from alembic import op\n", "op." in body),
            (_PYDANTIC_CORE, "SchemaValidator(" in body),
            ("from sqlalchemy.dialects import mysql\n", "mysql.DATETIME(" in body),
        )
        if used
    )
    plain = "".join(
        line
        for line, used in (
            ("import datetime as dt\n", re.search(r"\bdt\.", body) is not None),
            ("import re\n", "re.search(" in body),
            ("import struct\n", "struct.pack(" in body),
        )
        if used
    )
    stdlib = (  # one isort section: plain imports first, no blank line between
        plain
        + "from collections.abc import Sequence\n"
        + ("from decimal import ROUND_HALF_UP, Decimal\n" if "Decimal(" in body else "")
        + ("from typing import Any\n" if re.search(r"\bAny[\],]", body) else "")
    )
    parents = [down_revision] if isinstance(down_revision, str) else down_revision
    revises = ", ".join(parents or ())
    if parents and len(parents) > 1:  # a merge revision, as `alembic merge` writes it
        down = f"str | Sequence[str] | None = ({', '.join(map(pystr, parents))})"
    else:
        down = f"str | None = {pystr(parents[0]) if parents else None}"
    return (
        f'"""{message}\n\nRevision ID: {revision}\nRevises:{f" {revises}" if revises else ""}\n"""\n\n'
        + stdlib
        + "\n"
        + (third_party + "\n" if third_party else "")
        + f"revision: str = {pystr(revision)}\n"
        f"down_revision: {down}\n"
        "branch_labels: str | Sequence[str] | None = None\n"
        "depends_on: str | Sequence[str] | None = None\n\n\n"
        "def upgrade() -> None:\n"
        + "\n".join(upgrade or ["    pass"])
        + "\n\n\ndef downgrade() -> None:\n"
        + "\n".join(downgrade or ["    pass"])
        + "\n"
        + helpers
    )


def _code(source: str) -> str:
    """``source`` (statements, indented or not) with each plain string literal
    written ``""``; an f-string is kept, its expressions being code."""
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    pieces, done = [], 0
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.STRING and "f" not in _prefix(token.string):
            start = starts[token.start[0] - 1] + token.start[1]
            pieces += [source[done:start], '""']
            done = starts[token.end[0] - 1] + token.end[1]
    return "".join([*pieces, source[done:]])


def _prefix(literal: str) -> str:
    return literal[: len(literal) - len(literal.lstrip("bBfFrRuU"))].lower()


def _helpers(body: str) -> str:
    """The helpers ``body`` calls, and those they call in turn, in HELPERS' order."""
    chosen: set[str] = set()
    text = body
    while new := [
        (call, source)
        for call, source in HELPERS
        if call not in chosen and re.search(rf"(?<![\w.]){re.escape(call)}", text)
    ]:
        chosen.update(call for call, _ in new)
        text += "".join(source for _, source in new)
    return "".join(source for call, source in HELPERS if call in chosen)


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


def revision_heads(versions: Path) -> list[str]:
    """The revisions no other revision builds on, sorted: one, or several once two
    branches that each changed the schema are merged in git (Alembic then refuses
    ``upgrade head``)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted(versions.glob("*.py")):
        revision, down = _revision_ids(path)
        if revision is not None:
            revisions.add(revision)
            parents.update(down)
    return sorted(revisions - parents)


def _revision_ids(path: Path) -> tuple[str | None, tuple[str, ...]]:
    """A revision module's id and the ids it builds on: several for a merge
    revision (``alembic merge``: ``down_revision = ("a", "b")``)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    except (SyntaxError, UnicodeDecodeError) as exc:
        raise FastgenError(
            f"{path}: not a readable Alembic revision ({exc}); fix it, then run "
            "`fastgen migrate`"
        ) from exc
    values: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    with contextlib.suppress(ValueError, TypeError, SyntaxError):
                        values[target.id] = ast.literal_eval(node.value)
    revision, down = values.get("revision"), values.get("down_revision")
    parents = (down,) if isinstance(down, str) else down
    if not isinstance(parents, tuple | list):
        parents = ()
    return (
        revision if isinstance(revision, str) else None,
        tuple(p for p in parents if isinstance(p, str)),
    )


SCHEMA_FILE = "migrations/schema.json"


def json_columns(project: Path) -> frozenset[tuple[str, str]]:
    """The (table, column) pairs the project's migrations made JSON columns (its
    ``migrations/schema.json``; none before its first render)."""
    path = project / SCHEMA_FILE
    if not path.is_file():
        return frozenset()
    return frozenset(
        (table.name, column.name)
        for table in load_schema(path).values()
        for column in table.columns
        if column.type == "json"
    )


# Left out of schema.json when None or False.
_OMITTED = frozenset(
    {"fill", "answers_null", "values", "limits", "microseconds", "json_schema"}
)
VERSIONS_DIR = "migrations/versions"


def schema_json(service: ServiceModel) -> str:
    """The schema the migrations build, as committed in ``migrations/schema.json``."""
    tables = [
        {
            "name": table.name,
            "binary_collation": table.binary_collation,
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


def _merge_id(heads: Sequence[str]) -> str:
    """A merge revision's id: the same heads always get the same one."""
    return hashlib.sha256(json.dumps(sorted(heads)).encode()).hexdigest()[:12]


def _message(
    service: ServiceModel,
    drops: Sequence[str],
    heads: Sequence[str] = (),
    changes: bool = True,
) -> str:
    message = f"Schema change from {_spec_name(service)}, written by fastgen."
    if len(heads) > 1:
        merged = f"the heads {', '.join(heads)} (branches merged in git)"
        message = (
            f"{message}\n\nIt also merges {merged}."
            if changes
            else f"Merges {merged}, written by fastgen."
        )
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
    versions = project / VERSIONS_DIR
    heads = revision_heads(versions)
    if not upgrade and len(heads) < 2:
        if before != after:  # nothing for the database to do (e.g. a new default)
            state.write_text(schema_json(service), encoding="utf-8")
        return None
    # Several heads (two branches' revisions, merged in git): this one merges them,
    # as `alembic merge heads` would, on top of any change of its own.
    words = change_words(before, after, renames) or ["merge_heads"]
    source = render_revision(
        revision_id(before, after, renames) if upgrade else _merge_id(heads),
        heads,
        _message(service, drops, heads, bool(upgrade)),
        upgrade,
        upgrade_lines(after, before, renames.inverse(), "downgrade"),
    )
    path = versions / revision_filename(versions, words)
    path.write_text(format_python(source, force=True), encoding="utf-8")
    state.write_text(schema_json(service), encoding="utf-8")
    return path
