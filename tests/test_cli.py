"""The command line's contract: commands, exit codes, messages."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest

from fastgen import cli

from .conftest import EXAMPLE, REPO, run_fastgen


def test_validate_ok() -> None:
    result = run_fastgen("validate", str(EXAMPLE))
    assert result.returncode == 0
    assert result.stdout.strip().endswith(": ok")


def test_validate_reports_every_problem_with_exit_2(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("fastgen: 1\nservice:\n  name: x\n  titel: y\n  versio: z\n")
    result = run_fastgen("validate", str(spec))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{spec}:4:3: unknown key 'titel'")
    assert lines[1].startswith(f"{spec}:5:3: unknown key 'versio'")
    assert lines[-1] == "2 problems found."  # validate never writes


def test_new_with_a_bad_spec_says_nothing_was_written(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("fastgen: 1\nservice:\n  name: x\n  titel: y\n")
    result = run_fastgen("new", str(spec), "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == "1 problem found; nothing written."
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("output", "message"),
    [
        pytest.param(
            "afile",
            "{tmp}/afile is a file, not a directory; choose a new directory",
            id="a-file",
        ),
        pytest.param(
            "afile/sub",
            "{tmp}/afile/sub: {tmp}/afile is a file, not a directory; choose a new "
            "directory",
            id="inside-a-file",
        ),
        # Linux's /proc takes no new directory, not even from root (whom no
        # permission bits stop); why (the OS's words) depends on the user.
        pytest.param(
            "/proc/fastgen-test/out",
            "cannot write /proc/fastgen-test: ",
            id="unwritable",
        ),
    ],
)
def test_new_into_a_place_no_directory_can_be_made_is_a_usage_error(
    tmp_path: Path, output: str, message: str
) -> None:
    """-o naming a file, a path inside one or an unwritable place: a one-line
    message and exit 2, as for any usage error, and nothing written."""
    (tmp_path / "afile").write_text("mine\n")
    destination = output if output.startswith("/") else str(tmp_path / output)
    result = run_fastgen("new", str(EXAMPLE), "-o", destination)
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.splitlines()
    expected = "error: " + message.format(tmp=tmp_path)
    assert line.startswith(expected) if expected.endswith(": ") else line == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]
    assert (tmp_path / "afile").read_text() == "mine\n"


def test_missing_file_is_exit_2(tmp_path: Path) -> None:
    result = run_fastgen("validate", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert "nope.yaml:1:1: file not found" in result.stderr


def test_schema_prints_the_checked_in_schema() -> None:
    result = run_fastgen("schema")
    assert result.returncode == 0
    published = json.loads((REPO / "schemas" / "fastgen.schema.json").read_text())
    assert json.loads(result.stdout) == published


def test_usage_error_is_exit_2() -> None:
    result = run_fastgen("new")
    assert result.returncode == 2
    assert "Missing argument" in result.stderr


def test_help_lists_the_commands() -> None:
    result = run_fastgen("--help")
    assert result.returncode == 0
    for command in ("new", "validate", "schema"):
        assert command in result.stdout


def test_every_command_that_reads_the_spec_has_strict() -> None:
    for command in ("new", "validate", "update", "check", "migrate"):
        result = run_fastgen(command, "--help")
        assert result.returncode == 0
        assert "--strict" in result.stdout, command
        assert "Treat every warning about the spec as an error" in unwrapped(
            result.stdout
        )


def unwrapped(help_text: str) -> str:
    """``--help`` output as one line: rich wraps option texts inside a box."""
    return " ".join(help_text.replace("│", " ").split())


def test_update_and_migrate_take_allow_data_loss() -> None:
    for command in ("update", "migrate"):
        result = run_fastgen(command, "--help")
        assert result.returncode == 0
        # Whether a flag shows a ``<bool>`` metavar depends on typer's version
        # (openapi-python-client, a test tool, pins typer < 0.28, which shows none).
        text = unwrapped(result.stdout).replace(
            "--allow-data-loss <bool>", "--allow-data-loss"
        )
        assert (
            "--allow-data-loss Apply a schema change that loses stored data (a "
            "removed field or resource, a narrowed or lossy type change); without it "
            "such a change is refused and nothing is written. The revision's "
            "docstring lists what it drops."
        ) in text, command


def test_the_command_runs_with_the_garbage_collector_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``fastgen`` (``cli.run``) turns the cyclic collector off for its one run;
    ``app``, which tests call in-process, leaves it on."""
    seen = []
    monkeypatch.setattr(cli, "app", lambda: seen.append(gc.isenabled()))
    try:
        cli.run()
    finally:
        gc.enable()
    assert seen == [False]
    assert gc.isenabled()


def test_python_m_fastgen_and_the_script_use_run() -> None:
    main_module = (REPO / "generator" / "fastgen" / "__main__.py").read_text()
    assert "run()" in main_module
    result = run_fastgen("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("fastgen ")
