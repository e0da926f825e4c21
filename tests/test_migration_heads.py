"""Two pull requests that each changed the spec, merged in git.

Each ran ``fastgen update`` on its branch, so each added a revision on the same
parent: after the merge the migrations have two Alembic heads, and ``alembic upgrade
head`` refuses them. fastgen reads merge revisions (``down_revision`` a tuple, as
``alembic merge`` writes it), ``check`` fails on several heads, and ``update`` /
``migrate`` write the merge revision.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from fastgen.api import new_project
from fastgen.render.migrations import revision_heads

from .conftest import EXAMPLE, git, run_fastgen

# A field added to the spec: (the line it goes after, the new line).
PAGES = (
    "      author_id: {type: ref, to: author, index: true}\n",
    "      pages: {type: integer, required: false}\n",
)
COUNTRY = (
    "      bio: {type: text, required: false}\n",
    "      country: {type: string, max_length: 2, required: false}\n",
)
SITE = (
    "      bio: {type: text, required: false}\n",
    "      site: {type: string, max_length: 100, required: false}\n",
)
# What `alembic merge heads` writes with Alembic's own script.py.mako.
ALEMBIC_MERGE = '''"""merge heads

Revision ID: 1merge
Revises: {a}, {b}
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '1merge'
down_revision: Union[str, Sequence[str], None] = ('{a}', '{b}')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
'''


def change_spec(project: Path, change: tuple[str, str], message: str) -> None:
    spec = project / "fastgen.yaml"
    text = spec.read_text()
    after, line = change
    assert after in text
    spec.write_text(text.replace(after, after + line, 1))
    git(project, "commit", "-qam", message)


def update_and_commit(project: Path) -> str:
    result = run_fastgen("update", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    git(project, "add", "-A")
    git(project, "commit", "-qm", "fastgen update")
    return result.stdout


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project on main after merging two branches that each changed the spec."""
    project = new_project(EXAMPLE, tmp_path_factory.mktemp("merged") / "bookstore")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    for branch, change in (("pages", PAGES), ("country", COUNTRY)):
        git(project, "checkout", "-q", "-b", branch, "main")
        change_spec(project, change, branch)
        update_and_commit(project)
    git(project, "checkout", "-q", "main")
    for branch in ("pages", "country"):
        git(project, "merge", "-q", "--no-edit", branch)
    return project


def merged_branches(merged: Path, root: Path) -> Path:
    """A copy of ``merged`` to change."""
    return Path(shutil.copytree(merged, root / "bookstore", symlinks=True))


def parents(path: Path) -> object:
    """The ``down_revision`` of a revision module."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.AnnAssign | ast.Assign):
            target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
            if isinstance(target, ast.Name) and target.id == "down_revision":
                assert node.value is not None
                return ast.literal_eval(node.value)
    raise AssertionError(f"{path} has no down_revision")


def test_update_merges_the_heads_of_two_merged_branches(
    merged: Path, tmp_path: Path
) -> None:
    project = merged_branches(merged, tmp_path)
    versions = project / "migrations" / "versions"
    heads = revision_heads(versions)
    assert len(heads) == 2
    checked = run_fastgen("check", cwd=project)
    assert checked.returncode == 1
    assert "merge_heads.py" in checked.stderr
    result = run_fastgen("update", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "Migration: migrations/versions/0004_merge_heads.py" in result.stdout
    merge = versions / "0004_merge_heads.py"
    assert parents(merge) == tuple(heads)
    (merged,) = revision_heads(versions)
    schema = (project / "migrations" / "schema.json").read_text()
    assert '"name": "pages"' in schema and '"name": "country"' in schema
    git(project, "add", "-A")
    git(project, "commit", "-qm", "merged heads")
    assert run_fastgen("check", cwd=project).returncode == 0
    assert run_fastgen("migrate", cwd=project).stdout.startswith(
        "The migrations already match"
    )
    # The next change builds on the merge.
    change_spec(project, SITE, "site")
    assert "Migration: " in update_and_commit(project)
    (added,) = versions.glob("0005_*.py")
    assert parents(added) == merged
    assert len(revision_heads(versions)) == 1


def test_a_merge_revision_written_by_alembic_is_built_on(
    merged: Path, tmp_path: Path
) -> None:
    """The team merged the heads the Alembic way: the next update builds on that
    revision, whose ``down_revision`` is a tuple, not on one of its parents."""
    project = merged_branches(merged, tmp_path)
    versions = project / "migrations" / "versions"
    a, b = revision_heads(versions)
    (versions / "1merge_merge_heads.py").write_text(ALEMBIC_MERGE.format(a=a, b=b))
    git(project, "add", "-A")
    git(project, "commit", "-qm", "alembic merge heads")
    assert revision_heads(versions) == ["1merge"]
    assert run_fastgen("check", cwd=project).returncode == 0
    change_spec(project, SITE, "site")
    update_and_commit(project)
    (added,) = versions.glob("0005_*.py")
    assert parents(added) == "1merge"
    assert len(revision_heads(versions)) == 1


def run_tool(venv: Path, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """One of the project's tools (alembic, ruff, python) from ``venv``, run with
    the project's own package first on the path."""
    return subprocess.run(
        [str(venv / "bin" / args[0]), *args[1:]],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(project / "src")},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.e2e
def test_merged_heads_upgrade_and_pass_the_generated_tests(
    merged: Path, tmp_path: Path, shared_venv: Path
) -> None:
    project = merged_branches(merged, tmp_path)
    upgraded = run_tool(shared_venv, project, "alembic", "upgrade", "head")
    assert "Multiple head revisions" in upgraded.stderr  # what the merge left
    assert run_fastgen("update", cwd=project).returncode == 0
    heads = run_tool(shared_venv, project, "alembic", "heads")
    assert heads.stdout.count("(head)") == 1, heads.stdout
    for command in (("ruff", "check", "."), ("ruff", "format", "--check", ".")):
        result = run_tool(shared_venv, project, *command)
        assert result.returncode == 0, result.stdout + result.stderr
    generated = run_tool(
        shared_venv,
        project,
        "python",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/test_migrations.py",
        "tests/test_schema_version.py",
    )
    assert generated.returncode == 0, generated.stdout[-3000:]


@pytest.mark.e2e
def test_revisions_written_with_alembic_pass_ruff(
    merged: Path, tmp_path: Path, shared_venv: Path
) -> None:
    """The project's CI runs ruff on everything: a revision `alembic merge` or
    `alembic revision` writes from the project's script.py.mako passes it as
    written."""
    project = merged_branches(merged, tmp_path)
    for command in (
        ("alembic", "merge", "heads", "-m", "merge pages and country"),
        ("alembic", "revision", "-m", "by hand"),
    ):
        result = run_tool(shared_venv, project, *command)
        assert result.returncode == 0, result.stderr
    assert len(list((project / "migrations" / "versions").glob("*.py"))) == 5
    for command in (("ruff", "check", "."), ("ruff", "format", "--check", ".")):
        result = run_tool(shared_venv, project, *command)
        assert result.returncode == 0, result.stdout + result.stderr
