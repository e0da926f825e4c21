"""Where ``x-fastgen*`` annotations may be written, and typos in their names."""

from __future__ import annotations

from typing import Any

from fastgen.spec.openapi.annotations import (
    CACHE_KEY,
    KEYS,
    RENAMED_KEY,
    RESOURCE_KEY,
    ROOT_KEY,
)
from fastgen.spec.openapi.report import Report
from fastgen.spec.openapi.structure import Kind, walk
from fastgen.spec.problems import Loc, did_you_mean

PLACES = {
    ROOT_KEY: "the document root",
    CACHE_KEY: "an operation object under paths (e.g. #/paths/~1pets/get)",
    RESOURCE_KEY: "a components/schemas entry",
    RENAMED_KEY: "a property of a components/schemas entry",
}


def check_placement(
    document: dict[str, Any], operation_locs: set[Loc], report: Report
) -> None:
    """Every ``x-fastgen*`` key is a known annotation, written where it is read."""
    for loc, node, kind in walk(document):
        if not isinstance(node, dict) or kind in (Kind.SCHEMA_MAP, Kind.MAPPING):
            continue
        for key in node:
            if isinstance(key, str) and key.startswith("x-fastgen"):
                _check(key, loc, operation_locs, report)


def _check(key: str, holder: Loc, operation_locs: set[Loc], report: Report) -> None:
    if key not in KEYS:
        report.error(
            (*holder, key),
            f"unknown annotation {key!r}; expected one of: {', '.join(KEYS)}"
            f"{did_you_mean(key, list(KEYS))}",
            key=True,
        )
        return
    placed = {
        ROOT_KEY: holder == (),
        CACHE_KEY: holder in operation_locs,
        RESOURCE_KEY: len(holder) == 3 and holder[:2] == ("components", "schemas"),
        RENAMED_KEY: len(holder) == 5
        and holder[:2] == ("components", "schemas")
        and holder[3] == "properties",
    }
    if not placed[key]:
        report.error(
            (*holder, key),
            f"{key} belongs on {PLACES[key]}; here it would be ignored",
            key=True,
        )
