"""datamodel-code-generator's warnings as located problems of the document.

The generator sees only the schemas, renamed (``models.py``), and says what it read
otherwise than written through Python's ``warnings``. Each message is placed where
the user wrote the schema it concerns: a format it does not know at every schema
with that type and format; a message naming a component by pointer at that
component; any other at the top of the document.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fastgen.spec.openapi.pointer import unescape
from fastgen.spec.openapi.sourcemap import SourceMap
from fastgen.spec.problems import Loc, Problem

_FORMAT = re.compile(r"format of '(.*)' not understood for '(.*)' - using default")
_POINTER = re.compile(r"#(/[^\s'\",;:]*)")
# Not schemas: values here are data, not types.
_NOT_SCHEMAS = frozenset({"example", "examples", "enum", "const", "default"})


def locate_model_warnings(
    messages: tuple[str, ...], document: dict[str, Any], source_map: SourceMap
) -> list[Problem]:
    """One problem per place each message concerns (at the top when none is found)."""
    problems: dict[Problem, None] = {}
    for message in messages:
        unknown_format = _FORMAT.fullmatch(message)
        if unknown_format:
            format_, type_ = unknown_format.groups()
            text = (
                f"format {format_!r} is not one fastgen knows for type {type_}; "
                f"read as a plain {type_}"
            )
            places = list(_schemas_with_format(document, (), format_, type_))
            for place in places or [()]:
                where = (*place, "format") if place else ()
                problems[source_map.problem(where, text)] = None
            continue
        text = f"datamodel-code-generator: {message}"
        found = _POINTER.search(message)
        loc: Loc = ()
        if found:
            loc = deepest_loc(document, found.group(1))
        problems[source_map.problem(loc, text)] = None
    return list(problems)


def _schemas_with_format(
    node: Any, loc: Loc, format_: str, type_: str
) -> Iterator[Loc]:
    if isinstance(node, dict):
        types = node.get("type")
        if node.get("format") == format_ and (
            types == type_ or isinstance(types, list) and type_ in types
        ):
            yield loc
        for key, value in node.items():
            if key not in _NOT_SCHEMAS and not str(key).startswith("x-"):
                yield from _schemas_with_format(value, (*loc, key), format_, type_)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _schemas_with_format(item, (*loc, index), format_, type_)


def deepest_loc(document: Any, path: str) -> Loc:
    """The loc of the longest prefix of pointer ``path`` the document has."""
    loc: Loc = ()
    node = document
    for raw in path.split("/")[1:]:
        segment = unescape(raw)
        if isinstance(node, dict) and segment in node:
            node, loc = node[segment], (*loc, segment)
        elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
            node, loc = node[int(segment)], (*loc, int(segment))
        else:
            break
    return loc
