"""Python source shaped as ruff formats it, and the imports a type name needs.

The wrapping rule is ruff's: keep on one line if it fits, else put the arguments on one
indented line, else one per line with a trailing comma.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from fastgen.render.literals import pystr
from fastgen.render.pyimports import LINE_LENGTH, Import


def wrap(
    head: str,
    args: Sequence[str],
    indent: int = 0,
    brackets: str = "()",
    collection: bool = False,
) -> str:
    """``head(args...)`` as ruff formats it at ``indent`` spaces.

    A call that does not fit first gets its arguments on one indented line; a
    collection literal (``collection=True``) goes straight to one item per line.
    """
    open_, close = brackets
    pad = " " * indent
    one_line = f"{pad}{head}{open_}{', '.join(args)}{close}"
    if len(one_line) <= LINE_LENGTH or not args:
        return one_line
    inner = " " * (indent + 4)
    joined = f"{inner}{', '.join(args)}"
    if not collection and len(joined) <= LINE_LENGTH and "\n" not in joined:
        return f"{pad}{head}{open_}\n{joined}\n{pad}{close}"
    body = "".join(f"{inner}{a},\n" for a in args)
    return f"{pad}{head}{open_}\n{body}{pad}{close}"


def tuple_assign(name: str, items: Sequence[str]) -> str:
    """``NAME = ("a", "b")`` at module level, a one-item tuple keeping its comma."""
    if len(items) == 1:
        return f"{name} = ({items[0]},)"
    return wrap(f"{name} = ", list(items), collection=True)


def all_sorted(names: Sequence[str]) -> list[str]:
    """``names`` in the order ruff keeps ``__all__`` (RUF022, isort-style): the
    SCREAMING_CASE ones (a single capital is CamelCase), the CamelCase ones, the
    rest; each case-sensitively, numbers compared as numbers (Jinja's ``sort``
    ignores case: ``Listing`` came before ``ListQuery``)."""

    def key(name: str) -> tuple[int, list[tuple[int, int | str]]]:
        kind = 0 if len(name) > 1 and name.isupper() else 1 if name[:1].isupper() else 2
        parts = re.split(r"(\d+)", name)
        return kind, [(0, int(p)) if p.isdigit() else (1, p) for p in parts if p]

    return sorted(names, key=key)


def pytuple(items: Sequence[str]) -> str:
    """A tuple literal of strings as ruff formats it inline: ``()``, ``("a",)``, ``("a", "b")``."""
    literals = [pystr(item) for item in items]
    if len(literals) == 1:
        return f"({literals[0]},)"
    return "(" + ", ".join(literals) + ")"


# The types a generated module imports from pydantic by name (an OpenAPI format's
# value: FieldModel.value_type).
PYDANTIC_TYPES = frozenset(
    {"JsonValue", "AnyUrl", "EmailStr", "Base64Str", "NaiveDatetime"}
)


def type_imports(py_type: str) -> list[Import]:
    if py_type.startswith("dt."):
        return [("datetime as dt", None)]
    if py_type == "Decimal":
        return [("decimal", "Decimal")]
    if py_type.startswith("uuid."):
        return [("uuid", None)]
    if py_type.startswith("ipaddress."):
        return [("ipaddress", None)]
    if py_type in PYDANTIC_TYPES:
        return [("pydantic", py_type)]
    return []
