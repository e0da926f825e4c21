"""The two input formats — a native fastgen.yaml or an OpenAPI document — behind one API.

A project stores its input as copier's ``spec`` answer and as a file beside the code:
``fastgen.yaml`` for a native spec, ``openapi.yaml`` for an OpenAPI document (bundled
into one file when it was several). Everything downstream asks this module, so
``new``, ``validate``, ``update``, ``check`` and ``migrate`` treat both alike.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from fastgen.errors import Problem, SpecError
from fastgen.service import ServiceModel, compile_service
from fastgen.spec.loader import Positions, load_document
from fastgen.spec.validate import validate_data

NATIVE_FILE = "fastgen.yaml"
OPENAPI_FILE = "openapi.yaml"
SPEC_FILES = (NATIVE_FILE, OPENAPI_FILE)
# The JSON Schema of fastgen.yaml inside a project (generated, so updates keep it
# current), and the modeline that points editors running the YAML language server at it.
SCHEMA_FILE = ".fastgen/fastgen.schema.json"
SCHEMA_MODELINE = f"# yaml-language-server: $schema=./{SCHEMA_FILE}"
_MODELINE_PREFIX = "# yaml-language-server:"


def is_openapi(data: Any) -> bool:
    """True for an OpenAPI (or Swagger) document: it has an ``openapi``/``swagger`` key."""
    return isinstance(data, dict) and ("openapi" in data or "swagger" in data)


def spec_file_name(data: Any) -> str:
    """The name of the file a project keeps its input in."""
    return OPENAPI_FILE if is_openapi(data) else NATIVE_FILE


def project_file_text(data: Any, text: str) -> str:
    """The text of a project's input file, made from the user's ``text``.

    A fastgen.yaml starts with the schema modeline (replacing a modeline of the
    user's, whose relative path would point elsewhere from the project); the rest is
    the user's text, comments and all. Being a comment, it reads back as the same
    spec. An OpenAPI document is kept as it is: the fastgen schema does not describe
    it, and editors recognise OpenAPI by its ``openapi:`` key.
    """
    if is_openapi(data):
        return text
    newline = "\r\n" if "\r\n" in text else "\n"
    first, rest = text.split(newline, 1) if newline in text else (text, "")
    if first.startswith(_MODELINE_PREFIX):
        text = rest
    return SCHEMA_MODELINE + newline + text


@dataclass(frozen=True)
class Input:
    """An input file, read: what copier stores and renders, and what to tell the user."""

    answer: dict[str, Any]  # the ``spec`` answer; for OpenAPI the bundled document
    model: ServiceModel
    # Whether the answer is the file's own content. It is not when bundling an
    # OpenAPI document changed it: several files joined into one, or values made
    # plain (a YAML date becomes a string).
    own_file: bool
    warnings: tuple[Problem, ...] = ()  # read as meant; errors under ``strict``


def read_input(path: Path) -> tuple[dict[str, Any], ServiceModel]:
    """Load, check and compile an input file: (the ``spec`` answer, its service model).

    For OpenAPI the answer is the bundled document (one self-contained mapping).
    Raises ``SpecError`` with every located problem.
    """
    read = read_input_file(path)
    return read.answer, read.model


def read_input_file(path: Path, *, strict: bool = False) -> Input:
    """``read_input`` with its warnings; with ``strict`` every warning is an error."""
    data, positions = load_document(path)
    if is_openapi(data):
        from fastgen.openapi import describe_api, load_openapi
        from fastgen.openapi.compile import compile_api
        from fastgen.openapi.model_warnings import locate_model_warnings

        document, source_map = load_openapi(path)
        api = describe_api(document, source_map)
        model = compile_api(api)
        found = [*api.warnings]
        if model.api is not None:
            found += locate_model_warnings(
                model.api.model_warnings, document, source_map
            )
        warnings = tuple(sorted(dict.fromkeys(found)))
        read = Input(document, model, document == data, warnings)
    else:
        model = compile_service(validate_data(data, positions))
        read = Input(data, model, True)
    if strict and read.warnings:
        raise SpecError([strict_problem(warning) for warning in read.warnings])
    return read


def strict_problem(warning: Problem) -> Problem:
    """A warning as ``--strict`` reports it: an error."""
    return replace(warning, message=f"{warning.message} (an error with --strict)")


def compile_answer(data: Any, origin: str) -> ServiceModel:
    """The service model of a stored ``spec`` answer (it may have been edited)."""
    if is_openapi(data):
        from fastgen.openapi import SourceMap, describe_api
        from fastgen.openapi.compile import compile_api

        return compile_api(describe_api(data, SourceMap(Positions(origin))))
    return compile_service(validate_data(data, Positions(origin)))


def project_spec(project: Path) -> Path | None:
    """The input file of a generated project, or None when it has none."""
    for name in SPEC_FILES:
        if (project / name).is_file():
            return project / name
    return None
