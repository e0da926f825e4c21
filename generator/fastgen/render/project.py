"""Render a new project with copier (the only writer of generated files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from copier.errors import CopierError

from fastgen import __version__
from fastgen.errors import FastgenError
from fastgen.model.files import project_file_text, spec_file_name
from fastgen.model.service import ServiceModel
from fastgen.render.session import RenderSession, answer_key
from fastgen.render.template_repo import template_source
from fastgen.render.worker import FastgenWorker


def new_project(
    answer: dict[str, Any],
    model: ServiceModel,
    destination: Path,
    own_text: str | None = None,
    *,
    models_source: str | None = None,
) -> Path:
    """Render the project of ``answer`` (compiled to ``model``, and for OpenAPI to
    ``models_source``, its pydantic models module) into ``destination``.

    ``own_text`` is the user's spec file when its content is the answer: the project
    keeps it as written (comments, line endings and all) as its source of truth; a
    fastgen.yaml gains the schema modeline (``project_file_text``). Otherwise (a
    bundled OpenAPI document) the spec file is rendered from the answer.
    """
    check_destination(destination)
    session = RenderSession()
    session.add(answer, model, models_source)
    if own_text is not None:
        session.own_file = (answer_key(answer), own_text)
    try:
        render(answer, destination, session)
    except OSError as exc:  # what the checks cannot foresee; copier removed its part
        raise FastgenError(
            f"cannot write {exc.filename or destination}: {exc.strerror or exc}"
        ) from None
    if own_text is not None:
        target = destination / spec_file_name(answer)
        target.write_bytes(project_file_text(answer, own_text).encode("utf-8"))
    return destination


def check_destination(destination: Path) -> None:
    """Refuse, before anything is written, a destination no project can go to: a
    file, a path inside a file, a directory that is not empty. (One that cannot be
    written is refused by the first write, which copier then removes.)"""
    existing = destination
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        inside = "" if existing == destination else f"{destination}: "
        raise FastgenError(
            f"{inside}{existing} is a file, not a directory; choose a new directory"
        )
    try:
        taken = existing == destination and any(destination.iterdir())
    except OSError as exc:
        raise FastgenError(f"cannot read {destination}: {exc.strerror}") from None
    if taken:
        raise FastgenError(
            f"{destination} exists and is not empty; choose a new directory"
        )


def render(
    answer: dict[str, Any], destination: Path, session: RenderSession | None = None
) -> None:
    """Run copier with the spec as its single answer."""
    try:
        with FastgenWorker(
            src_path=template_source(),
            dst_path=destination,
            vcs_ref=__version__,
            data={"spec": answer},
            session=session,
            defaults=True,
            unsafe=True,
            quiet=True,
            overwrite=True,
        ) as worker:
            worker.run_copy()
    except CopierError as exc:
        raise FastgenError(f"rendering failed: {exc}") from exc
