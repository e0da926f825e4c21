"""Render a project from a spec with copier (the only writer of generated files)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import copier
from copier.errors import CopierError

from fastgen import __version__
from fastgen.copier_ext import remember
from fastgen.errors import FastgenError
from fastgen.inputs import read_input, spec_file_name
from fastgen.spec.loader import load_document
from fastgen.template_repo import template_source


def new_project(spec_path: Path, destination: Path) -> Path:
    """Validate ``spec_path`` and render a new project into ``destination``.

    Nothing is written unless the spec is valid; a failed render removes what it made.
    """
    data, model = read_input(spec_path)
    if destination.exists() and any(destination.iterdir()):
        raise FastgenError(
            f"{destination} exists and is not empty; choose a new directory"
        )
    remember(data, model)
    render(data, destination)
    # Keep the user's own file (comments and all) as the project's source of truth;
    # an OpenAPI document of several files stays bundled, as rendered from the answer.
    if load_document(spec_path)[0] == data:
        shutil.copyfile(spec_path, destination / spec_file_name(data))
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
