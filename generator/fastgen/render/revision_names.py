"""What a revision is named after: a phrase per change of the schema."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from fastgen.render.renames import Renames, apply_renames
from fastgen.render.table_schema import Column, TableSchema, tightened


def change_words(
    old: dict[str, TableSchema], new: dict[str, TableSchema], renames: Renames
) -> list[str]:
    """What a revision does, a phrase per change (``rename_book_name_to_title``)."""
    words = [
        f"rename_{old_name}_to_{name}" for name, old_name in renames.tables.items()
    ]
    words += [
        f"rename_{table}_{old_name}_to_{name}"
        for (table, name), old_name in renames.columns.items()
    ]
    renamed = apply_renames(old, renames)
    exact: set[str] = set()  # fastgen's own changes on MariaDB and MySQL
    for name, table in new.items():
        before = renamed.get(name)
        if before is None:
            words.append(f"create_{name}")
            continue
        if before.binary_collation != table.binary_collation:
            exact.add("binary_collation")
        for column in table.columns:
            was = before.column(column.name)
            if was is None:
                words.append(f"add_{name}_{column.name}")
                continue
            exact.update(_made_exact(was, column))
            if _altered(was, column):
                words.append(f"alter_{name}_{column.name}")
        words += [
            f"drop_{name}_{c.name}" for c in before.columns if not table.column(c.name)
        ]
    words += [f"drop_{name}" for name in renamed if name not in new]
    if exact:  # mariadb_doubles_microseconds_binary_collation
        kinds = ("doubles", "microseconds", "binary_collation")
        words.append("_".join(["mariadb", *(k for k in kinds if k in exact)]))
    return words


def _made_exact(was: Column, column: Column) -> set[str]:
    """fastgen's own changes of a column on MariaDB and MySQL: a FLOAT made a
    DOUBLE, a DATETIME given microseconds (``exact_columns``)."""
    found = set()
    if {was.sa_type, column.sa_type} == {"Float()", "Double()"}:
        found.add("doubles")
    if was.sa_type == column.sa_type and was.microseconds != column.microseconds:
        found.add("microseconds")
    return found


def _altered(was: Column, column: Column) -> bool:
    """A change the revision acts on: not one schema.json only records (an enum's
    values, limits and nullability as the API has them; a check when they tighten),
    nor fastgen's own (``_made_exact``)."""
    recorded = {"answers_null": was.answers_null, "values": was.values}
    if _made_exact(was, column):
        recorded |= {"sa_type": was.sa_type, "microseconds": was.microseconds}
    if replace(column, limits=was.limits, **recorded) != was:
        return True
    return bool(tightened(was, column)) or not set(was.values or ()) <= set(
        column.values or was.values or ()
    )


def revision_filename(versions: Path, words: Sequence[str]) -> str:
    """``0002_rename_product_name_to_title.py``: numbered after the revisions there,
    named after its first two changes."""
    number = len(list(versions.glob("*.py"))) + 1
    slug = "_and_".join(words[:2]) + ("_and_more" if len(words) > 2 else "")
    slug = re.sub(r"[^a-z0-9_]+", "", slug.lower())[:72].rstrip("_") or "change"
    return f"{number:04d}_{slug}.py"
