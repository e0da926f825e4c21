"""Editors validate a project's fastgen.yaml against the schema of the fastgen that made it.

fastgen.yaml starts with a ``yaml-language-server`` modeline pointing at
``.fastgen/fastgen.schema.json``, a generated file that ``fastgen update`` keeps equal
to ``fastgen schema``. The modeline is a comment: the spec reads back unchanged, and
``fastgen update``/``fastgen check`` see no difference.
"""

from __future__ import annotations

import json
from pathlib import Path

import copier
import pytest
import yaml

from fastgen.api import new_project, preview, update_project
from fastgen.copier_ext import spec_differs_from_file
from fastgen.model.files import SCHEMA_FILE, SCHEMA_MODELINE, project_file_text
from fastgen.render import template_repo
from fastgen.render.template_repo import live_template_files
from fastgen.render.update import stored_spec
from fastgen.spec.inputs import read_input
from fastgen.spec.native.schema import spec_json_schema

from .conftest import EXAMPLE, REPO, fake_release, git, run_fastgen

PETSTORE = REPO / "examples" / "petstore.yaml"


def test_fastgen_yaml_starts_with_the_schema_modeline(bookstore: Path) -> None:
    text = (bookstore / "fastgen.yaml").read_text()
    first, rest = text.split("\n", 1)
    assert first == "# yaml-language-server: $schema=./.fastgen/fastgen.schema.json"
    assert rest == EXAMPLE.read_text()  # the user's file, comments and all
    # The language server resolves the path from the YAML file's directory.
    assert (bookstore / first.split("$schema=")[1]).is_file()


def test_the_schema_file_is_what_fastgen_schema_prints(bookstore: Path) -> None:
    printed = run_fastgen("schema")
    assert printed.returncode == 0
    assert (bookstore / SCHEMA_FILE).read_text() == printed.stdout


def test_the_spec_reads_back_unchanged(bookstore: Path) -> None:
    data, _ = read_input(bookstore / "fastgen.yaml")
    assert data == stored_spec(bookstore) == yaml.safe_load(EXAMPLE.read_text())
    assert not spec_differs_from_file(stored_spec(bookstore), bookstore)


def test_a_fresh_project_is_up_to_date(bookstore: Path, tmp_path: Path) -> None:
    project = new_project(EXAMPLE, tmp_path / "bookstore")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    assert preview(project).clean


def test_an_openapi_project_keeps_its_document_as_written(tmp_path: Path) -> None:
    project = new_project(PETSTORE, tmp_path / "petstore")
    assert (project / "openapi.yaml").read_bytes() == PETSTORE.read_bytes()
    assert not (project / ".fastgen").exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fastgen: 1\n", f"{SCHEMA_MODELINE}\nfastgen: 1\n"),
        ("fastgen: 1", f"{SCHEMA_MODELINE}\nfastgen: 1"),
        ("# mine\r\nfastgen: 1\r\n", f"{SCHEMA_MODELINE}\r\n# mine\r\nfastgen: 1\r\n"),
        # A modeline of the user's points elsewhere from the project: replaced.
        (
            "# yaml-language-server: $schema=../schemas/fastgen.schema.json\nfastgen: 1\n",
            f"{SCHEMA_MODELINE}\nfastgen: 1\n",
        ),
        (f"{SCHEMA_MODELINE}\nfastgen: 1\n", f"{SCHEMA_MODELINE}\nfastgen: 1\n"),
    ],
)
def test_project_file_text_adds_one_modeline(text: str, expected: str) -> None:
    assert project_file_text({"fastgen": 1}, text) == expected


def test_project_file_text_leaves_openapi_alone() -> None:
    text = "openapi: 3.1.0\ninfo: {title: x, version: '1'}\n"
    assert project_file_text({"openapi": "3.1.0"}, text) == text


OLD_WORDING = "OLD SCHEMA"


@pytest.fixture
def old_release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fake 0.0.1 release whose schema file says something else than today's."""
    files = live_template_files()
    (name,) = [n for n in files if n.endswith("/fastgen.schema.json")]
    old = {**spec_json_schema(), "title": OLD_WORDING}
    files[name] = (json.dumps(old, indent=2) + "\n").encode()
    return fake_release(tmp_path, monkeypatch, files)


def test_update_brings_the_schema_file_to_this_release(
    old_release: str, tmp_path: Path
) -> None:
    project = tmp_path / "bookstore"
    copier.run_copy(
        template_repo.template_source(),
        project,
        vcs_ref=old_release,
        data={"spec": yaml.safe_load(EXAMPLE.read_text())},
        defaults=True,
        unsafe=True,
        quiet=True,
    )
    spec_text = project_file_text({}, "# our service\n" + EXAMPLE.read_text())
    (project / "fastgen.yaml").write_text(spec_text)
    assert OLD_WORDING in (project / SCHEMA_FILE).read_text()
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "made by 0.0.1")

    result = update_project(project)

    assert not result.conflicts
    assert SCHEMA_FILE in result.changed
    assert (project / SCHEMA_FILE).read_text() == run_fastgen("schema").stdout
    assert (project / "fastgen.yaml").read_text() == spec_text  # yours, untouched
    git(project, "add", "-A")
    git(project, "commit", "-qm", "updated")
    assert preview(project).clean
