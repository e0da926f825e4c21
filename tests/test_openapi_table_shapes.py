"""OpenAPI tables whose generated tests once failed, passing them.

tests/specs/openapi/table-shapes.yaml: an item path parameter in camelCase
(``/pets/{petId}``) with a cached GET, a list declaring an error body, a nullable
string enum (null in its enum), and a listed table without a create operation.
The project is generated, ruff-clean, installed in the shared venv, and passes
its own tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fastgen.api import new_project

from .conftest import REPO, assert_generated_tests_pass, install_project, ruff

pytestmark = pytest.mark.e2e
SPEC = REPO / "tests" / "specs" / "openapi" / "table-shapes.yaml"


def test_generated_tests_pass(tmp_path: Path, shared_venv: Path) -> None:
    project = new_project(SPEC, tmp_path / "tableshapes")
    checked = ruff("check", "--no-cache", ".", cwd=project)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    install_project(shared_venv, project)
    assert_generated_tests_pass(shared_venv / "bin" / "python", project)
