"""Whatever a document says, reading it ends in a description or a SpecError: no crash."""

from __future__ import annotations

import copy
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from fastgen.spec.openapi import read_openapi
from fastgen.spec.problems import SpecError

from .conftest import REPO

FIXTURES = REPO / "tests" / "specs" / "openapi"
# (the document read, the file of it that is mutated)
CASES = [
    *((name, name) for name in ("annotated.yaml", "security.yaml", "parameters.yaml")),
    *((name, name) for name in ("responses.yaml", "bodies.yaml", "names.yaml")),
    ("webhooks.yaml", "webhooks.yaml"),
    ("warn/enum-null.yaml", "warn/enum-null.yaml"),
    ("multifile/openapi.yaml", "multifile/openapi.yaml"),
    ("multifile/openapi.yaml", "multifile/paths/pets.yaml"),
    ("multifile/openapi.yaml", "multifile/schemas/Pet.yaml"),
]
ODD_VALUES = [
    None,
    0,
    -1,
    1.5,
    True,
    "",
    "x",
    "{",
    [],
    {},
    [None],
    {"a": 1},
    {"$ref": 5},
    {"$ref": "#"},
    {"$ref": "#/nope"},
    {"$ref": "#/paths"},
    {"$ref": "missing.yaml"},
    {"$ref": "./Cat.yaml#/properties"},
    {"type": ["string", 3]},
    {"type": 7},
    {"x-fastgen-cache": 1},
    {"allOf": [{"$ref": "#"}]},
    {"enum": [None], "default": "x", "type": "integer"},
]


def _locations(node: Any, loc: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [loc]
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else []
    )
    for key, value in items:
        found += _locations(value, (*loc, key))
    return found


@settings(max_examples=150, deadline=None)
@given(
    case=st.sampled_from(CASES),
    picks=st.lists(
        st.tuples(st.integers(0, 10_000), st.sampled_from(ODD_VALUES)),
        min_size=1,
        max_size=3,
    ),
)
def test_mutated_documents_never_crash(
    case: tuple[str, str], picks: list[tuple[int, Any]]
) -> None:
    root, mutated = case
    with tempfile.TemporaryDirectory() as tmp:
        fixtures = Path(tmp) / "openapi"
        shutil.copytree(FIXTURES, fixtures)
        data = yaml.safe_load((FIXTURES / mutated).read_text())
        for index, value in picks:
            locations = [loc for loc in _locations(data) if loc]
            loc = locations[index % len(locations)]
            parent = data
            for part in loc[:-1]:
                parent = parent[part]
            parent[loc[-1]] = copy.deepcopy(value)
        (fixtures / mutated).write_text(yaml.safe_dump(data))
        try:
            read_openapi(fixtures / root)
        except SpecError as exc:
            assert exc.problems
