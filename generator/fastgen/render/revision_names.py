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
    for name, table in new.items():
        before = renamed.get(name)
        if before is None:
            words.append(f"create_{name}")
            continue
        for column in table.columns:
            was = before.column(column.name)
            if was is None:
                words.append(f"add_{name}_{column.name}")
            elif _altered(was, column):
                words.append(f"alter_{name}_{column.name}")
        words += [
            f"drop_{name}_{c.name}" for c in before.columns if not table.column(c.name)
        ]
    return words + [f"drop_{name}" for name in renamed if name not in new]


def _altered(was: Column, column: Column) -> bool:
    """A change the revision acts on: not one schema.json only records (an enum's
    values, limits and nullability as the API has them; a check when they tighten)."""
    recorded = {"answers_null": was.answers_null, "values": was.values}
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
