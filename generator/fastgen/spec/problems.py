"""Problems with a spec: where they are (``Loc``, ``Problem``) and how they are raised."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

# A path into a document: mapping keys and sequence indexes, from the root.
Loc = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a spec, with where it is."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class SpecError(Exception):
    """A spec that cannot be turned into a service; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def did_you_mean(word: str, options: list[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest option, or an empty string."""
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def dotted(loc: Loc) -> str:
    """``loc`` as messages name it: ``resources.book.fields.title``."""
    return ".".join(str(part) for part in loc) or "<document>"
