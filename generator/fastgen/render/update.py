"""Regenerate a project after its fastgen.yaml changed, keeping every hand edit.

copier does the three-way merge: it re-renders the old version from the spec stored in
``.copier-answers.yml`` and the new one from ``fastgen.yaml``, and applies the difference
to the project (inline conflict markers where both sides changed a line). Around that,
this module refuses a dirty tree, keeps user-owned files copier would delete, reports
conflicts (copier itself exits 0 on them) and writes the Alembic revision for the
schema change. ``check`` and ``--dry-run`` run the same update in a throwaway clone.
"""

from __future__ import annotations

import fnmatch
import re
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
from fastgen.render.renamed_hooks import edited, refuse_orphaned_hooks
from fastgen.render.session import RenderSession
from fastgen.render.template_repo import live_template_root, template_source
from fastgen.render.worker import FastgenWorker

ANSWERS = ".copier-answers.yml"
CONFLICT_MARKERS = ("<<<<<<< ", ">>>>>>> ")
_JINJA_IF = re.compile(r"{% if .*?%}(.*?){% endif %}")
_JINJA_ANY = re.compile(r"{% yield .*?{% endyield %}|{{.*?}}")
_ANSWERS_NAME = "{{ _copier_conf.answers_file }}"
_SPEC_NAME = "{{ spec_file_name(spec) }}"
_PACKAGE = "{{ package }}"


@dataclass
class UpdateResult:
    """What an update did (or, for a dry run, would do)."""

    changed: list[str] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)  # path -> A, M or D
    conflicts: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    kept_edited: list[str] = field(default_factory=list)  # those of kept you changed
    # Generated files with hand edits that the new render no longer makes (a renamed
    # or removed resource): put back and counted as conflicts.
    orphaned: list[str] = field(default_factory=list)
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
    stored = stored_spec(project)
    _require_git(project)
    require_tracked(project)
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
    refuse_orphaned_hooks(project, change.session.model_for(stored), change.model)
    old_render: dict[str, bytes] = {}
    _run_copier(project, change, old_render)
    result = _inspect(project)
    result.kept = _keep_user_files(project, result)
    result.kept_edited = [name for name in result.kept if edited(project, name)]
    result.orphaned = _keep_edited_files(project, result, old_render)
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


def _run_copier(
    project: Path, change: SpecChange, old_render: dict[str, bytes]
) -> None:
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
            old_render=old_render,
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


def committed_conflicts(project: Path) -> list[str]:
    """Tracked files with conflict markers or copier's ``.rej`` rejects.

    An update's conflicts leave the answers at the new spec, so a later update has
    nothing to do: committed unresolved, they are only found by looking.
    """
    markers = "^(" + "|".join(CONFLICT_MARKERS) + ")"
    found = git(project, "grep", "-I", "-l", "-E", markers, "--", ".", check=False)
    rejects = git(project, "ls-files", "--", "*.rej")
    return sorted({*found.splitlines(), *rejects.splitlines()})


def _keep_user_files(project: Path, result: UpdateResult) -> list[str]:
    """Put back user-owned files copier deleted because the spec no longer makes them."""
    deleted = git(project, "ls-files", "--deleted").split()
    owned = user_owned()
    kept = [name for name in deleted if owned.match_file(name)]
    if kept:
        git(project, "checkout", "HEAD", "--", *kept)
        result.changed = [name for name in result.changed if name not in kept]
    return kept


def _keep_edited_files(
    project: Path, result: UpdateResult, old_render: dict[str, bytes]
) -> list[str]:
    """Put back generated files the new render drops while they hold hand edits.

    copier deletes a file the new spec no longer makes (``book`` renamed to
    ``volume``, a removed resource) whatever the team wrote in it. A file that differs
    from what the old spec rendered is restored and reported as a conflict: the team
    moves its edits to where the spec now puts them, then deletes it.
    """
    deleted = git(project, "ls-files", "--deleted").split()
    edited = [
        name
        for name in deleted
        if old_render.get(name) != _committed_bytes(project, name)
    ]
    if edited:
        git(project, "checkout", "HEAD", "--", *edited)
        result.changed = [name for name in result.changed if name not in edited]
        result.conflicts = sorted({*result.conflicts, *edited})
    return edited


