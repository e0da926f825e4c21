"""Following internal ``$ref``s (``#/...``) in a bundled document."""

from __future__ import annotations

from typing import Any

from fastgen.spec.openapi.pointer import PointerError, follow, split_ref
from fastgen.spec.openapi.report import Report
from fastgen.spec.problems import Loc

SCHEMA_PREFIX = "#/components/schemas/"


class Resolver:
    """Resolves a node that may be a ``$ref`` to the node it stands for."""

    def __init__(self, document: dict[str, Any], report: Report) -> None:
        self.document = document
        self.report = report

    def resolve(self, node: Any, loc: Loc) -> tuple[Any, Loc] | None:
        """``(node, loc)`` after following ``$ref`` chains; None after reporting why not."""
        seen: list[Loc] = []
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            if loc in seen:
                self.report.error(loc, "circular $ref: this reference refers to itself")
                return None
            seen.append(loc)
            file_part, segments = split_ref(node["$ref"])
            if file_part or segments is None:
                self.report.error((*loc, "$ref"), "expected an internal $ref ('#/...')")
                return None
            try:
                node, loc = follow(self.document, segments)
            except PointerError:
                self.report.error(
                    (*loc, "$ref"), f"$ref {node['$ref']!r} points nowhere"
                )
                return None
        return node, loc


def schema_name(node: Any) -> str | None:
    """``Pet`` for ``{$ref: '#/components/schemas/Pet'}``, else None."""
    if not isinstance(node, dict) or not isinstance(node.get("$ref"), str):
        return None
    ref = node["$ref"]
    if not ref.startswith(SCHEMA_PREFIX):
        return None
    _, segments = split_ref(ref)
    return segments[2] if segments is not None and len(segments) == 3 else None
