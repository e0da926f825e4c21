"""Regenerate a project after its fastgen.yaml changed, keeping every hand edit.

copier does the three-way merge: it re-renders the old version from the spec stored in
``.copier-answers.yml`` and the new one from ``fastgen.yaml``, and applies the difference
to the project (inline conflict markers where both sides changed a line). Around that,
this module refuses a dirty tree, keeps user-owned files copier would delete, reports
conflicts (copier itself exits 0 on them) and writes the Alembic revision for the
schema change. ``check`` and ``--dry-run`` run the same update in a throwaway clone.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pathspec
import yaml
from copier.errors import CopierError

from fastgen import __version__
from fastgen.copier_ext import remember
from fastgen.errors import FastgenError
from fastgen.model.files import SPEC_FILES, project_spec
from fastgen.render.migrations import write_revision
from fastgen.render.template_repo import live_template_root, template_source
from fastgen.render.worker import FastgenWorker
from fastgen.spec.inputs import read_input_file
from fastgen.spec.problems import Problem

ANSWERS = ".copier-answers.yml"
CONFLICT_MARKERS = ("<<<<<<< ", ">>>>>>> ")


@dataclass
class UpdateResult:
    """What an update did (or, for a dry run, would do)."""

    changed: list[str] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)  # path -> A, M or D
    conflicts: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    migration: str | None = None
    diff: str = ""
    warnings: tuple[Problem, ...] = ()  # about the spec file, read as meant

    @property
    def clean(self) -> bool:
        return not (self.changed or self.conflicts or self.migration)


def git(project: Path, *args: str, check: bool = True) -> str:
    try:
        result = subprocess.run(
            ["git", *args], cwd=project, capture_output=True, text=True, check=check
        )
    except OSError as exc:
        raise FastgenError(f"git is needed to update a project: {exc}") from exc
    except subprocess.CalledProcessError as exc:
        raise FastgenError(
            f"git {' '.join(args)} failed: {exc.stderr.strip()}"
        ) from exc
    return result.stdout


def stored_spec(project: Path) -> dict[str, Any]:
    """The spec the project was last rendered from (copier's answer)."""
    answers_path = project / ANSWERS
    if not answers_path.is_file() or project_spec(project) is None:
        raise FastgenError(
            f"{project} is not a fastgen project (no {ANSWERS} and "
            f"{' or '.join(SPEC_FILES)}); run this inside a generated project"
        )
    answers = yaml.safe_load(answers_path.read_text(encoding="utf-8")) or {}
    if not isinstance(answers.get("spec"), dict):
        raise FastgenError(f"{ANSWERS} has no spec answer; was it edited by hand?")
    return answers["spec"]


def update_project(project: Path, *, strict: bool = False) -> UpdateResult:
    """Re-render ``project`` from its fastgen.yaml in place (the tree must be committed)."""
    project = project.resolve()
    stored_spec(project)
    read = read_input_file(_spec_path(project), strict=strict)
    data, new_model = read.answer, read.model
    remember(data, new_model)  # copier renders the new side from this same answer
    git(project, "rev-parse", "--show-toplevel")
    if git(project, "status", "--porcelain", "--untracked-files=normal").strip():
        raise FastgenError(
            "the working tree has uncommitted changes; commit fastgen.yaml (and your "
            "edits) first, so the update can be reviewed and undone"
        )
    _run_copier(project, data)
    result = _inspect(project)
    result.warnings = read.warnings
    result.kept = _keep_user_files(project, result)
    migration = write_revision(project, new_model)
    if migration is not None:
        result.migration = migration.relative_to(project).as_posix()
    return result


def _run_copier(project: Path, spec: dict[str, Any]) -> None:
    source = template_source()
    answers = yaml.safe_load((project / ANSWERS).read_text(encoding="utf-8"))
    if answers.get("_src_path") != source:
        raise FastgenError(
            f"{ANSWERS} points at template {answers.get('_src_path')!r}, not {source!r}"
        )
    try:
        with FastgenWorker(
            dst_path=project,
            data={"spec": spec},
            defaults=True,
            overwrite=True,
            unsafe=True,
            quiet=True,
            conflict="inline",
            vcs_ref=__version__,
        ) as worker:
            worker.run_update()
    except (CopierError, ValueError) as exc:
        raise FastgenError(f"copier update failed: {exc}") from exc


def _inspect(project: Path) -> UpdateResult:
    porcelain = git(project, "status", "--porcelain", "--untracked-files=all")
    status = {
        line[3:].split(" -> ")[-1]: "A"
        if line[:2] == "??"
        else "D"
        if "D" in line[:2]
        else "M"
        for line in porcelain.splitlines()
    }
    changed = sorted(status)
    unmerged = set(git(project, "diff", "--name-only", "--diff-filter=U").split())
    conflicts = set(unmerged)
    for name in changed:
        path = project / name
        if name.endswith(".rej") or path.is_file() and _has_markers(path):
            conflicts.add(name)
    return UpdateResult(changed=changed, status=status, conflicts=sorted(conflicts))


def _has_markers(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return False
    return any(line.startswith(CONFLICT_MARKERS) for line in text.splitlines())


def _keep_user_files(project: Path, result: UpdateResult) -> list[str]:
    """Put back user-owned files copier deleted because the spec no longer makes them."""
    deleted = git(project, "ls-files", "--deleted").split()
    owned = user_owned()
    kept = [name for name in deleted if owned.match_file(name)]
    if kept:
        git(project, "checkout", "HEAD", "--", *kept)
        result.changed = [name for name in result.changed if name not in kept]
    return kept


def user_owned() -> pathspec.PathSpec:
    """Files created once and then the user's: copier.yml's ``_skip_if_exists``."""
    config = yaml.safe_load((live_template_root() / "copier.yml").read_text("utf-8"))
    return pathspec.PathSpec.from_lines("gitignore", config["_skip_if_exists"])


def migrate_project(project: Path, *, strict: bool = False) -> Path | None:
    """Write the migration for the spec's schema change (after a plain copier update)."""
    stored_spec(project)
    return write_revision(
        project, read_input_file(_spec_path(project), strict=strict).model
    )


def _spec_path(project: Path) -> Path:
    path = project_spec(project)
    assert path is not None  # stored_spec checked it
    return path


def preview(project: Path, *, strict: bool = False) -> UpdateResult:
    """Run the update in a clone of the project (with the current fastgen.yaml)."""
    project = project.resolve()
    stored_spec(project)
    # Read here, so problems name the project's file rather than the clone's.
    warnings = read_input_file(_spec_path(project), strict=strict).warnings
    top = Path(git(project, "rev-parse", "--show-toplevel").strip()).resolve()
    relative = project.relative_to(top)
    with tempfile.TemporaryDirectory(prefix="fastgen-preview-") as scratch:
        clone = Path(scratch) / "project"
        git(project, "clone", "--quiet", "--no-hardlinks", str(top), str(clone))
        clone = clone / relative
        spec = _spec_path(project)
        shutil.copyfile(spec, clone / spec.name)
        git(clone, "add", spec.name)
        if git(clone, "status", "--porcelain").strip():
            git(clone, *_identity(), "commit", "-q", "--no-verify", "-m", "preview")
        result = update_project(clone)
        result.warnings = warnings
        git(clone, "add", "-A")
        result.diff = (
            git(clone, "diff", "--cached", "--stat")
            + "\n"
            + git(clone, "diff", "--cached")
        )
    return result


def _identity() -> tuple[str, ...]:
    return ("-c", "user.name=fastgen", "-c", "user.email=fastgen@localhost")
