"""The commands as functions: read and compile the spec once, hand the model to render.

``cli.py`` is a thin shell over these, and tests and scripts call them directly. This
is the one layer that uses both sides: ``fastgen.spec`` reads and compiles input,
``fastgen.render`` writes, and neither imports the other (docs/architecture.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from fastgen.errors import FastgenError
from fastgen.model.files import is_openapi, spec_file_name
from fastgen.render import project as render_project
from fastgen.render.session import RenderSession
from fastgen.spec.inputs import Input, compile_answer, read_input_file
from fastgen.spec.loader import load_text

if TYPE_CHECKING:
    from fastgen.render.api_changes import ApiReport
    from fastgen.render.dataloss import Locations
    from fastgen.render.update import SpecChange, UpdateResult

# `fastgen new` imports this module too: what only update, migrate and check use (the
# update machinery, data-loss checks, migrations, the API report, the OpenAPI
# front-end) is imported by the functions that use it, not here (bench/README.md,
# "Speed targets of issue 13").


def new_project(spec_path: Path, destination: Path, read: Input | None = None) -> Path:
    """Validate ``spec_path`` and render a new project into ``destination``.

    Nothing is written unless the spec is valid; a failed render removes what it made.
    ``read`` is the file already read (the CLI reads it first to report warnings).
    """
    if read is None:
        read = read_input_file(spec_path)
    own_text = spec_path.read_bytes().decode("utf-8") if read.own_file else None
    return render_project.new_project(
        read.answer,
        read.model,
        destination,
        own_text,
        models_source=read.models_source,
    )


def read_project_spec(project: Path, *, strict: bool = False) -> Input:
    """The spec file of a generated project, read and compiled (``--strict``: warnings
    are errors)."""
    from fastgen.render import update as render_update
    from fastgen.render.migrations import json_columns

    project = project.resolve()
    return read_input_file(
        render_update.spec_path(project),
        strict=strict,
        stored_json=json_columns(project),
    )


def update_project(
    project: Path, read: Input | None = None, *, allow_data_loss: bool = False
) -> UpdateResult:
    """Re-render ``project`` from its spec file in place, keeping every hand edit.

    A schema change that loses data is refused (``DataLossError``, nothing written)
    unless ``allow_data_loss``."""
    from fastgen.render import update as render_update

    change = _change(project, read, allow_data_loss)
    report = _update_report(project, change)  # before the update rewrites the answer
    stale = _stale_tests(project, change)
    result = render_update.update_project(project, change)
    result.api, result.stale_tests = report, stale
    return result


def preview(
    project: Path, read: Input | None = None, *, allow_data_loss: bool = False
) -> UpdateResult:
    """What ``update_project`` would change, worked out in a throwaway clone."""
    from fastgen.render import update as render_update

    change = _change(project, read, allow_data_loss)
    result = render_update.preview(project, change)
    result.api = _update_report(project, change)
    result.stale_tests = _stale_tests(project, change)
    return result


def committed_conflicts(project: Path) -> list[str]:
    """The project's tracked files with unresolved conflicts (markers, ``.rej``)."""
    from fastgen.render import update as render_update

    return render_update.committed_conflicts(project.resolve())


def migrate_project(
    project: Path, read: Input | None = None, *, allow_data_loss: bool = False
) -> tuple[Path | None, list[str]]:
    """Write the Alembic revision for the spec's schema change (after a plain
    ``copier update``): its path (None when the migrations already build it) and the
    data it drops. Refused like ``update_project`` when it loses data."""
    from fastgen.render.dataloss import refuse_data_loss
    from fastgen.render.migrations import write_revision

    if read is None:
        read = read_project_spec(project)
    losses = refuse_data_loss(
        project,
        read.model,
        *spec_locations(read),
        allow_data_loss=allow_data_loss,
        rename_key=rename_key(read),
    )
    drops = [loss.message for loss in losses]
    return write_revision(project, read.model, drops), drops


def rename_key(read: Input) -> str:
    """The key that names a field's previous name in this input format."""
    from fastgen.spec.openapi.annotations import RENAMED_KEY

    return RENAMED_KEY if is_openapi(read.answer) else "renamed_from"