def _committed_bytes(project: Path, name: str) -> bytes:
    return subprocess.run(
        ["git", "show", f"HEAD:./{name}"], cwd=project, capture_output=True, check=True
    ).stdout


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


def require_tracked(project: Path) -> None:
    """Refuse a project whose generated files git does not have.

    copier merges the project's committed tree with the old and new renders: a
    rendered file missing from git counts as deleted by the user, so an update removes
    it from the disk, for good. That is every file of a project inside a repository
    that ignores it (``scripts/demo.sh``'s ``bookstore/`` in a fastgen checkout), and
    every generated file a team keeps out of git with ``.gitignore``.
    """
    answers = git(project, "ls-files", "--", ANSWERS).strip()
    if not answers:
        reason, advice = (
            (
                "the git repository around it ignores it",
                f"Make it a repository of its own: cd {project} && git init && ",
            )
            if _is_ignored(project, ANSWERS)
            else ("its files are not committed", f"Commit it: cd {project} && ")
        )
        raise FastgenError(
            f"{project} is not a committed project ({reason}): an update merges "
            "your edits with the commit the project was generated in, and would "
            f"delete every generated file git does not have. {advice}"
            "git add -A && git commit -m generated"
        )
    hidden = ignored_generated(project)
    if hidden:
        raise FastgenError(
            "git ignores these generated files, so an update would delete them "
            "(it merges your edits from the commit, where they are missing): "
            + ", ".join(hidden)
            + ". Commit them (git add -f PATH), or delete them: an update does not "
            "re-create a generated file the commit lacks"
        )


def _is_ignored(project: Path, name: str) -> bool:
    result = subprocess.run(
        ["git", "check-ignore", "-q", "--", name], cwd=project, check=False
    )
    return result.returncode == 0


def ignored_generated(project: Path) -> list[str]:
    """The files and directories git ignores that the template renders into."""
    listed = git(
        project,
        "ls-files",
        "--others",
        "--ignored",
        "--exclude-standard",
        "--directory",
        "--",
        ".",
    )
    # {{ package }}: the package's name, not any name (src/<package>.egg-info/).
    package = git(project, "ls-files", "--", "src/*/__init__.py").split("/")
    patterns = _rendered_patterns(package[1] if len(package) > 1 else "*")
    return sorted(name for name in listed.splitlines() if _renders_into(name, patterns))


def _rendered_patterns(package: str) -> list[list[str]]:
    """The template's file paths as globs, one per path segment: a name under an
    ``{% if %}`` is itself, one a ``{% yield %}`` makes is any name. (The spec file
    must be committed anyway: it is left out.)"""
    root = live_template_root() / "templates"
    patterns = []
    for path in root.rglob("*"):
        name = path.relative_to(root).as_posix().removesuffix(".jinja")
        if path.is_file() and "__pycache__" not in name and _SPEC_NAME not in name:
            name = name.replace(_ANSWERS_NAME, ANSWERS).replace(_PACKAGE, package)
            name = _JINJA_ANY.sub("*", _JINJA_IF.sub(r"\1", name))
            patterns.append(name.split("/"))
    return patterns


def _renders_into(name: str, patterns: list[list[str]]) -> bool:
    """Whether ``name`` (a directory when it ends with ``/``) is or holds a path the
    template renders."""
    parts = name.rstrip("/").split("/")
    directory = name.endswith("/")
    return any(
        (len(pattern) > len(parts) if directory else len(pattern) == len(parts))
        and all(map(fnmatch.fnmatchcase, parts, pattern))
        for pattern in patterns
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
    require_tracked(project)
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
