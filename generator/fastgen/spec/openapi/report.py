"""Problems found while reading an OpenAPI document, collected rather than raised."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastgen.spec.openapi.sourcemap import SourceMap
from fastgen.spec.problems import Loc, Problem, SpecError


@dataclass
class Report:
    """Errors (the document cannot be used) and warnings (read with a stated fix)."""

    source_map: SourceMap
    # Ordered sets: the same problem found twice (a shared component) is one problem.
    errors: dict[Problem, None] = field(default_factory=dict)
    warnings: dict[Problem, None] = field(default_factory=dict)

    def error(self, loc: Loc, message: str, *, key: bool = False) -> None:
        self.errors[self.source_map.problem(loc, message, key=key)] = None

    def warn(self, loc: Loc, message: str, *, key: bool = False) -> None:
        self.warnings[self.source_map.problem(loc, message, key=key)] = None

    def extend(self, problems: list[Problem]) -> None:
        self.errors.update(dict.fromkeys(problems))

    def raise_if_errors(self) -> None:
        """Raise one ``SpecError`` carrying every error found so far."""
        if self.errors:
            raise SpecError(list(self.errors))

    def sorted_warnings(self) -> tuple[Problem, ...]:
        return tuple(sorted(self.warnings))