def spec_locations(read: Input) -> tuple[Locations, str]:
    """Where each table and column of the model is written in the spec (FILE:LINE),
    and the file's name for changes with no line (an OpenAPI bundle: always)."""
    positions, model = read.positions, read.model
    assert positions is not None  # read_input_file records them
    if is_openapi(read.answer):
        from fastgen.spec.openapi.locations import column_locations

        # A bundle of several files has no lines of its own to name.
        found = column_locations(read.answer, positions, model) if read.own_file else {}
        return found, positions.file
    resources = ("resources",)

    def line(loc: tuple[str, ...]) -> str:
        return f"{positions.file}:{positions.of(loc, key=True)[0]}"

    locations: dict[tuple[str, str | None], str] = {("", None): line(resources)}
    for resource in model.resources:
        at = (*resources, resource.name)
        locations[resource.table, None] = line(at)
        for field in resource.fields:
            locations[resource.table, field.name] = line((*at, "fields", field.name))
    return locations, positions.file


def _change(project: Path, read: Input | None, allow_data_loss: bool) -> SpecChange:
    """The new answer and the models of both sides of the update, each compiled once."""
    from fastgen.render import update as render_update
    from fastgen.render.migrations import json_columns

    if read is None:
        read = read_project_spec(project)
    session = RenderSession()
    session.add(read.answer, read.model, read.models_source)
    stored = render_update.stored_spec(project)
    if session.model_for(stored) is None:
        # The answer the project was last rendered from: copier renders it again as
        # the old side of the three-way merge.
        stored_json = json_columns(project.resolve())
        compiled = compile_answer(stored, render_update.ANSWERS, stored_json)
        session.add(stored, compiled.model, compiled.models_source)
    locations, spec_file = spec_locations(read)
    return render_update.SpecChange(
        read.answer,
        read.model,
        session,
        locations,
        spec_file,
        allow_data_loss,
        rename_key(read),
    )


def _update_report(project: Path, change: SpecChange) -> ApiReport:
    """The API changes from the spec the code was last rendered from to the new one."""
    from fastgen.render import update as render_update
    from fastgen.render.api_changes import api_report
    from fastgen.render.api_contract import client_document

    stored = render_update.stored_spec(project)
    stored_model = change.session.model_for(stored)
    assert stored_model is not None  # _change compiled it
    old, new = (
        client_document(stored, stored_model),
        client_document(change.answer, change.model),
    )
    return api_report("the last update", old, new)


def _stale_tests(project: Path, change: SpecChange) -> list[str]:
    """The generated tests of removed routes left in the user's test files."""
    from fastgen.render import update as render_update
    from fastgen.render.user_tests import stale_tests

    stored = change.session.model_for(render_update.stored_spec(project))
    assert stored is not None  # _change compiled it
    return stale_tests(project.resolve(), stored, change.model)


def api_changes_since(project: Path, read: Input, base: str) -> ApiReport:
    """The API changes from the project's spec file as of the git ref ``base`` (a
    branch, tag or commit) to the spec file in the working tree."""
    from fastgen.render import update as render_update
    from fastgen.render.api_changes import api_report
    from fastgen.render.api_contract import client_document, served_document

    project = project.resolve()
    name = spec_file_name(read.answer)
    commit = f"{base}^{{commit}}"
    if not render_update.git(
        project, "rev-parse", "-q", "--verify", commit, check=False
    ):
        raise FastgenError(f"{base} is not a commit of {project}'s repository")
    listed = render_update.git(project, "ls-tree", "--name-only", base, "--", name)
    if not listed.strip():
        raise FastgenError(f"{name} does not exist at {base}: nothing to compare with")
    text = render_update.git(project, "show", f"{base}:./{name}")
    old_answer, _ = load_text(text, f"{name}@{base}")
    origin = f"{name}@{base}"
    old_model = (
        None if is_openapi(old_answer) else compile_answer(old_answer, origin).model
    )
    old = old_answer if old_model is None else served_document(old_model)
    return api_report(base, old, client_document(read.answer, read.model))
