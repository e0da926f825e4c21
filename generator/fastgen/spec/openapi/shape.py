"""Reading optional mappings and lists out of a document that may be malformed."""

from __future__ import annotations

from typing import Any

from fastgen.spec.openapi.report import Report
from fastgen.spec.problems import Loc


def mapping(node: Any, loc: Loc, report: Report | None, what: str) -> dict[str, Any]:
    """``node`` if it is a mapping; ``{}`` if absent; else ``{}`` after reporting."""
    if isinstance(node, dict):
        return node
    if node is not None and report is not None:
        report.error(loc, f"{what} must be a mapping")
    return {}


def sequence(node: Any, loc: Loc, report: Report | None, what: str) -> list[Any]:
    """``node`` if it is a list; ``[]`` if absent; else ``[]`` after reporting."""
    if isinstance(node, list):
        return node
    if node is not None and report is not None:
        report.error(loc, f"{what} must be a list")
    return []
