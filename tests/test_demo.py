"""scripts/demo.sh never deletes user work: a second run serves what the first made."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import REPO

DEMO = REPO / "scripts" / "demo.sh"
# The fastgen of this test run: the script then installs nothing into the repo's .venv.
FASTGEN = Path(sys.executable).parent / "fastgen"


def run_demo(target: Path) -> subprocess.CompletedProcess[str]:
    """The demo's generation part only (DEMO_SERVE=0): no install, no server."""
    return subprocess.run(
        ["bash", str(DEMO)],
        env={
            **os.environ,
            "DEMO_DIR": str(target),
            "FASTGEN": str(FASTGEN),
            "DEMO_SERVE": "0",
        },
        capture_output=True,
        text=True,
        check=False,
    )


def venv_state() -> tuple[int, ...] | None:
    config = REPO / ".venv" / "pyvenv.cfg"
    if not config.exists():
        return None
    site = next((REPO / ".venv" / "lib").glob("python*/site-packages"))
    return (config.stat().st_mtime_ns, site.stat().st_mtime_ns)


def test_a_second_run_keeps_the_edited_project(tmp_path: Path) -> None:
    target = tmp_path / "bookstore"
    venv_before = venv_state()

    first = run_demo(target)
    assert first.returncode == 0, first.stderr
    assert f"Generated {target}" in first.stdout
    readme = target / "README.md"
    readme.write_text(readme.read_text() + "\nOur notes.\n")
    (target / "mine.txt").write_text("user work\n")
    files = sorted(p.relative_to(target) for p in target.rglob("*"))

    second = run_demo(target)
    assert second.returncode == 0, second.stderr
    assert f"{target} exists: serving it as it is" in second.stdout
    assert "Generated" not in second.stdout
    assert (target / "mine.txt").read_text() == "user work\n"
    assert readme.read_text().endswith("\nOur notes.\n")
    assert sorted(p.relative_to(target) for p in target.rglob("*")) == files
    assert venv_state() == venv_before


def test_a_directory_that_is_not_the_project_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "bookstore"
    target.mkdir()
    (target / "thesis.tex").write_text("years of work\n")
    result = run_demo(target)
    assert result.returncode == 1
    assert result.stderr == (
        f"{target} exists and is not a fastgen project; move it or set DEMO_DIR.\n"
    )
    assert [p.name for p in target.iterdir()] == ["thesis.tex"]
    assert (target / "thesis.tex").read_text() == "years of work\n"


def test_an_empty_directory_gets_the_project(tmp_path: Path) -> None:
    target = tmp_path / "bookstore"
    target.mkdir()
    result = run_demo(target)
    assert result.returncode == 0, result.stderr
    assert (target / "src" / "bookstore" / "main.py").is_file()
