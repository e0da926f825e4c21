"""A column of the service model: its names, type and constraints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldModel:
    """One column: its names, type and constraints (render writes its ORM and schema lines)."""

    name: str
    type: str  # the spec's type: string, text, integer, ..., enum or ref
    # The name of its Python type (``dt.date``, ``Decimal``, an enum's alias; a ref's
    # is its key's), as the generated modules import it. Templates of earlier
    # releases read it (template_history), so it stays a name rather than a kind.
    py_type: str
    required: bool
    max_length: int | None  # a string's (the String column's length); None otherwise
    index: bool
    unique: bool
    primary_key: bool
    ref_table: str | None
    ref_column: str | None
    enum_alias: str | None
    enum_values: tuple[str, ...]
    default_value: Any = None  # the spec's default as given; None: none
    # The Python identifier of the column (``name`` is its wire name: the column and
    # the JSON key); they differ where ``name`` would collide (fastgen.model.naming).
    attr: str = ""
    # The column's previous name (``renamed_from``): the next revision renames it in
    # place where the migrated schema still has that name; otherwise it means nothing.
    renamed_from: str | None = None
    # What the rows stored before the column existed hold instead of NULL: an OpenAPI
    # property's ``default`` (the API answers it for a NULL; its column stays
    # nullable). Native fields fill with ``default_value`` (their column NOT NULL).
    fill_value: Any = None
    # An OpenAPI property that may be null: a NULL in its column is answered as null,
    # a value of its own (so storing a default there loses it).
    answers_null: bool = False
    # An OpenAPI property's limits its answers are checked against (("ge", 0),
    # ("pattern", "^a")); None for a native field, which has none beyond its type.
    limits: tuple[tuple[str, Any], ...] | None = None
    # An OpenAPI JSON column's schema (an array's or object's, ``$ref``s inlined,
    # canonical JSON of what validates): a row stored under another may fail the
    # answer model. None for other columns and native fields.
    json_schema: str | None = None
    # An OpenAPI column's values that its schema's limits accept (a pattern, lengths,
    # bounds, a checked format), distinct and ascending: the rows the generated tests
    # store take them in turn. None: its type's samples fit.
    samples: tuple[Any, ...] | None = None
    # An OpenAPI text column's value as its API models read it, where that is no
    # plain str (``AnyUrl``, ``ipaddress.IPv6Address``, ``dt.time``): the column
    # stores its JSON form, which may differ from the text sent, so a list's filter
    # reads its values so too. None: ``py_type``.
    value_type: str | None = None

    def __post_init__(self) -> None:
        if not self.attr:
            object.__setattr__(self, "attr", self.name)

    @property
    def has_default(self) -> bool:
        return self.default_value is not None

    @property
    def nullable(self) -> bool:
        return not self.required and not self.has_default

    @property
    def aliased(self) -> bool:
        return self.attr != self.name

    @property
    def generated(self) -> bool:
        """A key the database numbers: an integer ``id`` (the key fastgen adds, or
        one declared so). A client sends any other key, a ``uuid`` ``id`` too."""
        return self.primary_key and self.name == "id" and self.py_type == "int"
