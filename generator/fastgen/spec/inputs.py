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

from fastgen.model.files import is_openapi
from fastgen.model.service import ServiceModel
from fastgen.spec.compiled import Compiled
from fastgen.spec.loader import Positions, load_document
from fastgen.spec.native.checks.listing import listing_warnings
from fastgen.spec.native.compile import compile_service
from fastgen.spec.native.validate import validate_data
from fastgen.spec.problems import Problem, SpecError
from fastgen.spec.url_secrets import url_password_warnings


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
    positions: Positions | None = None  # of the file's own content (the root file)
    # For OpenAPI: the module of pydantic models written for the document's schemas
    # (``Compiled.models_source``), which render formats into ``api_models.py``.
    models_source: str | None = None


def read_input(path: Path) -> tuple[dict[str, Any], ServiceModel]:
    """Load, check and compile an input file: (the ``spec`` answer, its service model).

    For OpenAPI the answer is the bundled document (one self-contained mapping).
    Raises ``SpecError`` with every located problem.
    """
    read = read_input_file(path)
    return read.answer, read.model


def read_input_file(
    path: Path,
    *,
    strict: bool = False,
    stored_json: frozenset[tuple[str, str]] = frozenset(),
) -> Input:
    """``read_input`` with its warnings; with ``strict`` every warning is an error.
    ``stored_json``: the JSON columns of the project the file belongs to (OpenAPI:
    ``compile_api``)."""
    data, positions = load_document(path)
    if is_openapi(data):
        from fastgen.spec.openapi import describe_api, load_openapi
        from fastgen.spec.openapi.annotations import ROOT_KEY
        from fastgen.spec.openapi.compile import compile_api
        from fastgen.spec.openapi.model_warnings import (
            deepest_loc,
            locate_model_warnings,
        )

        document, source_map = load_openapi(path, (data, positions))
        api = describe_api(document, source_map)
        compiled = compile_api(api, stored_json)
        model = compiled.model
        found = [*api.warnings]
        if model.api is not None:
            found += locate_model_warnings(
                model.api.model_warnings, document, source_map
            )
            found += [
                source_map.problem(deepest_loc(document, pointer[1:]), message)
                for pointer, message in model.api.error_warnings
            ]
        found += url_password_warnings(data.get(ROOT_KEY), (ROOT_KEY,), positions)
        warnings = tuple(sorted(dict.fromkeys(found)))
        own_file = document == data
        read = Input(
            document, model, own_file, warnings, positions, compiled.models_source
        )
    else:
        spec = validate_data(data, positions)
        warnings = (
            *listing_warnings(spec, positions),
            *url_password_warnings(data, (), positions),
        )
        model = compile_service(spec)
        read = Input(data, model, True, warnings, positions=positions)
    if strict and read.warnings:
        raise SpecError([strict_problem(warning) for warning in read.warnings])
    return read


def strict_problem(warning: Problem) -> Problem:
    """A warning as ``--strict`` reports it: an error."""
    return replace(warning, message=f"{warning.message} (an error with --strict)")


def compile_answer(
    data: Any, origin: str, stored_json: frozenset[tuple[str, str]] = frozenset()
) -> Compiled:
    """The service model (and models module) of a stored ``spec`` answer (it may have
    been edited); ``stored_json`` as for ``read_input_file``."""
    if is_openapi(data):
        from fastgen.spec.openapi import SourceMap, describe_api
        from fastgen.spec.openapi.compile import compile_api

        _refuse_other_files(data, origin)
        api = describe_api(data, SourceMap(Positions(origin)))
        return compile_api(api, stored_json)
    return Compiled(compile_service(validate_data(data, Positions(origin))))


def _refuse_other_files(document: Any, origin: str) -> None:
    """An answer is one document: a ``$ref`` to another file (plain ``copier update
    --data "spec=$(cat openapi.yaml)"`` of a document split into files) cannot be
    followed from it, and read as missing it would turn tables into stubs."""
    from fastgen.spec.openapi.pointer import escape

    pending: list[tuple[str, Any]] = [("#", document)]
    while pending:
        pointer, value = pending.pop()
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                message = (
                    f"{pointer}/$ref: {ref!r} is in another file, which a spec answer "
                    "cannot refer to; run `fastgen update` (it bundles the files into "
                    "one answer) instead of plain copier"
                )
                raise SpecError([Problem(origin, 1, 1, message)])
            items = list(value.items())
        elif isinstance(value, list):
            items = list(enumerate(value))
        else:
            continue
        pending += [(f"{pointer}/{escape(k)}", v) for k, v in items]
