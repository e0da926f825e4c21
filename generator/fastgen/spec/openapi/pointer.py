"""JSON pointers (RFC 6901) and ``$ref`` strings, to and from loader locations."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from fastgen.spec.problems import Loc

REMOTE_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*:|//)")


class PointerError(Exception):
    """A pointer that does not lead anywhere: ``parent`` is the deepest reachable loc."""

    def __init__(self, parent: Loc, segment: str, options: list[str]) -> None:
        self.parent = parent
        self.segment = segment
        self.options = options
        super().__init__(segment)


def escape(segment: str | int) -> str:
    """One pointer segment: ``~`` becomes ``~0`` and ``/`` becomes ``~1``."""
    return str(segment).replace("~", "~0").replace("/", "~1")


def unescape(segment: str) -> str:
    """The inverse of ``escape`` (``~1`` first, so ``~01`` stays ``~1``)."""
    return segment.replace("~1", "/").replace("~0", "~")


def pointer(loc: Loc) -> str:
    """The URI-fragment pointer of ``loc``: ``("paths", "/pets")`` -> ``#/paths/~1pets``."""
    return "#" + "".join("/" + escape(part) for part in loc)


def is_remote(ref: str) -> bool:
    """A ``$ref`` naming a URL (``https:``, ``urn:``, ``//host``) rather than a file."""
    return bool(REMOTE_RE.match(ref)) and not re.match(r"^[a-zA-Z]:[\\/]", ref)


def split_ref(ref: str) -> tuple[str, list[str] | None]:
    """``file.yaml#/a/b~1c`` -> ``("file.yaml", ["a", "b/c"])``.

    The fragment is percent-decoded and unescaped; ``None`` means the fragment is not a
    JSON pointer (e.g. a 3.1 ``$anchor`` name).
    """
    file_part, _, fragment = ref.partition("#")
    fragment = unquote(fragment)
    if fragment and not fragment.startswith("/"):
        return unquote(file_part), None
    segments = [unescape(s) for s in fragment.split("/")[1:]] if fragment else []
    return unquote(file_part), segments


def follow(data: Any, segments: list[str]) -> tuple[Any, Loc]:
    """The node ``segments`` points to in ``data``, and its loc (list indexes as ints)."""
    node = data
    loc: list[str | int] = []
    for segment in segments:
        if isinstance(node, dict) and segment in node:
            node = node[segment]
            loc.append(segment)
        elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
            node = node[int(segment)]
            loc.append(int(segment))
        else:
            options = [str(k) for k in node] if isinstance(node, dict) else []
            raise PointerError(tuple(loc), segment, options)
    return node, tuple(loc)
