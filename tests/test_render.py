"""Rendering: the bookstore output matches its golden copy, is deterministic, ruff-clean
and documents every setting in its README."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fastgen.api import new_project
from fastgen.model.files import SCHEMA_MODELINE

from .conftest import EXAMPLE, REPO, ruff, run_fastgen

GOLDEN = REPO / "tests" / "golden" / "bookstore"
NASTY = REPO / "tests" / "specs" / "nasty.yaml"
QUEUE = REPO / "tests" / "specs" / "queue.yaml"
# A resource read uncached (``strategy: none``) with only get and create: its test
# module stores no row first, so it must not import ``make_<resource>``.
CACHEBENCH = REPO / "bench" / "cache_spec.yaml"


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_bookstore_matches_golden_files(bookstore: Path) -> None:
    if os.environ.get("FASTGEN_UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(bookstore, GOLDEN)
    generated, golden = tree(bookstore), tree(GOLDEN)
    assert sorted(generated) == sorted(golden), "file list changed"
    changed = [name for name in generated if generated[name] != golden[name]]
    assert not changed, (
        f"{changed} differ from tests/golden; review, then regenerate with "
        "FASTGEN_UPDATE_GOLDEN=1 pytest tests/test_render.py"
    )


def test_generation_is_deterministic(bookstore: Path, tmp_path: Path) -> None:
    again = new_project(EXAMPLE, tmp_path / "again")
    assert tree(again) == tree(bookstore)


def test_spec_is_copied_verbatim_after_the_schema_modeline(bookstore: Path) -> None:
    text = (bookstore / "fastgen.yaml").read_text()
    assert text == f"{SCHEMA_MODELINE}\n{EXAMPLE.read_text()}"


@pytest.mark.parametrize("spec", ["bookstore", "nasty", "queue", "cachebench"])
def test_output_is_ruff_clean(spec: str, bookstore: Path, tmp_path: Path) -> None:
    if spec == "bookstore":
        project = bookstore
    else:
        specs = {"nasty": NASTY, "queue": QUEUE, "cachebench": CACHEBENCH}
        project = new_project(specs[spec], tmp_path / spec)
    check = ruff("check", ".", cwd=project)
    assert check.returncode == 0, check.stdout
    fmt = ruff("format", "--check", "--diff", ".", cwd=project)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_nasty_strings_become_literals(tmp_path: Path) -> None:
    project = new_project(NASTY, tmp_path / "nasty")
    settings = (project / "src" / "nasty" / "settings.py").read_text()
    namespace = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in ast.parse(settings).body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    assert namespace["TITLE"] == (
        'Say "hi" \\ it\'s {{ not_jinja }} """ and a title long enough to need wrapping'
    )
    assert namespace["DESCRIPTION"] == "line one\nline two"


def test_bad_spec_writes_nothing(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("fastgen: 1\nservice:\n  name: Bad Name\n")
    result = run_fastgen("new", str(spec), "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert f"{spec}:3:9: service.name" in result.stderr
    assert not (tmp_path / "out").exists()


def test_refuses_a_non_empty_destination(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    result = run_fastgen("new", str(EXAMPLE), "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "not empty" in result.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["keep.txt"]


def settings_fields(project: Path) -> set[str]:
    """The environment variables ``GeneratedSettings`` reads (its fields' names)."""
    (module,) = project.glob("src/*/settings.py")
    tree = ast.parse(module.read_text())
    (settings,) = [
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name == "GeneratedSettings"
    ]
    return {
        node.target.id.upper()
        for node in settings.body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    }


def readme_settings(project: Path) -> set[str]:
    """The variables named in the first column of the README's settings table."""
    lines = (project / "README.md").read_text().splitlines()
    start = lines.index("| variable | default | what |") + 2
    names: set[str] = set()
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", line.split("|")[1]))
    return names


@pytest.mark.parametrize("spec", ["bookstore", "queue"])
def test_readme_documents_every_setting(
    spec: str, bookstore: Path, tmp_path: Path
) -> None:
    project = bookstore if spec == "bookstore" else new_project(QUEUE, tmp_path / spec)
    fields, documented = settings_fields(project), readme_settings(project)
    assert sorted(fields - documented) == [], "Settings fields missing from README"
    assert sorted(documented - fields) == [], "README names settings that are not read"


def test_readme_first_command_runs_without_a_python_command(
    bookstore: Path, tmp_path: Path
) -> None:
    """Debian and Ubuntu install ``python3`` and no ``python`` (unless
    python-is-python3): the README's first command makes the venv with ``python3``."""
    readme = (bookstore / "README.md").read_text()
    first = readme.split("## Run it\n\n```sh\n", 1)[1].splitlines()[0]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(Path(sys.executable).resolve())
    result = subprocess.run(
        ["/bin/sh", "-c", f"{first} && command -v python3"],
        cwd=tmp_path,
        env={"PATH": str(bin_dir), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"{first!r}: {result.stderr}"
    assert result.stdout.strip() == str(tmp_path / ".venv" / "bin" / "python3")
