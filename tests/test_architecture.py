"""The direction of imports issue 13 sets holds: checked by import-linter.

The contracts are in pyproject.toml (``[tool.importlinter]``): cli and copier_ext on
top, then api (the one module that uses both sides), then render and spec (neither
imports the other), then model and errors; and model imports nothing else of
fastgen. No import is exempt.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import REPO

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CONTRACTS = (
    "one direction: cli | copier_ext -> api -> render | spec -> model",
    "the service model imports nothing else of fastgen",
)


def test_import_contracts_are_kept() -> None:
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(REPO / "pyproject.toml")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for name in CONTRACTS:
        assert f"{name} KEPT" in output, output
