"""The schema migrations build, as committed in ``migrations/schema.json``: one
``TableSchema`` of ``Column``s per table."""

from __future__ import annotations

from dataclasses import dataclass

# Type changes every database casts without losing a value (SQLAlchemy type names).
# Not integer to float (a double holds integers exactly only up to 2**53) nor to
# decimal (Numeric(18, 4) keeps 14 digits before the point; a 64-bit integer has 19).
LOSSLESS_CASTS = frozenset({("Integer", "Text"), ("String", "Text")})


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


@dataclass(frozen=True)
class TableSchema:
    name: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)
