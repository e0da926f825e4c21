"""Render a project from a spec with copier (the only writer of generated files)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import copier
from copier.errors import CopierError

from fastgen import __version__
from fastgen.errors import FastgenError
from fastgen.spec.loader import load_document
from fastgen.spec.validate import validate_data

PACKAGE_TEMPLATE = Path(__file__).parent / "_template"
REPO_ROOT = Path(__file__).resolve().parents[2]


def template_files_root() -> Path:
    """Where ``copier.yml`` and ``templates/`` are: in the wheel, or in a source checkout."""
    if (PACKAGE_TEMPLATE / "copier.yml").is_file():
        return PACKAGE_TEMPLATE
    if (REPO_ROOT / "copier.yml").is_file():
        return REPO_ROOT
    raise FastgenError("fastgen's template is missing from this installation")


def template_source() -> str:
    """A stable, machine-independent ``_src_path`` for generated projects.

    copier can only re-render (update) a project from a git template with PEP 440 tags,
    so the packaged template is materialised as a git repository tagged with fastgen's
    version in ``~/.cache/fastgen/templates/v<version>``, with fixed commit dates so its
    history has the same hashes everywhere. It is recorded with a literal ``~`` (copier
    expands it), so the answers file has the same bytes on every machine.
    """
    relative = Path(".cache", "fastgen", "templates", f"v{__version__}")
    target = Path.home() / relative
    source = template_files_root()
    files = sorted(
        p
        for p in [source / "copier.yml", *(source / "templates").rglob("*")]
        if p.is_file() and "__pycache__" not in p.parts
    )
    digest = hashlib.sha256()
    for path in files:
        digest.update(
            str(path.relative_to(source)).encode() + b"\0" + path.read_bytes()
        )
    stamp = target / ".git" / "fastgen-stamp"
    if not (stamp.is_file() and stamp.read_text() == digest.hexdigest()):
        staging = target.with_name(target.name + f".tmp{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        for path in files:
            dest = staging / path.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
        _git_commit_tagged(staging, __version__)
        (staging / ".git" / "fastgen-stamp").write_text(digest.hexdigest())
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    return "~/" + relative.as_posix()


def _git_commit_tagged(directory: Path, tag: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "fastgen",
        "GIT_AUTHOR_EMAIL": "fastgen@localhost",
        "GIT_COMMITTER_NAME": "fastgen",
        "GIT_COMMITTER_EMAIL": "fastgen@localhost",
        "GIT_AUTHOR_DATE": "2000-01-01T00:00:00Z",
        "GIT_COMMITTER_DATE": "2000-01-01T00:00:00Z",
    }
    steps = (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "-A"],
        ["git", "commit", "-q", "--no-gpg-sign", "-m", f"fastgen template {tag}"],
        ["git", "tag", tag],
    )
    for step in steps:
        try:
            subprocess.run(
                step, cwd=directory, env=env, check=True, capture_output=True
            )
        except (OSError, subprocess.CalledProcessError) as exc:
            raise FastgenError(f"cannot prepare the template with git: {exc}") from exc


def new_project(spec_path: Path, destination: Path) -> Path:
    """Validate ``spec_path`` and render a new project into ``destination``.

    Nothing is written unless the spec is valid; a failed render removes what it made.
    """
    data, positions = load_document(spec_path)
    validate_data(data, positions)
    if destination.exists() and any(destination.iterdir()):
        raise FastgenError(
            f"{destination} exists and is not empty; choose a new directory"
        )
    render(data, destination)
    # Keep the user's own file (comments and all) as the project's source of truth.
    shutil.copyfile(spec_path, destination / "fastgen.yaml")
    return destination


def render(spec_data: dict[str, Any], destination: Path) -> None:
    """Run copier with the spec as its single answer."""
    try:
        copier.run_copy(
            template_source(),
            destination,
            vcs_ref=__version__,
            data={"spec": spec_data},
            defaults=True,
            unsafe=True,
            quiet=True,
            overwrite=True,
        )
    except CopierError as exc:
        raise FastgenError(f"rendering failed: {exc}") from exc
