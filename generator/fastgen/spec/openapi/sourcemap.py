"""Where each part of a bundled OpenAPI document came from: file, line and column.

The bundler copies subtrees of other files into the root document. A ``SourceMap``
remembers, for each copied subtree, the file and the location it was copied from, so a
problem anywhere in the bundle is reported where the user wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastgen.spec.loader import Positions
from fastgen.spec.openapi.pointer import pointer
from fastgen.spec.problems import Loc, Problem


@dataclass(frozen=True)
class Source:
    """A construct's place: its pointer in the bundled document and where it was written."""

    pointer: str
    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column} ({self.pointer})"


@dataclass
class SourceMap:
    """Maps locations of the bundled document to positions in the original files."""

    root: Positions
    # bundled loc -> (positions of the file it came from, loc in that file, hoisted?)
    origins: dict[Loc, tuple[Positions, Loc, bool]] = field(default_factory=dict)

    def add(
        self, loc: Loc, positions: Positions, source: Loc, *, hoisted: bool = False
    ) -> None:
        """Record that the subtree at ``loc`` was copied from ``source`` in a file."""
        self.origins[loc] = (positions, source, hoisted)

    def locate(self, loc: Loc, *, key: bool = False) -> tuple[Positions, Loc]:
        """The file (as its positions) and the loc in it where ``loc`` was written."""
        hoisted = self.origins.get(loc, (None, None, False))[2]
        if key and loc and not hoisted:
            # A key is written in its parent's file (e.g. '/pets:' beside its $ref).
            positions, parent = self.locate(loc[:-1])
            return positions, (*parent, loc[-1])
        for n in range(len(loc), -1, -1):
            origin = self.origins.get(loc[:n])
            if origin is not None:
                return origin[0], (*origin[1], *loc[n:])
        return self.root, loc

    def position(self, loc: Loc, *, key: bool = False) -> tuple[str, int, int]:
        positions, source = self.locate(loc, key=key)
        line, column = positions.of(source, key=key)
        return positions.file, line, column

    def source(self, loc: Loc) -> Source:
        file, line, column = self.position(loc)
        return Source(pointer(loc), file, line, column)

    def problem(self, loc: Loc, message: str, *, key: bool = False) -> Problem:
        """A problem at ``loc``; the message starts with the construct's JSON pointer."""
        file, line, column = self.position(loc, key=key)
        return Problem(file, line, column, f"{pointer(loc)}: {message}")

    def positions_at(self, base: Loc) -> Positions:
        """Positions for a subtree, as if ``base`` were the document root.

        For validating an annotation with ``fastgen.spec.validate.pydantic_problems``.
        """
        return _SubtreePositions(self, base)


class _SubtreePositions(Positions):
    def __init__(self, source_map: SourceMap, base: Loc) -> None:
        super().__init__(source_map.position(base)[0])
        self._map = source_map
        self._base = base

    def of(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        return self._map.position((*self._base, *loc), key=key)[1:]

    def problem(self, loc: Loc, message: str, *, key: bool = False) -> Problem:
        return self._map.problem((*self._base, *loc), message, key=key)
