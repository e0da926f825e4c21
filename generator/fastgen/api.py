"""The commands as functions: read and compile the spec once, hand the model to render.

``cli.py`` is a thin shell over these, and tests and scripts call them directly. This
is the one layer that uses both sides: ``fastgen.spec`` reads and compiles input,
``fastgen.render`` writes, and neither imports the other (docs/architecture.md).
"""

from __future__ import annotations

from pathlib import Path

from fastgen.render import project as render_project
from fastgen.render import update as render_update
from fastgen.render.migrations import write_revision
from fastgen.render.session import RenderSession
from fastgen.render.update import SpecChange, UpdateResult
from fastgen.spec.inputs import Input, compile_answer, read_input_file


def new_project(spec_path: Path, destination: Path, read: Input | None = None) -> Path:
    """Validate ``spec_path`` and render a new project into ``destination``.

    Nothing is written unless the spec is valid; a failed render removes what it made.
    ``read`` is the file already read (the CLI reads it first to report warnings).
    """
    if read is None:
        read = read_input_file(spec_path)
    own_text = spec_path.read_bytes().decode("utf-8") if read.own_file else None
    return render_project.new_project(read.answer, read.model, destination, own_text)


def read_project_spec(project: Path, *, strict: bool = False) -> Input:
    """The spec file of a generated project, read and compiled (``--strict``: warnings
    are errors)."""
    return read_input_file(render_update.spec_path(project.resolve()), strict=strict)


def update_project(project: Path, read: Input | None = None) -> UpdateResult:
    """Re-render ``project`` from its spec file in place, keeping every hand edit."""
    return render_update.update_project(project, _change(project, read))


def preview(project: Path, read: Input | None = None) -> UpdateResult:
    """What ``update_project`` would change, worked out in a throwaway clone."""
    return render_update.preview(project, _change(project, read))


def migrate_project(project: Path, read: Input | None = None) -> Path | None:
    """Write the Alembic revision for the spec's schema change (after a plain
    ``copier update``); None when the migrations already build it."""
    if read is None:
        read = read_project_spec(project)
    return write_revision(project, read.model)


def _change(project: Path, read: Input | None) -> SpecChange:
    """The new answer and the models of both sides of the update, each compiled once."""
    if read is None:
        read = read_project_spec(project)
    session = RenderSession()
    session.add(read.answer, read.model)
    stored = render_update.stored_spec(project)
    if session.model_for(stored) is None:
        # The answer the project was last rendered from: copier renders it again as
        # the old side of the three-way merge.
        session.add(stored, compile_answer(stored, render_update.ANSWERS))
    return SpecChange(read.answer, read.model, session)
