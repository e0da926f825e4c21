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
from fastgen.errors import FastgenError
from fastgen.model.files import NATIVE_FILE, SPEC_FILES, project_spec
from fastgen.model.service import ServiceModel
from fastgen.render.api_changes import ApiReport
from fastgen.render.dataloss import Locations, refuse_data_loss
from fastgen.render.migrations import SCHEMA_FILE, write_revision
from fastgen.render.session import RenderSession
from fastgen.render.template_repo import live_template_root, template_source
from fastgen.render.worker import FastgenWorker

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
    data_loss: list[str] = field(default_factory=list)  # what the revision drops
    diff: str = ""
    api: ApiReport | None = None  # what the spec change means for API clients
    stale_tests: list[str] = field(default_factory=list)  # render.user_tests

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


def _spec_name(project: Path) -> str:
    spec = project_spec(project)
    return NATIVE_FILE if spec is None else spec.name


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


@dataclass(frozen=True)
class SpecChange:
    """An update's input, read and compiled by the caller (``fastgen.api``)."""

    answer: dict[str, Any]  # the new ``spec`` answer
    model: ServiceModel  # its model
    session: RenderSession  # the models of the new and the stored answer
    locations: Locations = field(default_factory=dict)  # where tables/columns are
    spec_file: str = "fastgen.yaml"  # named where a change has no location
    allow_data_loss: bool = False  # --allow-data-loss
    rename_key: str = "renamed_from"  # how the spec names a previous name


def update_project(project: Path, change: SpecChange) -> UpdateResult:
    """Re-render ``project`` from its new spec in place (the tree must be committed)."""
    project = project.resolve()
    stored_spec(project)
    _require_git(project)
    if git(project, "status", "--porcelain", "--untracked-files=normal").strip():
        raise FastgenError(
            f"the working tree has uncommitted changes; commit {_spec_name(project)} "
            "(and your edits) first, so the update can be reviewed and undone"
        )
    # Refused before copier runs, so a refusal leaves the tree as it was.
    losses = refuse_data_loss(
        project,
        change.model,
        change.locations,
        change.spec_file,
        allow_data_loss=change.allow_data_loss,
        rename_key=change.rename_key,
    )
    _run_copier(project, change)
    result = _inspect(project)
    result.kept = _keep_user_files(project, result)
    result.data_loss = [loss.message for loss in losses]
    schema = project / SCHEMA_FILE
    migrated = schema.read_bytes() if schema.is_file() else None
    migration = write_revision(project, change.model, result.data_loss)
    if migration is not None:
        result.migration = migration.relative_to(project).as_posix()
    rewritten = migrated is not None and schema.read_bytes() != migrated
    if rewritten and SCHEMA_FILE not in result.changed:  # with a revision or not
        result.changed.append(SCHEMA_FILE)
        result.status[SCHEMA_FILE] = "M"
    return result


def _run_copier(project: Path, change: SpecChange) -> None:
    source = template_source()
    answers = yaml.safe_load((project / ANSWERS).read_text(encoding="utf-8"))
    if answers.get("_src_path") != source:
        raise FastgenError(
            f"{ANSWERS} points at template {answers.get('_src_path')!r}, not {source!r}"
        )
    try:
        with FastgenWorker(
            dst_path=project,
            data={"spec": change.answer},
            session=change.session,
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


def _require_git(project: Path) -> None:
    """Refuse, saying how to start, a project that is not in a git repository."""
    if (
        git(project, "rev-parse", "--is-inside-work-tree", check=False).strip()
        != "true"
    ):
        raise FastgenError(
            f"{project} is not in a git repository: an update merges your edits "
            "with the new code from the commit it was generated in. Commit it "
            "first: git init && git add -A && git commit -m generated"
        )


def spec_path(project: Path) -> Path:
    """The input file of a generated project (fastgen.yaml or openapi.yaml)."""
    stored_spec(project)
    path = project_spec(project)
    assert path is not None  # stored_spec checked it
    return path


def preview(project: Path, change: SpecChange) -> UpdateResult:
    """Run the update in a clone of the project (with the current spec file)."""
    project = project.resolve()
    spec = spec_path(project)
    _require_git(project)
    top = Path(git(project, "rev-parse", "--show-toplevel").strip()).resolve()
    relative = project.relative_to(top)
    with tempfile.TemporaryDirectory(prefix="fastgen-preview-") as scratch:
        clone = Path(scratch) / "project"
        git(project, "clone", "--quiet", "--no-hardlinks", str(top), str(clone))
        clone = clone / relative
        shutil.copyfile(spec, clone / spec.name)
        git(clone, "add", spec.name)
        if git(clone, "status", "--porcelain").strip():
            git(clone, *_identity(), "commit", "-q", "--no-verify", "-m", "preview")
        result = update_project(clone, change)
        git(clone, "add", "-A")
        result.diff = (
            git(clone, "diff", "--cached", "--stat")
            + "\n"
            + git(clone, "diff", "--cached")
        )
    return result


def _identity() -> tuple[str, ...]:
    return ("-c", "user.name=fastgen", "-c", "user.email=fastgen@localhost")
