"""A spec with a ``warm: true`` policy: its generated suite passes, also with the
startup warm-up on (a test app stopped mid-warm-up used to hang forever)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from fastgen.api import new_project

from .conftest import assert_generated_tests_pass, install_project

pytestmark = pytest.mark.e2e

SPEC = """\
fastgen: 1
service: {name: warmy}
resources:
  item:
    path: /items
    fields:
      title: {type: string}
    operations: [list, get, create]
    cache:
      list: {ttl: 60, warm: true}
"""


@pytest.fixture(scope="module")
def warmy(tmp_path_factory: pytest.TempPathFactory, shared_venv: Path) -> Path:
    root = tmp_path_factory.mktemp("warm")
    (root / "warmy.yaml").write_text(SPEC)
    project = new_project(root / "warmy.yaml", root / "warmy")
    install_project(shared_venv, project)
    return project


def test_warm_policy_project_passes_its_own_tests(
    warmy: Path, shared_venv: Path
) -> None:
    assert_generated_tests_pass(shared_venv / "bin" / "python", warmy, "")


def test_health_suite_with_warming_on_ends(warmy: Path, shared_venv: Path) -> None:
    """The generated tests turn warming off; run the health tests with it on.

    A test app stopped while a warm-up request held a database connection left
    aiosqlite's close pending, and the event loop never closed.
    """
    conftest = warmy / "tests" / "conftest.py"
    text = conftest.read_text()
    assert text.count('"cache_warm_timeout": 0,') == 1, "the warm-up setting moved"
    conftest.write_text(text.replace('"cache_warm_timeout": 0,', ""))
    try:
        result = subprocess.run(
            [shared_venv / "bin" / "python", "-m", "pytest", "-q"]
            + ["-p", "no:cacheprovider", "tests/test_health.py"],
            cwd=warmy,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    finally:
        conftest.write_text(text)
    assert result.returncode == 0, result.stdout[-3000:]
    assert " passed" in result.stdout
