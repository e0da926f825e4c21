"""Alembic revisions from the service model: the initial schema and spec-to-spec changes.

The generated ORM models and these migrations are two views of one ``TableSchema`` per
resource, so a database migrated to head has exactly the schema the models describe
(the generated project tests that with Alembic's autogenerate comparison).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from fastgen.releases.v0_1_0.formatting import format_python
from fastgen.releases.v0_1_0.pycode import tables_in_creation_order, wrap
from fastgen.releases.v0_1_0.service import FieldModel, ServiceModel, pystr

# Zero values for a NOT NULL column added to a table that may already have rows.
_BACKFILL = {
    "string": '""',
    "text": '""',
    "integer": '"0"',
    "float": '"0"',
    "decimal": '"0"',
    "boolean": "sa.false()",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # field type ("string", "ref"...)
    sa_type: str  # e.g. "String(120)"
    nullable: bool
    primary_key: bool
    foreign_key: str | None  # "author.id"
    index: bool
    unique: bool
    backfill: str | None  # SQL server default for rows that exist when it is added


@dataclass(frozen=True)
class TableSchema:
    name: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


def _column(field: FieldModel, service: ServiceModel) -> Column:
    sa_type = field.sa_type
    foreign_key = None
    if field.ref_table:
        target = next(r for r in service.resources if r.name == field.ref_table)
        sa_type = target.pk.sa_type
        foreign_key = f"{field.ref_table}.{field.ref_column}"
    return Column(
        name=field.name,
        type=field.type,
        sa_type=sa_type,
        nullable=field.nullable,
        primary_key=field.primary_key,
        foreign_key=foreign_key,
        index=field.index and not field.unique,
        unique=field.unique and not field.primary_key,
        backfill=_backfill(field),
    )


def _backfill(field: FieldModel) -> str | None:
    """The spec's default as a server default, else a zero value, else None."""
    value = field.default_value
    if isinstance(value, bool):
        return "sa.true()" if value else "sa.false()"
    if isinstance(value, str | int | float):
        return pystr(str(value))
    if field.enum_values:
        return pystr(field.enum_values[0])
    return _BACKFILL.get(field.type)


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
        table = column.foreign_key.split(".")[0]
        name = f"fk_{column.name}_{table}"
        args.append(f"sa.ForeignKey({pystr(column.foreign_key)}, name={pystr(name)})")
    args.append(f"nullable={column.nullable}")
    return wrap("sa.Column", args, indent=indent)


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


def _alter_table(old: TableSchema, new: TableSchema) -> list[str]:
    body: list[str] = []
    for column in old.columns:
        if new.column(column.name) is None:
            if column.index:
                body.append(
                    f"        batch.drop_index({pystr(f'ix_{old.name}_{column.name}')})"
                )
            body.append(f"        batch.drop_column({pystr(column.name)})")
    for column in new.columns:
        before = old.column(column.name)
        if before is None:
            body += _add_column(new.name, column)
            continue
        if (before.sa_type, before.nullable) != (column.sa_type, column.nullable):
            body.append(
                wrap(
                    "batch.alter_column",
                    [
                        pystr(column.name),
                        f"existing_type=sa.{before.sa_type}",
                        f"type_=sa.{column.sa_type}",
                        f"nullable={column.nullable}",
                    ],
                    indent=8,
                )
            )
        if before.index != column.index:
            name = pystr(f"ix_{new.name}_{column.name}")
            body.append(
                _create_index(new.name, column.name, "batch", 8)
                if column.index
                else f"        batch.drop_index({name})"
            )
        if before.unique != column.unique:
            name = pystr(f"uq_{new.name}_{column.name}")
            body.append(
                f"        batch.create_unique_constraint({name}, [{pystr(column.name)}])"
                if column.unique
                else f'        batch.drop_constraint({name}, type_="unique")'
            )
    if not body:
        return []
    return [f"    with op.batch_alter_table({pystr(new.name)}) as batch:", *body]


