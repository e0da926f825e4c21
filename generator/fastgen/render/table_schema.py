"""The schema migrations build, as committed in ``migrations/schema.json``: one
``TableSchema`` of ``Column``s per table."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

# Type changes every database casts without losing a value (SQLAlchemy type names).
# Not integer to float (a double holds integers exactly only up to 2**53) nor to
# decimal (Numeric(18, 4) keeps 14 digits before the point; a 64-bit integer has 19).
# A Float (4 bytes on MariaDB and MySQL, what fastgen wrote before) becomes a Double
# (8 bytes everywhere) holding the decimal each 4 bytes stood for (exact_columns).
LOSSLESS_CASTS = frozenset(
    {("Integer", "Text"), ("String", "Text"), ("Float", "Double")}
)


def string_length(sa_type: str) -> int:
    """``String(20)`` -> 20."""
    return int(sa_type[len("String(") : -1])


def lossless_cast(old: str, new: str) -> bool:
    """Whether every database keeps each value of an ``old`` column as a ``new``."""
    old_base, new_base = old.split("(", 1)[0], new.split("(", 1)[0]
    if old_base == new_base == "String":
        return string_length(new) >= string_length(old)
    return old == new or (old_base, new_base) in LOSSLESS_CASTS


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
    # A decimal SQLite stores as its integer number of ten-thousandths (ExactDecimal
    # of the generated db.py); False in a schema.json written before fastgen did.
    scaled: bool = False
    # What a nullable column's rows hold instead of NULL (its OpenAPI property's
    # default), a Python literal: given when it is added, and to the NULLs of
    # existing rows once it is set. Left out of schema.json when None.
    fill: str | None = None
    # A NULL here is answered as null (an OpenAPI property that may be null): a value
    # a fill would overwrite. Left out of schema.json when False.
    answers_null: bool = False
    # An enum's values: rows holding another fail the API's answer model. None for
    # other types, and in a schema.json written before fastgen recorded them.
    values: tuple[str, ...] | None = None
    # An OpenAPI property's limits (FieldModel.limits): a row outside them fails the
    # API's answer model. None for native columns, and where not recorded yet.
    limits: tuple[tuple[str, Any], ...] | None = None
    # A datetime MariaDB and MySQL store with microseconds (DATETIME(6), the
    # revisions' ``utc_timestamp()``); False in a schema.json written before fastgen
    # did (a plain DATETIME there: whole seconds), and for other types. Left out of
    # schema.json when False.
    microseconds: bool = False
    # An OpenAPI JSON column's schema (FieldModel.json_schema): a row stored under
    # another may fail the API's answer model. None for other columns, and in a
    # schema.json written before fastgen recorded it. Left out of schema.json when
    # None.
    json_schema: str | None = None


def revision_type(column: Column) -> str:
    """The column's type as a revision writes it: ``sa.String(20)``; a datetime
    with microseconds ``utc_timestamp()`` (DATETIME(6) on MariaDB and MySQL, where
    a statement restating the column must keep them)."""
    return "utc_timestamp()" if column.microseconds else f"sa.{column.sa_type}"


@dataclass(frozen=True)
class TableSchema:
    name: str
    columns: tuple[Column, ...]
    # MariaDB and MySQL compare the table's strings byte by byte, as PostgreSQL and
    # SQLite do (the revisions' ``binary_collation()``); False in a schema.json
    # written before fastgen did (utf8mb4's default collation: case, accents and
    # trailing spaces ignored).
    binary_collation: bool = False

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


def _bound(limits: dict[str, Any], inclusive: str, exclusive: str, sign: int) -> Any:
    """The innermost of ``ge``/``gt`` (``sign`` 1) or ``le``/``lt`` (-1), as
    (value, exclusive); None without either (3.1 may give both)."""
    bounds = [
        (limits[k], k == exclusive) for k in (inclusive, exclusive) if k in limits
    ]
    return max(bounds, key=lambda b: (sign * b[0], b[1]), default=None)


def tightened(before: Column, after: Column) -> dict[str, Any]:
    """The limits of ``after`` a row within those of ``before`` may break: new
    ones, bounds moved inward (``ge 0`` to ``gt 0``; not ``ge 0`` to ``gt -1``),
    enum values dropped, a pattern or a multipleOf changed. Empty where
    ``before``'s are unknown (a schema.json written before fastgen recorded them)."""
    if before.limits is None or not after.limits:
        return {}
    old, new = dict(before.limits), dict(after.limits)
    found = {}
    for inclusive, exclusive, sign in (("ge", "gt", 1), ("le", "lt", -1)):
        was = _bound(old, inclusive, exclusive, sign)
        now = _bound(new, inclusive, exclusive, sign)
        # Inward: past the old bound, or onto it where it was inclusive.
        if now is not None and (
            was is None
            or sign * now[0] > sign * was[0]
            or (now[0] == was[0] and now[1] and not was[1])
        ):
            key = exclusive if now[1] else inclusive
            found[key] = new[key]
    if new.get("min_length", 0) > old.get("min_length", 0):
        found["min_length"] = new["min_length"]
    if "pattern" in new and new["pattern"] != old.get("pattern"):
        found["pattern"] = new["pattern"]
    step, was_step = new.get("multiple_of"), old.get("multiple_of")
    if step is not None and (was_step is None or was_step % step):  # 10 -> 5: looser
        found["multiple_of"] = step
    if "enum" in new and ("enum" not in old or set(old["enum"]) - set(new["enum"])):
        found["enum"] = new["enum"]  # added, or a value dropped
    return found


def load_schema(path: Path) -> dict[str, TableSchema]:
    """``migrations/schema.json`` as written by ``migrations.schema_json``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        t["name"]: TableSchema(
            t["name"],
            tuple(_column(c) for c in t["columns"]),
            binary_collation=t.get("binary_collation", False),
        )
        for t in data["tables"]
    }


# A key of a later fastgen's schema.json is left out, not an error: a team's
# pinned fastgen (a CI check) may read what a newer one wrote.
_COLUMN_KEYS = frozenset(f.name for f in fields(Column))


def _column(data: dict[str, Any]) -> Column:
    keys = {k: v for k, v in data.items() if k in _COLUMN_KEYS}
    for key in ("values", "limits"):  # JSON lists
        if keys.get(key) is not None:
            keys[key] = tuple(tuple(v) if isinstance(v, list) else v for v in keys[key])
    return Column(**keys)
