"""Which documents a typed client drives (the drives themselves are e2e: the
bookstore's in tests/test_fuzz.py, every other's in tests/test_openapi_examples.py)."""

from __future__ import annotations

from fastgen.spec.inputs import read_input

from .client_scenarios import SCENARIOS
from .conftest import EXAMPLE, REPO
from .test_openapi_examples import DOCUMENTS
from .typed_client import documents


def test_every_document_with_a_table_has_a_client_scenario() -> None:
    """A new example, or a corpus document given a table, fails here until the
    client scenario it needs is written, instead of being skipped."""
    every = documents()
    assert set((REPO / "examples").glob("*.yaml")) <= set(every)
    assert EXAMPLE in every
    assert sorted(DOCUMENTS) == sorted(set(every) - {EXAMPLE})
    assert sorted(read_input(path)[1].package for path in every) == sorted(SCENARIOS)