def _add_column(table: str, column: Column) -> list[str]:
    backfill = column.backfill
    lines = []
    if not column.nullable and backfill is None:
        # No value fits every existing row: the column starts nullable.
        lines.append(
            f"        # fastgen: fill {column.name} for existing rows, then make it NOT NULL"
        )
        column = Column(**{**asdict(column), "nullable": True})
    if column.nullable or backfill is None:
        lines.append(f"        batch.add_column({_sa_column(column, 8).strip()})")
    else:
        # Existing rows get a zero value; the server default is dropped right after.
        added = _sa_column(column, 8).strip()[:-1] + f", server_default={backfill})"
        lines.append(wrap("batch.add_column", [added], indent=8))
        lines.append(
            f"        batch.alter_column({pystr(column.name)}, server_default=None)"
        )
    if column.index:
        lines.append(_create_index(table, column.name, "batch", 8))
    if column.unique:
        name = pystr(f"uq_{table}_{column.name}")
        lines.append(
            f"        batch.create_unique_constraint({name}, [{pystr(column.name)}])"
        )
    return lines


def upgrade_lines(
    old: dict[str, TableSchema], new: dict[str, TableSchema]
) -> list[str]:
    """The body of ``upgrade()`` taking schema ``old`` to ``new``."""
    lines: list[str] = []
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
    return (
        f'"""{message}\n\nRevision ID: {revision}\nRevises:{f" {down_revision}" if down_revision else ""}\n"""\n\n'
        "from collections.abc import Sequence\n\n"
        "import sqlalchemy as sa\n"
        "from alembic import op\n\n"
        f"revision: str = {pystr(revision)}\n"
        f"down_revision: str | None = {pystr(down_revision) if down_revision else None}\n"
        "branch_labels: str | Sequence[str] | None = None\n"
        "depends_on: str | Sequence[str] | None = None\n\n\n"
        "def upgrade() -> None:\n"
        + "\n".join(upgrade or ["    pass"])
        + "\n\n\ndef downgrade() -> None:\n"
        + "\n".join(downgrade or ["    pass"])
        + "\n"
    )


def initial_migration(service: ServiceModel) -> str:
    """Revision 0001: every table of the spec."""
    schema = schema_of(service)
    return render_revision(
        "0001",
        None,
        "Initial schema, generated by fastgen from fastgen.yaml.",
        upgrade_lines({}, schema),
        upgrade_lines(schema, {}),
    )


# --- a revision for a spec change ------------------------------------------------


def revision_id(old: dict[str, TableSchema], new: dict[str, TableSchema]) -> str:
    """Deterministic: the same spec change always gets the same id."""
    payload = json.dumps(
        [[asdict(t) for t in old.values()], [asdict(t) for t in new.values()]],
        sort_keys=True,
    )
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
VERSIONS_DIR = "migrations/versions"


def schema_json(service: ServiceModel) -> str:
    """The schema the migrations build, as committed in ``migrations/schema.json``."""
    tables = [asdict(t) for t in schema_of(service).values()]
    return json.dumps({"tables": tables}, indent=2) + "\n"


def load_schema(path: Path) -> dict[str, TableSchema]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        t["name"]: TableSchema(t["name"], tuple(Column(**c) for c in t["columns"]))
        for t in data["tables"]
    }


def pending_change(project: Path, service: ServiceModel) -> bool:
    """Whether the committed migrations lag behind the spec's schema."""
    path = project / SCHEMA_FILE
    return path.is_file() and load_schema(path) != schema_of(service)


def write_revision(project: Path, service: ServiceModel) -> Path | None:
    """Write the revision from the migrated schema to the spec's; None if they agree.

    ``migrations/schema.json`` records what the existing revisions build, so this works
    however the code was regenerated (``fastgen update`` or plain ``copier update``).
    """
    state = project / SCHEMA_FILE
    if not state.is_file():
        return None
    before, after = load_schema(state), schema_of(service)
    upgrade = upgrade_lines(before, after)
    if not upgrade:
        return None
    versions = project / VERSIONS_DIR
    revision = revision_id(before, after)
    source = render_revision(
        revision,
        current_head(versions),
        "Schema change from fastgen.yaml, written by fastgen.",
        upgrade,
        upgrade_lines(after, before),
    )
    path = versions / f"{revision}_fastgen.py"
    path.write_text(format_python(source, force=True), encoding="utf-8")
    state.write_text(schema_json(service), encoding="utf-8")
    return path
