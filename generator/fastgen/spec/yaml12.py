"""PyYAML's safe loaders with YAML 1.2's core schema instead of YAML 1.1's types.

OpenAPI 3.1 and JSON Schema read YAML as YAML 1.2, where a plain scalar is a boolean
only when it is ``true`` or ``false`` (any of three cases), an integer only in decimal,
``0o`` octal or ``0x`` hex, and there are no timestamps. PyYAML speaks YAML 1.1: an
unquoted ``NO`` (Norway's country code), ``no``, ``on``, ``off``, ``yes`` or ``y``
becomes a boolean, ``1:30`` the integer 90, ``012`` the octal 10 and ``2024-01-01`` a
date, so a document would silently say something else than its author wrote.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"

# The core schema's resolution (YAML 1.2.2, 10.3.2), in the order tried.
_CORE: list[tuple[str, re.Pattern[str], str]] = [
    (_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), "~nN"),
    (_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF"),
    (_INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), "-+0123456789"),
    (
        _FLOAT,
        re.compile(
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
        ),
        "-+.0123456789",
    ),
]


def _core_resolvers() -> dict[Any, list[tuple[str, re.Pattern[str]]]]:
    """SafeLoader's implicit resolvers with the 1.1 types replaced by the core ones
    (the merge key ``<<`` and the others stay)."""
    replaced = {_BOOL, _INT, _FLOAT, _NULL, _TIMESTAMP}
    table: dict[Any, list[tuple[str, re.Pattern[str]]]] = {
        first: [entry for entry in entries if entry[0] not in replaced]
        for first, entries in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    for tag, pattern, firsts in _CORE:
        for first in firsts:
            table.setdefault(first, []).append((tag, pattern))
        if tag == _NULL:
            table.setdefault("", []).append((tag, pattern))
    return table


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    """An integer as YAML 1.2 writes it: ``012`` is twelve, not ten."""
    text = str(loader.construct_scalar(node))
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    if re.fullmatch(r"[-+]?[0-9]+", text):
        return int(text, 10)
    return int(yaml.SafeLoader.construct_yaml_int(loader, node))  # an explicit !!int


_RESOLVERS = _core_resolvers()


class SafeLoader(yaml.SafeLoader):
    """PyYAML's pure-Python safe loader, reading YAML 1.2's core schema."""

    yaml_implicit_resolvers = _RESOLVERS


SafeLoader.add_constructor(_INT, _construct_int)

CSafeLoader: type[Any] | None = None
if hasattr(yaml, "CSafeLoader"):

    class CSafeLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        """libyaml's safe loader, reading YAML 1.2's core schema."""

        yaml_implicit_resolvers = _RESOLVERS

    CSafeLoader.add_constructor(_INT, _construct_int)


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` by YAML 1.2's core schema."""
    return yaml.load(text, Loader=CSafeLoader or SafeLoader)
