"""Python literals for spec strings and values: no spec text ever ends a literal early."""

from __future__ import annotations

from typing import Any


def pystr(value: str) -> str:
    """A Python string literal for ``value``, quoted the way ``ruff format`` prefers.

    Double quotes unless that needs more escapes than single quotes; control and
    non-printable characters are escaped, so no spec string can end the literal early.
    """
    quote = "'" if value.count('"') > value.count("'") else '"'
    out = []
    for char in value:
        if char == "\\":
            out.append("\\\\")
        elif char == quote:
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif not char.isprintable():
            code = ord(char)
            out.append(
                f"\\x{code:02x}"
                if code < 0x100
                else f"\\u{code:04x}"
                if code < 0x10000
                else f"\\U{code:08x}"
            )
        else:
            out.append(char)
    return quote + "".join(out) + quote


def pyliteral(value: Any) -> str:
    """A Python literal for a JSON-like value (strings via ``pystr``)."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, str):
        return pystr(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(pyliteral(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{pystr(str(k))}: {pyliteral(v)}" for k, v in value.items())
            + "}"
        )
    raise TypeError(f"no literal for {type(value).__name__}")


def docstring(text: str) -> str:
    """``text`` as a docstring: in triple quotes, or a plain literal when the text
    would end the triple quotes early."""
    if '"""' in text or text.endswith('"'):
        return pystr(text)
    return '"""' + text.replace("\\", "\\\\") + '"""'
