"""The generated Dockerfile passes hadolint (no Docker engine runs here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_dockerfile_passes_hadolint(bookstore: Path) -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run(
        [str(hadolint), "--no-color", str(bookstore / "Dockerfile")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerignore_keeps_local_state_out(bookstore: Path) -> None:
    ignored = (bookstore / ".dockerignore").read_text().splitlines()
    for entry in (".git", ".venv", "*.db", ".env"):
        assert entry in ignored
