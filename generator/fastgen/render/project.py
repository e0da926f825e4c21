"""Render a project from a spec with copier (the only writer of generated files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from copier.errors import CopierError

from fastgen import __version__, copier_ext
from fastgen.copier_ext import content_key, remember
from fastgen.errors import FastgenError
from fastgen.model.files import project_file_text, spec_file_name
from fastgen.render.template_repo import template_source
from fastgen.render.worker import FastgenWorker
from fastgen.spec.inputs import Input, read_input_file


def new_project(spec_path: Path, destination: Path, read: Input | None = None) -> Path:
    """Validate ``spec_path`` and render a new project into ``destination``.

    Nothing is written unless the spec is valid; a failed render removes what it made.
    ``read`` is the file already read (the CLI reads it first to report warnings).
    """
    if read is None:
        read = read_input_file(spec_path)
    data, model, own_file = read.answer, read.model, read.own_file
    if destination.exists() and any(destination.iterdir()):
        raise FastgenError(
            f"{destination} exists and is not empty; choose a new directory"
        )
    remember(data, model)
    if not own_file:
        render(data, destination)
        return destination
    # Keep the user's own file (comments, line endings and all) as the project's
    # source of truth; a bundled OpenAPI document stays as rendered from the answer
    # (above). A fastgen.yaml gains the schema modeline (``project_file_text``).
    text = spec_path.read_bytes().decode("utf-8")
    copier_ext.own_spec_file = (content_key(data), text)
    try:
        render(data, destination)
    finally:
        copier_ext.own_spec_file = None
    target = destination / spec_file_name(data)
    target.write_bytes(project_file_text(data, text).encode("utf-8"))
    return destination


def render(spec_data: dict[str, Any], destination: Path) -> None:
    """Run copier with the spec as its single answer."""
    try:
        with FastgenWorker(
            src_path=template_source(),
            dst_path=destination,
            vcs_ref=__version__,
            data={"spec": spec_data},
            defaults=True,
            unsafe=True,
            quiet=True,
            overwrite=True,
        ) as worker:
            worker.run_copy()
    except CopierError as exc:
        raise FastgenError(f"rendering failed: {exc}") from exc
