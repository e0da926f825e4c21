"""Renamed tables and columns (``renamed_from``) in a revision: renamed in place.

A rename applies only while the migrated schema (``migrations/schema.json``) still has
the old name and not the new one, so once its revision is written the key changes
nothing, left in or removed. The revision renames the table or column (every row keeps
its value), then gives each index and constraint the name fastgen would give it under
the new names: ``ix_<table>_<column>``, ``uq_<table>_<column>``, ``pk_<table>``,
``fk_<column>_<referenced table>``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from fastgen.model.service import ServiceModel
from fastgen.render.literals import pystr
from fastgen.render.pysource import wrap
from fastgen.render.table_schema import Column, TableSchema, revision_type


@dataclass(frozen=True)
class Renames:
    """What a revision renames: new table -> old, and (new table, new column) -> old."""

    tables: dict[str, str]
    columns: dict[tuple[str, str], str]

    def __bool__(self) -> bool:
        return bool(self.tables or self.columns)

    def inverse(self) -> Renames:
        """The renames of the downgrade: back to the old names."""
        return Renames(
            {old: new for new, old in self.tables.items()},
            {
                (self.tables.get(table, table), old): new
                for (table, new), old in self.columns.items()
            },
        )


NO_RENAMES = Renames({}, {})


def renames_of(service: ServiceModel, old: dict[str, TableSchema]) -> Renames:
    """The ``renamed_from`` keys of ``service`` that still apply to schema ``old``."""
    tables: dict[str, str] = {}
    columns: dict[tuple[str, str], str] = {}
    for resource in service.resources:
        source = resource.renamed_from
        if source in old and resource.table not in old:
            tables[resource.table] = source
        before = old.get(tables.get(resource.table, resource.table))
        if before is None:
            continue
        for field in (resource.pk, *resource.fields):
            previous = field.renamed_from
            if previous and before.column(previous) and not before.column(field.name):
                columns[resource.table, field.name] = previous
    return Renames(tables, columns)


def apply_renames(
    old: dict[str, TableSchema], renames: Renames
) -> dict[str, TableSchema]:
    """Schema ``old`` under its new names: what the rest of the revision starts from."""
    new_names = {old_name: new for new, old_name in renames.tables.items()}
    return {
        new_names.get(name, name): replace(
            table,
            name=new_names.get(name, name),
            columns=tuple(
                _renamed_column(column, new_names.get(name, name), renames, new_names)
                for column in table.columns
            ),
        )
        for name, table in old.items()
    }


def _renamed_column(
    column: Column, table: str, renames: Renames, new_names: dict[str, str]
) -> Column:
    by_old = {old: new for (t, new), old in renames.columns.items() if t == table}
    foreign_key = column.foreign_key
    if foreign_key:
        # The database follows a renamed referenced table or column by itself.
        target, key = foreign_key.split(".", 1)
        target = new_names.get(target, target)
        keys = {old: new for (t, new), old in renames.columns.items() if t == target}
        foreign_key = f"{target}.{keys.get(key, key)}"
    return replace(
        column, name=by_old.get(column.name, column.name), foreign_key=foreign_key
    )


def rename_lines(old: dict[str, TableSchema], renames: Renames) -> list[str]:
    """The statements renaming tables, then columns, then what is named after them."""
    if not renames:
        return []
    lines = [
        f"    op.rename_table({pystr(source)}, {pystr(table)})"
        for table, source in renames.tables.items()
    ]
    new = apply_renames(old, renames)
    for table in dict.fromkeys(table for table, _ in renames.columns):
        lines.append(f"    with op.batch_alter_table({pystr(table)}) as batch:")
        for column in new[table].columns:
            source = renames.columns.get((table, column.name))
            if source is None:
                continue
            args = [
                pystr(source),
                f"new_column_name={pystr(column.name)}",
                f"existing_type={revision_type(column)}",
                f"existing_nullable={column.nullable}",
            ]
            if column.primary_key and column.sa_type == "Integer()":
                # MariaDB's CHANGE COLUMN restates the column: keep its numbering.
                args.append("existing_autoincrement=True")
            lines.append(wrap("batch.alter_column", args, indent=8))
    for name, table in old.items():
        new_name = next((t for t, o in renames.tables.items() if o == name), name)
        lines += _constraint_renames(table, new[new_name])
    return lines


def _constraint_renames(old: TableSchema, new: TableSchema) -> list[str]:
    lines: list[str] = []
    if old.name != new.name:
        lines.append(_call(new.name, f"pk_{old.name}", f"pk_{new.name}", "primary"))
    for before, after in zip(old.columns, new.columns, strict=True):
        kinds = [("ix", "index", before.index), ("uq", "unique", before.unique)]
        for prefix, kind, present in kinds:
            names = (
                f"{prefix}_{old.name}_{before.name}",
                f"{prefix}_{new.name}_{after.name}",
            )
            if present and names[0] != names[1]:
                lines.append(_call(new.name, *names, kind, after.name))
        if before.foreign_key and after.foreign_key:
            old_fk = f"fk_{before.name}_{before.foreign_key.split('.')[0]}"
            new_fk = f"fk_{after.name}_{after.foreign_key.split('.')[0]}"
            if old_fk != new_fk:
                lines.append(
                    _call(
                        new.name,
                        old_fk,
                        new_fk,
                        "foreignkey",
                        after.name,
                        after.foreign_key,
                    )
                )
    return lines


def _call(table: str, old: str, new: str, kind: str, *rest: str) -> str:
    args = [pystr(table), pystr(old), pystr(new), pystr(kind), *map(pystr, rest)]
    return wrap("rename_constraint", args, indent=4)
