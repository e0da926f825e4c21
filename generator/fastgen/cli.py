"""The command line: a thin layer over the functions of the same names."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from fastgen import __version__
from fastgen.errors import FastgenError
from fastgen.spec.problems import Problem, SpecError

if TYPE_CHECKING:
    from fastgen.render.api_changes import ApiReport
    from fastgen.render.update import UpdateResult

app = typer.Typer(
    help="Generate a cached, async FastAPI service from one spec file.",
    epilog="Exit codes: 0 ok; 1 stale, conflicts or failure; 2 bad spec or usage.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

SpecArg = Annotated[
    Path,
    typer.Argument(
        help="A fastgen.yaml spec, or an OpenAPI 3.0/3.1 document (YAML or JSON).",
        show_default=False,
    ),
]


StrictOpt = Annotated[
    bool,
    typer.Option(
        "--strict",
        help="Treat every warning about the spec as an error (exit 2, nothing written).",
    ),
]


def _fail_spec(error: SpecError, *, writes: bool) -> None:
    for problem in error.problems:
        typer.echo(str(problem), err=True)
    count = len(error.problems)
    found = f"{count} problem{'s' if count != 1 else ''} found"
    typer.echo(f"{found}; nothing written." if writes else f"{found}.", err=True)
    raise typer.Exit(2)


def _warn(warnings: tuple[Problem, ...]) -> None:
    """Print what was read as meant, located like errors (``--strict`` refuses it)."""
    for problem in warnings:
        where = f"{problem.file}:{problem.line}:{problem.column}"
        typer.echo(f"{where}: warning: {problem.message}", err=True)


@contextmanager
def _user_errors(failure_code: int, *, writes: bool = True) -> Iterator[None]:
    """Turn fastgen's user-facing errors into messages and exit codes.

    ``writes``: the command writes files, so a refused spec means nothing was.
    """
    try:
        yield
    except SpecError as error:
        _fail_spec(error, writes=writes)
    except FastgenError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(failure_code) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fastgen {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """Exit codes: 0 ok; 1 failure; 2 bad spec or usage."""


@app.command()
def new(
    spec: SpecArg,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Directory to create (default: the service name)."
        ),
    ] = None,
    strict: StrictOpt = False,
) -> None:
    """Generate a new project from SPEC."""
    from fastgen.api import new_project
    from fastgen.spec.inputs import read_input_file

    with _user_errors(2):
        read = read_input_file(spec, strict=strict)
        _warn(read.warnings)
        destination = new_project(spec, output or Path(read.model.package), read)
    typer.echo(f"Generated {destination}")
    typer.echo(f"Next: cd {destination} && pip install -e '.[dev]' && pytest")
    typer.echo(
        "Keep it in git (git init && git add -A && git commit -m generated): "
        "`fastgen update` merges your edits from that commit."
    )


@app.command()
def validate(spec: SpecArg, strict: StrictOpt = False) -> None:
    """Check SPEC and print every problem as FILE:LINE:COL: message (writes nothing)."""
    from fastgen.spec.inputs import read_input_file

    with _user_errors(2, writes=False):
        warnings = read_input_file(spec, strict=strict).warnings
    _warn(warnings)
    count = len(warnings)
    typer.echo(
        f"{spec}: ok"
        + (f" ({count} warning{'s' if count != 1 else ''})" if count else "")
    )


@app.command()
def schema() -> None:
    """Print the JSON Schema of the spec language."""
    from fastgen.spec.native.schema import spec_json_schema

    typer.echo(json.dumps(spec_json_schema(), indent=2))


ProjectOpt = Annotated[
    Path,
    typer.Option("--project", "-p", help="The generated project (default: here)."),
]

AllowDataLossOpt = Annotated[
    bool,
    typer.Option(
        "--allow-data-loss",
        help="Apply a schema change that loses stored data (a removed field or "
        "resource, a narrowed or lossy type change); without it such a change is "
        "refused and nothing is written. The revision's docstring lists what it drops.",
    ),
]


@app.command()
def update(
    project: ProjectOpt = Path(),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; touch nothing.")
    ] = False,
    strict: StrictOpt = False,
    allow_data_loss: AllowDataLossOpt = False,
) -> None:
    """Regenerate the project from its fastgen.yaml (or openapi.yaml), keeping hand edits.

    A schema change that would lose data is refused (exit 1, nothing written) and
    listed with its spec FILE:LINE, unless --allow-data-loss is given.

    A new required field on an existing table needs a `default:` for existing rows.
    A renamed field or resource keeps its data when it says `renamed_from: <old name>`.
    """
    from fastgen.api import preview, read_project_spec, update_project

    with _user_errors(1):
        read = read_project_spec(project, strict=strict)
        _warn(read.warnings)
        result = (preview if dry_run else update_project)(
            project, read, allow_data_loss=allow_data_loss
        )
    if dry_run:
        typer.echo(result.diff.rstrip() or "No changes.")
    _report(result, verb="would change" if dry_run else "changed")
    _print_api(result.api)
    if result.conflicts:
        raise typer.Exit(1)


@app.command()
def check(
    project: ProjectOpt = Path(),
    strict: StrictOpt = False,
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            help="Also report the API changes since the spec file at this git ref "
            "(e.g. origin/main), and fail on a breaking one.",
            show_default=False,
        ),
    ] = None,
    allow_breaking: Annotated[
        bool,
        typer.Option(
            "--allow-breaking",
            help="With --base: report breaking API changes without failing.",
        ),
    ] = False,
) -> None:
    """Exit 1 if the committed code is stale with respect to its spec file or fastgen.

    With --base REF, also print the API changes since the spec file at REF and exit 1
    on a breaking one, unless the spec's version has a higher major than at REF or
    --allow-breaking is given.
    """
    from fastgen.api import (
        api_changes_since,
        committed_conflicts,
        preview,
        read_project_spec,
    )

    with _user_errors(1, writes=False):
        read = read_project_spec(project, strict=strict)
        _warn(read.warnings)
        result = preview(project, read)
        since_base = api_changes_since(project, read, base) if base else None
        conflicted = committed_conflicts(project)
    stale = not result.clean
    if stale:
        typer.echo("Stale: `fastgen update` would change these files:", err=True)
        _report(result, verb="would change", err=True)
        _print_api(result.api)
    elif not conflicted:
        typer.echo("Up to date with the spec file.")
    for name in conflicted:
        typer.echo(f"  C {name}", err=True)
    if conflicted:
        typer.echo(
            f"error: {len(conflicted)} committed file(s) have unresolved conflicts: "
            "resolve the <<<<<<< markers (and apply any .rej files), then commit.",
            err=True,
        )
    refused = since_base is not None and _judge_breaking(since_base, allow_breaking)
    if stale or refused or conflicted:
        raise typer.Exit(1)


def _print_api(report: ApiReport | None) -> None:
    if report is not None and report.changes:
        for line in report.lines():
            typer.echo(line)


def _judge_breaking(report: ApiReport, allow_breaking: bool) -> bool:
    """Print the report against --base; True when its breaking changes fail the check."""
    for line in report.lines():
        typer.echo(line)
    count = len(report.breaking)
    if not count:
        return False
    if report.major_bumped:
        typer.echo(
            f"Breaking changes allowed: the version's major went up "
            f"({report.old_version} -> {report.new_version})."
        )
        return False
    if allow_breaking:
        typer.echo("Breaking changes allowed by --allow-breaking.")
        return False
    typer.echo(
        f"error: {count} breaking API change{'s' if count != 1 else ''} since "
        f"{report.since}: bump the major of the spec's version (now "
        f"{report.new_version or 'unset'}) or pass --allow-breaking.",
        err=True,
    )
    return True


def _report(result: UpdateResult, *, verb: str, err: bool = False) -> None:
    for name in result.changed:
        mark = "C" if name in result.conflicts else result.status.get(name, "M")
        typer.echo(f"  {mark} {name}", err=err)
    if result.migration:
        typer.echo(f"Migration: {result.migration}", err=err)
    _report_drops(result.data_loss)
    for name in result.kept:
        typer.echo(f"Kept (yours; the spec no longer uses it): {name}", err=err)
        _hint_renamed(name, result)
    for name in result.orphaned:
        typer.echo(
            f"  C {name}: kept, with your edits, though the spec no longer makes "
            "it: move them where the spec now puts them, then delete the file.",
            err=err,
        )
    for line in result.stale_tests:
        typer.echo(f"Your test: {line}", err=err)
    if result.conflicts:
        typer.echo(
            f"{len(result.conflicts)} file(s) have conflicts: resolve the <<<<<<< "
            "markers (and apply any .rej files) and the files kept above, then "
            "commit.",
            err=True,
        )
    elif result.changed or result.migration:
        typer.echo(f"{len(result.changed)} file(s) {verb}.", err=err)
    else:
        typer.echo("Already up to date.", err=err)


def _hint_renamed(kept: str, result: UpdateResult) -> None:
    """A kept hook beside a new one is likely a rename: the old file no longer
    runs. Edited, its code must move; as fastgen created it, it holds nothing."""
    folder = kept.rpartition("/")[0]
    for name in result.changed:
        if result.status.get(name) == "A" and name.rpartition("/")[0] == folder:
            if kept in result.kept_edited:
                hint = f"move your code to {name}: the old file is no longer called."
            else:
                hint = (
                    f"{name} replaces it; the old file has no edits of yours (it "
                    "is as fastgen created it), so you can delete it."
                )
            typer.echo(f"  If the spec renamed it, {hint}", err=True)


def _report_drops(drops: list[str]) -> None:
    for drop in drops:
        typer.echo(f"Data loss (--allow-data-loss): {drop}", err=True)


@app.command()
def migrate(
    project: ProjectOpt = Path(),
    strict: StrictOpt = False,
    allow_data_loss: AllowDataLossOpt = False,
) -> None:
    """Write the Alembic revision for a schema change (after a plain `copier update`).

    Refuses a change that would lose data like `fastgen update` does.
    """
    from fastgen.api import migrate_project, read_project_spec
    from fastgen.render.migrations import SCHEMA_FILE

    schema = project / SCHEMA_FILE
    recorded = schema.read_bytes() if schema.is_file() else None
    with _user_errors(1):
        path, drops = migrate_project(
            project,
            read_project_spec(project, strict=strict),
            allow_data_loss=allow_data_loss,
        )
    if path:
        typer.echo(f"Migration: {path}")
    elif recorded is not None and schema.read_bytes() != recorded:
        typer.echo(
            f"The migrations already build the spec's schema; {SCHEMA_FILE} now "
            "records what changed without a revision (a default): commit it."
        )
    else:
        typer.echo("The migrations already match the spec.")
    _report_drops(drops)


def run() -> None:
    """The ``fastgen`` command: ``app`` with Python's cyclic garbage collector off.

    A command runs once and exits. Its imports (pydantic models, copier, the
    templates' helpers) make hundreds of thousands of long-lived objects, so the
    collector scanned them again and again: ~126 collections, 0.03-0.06 s of CPU in
    one ``fastgen new``, a full one at exit on top; off, the process holds 1-3 MB more
    (bench/README.md, "Speed targets of issue 13"). Tests call ``app``, which
    leaves the collector alone.
    """
    gc.disable()
    app()
