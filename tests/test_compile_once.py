"""Each command compiles each spec once and hands the model down (issue 13).

The model reaches the templates through the copier worker's session
(``fastgen.render.session``); templates never compile the raw answer again while a
fastgen command renders. These tests count calls of the two compilers while the real
commands run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import fastgen.spec.inputs
import fastgen.spec.openapi.bundle
import fastgen.spec.openapi.compile
from fastgen.api import new_project
from fastgen.cli import app

from .conftest import EXAMPLE, REPO, git

PETSTORE = REPO / "examples" / "petstore.yaml"


def _count(
    monkeypatch: pytest.MonkeyPatch,
    module: Any,
    name: str,
    calls: list[Any] | None = None,
) -> list[Any]:
    """Record every call of ``module.name`` in ``calls`` (the real function runs)."""
    calls = [] if calls is None else calls
    real = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def _fastgen(*args: str) -> None:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output


def _committed(project: Path) -> Path:
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    return project


def test_new_compiles_an_openapi_document_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # datamodel-code-generator runs inside compile_api: once per compile.
    calls = _count(monkeypatch, fastgen.spec.openapi.compile, "compile_api")
    _fastgen("new", str(PETSTORE), "-o", str(tmp_path / "petstore"))
    assert len(calls) == 1
    assert (tmp_path / "petstore" / "src" / "petstore" / "api_models.py").is_file()


def test_new_parses_an_openapi_document_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading the file to learn its kind and bundling it share one parse."""
    parses = _count(monkeypatch, fastgen.spec.inputs, "load_document")
    _count(monkeypatch, fastgen.spec.openapi.bundle, "load_document", parses)
    _fastgen("new", str(PETSTORE), "-o", str(tmp_path / "petstore"))
    assert parses == [(PETSTORE,)]


def test_new_compiles_a_native_spec_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count(monkeypatch, fastgen.spec.inputs, "compile_service")
    _fastgen("new", str(EXAMPLE), "-o", str(tmp_path / "bookstore"))
    assert len(calls) == 1


def test_update_compiles_the_new_and_the_stored_spec_once_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _committed(new_project(EXAMPLE, tmp_path / "bookstore"))
    spec = project / "fastgen.yaml"
    bio = "      bio: {type: text, required: false}\n"
    assert bio in spec.read_text()
    spec.write_text(
        spec.read_text().replace(
            bio, bio + "      born: {type: date, required: false}\n"
        )
    )
    git(project, "commit", "-qam", "add born")
    calls = _count(monkeypatch, fastgen.spec.inputs, "compile_service")
    _fastgen("update", "-p", str(project))
    compiled = {_key(call[0]) for call in calls}
    assert len(calls) == 2 == len(compiled)  # the new spec, and the stored answer
    assert (
        "born" in (project / "src" / "bookstore" / "models" / "author.py").read_text()
    )


def test_check_of_an_unchanged_openapi_project_compiles_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _committed(new_project(PETSTORE, tmp_path / "petstore"))
    calls = _count(monkeypatch, fastgen.spec.openapi.compile, "compile_api")
    _fastgen("check", "-p", str(project))
    # The stored answer is the spec file's content: one model serves both sides.
    assert len(calls) == 1


def test_update_of_an_openapi_project_compiles_each_side_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each side's compile hands on its models module with its model: the old and
    the new api_models.py come from the session, not from a compile in a template."""
    project = _committed(new_project(PETSTORE, tmp_path / "petstore"))
    spec = project / "openapi.yaml"
    spec.write_text(spec.read_text().replace("{ttl: 60}   #", "{ttl: 90}   #"))
    git(project, "commit", "-qam", "longer ttl")
    calls = _count(monkeypatch, fastgen.spec.openapi.compile, "compile_api")
    _fastgen("update", "-p", str(project))
    assert len(calls) == 2  # the new document, and the stored answer
    assert (project / "src" / "petstore" / "api_models.py").is_file()
    assert "ttl=90" in (project / "src" / "petstore" / "cache_config.py").read_text()


def _key(spec: Any) -> str:
    return json.dumps(spec.model_dump(mode="json"), sort_keys=True)
