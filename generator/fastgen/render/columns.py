"""How a column is written: its SQLAlchemy type and its Python default, from the
model's data (the spec's type, length, values and default)."""

from __future__ import annotations

import re

from fastgen.model.service import FieldModel
from fastgen.render.literals import pyliteral, pystr

# spec type -> SQLAlchemy column type ({length}: the characters a String holds). A
# float is a Double: 8 bytes on every database (a Float is 4 on MariaDB and MySQL).
# A datetime is DATETIME(6) on MariaDB and MySQL, the models' UTCTimestamp and the
# revisions' utc_timestamp() (migrations' Column.microseconds).
_SA_TYPES = {
    "string": "String({length})",
    "enum": "String({length})",
    "text": "Text()",
    "integer": "Integer()",
    "float": "Double()",
    "decimal": "Numeric(18, 4)",
    "boolean": "Boolean()",
    "date": "Date()",
    "datetime": "DateTime(timezone=True)",
    "uuid": "Uuid()",
    "json": "JSON()",
}


def sa_type(field: FieldModel) -> str:
    """The SQLAlchemy type of a column: ``String(255)``, ``Numeric(18, 4)``, ...

    An enum is as long as its longest value. A ref column has the type of the key it
    names: pass that key.
    """
    if field.type == "enum":
        length = max(len(value) for value in field.enum_values)
    else:
        length = field.max_length
    return _SA_TYPES[field.type].format(length=length)


def python_default(field: FieldModel) -> str | None:
    """The column's default as a Python expression (``Decimal("1.5")``), or None."""
    value = field.default_value
    if value is None:
        return None
    if field.type == "decimal":
        text = str(value)
        if re.fullmatch(r"[+-]?[0-9]+", text):  # Decimal(10), as ruff's FURB157 asks
            return f"Decimal({int(text)})"
        return f"Decimal({pystr(text)})"
    if field.type == "float":
        return repr(float(value))
    return pyliteral(value)
